"""Every front-end page on a phone: 390×844, as the people who use it.

Starting from what each demo-like person is shown (My mentoring, the program
hub, their sponsorship page), the test follows the package's links and visits
each kind of page once per person. On each it asserts what a phone needs: no
horizontal scrolling, controls of at least 24 × 24 px, tables reflowed into
labelled rows, form fields inside the screen, headings in order, no console
error or failed request, and axe finds nothing serious.
It then checks that every front-end URL of the URL conf and every page type
was visited, so a new page cannot slip past.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import resolve, reverse
from django.utils import timezone

from tests.browser.conftest import sign_in
from wagtail_mentoring import urls as front_end_urls
from wagtail_mentoring.community.events.models import EventRSVP, SpaceEvent
from wagtail_mentoring.community.models import CommunitySpacePage
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.engagement.office_hours.models import Booking
from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.notifications.tokens import unsubscribe_token
from wagtail_mentoring.programs.models import (
    MentoringHubPage,
    ProgramPage,
    RelationshipMember,
)
from wagtail_mentoring.tracks.models import DevelopmentTrackPage

pytestmark = pytest.mark.browser

PASSWORD = "changeme"
PHONE = {"width": 390, "height": 844}

#: Front-end URLs that are not pages: downloads and POST-only actions.
NOT_PAGES = {
    # A moderator's form to hide a post: walked at 390 px in test_community_flow.
    "community_hide_post",
    "accept_request",  # a button on My mentoring
    "withdraw_request",  # a button on Find a mentor
    "withdraw_application",  # a button on My mentoring
    "calendar_feed",  # an .ics feed
    "meeting_ics",  # an .ics invite
    "export_my_data",  # a JSON download, from a button on My mentoring
    "sponsorship_pick_sponsee",  # a button on Pick a sponsee
    "sponsorship_nominee_search",  # JSON for the nominee picker's script
    "join_circle",  # a button on a group program's page
    "booking_ics",  # an .ics invite
    "booking_no_show",  # a button on a booking
    "booking_suggest_continuing",  # a button on a booking
    "booking_continue",  # a button on a booking
    "space_event_rsvp",  # the buttons on an event's page
    "space_event_ics",  # an .ics download
    # Buttons on a community space's page, its threads and its members page.
    "community_join",
    "community_ask",
    "community_leave",
    "community_decline_invitation",
    "community_manage_member",
    "community_reply",
    "community_moderate_thread",
    "community_helpful",
    "community_answer",
}

#: The page's own report of what would trouble a phone (phone_checks.js).
PHONE_PROBLEMS = (Path(__file__).parent / "phone_checks.js").read_text()


#: The README's demo logins, by what they do on the front end.
LOGINS = {
    "mentee": "emp0002",  # meetings, goals, journey, Find a mentor
    "mentor": "emp0054",  # mentor, and sponsor of two
    "asked": "emp0000",  # requests to answer; sponsor
    "sponsee": "emp0004",
    "hr": "hr",
    "program admin": "coordinator",
    "newcomer": "emp0299",  # in no program yet: the apply forms
    "facilitator": "emp0010",  # leads a circle of Leading Together
    "circle member": "emp0012",  # a mentee in that circle
}


@pytest.fixture
def demo(transactional_db):
    """The demo exactly as ``make demo`` seeds it, so the README's logins work."""
    if get_user_model().USERNAME_FIELD != "username":
        pytest.skip("the demo's logins are those of Django's default user model")
    call_command("seed_demo", verbosity=0)


def _people():
    User = get_user_model()
    people = {role: User.objects.get(username=name) for role, name in LOGINS.items()}
    membership = RelationshipMember.objects.select_related("relationship")
    mentoring = membership.get(
        user=people["mentee"],
        role="mentee",
        relationship__status="active",
        relationship__program__slug="engineering-mentoring",
    ).relationship
    sponsorship = membership.get(
        user=people["sponsee"], role="sponsee", relationship__status="active"
    ).relationship
    # Pages that only some days show a link to: asked for by address.
    request = MentorRequest.objects.filter(
        status="pending", mentor_enrollment__user=people["asked"]
    ).first()
    circle = membership.get(
        user=people["facilitator"], role="mentor", relationship__program__kind="group"
    ).relationship
    circle_space = reverse("wagtail_mentoring:relationship", args=[circle.pk])
    # Space events: the mentee's next event in the open space; the program's
    # space, which its admins moderate, for the organiser's forms.
    going = (
        EventRSVP.objects.filter(
            user=people["mentee"], status="going", event__is_cancelled=False
        )
        .select_related("event")
        .first()
    )
    organised = SpaceEvent.objects.filter(
        space__program__slug="engineering-mentoring",
        is_cancelled=False,
        starts_at__gt=timezone.now(),
    ).first()
    extra = {
        # Their circle first: My mentoring lists their other relationships too.
        "facilitator": [circle_space],
        "circle member": [circle_space],
        "mentee": [
            reverse("wagtail_mentoring:space_events", args=[going.event.space_id]),
            reverse("wagtail_mentoring:final_feedback", args=[mentoring.pk]),
            # An email's one-click unsubscribe link, as its reader opens it.
            reverse(
                "wagtail_mentoring:unsubscribe",
                args=[unsubscribe_token(people["mentee"], ["reminders"])],
            ),
        ],
        "asked": [reverse("wagtail_mentoring:decline_request", args=[request.pk])],
        "sponsee": [
            reverse("wagtail_mentoring:sponsorship_detail", args=[sponsorship.pk])
        ],
        "newcomer": [p.url + "apply/" for p in ProgramPage.objects.live()],
        "program admin": [
            reverse("wagtail_mentoring:space_event_new", args=[organised.space_id]),
            reverse("wagtail_mentoring:space_event_edit", args=[organised.pk]),
            reverse("wagtail_mentoring:space_event_cancel", args=[organised.pk]),
        ],
    }
    # The newcomer's flash conversation last week: its page and its feedback.
    held = Booking.objects.get(user=people["newcomer"])
    extra["newcomer"] += [
        reverse("wagtail_mentoring:booking_detail", args=[held.pk]),
        reverse("wagtail_mentoring:booking_feedback", args=[held.pk]),
    ]
    # The search form's address (a GET form, not a link) of the mentee's space.
    open_space = CommunitySpacePage.objects.get(slug="women-in-engineering")
    extra["mentee"].append(
        reverse("wagtail_mentoring:community_search", args=[open_space.pk])
    )
    # The members page of the request-only space emp0000 moderates.
    leaders = CommunitySpacePage.objects.get(title="People Leaders Circle")
    extra["asked"].append(
        reverse("wagtail_mentoring:community_members", args=[leaders.pk])
    )
    return people, extra, mentoring.pk


