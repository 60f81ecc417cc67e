"""The authorization matrix: every URL of the package × every role × GET and POST.

The URLs come from the URL conf, Wagtail's bulk-action registry and the routes of
the package's page types, never from a hand-written list. Every URL name must
have a row in ``EXPECTED``: a new screen fails here, with its name, until it is
classified. Object URLs are filled with ids of the mentee's objects, which most
roles must not see.

For every request the matrix checks, and reports every failure at once:

- a role the row allows gets the page (GET 200) or is served (POST below 500);
- any other role is refused (sign-in, 403, 404 or 405) and nothing is written;
- no GET writes anything, whoever asks;
- no response shows a planted secret to a role not allowed to read it
  (``authorization_world.SECRETS``), whatever the URL.

Each request runs in a savepoint that is rolled back, so requests cannot affect
each other.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

from tests.authorization_world import (
    ADMIN,
    ANON,
    EDITOR,
    HR,
    MENTEE,
    OTHER_ADMIN,
    PARTNER,
    ROLES,
    SECRETS,
    STEWARD,
    SUPERUSER,
    build_world,
)
from tests.event_helpers import event
from tests.journey_data import STEP_REFLECT
from wagtail_mentoring.notifications.tokens import unsubscribe_token

pytestmark = pytest.mark.django_db
#: Planted in the closed space's event: only its members and moderators read it.
EVENT_SECRET = "SECRET-SPACE-EVENT"
ROOT = Path(__file__).resolve().parents[1]

NOBODY = frozenset()
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
PAIR = frozenset({MENTEE, PARTNER})
ADMINS_OF_A = frozenset({ADMIN, HR, SUPERUSER})
ANY_PROGRAM_ADMIN = ADMINS_OF_A | {OTHER_ADMIN}
ADMIN_USERS = ANY_PROGRAM_ADMIN | {EDITOR, STEWARD}
STEWARDS = frozenset({STEWARD, SUPERUSER})
OUTCOME_KEEPERS = frozenset({HR, SUPERUSER})
PRIVACY_OFFICERS = frozenset({HR, SUPERUSER})
ONLY_SUPERUSER = frozenset({SUPERUSER})
#: Program A's community space (by request): its moderators are the program's
#: admins; the mentee and the partner are members; the employee asked to join.
SPACE_MODERATORS = frozenset({ADMIN, HR, SUPERUSER})
SPACE_READERS = SPACE_MODERATORS | PAIR


@dataclass(frozen=True)
class Rule:
    """Who may GET (and must get a page) and who may POST (and be served)."""

    get: frozenset
    post: frozenset


def same(roles) -> Rule:
    return Rule(frozenset(roles), frozenset(roles))


def read_only(roles) -> Rule:
    return Rule(frozenset(roles), NOBODY)


def post_only(roles) -> Rule:
    return Rule(NOBODY, frozenset(roles))


REFUSED = Rule(NOBODY, NOBODY)


def _model_views(namespace, *, index, inspect=None, add=REFUSED, edit=REFUSED,
                 delete=REFUSED, history=None, extra=None):  # fmt: skip
    """The rows of one ModelViewSet: listings, object views and its extras."""
    history = history if history is not None else inspect
    rows = {
        f"{namespace}:index": index,
        f"{namespace}:index_results": index,
        f"{namespace}:add": add,
        f"{namespace}:edit": edit,
        f"{namespace}:delete": delete,
        f"{namespace}:history": history,
        f"{namespace}:history_results": history,
        f"{namespace}:usage": history,
    }
    if inspect is not None:
        rows[f"{namespace}:inspect"] = inspect
    rows.update(extra or {})
    return rows


def _snippet_views(namespace, chooser, roles):
    rows = {
        f"{namespace}:{view}": same(roles)
        for view in ("list", "list_results", "add", "edit", "delete")
    }
    rows.update(
        {
            f"{namespace}:{view}": read_only(roles)
            for view in ("history", "history_results", "usage")
        }
    )
    # The confirmation page of a bulk delete says "no permission" to the others.
    rows[f"bulk:{namespace.removeprefix('wm_').rstrip('s')}:delete"] = Rule(
        ADMIN_USERS, frozenset(roles)
    )
    rows.update(
        {
            f"{chooser}:choose": read_only(ADMIN_USERS),
            f"{chooser}:choose_results": read_only(ADMIN_USERS),
            f"{chooser}:chosen": read_only(ADMIN_USERS),
            f"{chooser}:chosen_multiple": read_only(ADMIN_USERS),
            f"{chooser}:create": same(roles),
        }
    )
    return rows


#: URL name → who may use it. Object URLs point at the mentee's objects.
EXPECTED: dict[str, Rule] = {
    # The employee's side --------------------------------------------------
    "wagtail_mentoring:my_mentoring": same(SIGNED_IN),
    "wagtail_mentoring:withdraw_application": post_only({MENTEE}),
    "wagtail_mentoring:find_mentor": same({MENTEE}),
    "wagtail_mentoring:withdraw_request": REFUSED,  # only the asking mentee
    "wagtail_mentoring:accept_request": post_only({PARTNER} | ADMINS_OF_A),
    "wagtail_mentoring:decline_request": same({PARTNER} | ADMINS_OF_A),
    "wagtail_mentoring:calendar": same(SIGNED_IN),
    # A capability URL: whoever holds the token reads the feed (calendar apps
    # cannot sign in); a wrong token is a 404 (tests/test_meetings_and_calendar).
    "wagtail_mentoring:calendar_feed": same(EVERYONE),
    **{
        f"wagtail_mentoring:{name}": same(PAIR)
        for name in (
            "relationship",
            "meetings",
            "meeting_new",
            "meeting_log",
            "meeting_detail",
            "meeting_edit",
            "meeting_cancel",
            "meeting_ics",
            "meeting_feedback",
            "goal_new",
            "goal_detail",
            "messages",
            "final_feedback",
            "end_relationship",
            "request_rematch",
            "extend_relationship",
        )
    },
    "wagtail_mentoring:goal_edit": same({MENTEE}),  # the goal's owner
    # Circles (the world's group circle: the partner facilitates, the mentee
    # is a member). Anyone signed in may ask to join an open circle; the
    # service decides (the mentee is in it already, nobody else applied), and
    # a refusal writes nothing (tests/test_circles.py).
    "wagtail_mentoring:join_circle": post_only(SIGNED_IN),
    "wagtail_mentoring:leave_circle": same({MENTEE}),
    "wagtail_mentoring:circle_settings": same({PARTNER}),
    "wagtail_mentoring:end_circle": same({PARTNER}),
    "wagtail_mentoring:sponsorship": same(SIGNED_IN),
    "wagtail_mentoring:sponsorship_nominate": same(SIGNED_IN),
    "wagtail_mentoring:sponsorship_nominee_search": same(SIGNED_IN),
    "wagtail_mentoring:sponsorship_evidence": same(SIGNED_IN),
    "wagtail_mentoring:sponsorship_opportunities": same(SIGNED_IN),
    # The mentee was nominated for it; their sponsor nominated them.
    "wagtail_mentoring:sponsorship_opportunity": same(PAIR | ADMINS_OF_A),
    "wagtail_mentoring:sponsorship_pick": same({PARTNER}),
    "wagtail_mentoring:sponsorship_pick_sponsee": post_only({PARTNER}),
    "wagtail_mentoring:sponsorship_detail": same(PAIR),
    # Everyone chooses how they hear from us (the address names nobody).
    "wagtail_mentoring:notification_settings": same(SIGNED_IN),
    # Surveys: anyone signed in sees their own list; only the person asked
    # opens (and answers) their invitation, the others get "not found".
    "wagtail_mentoring:my_surveys": read_only(SIGNED_IN),
    "wagtail_mentoring:survey_answer": same({MENTEE}),
    # One-click unsubscribe from an email: the signed token is the proof, so it
    # works without signing in; a forged one is a 404 (tests/test_notification_
    # preferences.py). GET only shows the button.
    "wagtail_mentoring:unsubscribe": same(EVERYONE),
    # Everyone downloads their own data (the address names nobody).
    "wagtail_mentoring:export_my_data": post_only(SIGNED_IN),
    "wagtail_mentoring:self_identification": same(SIGNED_IN),
    # Flash mentoring: anyone signed in browses and books; a booking is the
    # booker's, the mentor's (the partner) and the program admins'.
    "wagtail_mentoring:office_hours": same(SIGNED_IN),
    "wagtail_mentoring:my_office_hours": same(SIGNED_IN),
    "wagtail_mentoring:book_slot": same(SIGNED_IN),
    "wagtail_mentoring:booking_detail": same(PAIR | ADMINS_OF_A),
    "wagtail_mentoring:cancel_booking": same(PAIR | ADMINS_OF_A),
    "wagtail_mentoring:booking_ics": same(PAIR | ADMINS_OF_A),
    "wagtail_mentoring:reschedule_booking": same({MENTEE}),
    "wagtail_mentoring:booking_feedback": same({MENTEE}),
    # The services refuse all but the mentor (no-show, suggesting) and the
    # booker (taking up the offer); the others only get the page's message.
    "wagtail_mentoring:booking_no_show": post_only(PAIR | ADMINS_OF_A),
    "wagtail_mentoring:booking_suggest_continuing": post_only(PAIR | ADMINS_OF_A),
    "wagtail_mentoring:booking_continue": post_only(PAIR | ADMINS_OF_A),
    # Community spaces: a closed space's discussions are 404 to non-members;
    # membership actions answer everyone signed in with a message.
    "wagtail_mentoring:community_my_spaces": same(SIGNED_IN),
    **{
        f"wagtail_mentoring:community_{name}": post_only(SIGNED_IN)
        for name in ("join", "ask", "leave", "decline_invitation")
    },
    "wagtail_mentoring:community_members": same(SPACE_MODERATORS),
    "wagtail_mentoring:community_manage_member": post_only(SPACE_MODERATORS),
    "wagtail_mentoring:community_new_thread": same(SPACE_READERS),
    "wagtail_mentoring:community_thread": read_only(SPACE_READERS),
    "wagtail_mentoring:community_search": same(SPACE_READERS),
    "wagtail_mentoring:community_report_post": same(SPACE_READERS),
    # A member asking is told "only moderators" (a message), others get 404.
    **{
        f"wagtail_mentoring:community_{name}": post_only(SPACE_READERS)
        for name in ("reply", "moderate_thread", "helpful", "answer")
    },
    "wagtail_mentoring:community_edit_post": same({MENTEE} | SPACE_MODERATORS),
    "wagtail_mentoring:community_hide_post": same(SPACE_MODERATORS),
    # Events of the space: its readers read and answer (a moderator who is no
    # member is told to join: a message, nothing written); its moderators
    # organise; anyone else, the employee who asked to join included, gets 404.
    **{
        f"wagtail_mentoring:{name}": read_only(SPACE_READERS)
        for name in ("space_events", "space_event", "space_event_ics")
    },
    "wagtail_mentoring:space_event_rsvp": post_only(SPACE_READERS),
    **{
        f"wagtail_mentoring:{name}": same(SPACE_MODERATORS)
        for name in ("space_event_new", "space_event_edit", "space_event_cancel")
    },
    # The REST API (sessions here; tokens in tests/test_api.py). Refusals
    # are 401 (no one signed in), 403 (not a program admin) or 404 (not yours).
    "wm_api:schema": read_only(EVERYONE),
    "wm_api:unknown_address": REFUSED,  # a JSON 404 for any other address
    "wm_api:docs": read_only(EVERYONE),
    **{
        f"wm_api:{name}": read_only(SIGNED_IN)
        for name in ("programs", "program", "journeys", "me", "relationships")
    },
    "wm_api:spaces": read_only(SIGNED_IN),
    # Anyone signed in applies; the service (and the form's rules) decide.
    "wm_api:applications": same(SIGNED_IN),
    "wm_api:application": read_only({MENTEE}),
    "wm_api:application_withdraw": post_only({MENTEE}),
    **{
        f"wm_api:{name}": same(PAIR)
        for name in ("meetings", "goals", "messages", "feedback")
    },
    **{
        f"wm_api:{name}": read_only(PAIR)
        for name in ("relationship", "meeting", "relationship_journeys")
    },
    **{
        f"wm_api:{name}": post_only(PAIR)
        for name in ("meeting_cancel", "meeting_feedback", "goal_check_in")
    },
    "wm_api:profile": read_only(SIGNED_IN),
    "wm_api:my_journeys": read_only(SIGNED_IN),
    "wm_api:journey_steps": read_only(PAIR),
    **{
        f"wm_api:{name}": post_only(PAIR)
        for name in (
            "meeting_log",
            "meeting_reschedule",
            "meeting_notes",
            "goal",
            "relationship_end",
            "relationship_rematch",
            "relationship_extend",
            "step_complete",
            "step_checklist",
            "step_reflection",
            "step_quiz",
            "step_goal",
        )
    },
    # Find a mentor: the mentee's application; the world's request is another
    # mentee's, addressed to the partner.
    "wm_api:suggestions": read_only({MENTEE}),
    "wm_api:mentor_requests": same(SIGNED_IN),
    "wm_api:mentor_request_withdraw": REFUSED,
    "wm_api:mentor_request_accept": post_only({PARTNER}),
    "wm_api:mentor_request_decline": post_only({PARTNER}),
    # Membership: anyone signed in; the service decides (and says why not).
    **{
        f"wm_api:space_{name}": post_only(SIGNED_IN)
        for name in ("join", "ask", "leave")
    },
    "wm_api:threads": same(SPACE_READERS),
    "wm_api:posts": same(SPACE_READERS),
    # The world's post is the mentee's question: its author or a moderator
    # edits it (any other reader: 404, as on the edit page); its readers
    # report it, mark it helpful or as the answer, and the service decides
    # (and says why not: its author cannot find it helpful, only who asked
    # marks the answer).
    "wm_api:post_edit": post_only(SPACE_MODERATORS | {MENTEE}),
    **{
        f"wm_api:post_{name}": post_only(SPACE_READERS)
        for name in ("report", "helpful", "answer")
    },
    "wm_api:admin_applications": read_only(ANY_PROGRAM_ADMIN),
    "wm_api:admin_report_programs": read_only(ANY_PROGRAM_ADMIN),
    "wm_api:admin_application_decide": post_only(ADMINS_OF_A),
    "wm_api:admin_runs": same(ADMINS_OF_A),
    "wm_api:admin_run": read_only(ADMINS_OF_A),
    "wm_api:admin_proposals": read_only(ADMINS_OF_A),
    "wm_api:admin_proposal_decide": post_only(ADMINS_OF_A),
    "wm_api:admin_publish": post_only(ADMINS_OF_A),
    # Reports as JSON: each as its admin screen; group statistics need the
    # equity permission too (the dashboard's split: a program admin who is a
    # steward, only the superuser here).
    "wm_api:admin_report_dashboard": read_only(ANY_PROGRAM_ADMIN),
    "wm_api:admin_report_dashboard_equity": read_only(ONLY_SUPERUSER),
    "wm_api:admin_report_journeys": read_only(ADMINS_OF_A),
    "wm_api:admin_report_stalled": read_only(ADMINS_OF_A),
    "wm_api:admin_report_network": read_only(ANY_PROGRAM_ADMIN | STEWARDS),
    "wm_api:admin_report_sponsorship_equity": read_only(STEWARDS),
    "wm_api:admin_report_sponsor_accountability": read_only(ANY_PROGRAM_ADMIN),
    "wm_api:admin_manual_pair": post_only(ADMINS_OF_A),
    "wm_api:admin_mentor_requests": read_only(ANY_PROGRAM_ADMIN),
    "wm_api:admin_mentor_request_accept": post_only(ADMINS_OF_A),
    # Program A's sponsorship program (the world's "circle").
    "wm_api:admin_sponsorship_pair": post_only(ADMINS_OF_A),
    "wm_api:admin_opportunity_nominations": read_only(ANY_PROGRAM_ADMIN),
    "wm_api:admin_opportunity_nomination_decide": post_only(ADMINS_OF_A),
    # Everyone with the admin manages their own API tokens.
    "wm_api_tokens:index": read_only(ADMIN_USERS),
    "wm_api_tokens:add": same(ADMIN_USERS),
    "wm_api_tokens:revoke": post_only({ADMIN}),
    # Pages and their routes ----------------------------------------------
    "page:mentoringhubpage": same(EVERYONE),
    "page:programpage": same(EVERYONE),
    "page:programpage:apply": same(SIGNED_IN),
    "page:learningjourneypage": same(EVERYONE),
    "page:learningjourneypage:step": Rule(EVERYONE, PAIR),
    "page:journeymodulepage": same(EVERYONE),
    "page:developmenttrackpage": same(EVERYONE),
    "page:communityspacepage": same(EVERYONE),
    # The admin ---------------------------------------------------------------
    **_model_views(
        "wm_applications",
        index=read_only(ANY_PROGRAM_ADMIN),
        inspect=read_only(ADMINS_OF_A),
    ),
    **_model_views(
        "wm_relationships",
        index=read_only(ANY_PROGRAM_ADMIN),
        inspect=read_only(ADMINS_OF_A),
        # The world's group circle: its program's admins manage it.
        extra={"wm_relationships:circle": same(ADMINS_OF_A)},
    ),
    **_model_views(
        "wm_mentor_requests",
        index=read_only(ANY_PROGRAM_ADMIN),
        history=read_only(ADMINS_OF_A),
        extra={"wm_mentor_requests:accept": same(ADMINS_OF_A)},
    ),
    **_model_views(
        "wm_participants",
        index=read_only(STEWARDS),
        edit=same(STEWARDS),
        history=read_only(STEWARDS),
    ),
    **_model_views(
        "wm_nominations",
        index=read_only(ADMINS_OF_A),
        inspect=read_only(ADMINS_OF_A),
    ),
    **_model_views(
        "wm_opportunities",
        index=read_only(ADMINS_OF_A),
        inspect=read_only(ADMINS_OF_A),
        add=same(ADMINS_OF_A),
        edit=same(ADMINS_OF_A),
        extra={"wm_opportunities:decide": same(ADMINS_OF_A)},
    ),
    # Program admins manage their programs' connections (the one in the world
    # is program A's); a site-wide one would need HR's or the superuser's
    # permission to administer every program.
    **_model_views(
        "wm_chat_connections",
        index=read_only(ANY_PROGRAM_ADMIN),
        inspect=read_only(ADMINS_OF_A),
        add=same(ANY_PROGRAM_ADMIN),
        edit=same(ADMINS_OF_A),
        delete=same(ADMINS_OF_A),
        extra={"wm_chat_connections:send_test": post_only(ADMINS_OF_A)},
    ),
    # Every program admin opens cohorts of their own programs; the mentee's
    # program's cohort is "not found" to the others.
    **_model_views(
        "wm_cohorts",
        index=read_only(ANY_PROGRAM_ADMIN),
        add=same(ANY_PROGRAM_ADMIN),
        edit=same(ADMINS_OF_A),
        history=read_only(ADMINS_OF_A),
    ),
    # Program admins compose surveys of their programs and read the results;
    # "Send now" is a POST of the survey's program admins (a GET is a 405).
    **_model_views(
        "wm_surveys",
        index=read_only(ANY_PROGRAM_ADMIN),
        inspect=read_only(ADMINS_OF_A),
        add=same(ANY_PROGRAM_ADMIN),
        edit=same(ADMINS_OF_A),
        extra={"wm_surveys:send_now": post_only(ADMINS_OF_A)},
    ),
    **_model_views(
        "wm_career_outcomes",
        index=read_only(OUTCOME_KEEPERS),
        add=same(OUTCOME_KEEPERS),
        edit=same(OUTCOME_KEEPERS),
        history=read_only(OUTCOME_KEEPERS),
        extra={"wm_career_outcomes:import": same(OUTCOME_KEEPERS)},
    ),
    **_model_views(
        "wm_space_reports",
        index=read_only(SPACE_MODERATORS),
        history=read_only(SPACE_MODERATORS),
        extra={"wm_space_reports:decide": same(SPACE_MODERATORS)},
    ),
    # HRIS import: people-data stewards (who may change participant profiles).
    **_model_views(
        "wm_hris",
        index=read_only(STEWARDS),
        add=same(STEWARDS),
        edit=same(STEWARDS),
        delete=same(STEWARDS),
        history=read_only(STEWARDS),
        extra={
            "wm_hris:upload": same(STEWARDS),
            "wm_hris:imports": read_only(STEWARDS),
            "wm_hris:dry_run": same(STEWARDS),
            "wm_hris:errors": read_only(STEWARDS),
        },
    ),
    # Webhooks: Django's permissions on endpoints, which no role but the
    # superuser holds in the world; the delivery log is read-only.
    **_model_views(
        "wm_webhooks",
        index=read_only(ONLY_SUPERUSER),
        inspect=read_only(ONLY_SUPERUSER),
        add=same(ONLY_SUPERUSER),
        edit=same(ONLY_SUPERUSER),
        delete=same(ONLY_SUPERUSER),
    ),
    **_model_views(
        "wm_webhook_deliveries",
        index=read_only(ONLY_SUPERUSER),
        inspect=read_only(ONLY_SUPERUSER),
        extra={"wm_webhook_deliveries:redeliver": post_only(ONLY_SUPERUSER)},
    ),
    **_snippet_views("wm_skills", "wm_skill_chooser", ONLY_SUPERUSER),
    **_snippet_views("wm_interests", "wm_interest_chooser", ONLY_SUPERUSER),
    "wm_profile_chooser:choose": read_only(ADMIN_USERS),
    "wm_profile_chooser:choose_results": read_only(ADMIN_USERS),
    # The mentee is no public mentor: only stewards may pick them.
    "wm_profile_chooser:chosen": read_only(STEWARDS),
    "wm_profile_chooser:chosen_multiple": read_only(ADMIN_USERS),
    "wm_profile_chooser:create": REFUSED,
    "wm_journeys:funnel": read_only(ANY_PROGRAM_ADMIN),
    "wm_journeys:funnel_results": read_only(ANY_PROGRAM_ADMIN),
    "wm_journeys:stalled": read_only(ANY_PROGRAM_ADMIN),
    "wm_journeys:stalled_results": read_only(ANY_PROGRAM_ADMIN),
    "wm_journeys:import": same(ADMIN_USERS),
    "wm_journeys:export": same({EDITOR, SUPERUSER}),  # editors of the journey
    # Tracks naming one's programs; another program's admin sees none.
    "wm_tracks:report": read_only(ANY_PROGRAM_ADMIN),
    "wm_matching:index": read_only(ANY_PROGRAM_ADMIN),
    **{
        f"wm_matching:{name}": same(ADMINS_OF_A)
        for name in (
            "panel",
            "settings",
            "run_status",
            "proposals",
            "proposals_results",
            "manual_pair",
            "publish",
            "circle_topic",
        )
    },
    **{
        f"wm_matching:{name}": post_only(ADMINS_OF_A)
        for name in ("run", "proposal_action", "approve_above")
    },
    # Group statistics are people data: the equity permission as well.
    "wm_matching:fairness": same(ONLY_SUPERUSER),
    "wm_sponsorship_pairing:index": same(ADMINS_OF_A),
    "wm_sponsorship_accountability:index": same(ADMINS_OF_A),
    "wm_sponsorship_equity:index": same(STEWARDS),
    # Privacy requests (export_personal_data, erase_personal_data: HR here).
    # The person is the mentee.
    # Every program admin has the screen (listing only their own pairs); the
    # nudge is refused (not found) for a pair of another program.
    "wm_at_risk:index": read_only(ANY_PROGRAM_ADMIN),
    # Every program admin has a dashboard, of their own programs only.
    "wm_dashboard:index": read_only(ANY_PROGRAM_ADMIN),
    "wm_at_risk:nudge": post_only(ADMINS_OF_A),
    # Notification wording: every program admin has the screen (listing only
    # their programs); program A's wording is "not found" to others.
    "wm_wording:index": read_only(ANY_PROGRAM_ADMIN),
    "wm_wording:scope": read_only(ADMINS_OF_A),
    "wm_wording:edit": same(ADMINS_OF_A),
    "wm_wording:reset": post_only(ADMINS_OF_A),
    # The network map: stewards see every program, program admins their own
    # (aggregates only; another admin's map leaves program A out).
    "wm_network:index": read_only(ANY_PROGRAM_ADMIN | STEWARDS),
    "wm_network:export": read_only(ANY_PROGRAM_ADMIN | STEWARDS),
    "wm_privacy:index": read_only(PRIVACY_OFFICERS),
    "wm_privacy:person": read_only(PRIVACY_OFFICERS),
    "wm_privacy:export": post_only(PRIVACY_OFFICERS),
    "wm_privacy:erase": same(PRIVACY_OFFICERS),
    # The LTI tool (an optional sub-app the example intranet installs). Its
    # endpoints are public, for the LMS and the learner's browser: each refuses
    # (403 with the reason) what it cannot verify: no login parameters, no
    # signed id_token, no deep-linking session, a made-up hand-off token, no
    # pending link. Only the JWKS is served to everyone.
    "wagtail_mentoring_lti:login": REFUSED,
    "wagtail_mentoring_lti:launch": REFUSED,
    "wagtail_mentoring_lti:deep_link": REFUSED,
    "wagtail_mentoring_lti:continue": REFUSED,
    "wagtail_mentoring_lti:link": REFUSED,
    # A course's report: only its instructors (as the LMS said at a launch);
    # no role of this world teaches the course.
    "wagtail_mentoring_lti:course": REFUSED,
    "wagtail_mentoring_lti:jwks": read_only(EVERYONE),
    # Registering platforms takes django-lti's model permissions.
    **_model_views(
        "wm_lti_platforms",
        index=read_only(ONLY_SUPERUSER),
        inspect=read_only(ONLY_SUPERUSER),
        add=same(ONLY_SUPERUSER),
        edit=same(ONLY_SUPERUSER),
        delete=same(ONLY_SUPERUSER),
    ),
    **_model_views(
        "wm_lti_deployments",
        index=read_only(ONLY_SUPERUSER),
        add=same(ONLY_SUPERUSER),
        edit=same(ONLY_SUPERUSER),
        delete=same(ONLY_SUPERUSER),
        history=read_only(ONLY_SUPERUSER),
    ),
    # SCIM provisioning (an optional sub-app the example intranet installs):
    # token-only, a scim-scoped token of a superuser; every session, even a
    # superuser's, is refused (tests/test_scim.py covers the tokens).
    **{
        f"wagtail_mentoring_scim:{name}": REFUSED
        for name in (
            "users",
            "user",
            "groups",
            "group",
            "service_provider_config",
            "schemas",
            "schema",
            "resource_types",
            "resource_type",
            "search",
            "not_found",
        )
    },
    "bulk:enrollment:approve": same(ADMINS_OF_A),
    "bulk:enrollment:decline": same(ADMINS_OF_A),
    "bulk:enrollment:move_to_cohort": same(ADMINS_OF_A),
    "bulk:matchproposal:approve": same(ADMINS_OF_A),
    "bulk:matchproposal:lock": same(ADMINS_OF_A),
    "bulk:matchproposal:reject": same(ADMINS_OF_A),
}

#: Plausible form data for every POST: a refused role must write nothing even
#: when its request would be a valid one.
POST_DATA = {
    "action": "approve",
    "status": "selected",
    "note": "HACKED",
    "reason": "HACKED",
    "decision_note": "HACKED",
    "motivation": "HACKED",
    "body": "HACKED",
    "title": "HACKED",
    "notes": "HACKED",
    "comment": "HACKED",
    "rating": "5",
    "weeks": "2",
    "role": "mentee",
    "min_percent": "0",
    "message": "HACKED",
    "achievement": "HACKED",
}

#: Responses that are a person's whole data for the roles allowed to ask
#: (HR answering a privacy request): every secret of that person is expected.
DISCLOSES_EVERYTHING = {"wm_privacy:export"}

#: Tables whose writes do not count as the request changing anything.
#: (Wagtail itself records who has an edit view open, and creates a user's
#: admin profile on first sight.)
IGNORED_TABLES = {
    "django_session",
    "wagtailusers_userprofile",
    "wagtailadmin_editingsession",
}
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwargs: tuple[str, ...]


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield (
                prefix + str(pattern.pattern),
                namespace + (pattern.name or ""),
                pattern,
            )


def package_endpoints() -> list[Endpoint]:
    """Every URL the package adds to a host: URL conf, bulk actions, page routes."""
    found = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "") or ""
        namespace = name.split(":", 1)[0] if ":" in name else ""
        if (
            module.startswith("wagtail_mentoring")
            or namespace.startswith("wm_")
            or namespace == "wagtail_mentoring"
        ):
            kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
            found[name] = Endpoint(name, route, kwargs)
    bulk_action_registry._scan_for_bulk_actions()
    for model_name, actions in bulk_action_registry.actions.get(
        "wagtail_mentoring", {}
    ).items():
        for action in actions:
            name = f"bulk:{model_name}:{action}"
            found[name] = Endpoint(name, "admin/bulk/…", ())
    for model in apps.get_app_config("wagtail_mentoring").get_models():
        if not issubclass(model, Page):
            continue
        page = f"page:{model._meta.model_name}"
        found[page] = Endpoint(page, "(page)", ())
        if issubclass(model, RoutablePageMixin):
            for pattern in model.get_subpage_urls():
                if pattern.name and pattern.name != "index_route":
                    route = f"{page}:{pattern.name}"
                    found[route] = Endpoint(route, str(pattern.pattern), ())
    return sorted(found.values(), key=lambda e: e.name)


def _url(endpoint: Endpoint, w) -> str:
    name = endpoint.name
    if name.startswith("bulk:"):
        _, model_name, action = name.split(":")
        target = {
            "enrollment": w.pending_application,
            "matchproposal": w.proposal,
            "skill": w.skill,
            "interest": w.interest,
        }[model_name]
        base = reverse(
            "wagtail_bulk_action", args=("wagtail_mentoring", model_name, action)
        )
        return f"{base}?id={target.pk}&next=/admin/"
    if name.startswith("page:"):
        pages = {
            "page:mentoringhubpage": w.hub.url,
            "page:programpage": w.program.url,
            "page:programpage:apply": w.program.url + "apply/",
            "page:learningjourneypage": w.journey.url,
            "page:learningjourneypage:step": f"{w.journey.url}steps/{STEP_REFLECT}/",
            "page:journeymodulepage": w.module.url,
            "page:developmenttrackpage": w.track.url,
            "page:communityspacepage": w.space.url,
        }
        return pages[name]
    namespace = name.split(":", 1)[0]
    values = {}
    for kwarg in endpoint.kwargs:
        values[kwarg] = _kwarg(name, namespace, kwarg, w)
    return reverse(name, kwargs=values)


def _kwarg(name, namespace, kwarg, w):
    by_name = {
        ("wagtail_mentoring:calendar_feed", "token"): w.mentee_feed.token,
        ("wagtail_mentoring:unsubscribe", "token"): unsubscribe_token(
            w.users[MENTEE], ["activity"]
        ),
        ("wagtail_mentoring:sponsorship_opportunity", "pk"): w.opportunity.pk,
        ("wagtail_mentoring:book_slot", "pk"): w.slot.pk,
        ("wagtail_mentoring:sponsorship_pick_sponsee", "program_pk"): w.circle.pk,
        (
            "wagtail_mentoring:sponsorship_pick_sponsee",
            "enrollment_pk",
        ): w.sponsee_enrollment.pk,
        ("wagtail_mentoring:sponsorship_detail", "pk"): w.sponsorship.pk,
        ("wagtail_mentoring:withdraw_application", "pk"): w.application.pk,
        ("wagtail_mentoring:find_mentor", "pk"): w.application.pk,
        ("wm_opportunities:decide", "pk"): w.opportunity_nomination.pk,
        ("wm_matching:run_status", "run_id"): w.run.pk,
        # a mentor's application in the group program (program A's admins)
        ("wm_matching:circle_topic", "program_id"): w.group_circle.program_id,
        ("wm_matching:circle_topic", "pk"): w.group_mentor.pk,
        ("wm_at_risk:nudge", "pk"): w.relationship.pk,
        ("wm_wording:scope", "scope"): w.program.pk,
        ("wm_wording:edit", "scope"): w.program.pk,
        ("wm_wording:edit", "kind"): "meeting_invite",
        ("wm_wording:reset", "scope"): w.program.pk,
        ("wm_wording:reset", "kind"): "meeting_invite",
        ("wagtail_mentoring:space_events", "space_pk"): w.space.pk,
        ("wagtail_mentoring:space_event_new", "space_pk"): w.space.pk,
        **{
            (f"wagtail_mentoring:{name}", "pk"): w.space_event.pk
            for name in (
                "space_event",
                "space_event_edit",
                "space_event_cancel",
                "space_event_rsvp",
                "space_event_ics",
            )
        },
        # A relationship's URL, though its name says "request".
        ("wagtail_mentoring:request_rematch", "pk"): w.relationship.pk,
        ("wagtail_mentoring:survey_answer", "pk"): w.survey_invitation.pk,
        **{
            (f"wagtail_mentoring:{name}", "pk"): w.group_circle.pk
            for name in ("join_circle", "leave_circle", "circle_settings", "end_circle")
        },
        ("wm_relationships:circle", "pk"): w.group_circle.pk,
        ("wagtail_mentoring_lti:continue", "token"): "made-up-token",
        ("wagtail_mentoring_lti:course", "context_pk"): w.lti_course.pk,
        ("wm_api_tokens:revoke", "pk"): w.api_token.pk,
        ("wm_api:admin_sponsorship_pair", "program_id"): w.circle.pk,
        ("wm_api:admin_mentor_request_accept", "pk"): w.mentor_request.pk,
        (
            "wm_api:admin_opportunity_nomination_decide",
            "pk",
        ): w.opportunity_nomination.pk,
        ("wm_hris:dry_run", "pk"): w.hris_import.pk,
        ("wagtail_mentoring_scim:user", "pk"): w.users[MENTEE].pk,
        ("wagtail_mentoring_scim:group", "pk"): 1,
        (
            "wagtail_mentoring_scim:schema",
            "pk",
        ): "urn:ietf:params:scim:schemas:core:2.0:User",
        ("wagtail_mentoring_scim:resource_type", "pk"): "User",
        ("wm_hris:errors", "pk"): w.hris_import.pk,
    }
    if (name, kwarg) in by_name:
        return by_name[(name, kwarg)]
    if namespace == "wm_privacy":
        return w.users[MENTEE].pk
    if name.startswith("wagtail_mentoring:community_"):
        return {
            "space_id": w.space.pk,
            "thread_id": w.thread.pk,
            "post_id": w.post.pk,
            "membership_id": w.space_request.pk,
        }[kwarg]
    if namespace == "wagtail_mentoring":
        if "booking" in name:
            return w.booking.pk
        if "request" in name:
            return w.mentor_request.pk
        return {
            "pk": w.relationship.pk,
            "meeting_pk": w.meeting.pk,
            "goal_pk": w.goal.pk,
        }[kwarg]
    if namespace == "wm_matching":
        return {
            "program_id": w.program.pk,
            "pk": w.proposal.pk,
            "action": "approve",
        }[kwarg]
    if namespace == "wm_journeys":
        return w.journey.pk
    if namespace == "wm_api":
        if name == "wm_api:program":
            return w.program.pk
        if name in ("wm_api:application", "wm_api:application_withdraw"):
            return w.application.pk
        if name == "wm_api:admin_application_decide":
            return w.pending_application.pk
        if name == "wm_api:admin_run":
            return w.run.pk
        if name == "wm_api:admin_proposal_decide":
            return w.proposal.pk
        if name == "wm_api:suggestions":
            return w.application.pk
        if name.startswith("wm_api:mentor_request_"):
            return w.mentor_request.pk
        return {
            "pk": w.relationship.pk,
            "meeting_pk": w.meeting.pk,
            "goal_pk": w.goal.pk,
            "space_id": w.space.pk,
            "thread_id": w.thread.pk,
            "post_id": w.post.pk,
            "program_id": w.program.pk,
            "journey_id": w.journey.pk,
            "step_id": STEP_REFLECT,
        }[kwarg]
    objects = {
        "wm_applications": w.application,
        "wm_relationships": w.relationship,
        "wm_mentor_requests": w.mentor_request,
        "wm_participants": w.profile,
        "wm_nominations": w.nomination,
        "wm_opportunities": w.opportunity,
        "wm_chat_connections": w.chat_connection,
        "wm_cohorts": w.cohort,
        "wm_surveys": w.survey,
        "wm_career_outcomes": w.outcome,
        "wm_skills": w.skill,
        "wm_skill_chooser": w.skill,
        "wm_interests": w.interest,
        "wm_interest_chooser": w.interest,
        "wm_profile_chooser": w.profile,
        "wm_space_reports": w.report,
        "wm_lti_platforms": w.lti_registration,
        "wm_lti_deployments": w.lti_deployment,
        "wm_hris": w.hris_mapping,
        "wm_webhooks": w.webhook,
        "wm_webhook_deliveries": w.webhook_delivery,
    }
    return objects[namespace].pk


def _fingerprint() -> str:
    """A digest of every row a request could change."""
    digest = hashlib.sha256()
    models = list(apps.get_app_config("wagtail_mentoring").get_models())
    models += [
        get_user_model(),
        apps.get_model("auth", "Group"),
        apps.get_model("wagtailcore", "Page"),
        apps.get_model("wagtailcore", "Revision"),
        apps.get_model("wagtailcore", "ModelLogEntry"),
        apps.get_model("wagtailcore", "PageLogEntry"),
        apps.get_model("wagtailcore", "GroupPagePermission"),
    ]
    if apps.is_installed("wagtail_mentoring.contrib.lti"):
        models += list(apps.get_app_config("lti_tool").get_models())
        models += list(apps.get_app_config("wagtail_mentoring_lti").get_models())
    for model in models:
        digest.update(repr(list(model.objects.order_by("pk").values_list())).encode())
    return digest.hexdigest()


class _WriteDetector:
    def __init__(self):
        self.tables: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        match = WRITE.match(sql)
        if match and match.group(2).lower() not in IGNORED_TABLES:
            self.tables.append(match.group(2))
        return execute(sql, params, many, context)


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code == 302:
        # Sign-in, or Wagtail's "no permission" bounce to the admin home.
        location = response["Location"]
        return (
            settings.LOGIN_URL in location
            or "/admin/login/" in location
            or location.rstrip("/").endswith("/admin")
        )
    return False


@pytest.fixture
def world(django_db_blocker):
    world = build_world()
    # A module page of the journey, so that its page type has an instance.
    from wagtail_mentoring.journeys.models import JourneyModulePage

    module = world.journey.add_child(
        instance=JourneyModulePage(title="Going further", slug="further", steps=[])
    )
    module.save_revision().publish()
    world.objects["module"] = JourneyModulePage.objects.get(pk=module.pk)
    world.objects["mentee_feed"] = world.users[MENTEE].mentoring_calendar_feed
    # An event of the space whose description only its readers may see.
    world.objects["space_event"] = event(
        world.space, title="Circle meetup", description=EVENT_SECRET
    )
    return world


def _clients(world) -> dict[str, Client]:
    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != ANON:
            client.force_login(world.users[role])
        clients[role] = client
    return clients


def test_every_url_of_the_package_is_classified():
    names = {endpoint.name for endpoint in package_endpoints()}
    missing = sorted(names - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - names)
    assert not missing, f"classify these URLs in EXPECTED: {missing}"
    assert not stale, f"EXPECTED names URLs that no longer exist: {stale}"
    # The README and the testing guide state the matrix's size.
    requests = len(names) * len(ROLES) * 2
    size = f"{len(names)} URLs × {len(ROLES)} roles × 2 methods = {requests:,} requests"
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert size in readme, f"update the README: {size}"
    guide = " ".join((ROOT / "docs" / "testing.md").read_text().split())
    assert f"({len(names)} URLs today)" in guide and f"{requests:,}" in guide


def test_authorization_matrix(world):
    clients = _clients(world)
    endpoints = [e for e in package_endpoints() if e.name in EXPECTED]
    baseline = _fingerprint()
    failures = []
    checked = 0
    for endpoint in endpoints:
        rule = EXPECTED[endpoint.name]
        url = _url(endpoint, world)
        for role in ROLES:
            for method in ("GET", "POST"):
                checked += 1
                problem = _check(
                    clients[role], method, url, role, rule, baseline, endpoint.name
                )
                if problem:
                    failures.append(
                        f"{method} {endpoint.name} ({url}) as {role}: {problem}"
                    )
    size = f"{len(endpoints)} URLs × {len(ROLES)} roles × 2 methods = {checked}"
    print(f"authorization matrix: {size} requests")
    assert not failures, f"{len(failures)} of {size}:\n" + "\n".join(failures)


def _check(client, method, url, role, rule, baseline, name) -> str | None:
    detector = _WriteDetector()
    with transaction.atomic():
        with connection.execute_wrapper(detector):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, POST_DATA)
        wrote = bool(detector.tables) and _fingerprint() != baseline
        transaction.set_rollback(True)
    body = response.content.decode(errors="replace") if not response.streaming else ""
    leaked = [s for s, readers in SECRETS.items() if s in body and role not in readers]
    if EVENT_SECRET in body and role not in SPACE_READERS:
        leaked.append(EVENT_SECRET)
    if name in DISCLOSES_EVERYTHING and role in rule.post:
        leaked = []
    if leaked:
        return f"shows {leaked}"
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    allowed = rule.get if method == "GET" else rule.post
    if method == "GET":
        if wrote:
            return f"a GET wrote to {sorted(set(detector.tables))}"
        if role in allowed and response.status_code != 200:
            return f"expected 200, got {response.status_code}"
    if role not in allowed:
        if not _refused(response):
            return f"expected a refusal, got {response.status_code}"
        if wrote:
            return f"refused but wrote to {sorted(set(detector.tables))}"
    return None
