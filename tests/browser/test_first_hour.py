"""An employee's first hour in a pair on the example intranet: log a meeting
the pair had, give feedback on it, and find the final feedback not yet open."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.engagement.models import Feedback, Meeting, MeetingStatus
from wagtail_mentoring.engagement.services import final_feedback_is_open
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Relationship,
)

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


def test_log_a_meeting_we_had_then_give_feedback(
    page, live_server, demo_site, axe_check
):
    relationship = (
        Relationship.objects.filter(
            status__in=OPEN_RELATIONSHIP_STATUSES,
            members__role__in=["mentee", "sponsee"],
        )
        .order_by("pk")
        .first()
    )
    # Mid-course: started a month ago, four months to go.
    relationship.started_on = timezone.localdate() - timedelta(days=30)
    relationship.ends_on = timezone.localdate() + timedelta(days=120)
    relationship.save()
    assert not final_feedback_is_open(relationship)
    member = relationship.members.get(role__in=["mentee", "sponsee"]).user
    before = Meeting.objects.filter(relationship=relationship).count()
    sign_in(
        page,
        live_server,
        member.get_username(),
        PASSWORD,
        f"/mentoring/relationships/{relationship.pk}/",
    )
    expect(page.get_by_role("heading", name="Your feedback")).to_be_visible()
    expect(
        page.get_by_text("Feedback on the whole relationship opens on")
    ).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Log a meeting we had").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a meeting we had")
    axe_check(page)
    yesterday = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    page.get_by_label("Title").fill("Coffee by the lake")
    page.get_by_label("When did it start?").fill(yesterday)
    page.get_by_label("Time zone").select_option("UTC")
    page.get_by_label("Duration (minutes)").fill("30")
    page.get_by_role("button", name="Log the meeting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Feedback on “Coffee by the lake”"
    )
    axe_check(page)
    meeting = Meeting.objects.get(relationship=relationship, title="Coffee by the lake")
    assert meeting.status == MeetingStatus.HELD
    assert Meeting.objects.filter(relationship=relationship).count() == before + 1
    page.locator("input[name=rating][value='5']").check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    assert Feedback.objects.filter(meeting=meeting, author=member, rating=5).exists()

    # Final feedback says when it opens; there is nothing to type yet.
    page.goto(f"{live_server.url}/mentoring/relationships/{relationship.pk}/feedback/")
    expect(page.get_by_text("Final feedback opens on")).to_be_visible()
    expect(page.locator("input[name=rating]")).to_have_count(0)
    axe_check(page)
