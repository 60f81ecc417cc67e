"""Visits that count are posted by the page itself: opening a "when opened"
step completes it, and opening the thread marks it read (no GET changes state,
so only the page's script can record them)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.engagement import selectors
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.journeys.models import LearningJourneyPage, StepProgress
from wagtail_mentoring.programs.models import (
    ProgramPage,
    Relationship,
    RelationshipStatus,
)

pytestmark = pytest.mark.browser

WELCOME = "demo-welcome"  # the demo journey's "when opened" step


def test_opening_a_step_and_the_thread_is_recorded(page, live_server, demo_site):
    journey = LearningJourneyPage.objects.get(slug="mentoring-foundations")
    relationship = Relationship.objects.filter(status=RelationshipStatus.ACTIVE).first()
    # Its program follows the demo journey (a small demo may have no pair on it).
    ProgramPage.objects.filter(pk=relationship.program_id).update(journey=journey)
    member = relationship.members.select_related("user").first()
    # As if this member had never opened the welcome step.
    StepProgress.objects.filter(
        relationship=relationship, user=member.user, step_id=WELCOME
    ).delete()
    partner = relationship.members.exclude(pk=member.pk).get().user
    engagement.send_message(relationship, partner, body="Shall we meet on Tuesday?")
    assert selectors.has_unread(relationship, member.user)

    sign_in(page, live_server, member.user.get_username(), "changeme")
    step_url = journey.url + journey.reverse_subpage("step", args=[WELCOME])
    page.goto(live_server.url + step_url)
    expect(page.locator("form[data-wm-record-visit]")).to_have_count(0)
    step = StepProgress.objects.get(
        relationship=relationship, user=member.user, step_id=WELCOME
    )
    assert step.completed_at is not None

    page.goto(f"{live_server.url}/mentoring/relationships/{relationship.pk}/messages/")
    expect(page.get_by_text("Shall we meet on Tuesday?")).to_be_visible()
    expect(page.locator("form[data-wm-record-visit]")).to_have_count(0)
    assert not selectors.has_unread(relationship, member.user)
