"""The employee experience end to end on the example intranet: ranked
requests, decline then accept, a meeting with its invite and feed, a goal and
check-in, messages, feedback, and the mentor ending the relationship."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.engagement.models import (
    Feedback,
    Goal,
    Meeting,
    MentorRequest,
    Message,
)
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import Enrollment, Relationship

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


def _switch_user(page, live_server, user, next_url="/mentoring/"):
    page.context.clear_cookies()
    sign_in(page, live_server, user.get_username(), PASSWORD, next_url)


def test_mentee_to_ended_relationship(page, live_server, demo_site, axe_check):
    mail.outbox.clear()
    mentee = (
        Enrollment.objects.filter(
            program__slug="product-mentoring", role="mentee", status="approved"
        )
        .exclude(requests_sent__isnull=False)
        .select_related("user", "program")
        .order_by("pk")
        .first()
    )
    assert mentee is not None
    program = mentee.program

    # The mentee finds "Choose your mentor" on My mentoring.
    _switch_user(page, live_server, mentee.user)
    expect(page.get_by_role("heading", name="Needs your attention")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=f"Find a mentor in {program.title}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Find a mentor")
    axe_check(page)

    # Rank two mentors, with a note to each.
    cards = page.locator(".wm-suggestions > li")
    expect(cards.first).to_be_visible()
    first_name = cards.nth(0).locator("h3").inner_text()
    second_name = cards.nth(1).locator("h3").inner_text()
    cards.nth(0).get_by_label(re.compile("Note to")).fill("I admire your <work>.")
    cards.nth(0).get_by_role("button", name=f"Ask {first_name}").click()
    expect(page.get_by_text(f"Your request to {first_name} was added")).to_be_visible()
    page.locator(".wm-suggestions > li").filter(has_text=second_name).get_by_role(
        "button", name=f"Ask {second_name}"
    ).click()
    requests = page.locator(".wm-requests > li")
    expect(requests.nth(0)).to_contain_text("Waiting for an answer")
    expect(requests.nth(1)).to_contain_text("Waiting for your earlier choices")
    axe_check(page)
    first_req, second_req = MentorRequest.objects.filter(
        mentee_enrollment=mentee
    ).order_by("rank")
    first_mentor = first_req.mentor_enrollment.user
    second_mentor = second_req.mentor_enrollment.user
    assert display_name(first_mentor) == first_name

    # The first mentor declines, with a reason.
    _switch_user(page, live_server, first_mentor)
    card = page.locator(".wm-card").filter(has_text=display_name(mentee.user))
    expect(card).to_contain_text("I admire your <work>.")  # escaped, shown as text
    axe_check(page)
    card.get_by_role("link", name=re.compile("^Decline")).click()
    axe_check(page)
    page.get_by_label("Reason (optional)").fill("I'm on leave next quarter.")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("passes to their next choice")).to_be_visible()

    # ... so the second mentor is asked, and accepts.
    _switch_user(page, live_server, second_mentor)
    card = page.locator(".wm-card").filter(has_text=display_name(mentee.user))
    card.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(display_name(mentee.user))
    axe_check(page)
    relationship = Relationship.objects.get(program=program, members__user=mentee.user)
    assert relationship.status == "active"

    # The mentor schedules a meeting; the agenda starts with the program's prompts.
    page.get_by_role("link", name="Schedule a meeting").click()
    expect(page.get_by_label("Agenda")).to_have_value(
        re.compile("What went well since we last met")
    )
    axe_check(page)
    start = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%d")
    page.get_by_label("Title").fill("Getting started")
    page.get_by_label("Starts").fill(f"{start}T10:00")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Where").fill("Room 5")
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(page.get_by_text("Meeting scheduled")).to_be_visible()
    axe_check(page)
    meeting = Meeting.objects.get(relationship=relationship)
    invites = [m for m in mail.outbox if m.subject.startswith("Invitation:")]
    assert len(invites) == 2
    (filename, content, mimetype) = invites[0].attachments[0]
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["UID"]) == meeting.ical_uid
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Berlin"
    assert event.decoded("DTSTART").hour == 10

    # The feed URL shows it, no sign-in needed.
    page.goto(live_server.url + "/mentoring/calendar/")
    axe_check(page)
    page.get_by_role("button", name="Make my calendar address").click()
    feed_url = page.get_by_label("Calendar address").input_value()
    page.context.clear_cookies()
    feed = page.request.get(feed_url)
    assert feed.ok
    uids = [str(e["UID"]) for e in Calendar.from_ical(feed.body()).walk("VEVENT")]
    assert meeting.ical_uid in uids

    # The mentee sets a goal, checks in and writes to the mentor.
    _switch_user(
        page, live_server, mentee.user, f"/mentoring/relationships/{relationship.pk}/"
    )
    page.get_by_role("link", name="Set a goal").click()
    axe_check(page)
    page.get_by_label("Goal").fill("Run a discovery interview")
    page.get_by_label("How will you know?").fill("Notes from one interview")
    page.get_by_label("Target date").fill(
        (timezone.localdate() + timedelta(days=30)).isoformat()
    )
    page.get_by_role("button", name="Set goal").click()
    expect(page.get_by_text("Goal set.")).to_be_visible()
    page.get_by_label("Progress (%)").fill("30")
    page.get_by_label("What happened since last time?").fill("Booked an interview")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Check-in saved.")).to_be_visible()
    axe_check(page)
    assert Goal.objects.get(relationship=relationship).progress == 30
    page.get_by_role("link", name="Messages").click()
    page.get_by_label("Your message").fill("Thanks for accepting!")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Thanks for accepting!")).to_be_visible()
    axe_check(page)

    # A week on, they had a coffee yesterday without scheduling it: the mentee
    # logs it (held at once) and is taken straight to its feedback.
    Relationship.objects.filter(pk=relationship.pk).update(
        started_on=timezone.localdate() - timedelta(days=7)
    )
    page.goto(live_server.url + f"/mentoring/relationships/{relationship.pk}/")
    page.get_by_role("link", name="Log a meeting we had").click()
    axe_check(page)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.get_by_label("Title").fill("Coffee chat")
    page.get_by_label("When did it start?").fill(f"{yesterday}T09:30")
    page.get_by_role("button", name=re.compile("Log")).click()
    expect(page.get_by_text("Meeting logged.")).to_be_visible()
    axe_check(page)
    coffee = Meeting.objects.get(relationship=relationship, title="Coffee chat")
    assert coffee.status == "held"
    page.get_by_label("5").check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    assert Feedback.objects.get(meeting=coffee).rating == 5

    # The meeting takes place; the mentor replies and leaves feedback.
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=2)
    )
    _switch_user(page, live_server, second_mentor)
    expect(page.get_by_role("link", name=re.compile("1 new message"))).to_be_visible()
    page.get_by_role("link", name=re.compile("1 new message")).click()
    page.get_by_label("Your message").fill("You're welcome, see you soon.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("You're welcome, see you soon.")).to_be_visible()
    page.goto(live_server.url + "/mentoring/")
    page.get_by_role("link", name="Give feedback on “Getting started”").click()
    axe_check(page)
    page.get_by_label("4").check()
    page.get_by_label("Comment").fill("A good first conversation.")
    page.get_by_label("Share with my partner").check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    assert Message.objects.filter(relationship=relationship).count() == 2
    assert Feedback.objects.get(meeting=meeting).rating == 4

    # The mentor ends the relationship early, with a reason.
    page.goto(live_server.url + f"/mentoring/relationships/{relationship.pk}/")
    page.get_by_role("link", name="End it early").click()
    axe_check(page)
    page.get_by_role("button", name="End the relationship").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Reason").fill("I am changing roles.")
    page.get_by_role("button", name="End the relationship").click()
    expect(page.get_by_text("The relationship has ended")).to_be_visible()
    expect(page.get_by_text("Ended early")).to_be_visible()
    axe_check(page)
    relationship.refresh_from_db()
    assert relationship.status == "ended_early"
    assert relationship.end_reason == "I am changing roles."
    told = [m for m in mail.outbox if "has ended" in m.subject]
    assert [m.to for m in told] == [[mentee.user.email]]
