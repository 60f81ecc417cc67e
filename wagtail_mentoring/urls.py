"""Front-end URLs; the host includes them under a prefix of its choice:

path("mentoring/", include("wagtail_mentoring.urls")),
"""

from django.urls import path

from wagtail_mentoring.engagement import request_views
from wagtail_mentoring.engagement import views as engagement_views
from wagtail_mentoring.programs import views as program_views

app_name = "wagtail_mentoring"

urlpatterns = [
    path("", program_views.my_mentoring, name="my_mentoring"),
    path(
        "applications/<int:pk>/withdraw/",
        program_views.withdraw,
        name="withdraw_application",
    ),
]

# Sponsorship
from wagtail_mentoring.sponsorship import views as sponsorship_views  # noqa: E402

urlpatterns += [
    path("sponsorship/", sponsorship_views.dashboard, name="sponsorship"),
    path(
        "sponsorship/nominate/",
        sponsorship_views.nominate,
        name="sponsorship_nominate",
    ),
    path(
        "sponsorship/evidence/",
        sponsorship_views.evidence,
        name="sponsorship_evidence",
    ),
    path(
        "sponsorship/opportunities/",
        sponsorship_views.opportunities,
        name="sponsorship_opportunities",
    ),
    path(
        "sponsorship/opportunities/<int:pk>/",
        sponsorship_views.opportunity,
        name="sponsorship_opportunity",
    ),
    path("sponsorship/pick/", sponsorship_views.pick, name="sponsorship_pick"),
    path(
        "sponsorship/pick/<int:program_pk>/<int:enrollment_pk>/",
        sponsorship_views.pick_sponsee,
        name="sponsorship_pick_sponsee",
    ),
    path(
        "sponsorship/<int:pk>/",
        sponsorship_views.sponsorship,
        name="sponsorship_detail",
    ),
]

# The employee experience (issue 5): requests, the relationship space, calendar.
R = "relationships/<int:pk>/"
urlpatterns += [
    path(
        "applications/<int:pk>/find-a-mentor/",
        request_views.find_mentor,
        name="find_mentor",
    ),
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
    path(R, engagement_views.relationship, name="relationship"),
    path(R + "meetings/", engagement_views.meetings, name="meetings"),
    path(R + "meetings/new/", engagement_views.meeting_new, name="meeting_new"),
    path(
        R + "meetings/<int:meeting_pk>/",
        engagement_views.meeting_detail,
        name="meeting_detail",
    ),
    path(
        R + "meetings/<int:meeting_pk>/edit/",
        engagement_views.meeting_edit,
        name="meeting_edit",
    ),
    path(
        R + "meetings/<int:meeting_pk>/cancel/",
        engagement_views.meeting_cancel,
        name="meeting_cancel",
    ),
    path(
        R + "meetings/<int:meeting_pk>/invite.ics",
        engagement_views.meeting_ics,
        name="meeting_ics",
    ),
    path(
        R + "meetings/<int:meeting_pk>/feedback/",
        engagement_views.meeting_feedback,
        name="meeting_feedback",
    ),
    path(R + "goals/new/", engagement_views.goal_new, name="goal_new"),
    path(R + "goals/<int:goal_pk>/", engagement_views.goal_detail, name="goal_detail"),
    path(R + "goals/<int:goal_pk>/edit/", engagement_views.goal_edit, name="goal_edit"),
    path(R + "messages/", engagement_views.messages_view, name="messages"),
    path(R + "feedback/", engagement_views.final_feedback, name="final_feedback"),
    path(R + "end/", engagement_views.end, name="end_relationship"),
    path(R + "rematch/", engagement_views.rematch, name="request_rematch"),
    path(R + "extend/", engagement_views.extend, name="extend_relationship"),
]
