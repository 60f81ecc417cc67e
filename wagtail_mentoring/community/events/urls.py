"""Front-end URLs of space events."""

from django.urls import path

from wagtail_mentoring.community.events import views

S = "spaces/<int:space_pk>/events/"
E = "spaces/events/<int:pk>/"

urlpatterns = [
    path(S, views.space_events, name="space_events"),
    path(S + "new/", views.space_event_new, name="space_event_new"),
    path(E, views.space_event, name="space_event"),
    path(E + "edit/", views.space_event_edit, name="space_event_edit"),
    path(E + "cancel/", views.space_event_cancel, name="space_event_cancel"),
    path(E + "rsvp/", views.space_event_rsvp, name="space_event_rsvp"),
    path(E + "event.ics", views.space_event_ics, name="space_event_ics"),
]
