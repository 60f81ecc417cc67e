"""On a phone (390 px): an employee browses office hours, books a
conversation, then cancels it; a development track shows where they are.
Every page passes axe."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import login_identifier
from wagtail_mentoring.engagement.office_hours.models import Booking
from wagtail_mentoring.tracks.models import DevelopmentTrackPage

pytestmark = pytest.mark.browser

PASSWORD = "changeme"
PHONE = {"width": 390, "height": 844}


def _someone_new():
    """A demo employee with no part in flash mentoring yet."""
    return (
        get_user_model()
        .objects.filter(
            is_superuser=False,
            mentoring_profile__isnull=False,
            mentoring_bookings__isnull=True,
            mentoring_office_hours__isnull=True,
        )
        .order_by("pk")
        .first()
    )


def test_book_and_cancel_a_conversation_on_a_phone(
    browser, live_server, demo_site, axe_check
):
    user = _someone_new()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, login_identifier(user), PASSWORD, "/mentoring/")
    page.wait_for_url(re.compile(r"/mentoring/$"))
    page.get_by_role("link", name="Flash mentoring: book a conversation").click()
    expect(page.get_by_role("heading", name="Book a conversation")).to_be_visible()
    axe_check(page)

    page.get_by_label("Topic").fill("public speaking")
    page.get_by_role("button", name="Show times").click()
    cards = page.get_by_role("list", name="Open office hours").get_by_role("listitem")
    expect(cards.first).to_contain_text("Public speaking clinic")
    assert "Career moves" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    cards.first.get_by_role("link", name=re.compile("^Book")).click()
    expect(page.get_by_role("heading", name=re.compile("^Book “"))).to_be_visible()
    axe_check(page)
    page.get_by_label("What would you like to talk about?").fill("Stage fright")
    page.get_by_role("button", name="Book this time").click()
    expect(
        page.get_by_text("Booked. The calendar invite is on its way.")
    ).to_be_visible()
    axe_check(page)
    booking = Booking.objects.get(user=user)
    assert booking.status == "booked" and booking.question == "Stage fright"

    page.get_by_role("link", name="Cancel booking").click()
    expect(page.get_by_role("heading", name=re.compile("^Cancel your"))).to_be_visible()
    axe_check(page)
    page.get_by_label("Reason (optional)").fill("A clash, sorry")
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_text("The booking is cancelled.")).to_be_visible()
    axe_check(page)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    context.close()


def test_a_development_track_on_a_phone(browser, live_server, demo_site, axe_check):
    user = _someone_new()
    track = DevelopmentTrackPage.objects.live().get()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, login_identifier(user), PASSWORD, track.url)
    page.goto(live_server.url + track.url)
    expect(page.get_by_role("heading", name="Where you are")).to_be_visible()
    expect(page.get_by_role("heading", name="Stages")).to_be_visible()
    expect(page.locator("[aria-current=step]")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page)
    context.close()
