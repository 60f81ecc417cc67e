"""Front-end URLs of flash mentoring (office hours and bookings)."""

from django.urls import path

from wagtail_mentoring.engagement.office_hours import views

B = "flash/bookings/<int:pk>/"

urlpatterns = [
    path("flash/", views.office_hours, name="office_hours"),
    path("flash/mine/", views.my_office_hours, name="my_office_hours"),
    path("flash/slots/<int:pk>/book/", views.book, name="book_slot"),
    path(B, views.booking_detail, name="booking_detail"),
    path(B + "cancel/", views.cancel, name="cancel_booking"),
    path(B + "move/", views.reschedule, name="reschedule_booking"),
    path(B + "invite.ics", views.booking_ics, name="booking_ics"),
    path(B + "feedback/", views.feedback, name="booking_feedback"),
    path(B + "no-show/", views.no_show, name="booking_no_show"),
    path(B + "continue/", views.suggest_continuing, name="booking_suggest_continuing"),
    path(B + "continue/accept/", views.accept_continuing, name="booking_continue"),
]
