"""A space's events in a browser, on a phone (390 px): a member says they are
going, the next one finds the event full and joins the waiting list, the
organiser's form says what is wrong. axe and the phone checks on each page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.event_helpers import event, make_space, member, moderator
from tests.factories import PASSWORD, login_identifier
from wagtail_mentoring.community.events.models import EventRSVP

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PHONE_PROBLEMS = (Path(__file__).parent / "phone_checks.js").read_text()


def _fits_a_phone(page):
    found = page.evaluate(PHONE_PROBLEMS)
    assert found["width"] <= PHONE["width"], f"scrolls sideways on {page.url}"
    assert not found["small"], found["small"]
    assert not found["outside"], found["outside"]


def test_rsvp_flow_on_a_phone(page, live_server, transactional_db, axe_check):
    page.set_viewport_size(PHONE)
    space = make_space(title="Frontend guild")
    organiser = moderator(space, "mona")
    first = member(space, "alice")
    second = member(space, "bea")
    planned = event(
        space,
        title="Accessibility clinic",
        capacity=1,
        place="Room Ada",
        video_url="https://meet.example.com/a11y",
        description="Bring a page you want reviewed.",
        by=organiser,
    )
    event(space, hours=-72, title="Last month's clinic")

    # The first member opens the space's events and takes the one place.
    sign_in(
        page,
        live_server,
        login_identifier(first),
        PASSWORD,
        f"/mentoring/spaces/{space.pk}/events/",
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Events of Frontend guild"
    )
    expect(page.get_by_text("Last month's clinic")).to_be_visible()
    axe_check(page)
    _fits_a_phone(page)
    page.get_by_role("link", name="Accessibility clinic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility clinic")
    axe_check(page)
    _fits_a_phone(page)
    page.get_by_role("button", name="I am going").click()
    expect(page.get_by_text("You are going. The invitation")).to_be_visible()
    expect(page.get_by_text("0 of 1 left")).to_be_visible()
    # Names are for members: the member sees who is going.
    expect(page.get_by_role("heading", name="Who is going")).to_be_visible()
    axe_check(page)
    _fits_a_phone(page)
    assert EventRSVP.objects.get(user=first).status == "going"

    # The next member finds it full and joins the waiting list.
    page.context.clear_cookies()
    sign_in(
        page,
        live_server,
        login_identifier(second),
        PASSWORD,
        f"/mentoring/spaces/events/{planned.pk}/",
    )
    expect(page.get_by_text("All places are taken.")).to_be_visible()
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_text("You are on the waiting list;")).to_be_visible()
    axe_check(page)
    _fits_a_phone(page)
    assert EventRSVP.objects.get(user=second).status == "waitlisted"

    # The organiser's form: an end before the start is refused, with why.
    page.context.clear_cookies()
    sign_in(
        page,
        live_server,
        login_identifier(organiser),
        PASSWORD,
        f"/mentoring/spaces/{space.pk}/events/",
    )
    page.get_by_role("link", name="Schedule an event").click()
    axe_check(page)
    _fits_a_phone(page)
    page.get_by_label("Title").fill("Component review")
    page.get_by_label("Starts").fill("2099-03-01T15:00")
    page.get_by_label("Ends").fill("2099-03-01T14:00")
    page.get_by_role("button", name="Schedule and tell the members").click()
    expect(page.get_by_text("The event must end after it starts.")).to_be_visible()
    axe_check(page)
    _fits_a_phone(page)
    assert not space.events.filter(title="Component review").exists()