def _kind(path: str, pages: dict) -> str:
    """What kind of page ``path`` is: its URL name, or its page type."""
    match = resolve(path)
    if match.url_name != "wagtail_serve":
        return match.url_name
    if re.search(r"/steps/[^/]+/$", path):
        return "journey step"
    if path.endswith("/apply/"):
        return "apply"
    return type(pages[path]).__name__ if path in pages else "other"


def _in_scope(path: str, roots: list[str]) -> bool:
    return (
        path.startswith("/mentoring/") or any(path.startswith(r) for r in roots)
    ) and not re.search(r"\.(ics|json)$", path)


def test_every_front_end_page_works_on_a_phone(browser, live_server, demo, axe_check):
    people, extra, mentoring_pk = _people()
    hub = MentoringHubPage.objects.live().first()
    journey = LearningJourneyPage.objects.live().first()
    roots = [hub.url, journey.url]
    pages = {
        page.url: page
        for model in (
            MentoringHubPage,
            ProgramPage,
            LearningJourneyPage,
            DevelopmentTrackPage,
            CommunitySpacePage,
        )
        for page in model.objects.live()
    }
    for role in people:
        extra.setdefault(role, []).append(journey.url)

    visited: dict[str, list[str]] = {}
    problems: list[str] = []
    checked_by_axe: set[str] = set()
    # A console error or a failed request (a missing favicon, a script posting
    # to the wrong address) is a problem of the page it came from.
    failures: list[str] = []
    for role, user in people.items():
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and failures.append(f"console: {m.text}"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"),
        )
        sign_in(page, live_server, user.get_username(), PASSWORD, "/mentoring/")
        page.wait_for_url(re.compile(r"/mentoring/$"))
        queue = ["/mentoring/", hub.url, *extra.get(role, [])]
        seen_paths: set[str] = set()
        seen_kinds: set[str] = set()
        while queue:
            path = queue.pop(0)
            if path in seen_paths:
                continue
            seen_paths.add(path)
            kind = _kind(path, pages)
            if kind in seen_kinds or kind in NOT_PAGES or kind == "other":
                continue
            seen_kinds.add(kind)
            failures.clear()
            response = page.goto(live_server.url + path)
            assert response.status == 200, (role, path, response.status)
            page.wait_for_load_state("networkidle")
            visited.setdefault(kind, []).append(f"{role} {path}")
            report = page.evaluate(PHONE_PROBLEMS)
            where = f"{role} {path}"
            problems += [f"{where}: {failure}" for failure in failures]
            if report["width"] > PHONE["width"]:
                problems.append(f"{where}: {report['width']} px wide")
            for name in ("small", "outside", "unlabelled", "unstacked"):
                problems += [f"{where}: {name}: {item}" for item in report[name]]
            if kind not in checked_by_axe:
                checked_by_axe.add(kind)
                axe_check(page)
                # Moderate for axe, but a phone's screen reader lists headings.
                order = Axe().run(page, options={"runOnly": ["heading-order"]})
                problems += [
                    f"{where}: heading-order: {node['target']}"
                    for violation in order.response["violations"]
                    for node in violation["nodes"]
                ]
            for href in page.eval_on_selector_all(
                "a[href]", "links => links.map(a => a.href)"
            ):
                link = urlsplit(href)
                if (
                    link.netloc == urlsplit(live_server.url).netloc
                    and not link.query
                    and _in_scope(link.path, roots)
                ):
                    queue.append(link.path)
        context.close()

    assert problems == [], "\n".join(problems[:40])
    # Reading the thread on the phone recorded it as read (the page's script).
    assert RelationshipMember.objects.get(
        user=people["mentee"], relationship_id=mentoring_pk
    ).messages_read_at
    front_end = {pattern.name for pattern in front_end_urls.urlpatterns}
    expected = (front_end - NOT_PAGES) | {
        "MentoringHubPage",
        "ProgramPage",
        "apply",
        "LearningJourneyPage",
        "DevelopmentTrackPage",
        "journey step",
        "CommunitySpacePage",
    }
    assert expected - set(visited) == set(), sorted(visited)
