"""Front-end URLs of engagement: My mentoring, requests, the calendar and the
relationship space (meetings, goals, messages, feedback, ending)."""

from django.urls import path

from wagtail_mentoring.engagement import circle_views, request_views, views
from wagtail_mentoring.engagement.my_mentoring import my_mentoring
from wagtail_mentoring.engagement.office_hours import urls as office_hours

R = "relationships/<int:pk>/"
M = R + "meetings/<int:meeting_pk>/"

urlpatterns = [
    path("", my_mentoring, name="my_mentoring"),
    path(
        "requests/<int:pk>/withdraw/",
        request_views.withdraw_request,
        name="withdraw_request",
    ),
    path(
        "requests/<int:pk>/accept/", request_views.accept_request, name="accept_request"
    ),
    path(
        "requests/<int:pk>/decline/",
        request_views.decline_request,
        name="decline_request",
    ),
    path("calendar/", request_views.calendar, name="calendar"),
    path(
        "calendar/<str:token>.ics",
        request_views.calendar_feed,
        name="calendar_feed",
    ),
    path(R, views.relationship, name="relationship"),
    path(R + "meetings/", views.meetings, name="meetings"),
    path(R + "meetings/new/", views.meeting_new, name="meeting_new"),
    path(R + "meetings/log/", views.meeting_log, name="meeting_log"),
    path(M, views.meeting_detail, name="meeting_detail"),
    path(M + "edit/", views.meeting_edit, name="meeting_edit"),
    path(M + "cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(M + "invite.ics", views.meeting_ics, name="meeting_ics"),
    path(M + "feedback/", views.meeting_feedback, name="meeting_feedback"),
    path(R + "goals/new/", views.goal_new, name="goal_new"),
    path(R + "goals/<int:goal_pk>/", views.goal_detail, name="goal_detail"),
    path(R + "goals/<int:goal_pk>/edit/", views.goal_edit, name="goal_edit"),
    path(R + "messages/", views.messages_view, name="messages"),
    path(R + "feedback/", views.final_feedback, name="final_feedback"),
    path(R + "end/", views.end, name="end_relationship"),
    path(R + "rematch/", views.rematch, name="request_rematch"),
    path(R + "extend/", views.extend, name="extend_relationship"),
    path("circles/<int:pk>/join/", circle_views.join, name="join_circle"),
    path(R + "circle/", circle_views.settings, name="circle_settings"),
    path(R + "circle/leave/", circle_views.leave, name="leave_circle"),
    path(R + "circle/end/", circle_views.end, name="end_circle"),
    *office_hours.urlpatterns,
]
