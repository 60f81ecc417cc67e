"""The API's URLs; the host includes them under a prefix of its choice::

    path("api/mentoring/v1/", include("wagtail_mentoring.api.urls")),

``schema/`` is its OpenAPI 3.1 document, ``docs/`` an interactive page for it
(served from the host's static files: no CDN).
"""

from django.urls import path, re_path

from wagtail_mentoring.api import (
    admin_views,
    base,
    schema,
    views,
    views_admin_actions,
    views_reports,
)
from wagtail_mentoring.api import views_community as community
from wagtail_mentoring.api import views_engagement as engagement
from wagtail_mentoring.api import views_journeys as journeys
from wagtail_mentoring.api import views_profile as profile
from wagtail_mentoring.api import views_requests as requests

R = "me/relationships/<int:pk>/"
M = R + "meetings/<int:meeting_pk>/"
J = R + "journeys/<int:journey_id>/"
STEP = J + "steps/<str:step_id>/"
POST = "spaces/<int:space_id>/posts/<int:post_id>/"

app_name = "wm_api"

urlpatterns = [
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    path("docs/", schema.DocsView.as_view(), name="docs"),
    path("programs/", views.ProgramList.as_view(), name="programs"),
    path("programs/<int:pk>/", views.ProgramDetail.as_view(), name="program"),
    path("journeys/", views.JourneyList.as_view(), name="journeys"),
    path("me/", views.Me.as_view(), name="me"),
    path("me/applications/", views.ApplicationList.as_view(), name="applications"),
    path(
        "me/applications/<int:pk>/",
        views.ApplicationDetail.as_view(),
        name="application",
    ),
    path(
        "me/applications/<int:pk>/withdraw/",
        views.WithdrawApplication.as_view(),
        name="application_withdraw",
    ),
    path("me/relationships/", views.RelationshipList.as_view(), name="relationships"),
    path(
        "me/relationships/<int:pk>/",
        views.RelationshipDetail.as_view(),
        name="relationship",
    ),
    path(
        "me/relationships/<int:pk>/meetings/",
        views.MeetingList.as_view(),
        name="meetings",
    ),
    path(
        "me/relationships/<int:pk>/meetings/<int:meeting_pk>/",
        views.MeetingDetail.as_view(),
        name="meeting",
    ),
    path(
        "me/relationships/<int:pk>/meetings/<int:meeting_pk>/cancel/",
        views.CancelMeeting.as_view(),
        name="meeting_cancel",
    ),
    path(
        "me/relationships/<int:pk>/meetings/<int:meeting_pk>/feedback/",
        views.MeetingFeedback.as_view(),
        name="meeting_feedback",
    ),
    path("me/relationships/<int:pk>/goals/", views.GoalList.as_view(), name="goals"),
    path(
        "me/relationships/<int:pk>/goals/<int:goal_pk>/check-ins/",
        views.GoalCheckIn.as_view(),
        name="goal_check_in",
    ),
    path(
        "me/relationships/<int:pk>/messages/",
        views.MessageList.as_view(),
        name="messages",
    ),
    path(
        "me/relationships/<int:pk>/feedback/",
        views.FeedbackList.as_view(),
        name="feedback",
    ),
    path(
        "me/relationships/<int:pk>/journeys/",
        views.RelationshipJourneys.as_view(),
        name="relationship_journeys",
    ),
    path("spaces/", views.SpaceList.as_view(), name="spaces"),
    path("spaces/<int:space_id>/threads/", views.ThreadList.as_view(), name="threads"),
    path(
        "spaces/<int:space_id>/threads/<int:thread_id>/posts/",
        views.PostList.as_view(),
        name="posts",
    ),
    # Program admins
    path(
        "admin/applications/",
        admin_views.AdminApplicationList.as_view(),
        name="admin_applications",
    ),
    path(
        "admin/applications/<int:pk>/decide/",
        admin_views.DecideApplication.as_view(),
        name="admin_application_decide",
    ),
    path(
        "admin/programs/<int:program_id>/runs/",
        admin_views.RunList.as_view(),
        name="admin_runs",
    ),
    path("admin/runs/<int:pk>/", admin_views.RunDetail.as_view(), name="admin_run"),
    path(
        "admin/programs/<int:program_id>/proposals/",
        admin_views.ProposalList.as_view(),
        name="admin_proposals",
    ),
    path(
        "admin/proposals/<int:pk>/decide/",
        admin_views.DecideProposal.as_view(),
        name="admin_proposal_decide",
    ),
    path(
        "admin/programs/<int:program_id>/publish/",
        admin_views.Publish.as_view(),
        name="admin_publish",
    ),
    path(
        "admin/reports/programs/",
        admin_views.ProgramReport.as_view(),
        name="admin_report_programs",
    ),
    # Program admins: reports as JSON
    path(
        "admin/reports/dashboard/",
        views_reports.DashboardReport.as_view(),
        name="admin_report_dashboard",
    ),
    path(
        "admin/reports/dashboard/equity/",
        views_reports.DashboardEquity.as_view(),
        name="admin_report_dashboard_equity",
    ),
    path(
        "admin/programs/<int:program_id>/reports/journeys/",
        views_reports.JourneyReport.as_view(),
        name="admin_report_journeys",
    ),
    path(
        "admin/programs/<int:program_id>/reports/stalled/",
        views_reports.StalledPairs.as_view(),
        name="admin_report_stalled",
    ),
    path(
        "admin/reports/network/",
        views_reports.NetworkMap.as_view(),
        name="admin_report_network",
    ),
    path(
        "admin/reports/sponsorship/equity/",
        views_reports.SponsorshipEquity.as_view(),
        name="admin_report_sponsorship_equity",
    ),
    path(
        "admin/reports/sponsorship/accountability/",
        views_reports.SponsorAccountability.as_view(),
        name="admin_report_sponsor_accountability",
    ),
    # Program admins: pairing by hand, requests, sponsorship
    path(
        "admin/programs/<int:program_id>/pairs/",
        views_admin_actions.ManualPair.as_view(),
        name="admin_manual_pair",
    ),
    path(
        "admin/mentor-requests/",
        views_admin_actions.MentorRequestList.as_view(),
        name="admin_mentor_requests",
    ),
    path(
        "admin/mentor-requests/<int:pk>/accept/",
        views_admin_actions.AcceptMentorRequest.as_view(),
        name="admin_mentor_request_accept",
    ),
    path(
        "admin/programs/<int:program_id>/sponsorships/",
        views_admin_actions.SponsorshipPair.as_view(),
        name="admin_sponsorship_pair",
    ),
    path(
        "admin/opportunity-nominations/",
        views_admin_actions.OpportunityNominationList.as_view(),
        name="admin_opportunity_nominations",
    ),
    path(
        "admin/opportunity-nominations/<int:pk>/decide/",
        views_admin_actions.DecideOpportunityNomination.as_view(),
        name="admin_opportunity_nomination_decide",
    ),
    # The employee's other actions (each the service of its page)
    path("me/profile/", profile.MyProfile.as_view(), name="profile"),
    path(R + "meetings/log/", engagement.LogMeeting.as_view(), name="meeting_log"),
    path(
        M + "reschedule/",
        engagement.RescheduleMeeting.as_view(),
        name="meeting_reschedule",
    ),
    path(M + "notes/", engagement.MeetingNotes.as_view(), name="meeting_notes"),
    path(R + "goals/<int:goal_pk>/", engagement.UpdateGoal.as_view(), name="goal"),
    path(R + "end/", engagement.EndRelationship.as_view(), name="relationship_end"),
    path(
        R + "rematch/",
        engagement.RequestRematch.as_view(),
        name="relationship_rematch",
    ),
    path(
        R + "extend/",
        engagement.ExtendRelationship.as_view(),
        name="relationship_extend",
    ),
    path("me/journeys/", journeys.MyJourneyList.as_view(), name="my_journeys"),
    path(J + "steps/", journeys.JourneySteps.as_view(), name="journey_steps"),
    path(STEP + "complete/", journeys.CompleteStep.as_view(), name="step_complete"),
    path(STEP + "checklist/", journeys.TickChecklist.as_view(), name="step_checklist"),
    path(
        STEP + "reflection/",
        journeys.SaveReflection.as_view(),
        name="step_reflection",
    ),
    path(STEP + "quiz/", journeys.SubmitQuiz.as_view(), name="step_quiz"),
    path(STEP + "goal/", journeys.SetStepGoal.as_view(), name="step_goal"),
    path(
        "me/applications/<int:pk>/suggestions/",
        requests.Suggestions.as_view(),
        name="suggestions",
    ),
    path(
        "me/mentor-requests/",
        requests.MentorRequestList.as_view(),
        name="mentor_requests",
    ),
    path(
        "me/mentor-requests/<int:pk>/withdraw/",
        requests.WithdrawRequest.as_view(),
        name="mentor_request_withdraw",
    ),
    path(
        "me/mentor-requests/<int:pk>/accept/",
        requests.AcceptRequest.as_view(),
        name="mentor_request_accept",
    ),
    path(
        "me/mentor-requests/<int:pk>/decline/",
        requests.DeclineRequest.as_view(),
        name="mentor_request_decline",
    ),
    path(
        "spaces/<int:space_id>/join/", community.JoinSpace.as_view(), name="space_join"
    ),
    path(
        "spaces/<int:space_id>/ask/",
        community.AskToJoinSpace.as_view(),
        name="space_ask",
    ),
    path(
        "spaces/<int:space_id>/leave/",
        community.LeaveSpace.as_view(),
        name="space_leave",
    ),
    path(POST + "edit/", community.EditPost.as_view(), name="post_edit"),
    path(POST + "report/", community.ReportPost.as_view(), name="post_report"),
    path(POST + "helpful/", community.MarkHelpful.as_view(), name="post_helpful"),
    path(POST + "answer/", community.MarkAnswer.as_view(), name="post_answer"),
    # Last: every other address under the prefix is the API's own 404.
    re_path(r"^", base.unknown_address, name="unknown_address"),
]
