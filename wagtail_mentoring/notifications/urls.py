"""Front-end URLs of notifications: settings and one-click unsubscribe."""

from django.urls import path

from wagtail_mentoring.notifications import views

urlpatterns = [
    path(
        "notifications/",
        views.notification_settings,
        name="notification_settings",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.unsubscribe,
        name="unsubscribe",
    ),
]
