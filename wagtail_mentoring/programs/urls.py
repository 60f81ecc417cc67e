"""Front-end URLs of programs (the apply form is a route of the program page)."""

from django.urls import path

from wagtail_mentoring.programs import views

urlpatterns = [
    path(
        "applications/<int:pk>/withdraw/",
        views.withdraw,
        name="withdraw_application",
    ),
]
