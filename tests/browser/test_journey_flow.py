"""An editor builds a journey in the page editor; a pair works through it.

The pair schedules their meeting in the meeting form, whose agenda starts with
the journey's prompts. A browser test cannot wait for the meeting to happen, so
the meeting is moved into the past and the periodic "meetings held" job runs.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.engagement.agenda import default_agenda
from wagtail_mentoring.engagement.models import Goal, Meeting, MeetingStatus
from wagtail_mentoring.engagement.services import mark_meetings_held
from wagtail_mentoring.journeys import services
from wagtail_mentoring.journeys.models import LearningJourneyPage, ReflectionAnswer
from wagtail_mentoring.programs.models import (
    MentoringHubPage,
    ProgramPage,
    Role,
)
from wagtail_mentoring.programs.services import start_relationship

pytestmark = pytest.mark.browser

PASSWORD = "changeme"
JOURNEY = "Digital leadership foundations"
PROGRAM_SLUG = "reverse-mentoring"
PROMPTS = ["Which tool do you avoid, and why?", "What would you like to try next?"]
REFLECTION = "What surprised you about how your mentor works?"


def _add_step(page, steps, index: int, title: str, done: str, minutes: int):
    """Append a journey step and fill its fields; returns its region."""
    steps.get_by_role("button", name="Insert a block").last.click()
    step = steps.get_by_role("region", name=re.compile(r"^Journey step")).nth(index)
    expect(step).to_be_visible()
    step.get_by_role("textbox", name="Title*").fill(title)
    step.get_by_role("textbox", name="Summary").fill(f"{title}, together.")
    step.get_by_role("spinbutton", name="Estimated minutes*").fill(str(minutes))
    step.get_by_role("combobox", name="Done*").select_option(label=done)
    return step


def _settled(page):
    """Wait for the editor's jQuery slide animations (a new block, its list's
    *Add* button) to end: a click on a button still sliding into place can land
    on whatever was there a moment before."""
    page.wait_for_function("() => !window.jQuery || !jQuery(':animated').length")


def _add_body_block(page, step, label: str):
    step.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name=label).click()
    block = step.get_by_role("region", name=re.compile(f"^{label}"))
    expect(block).to_be_visible()
    return block


def _build_journey_in_the_editor(page, live_server, hub):
    page.goto(f"{live_server.url}/admin/pages/{hub.pk}/")
    page.get_by_role("link", name="Add child page").first.click()
    page.get_by_role("link", name=re.compile(r"^Learning journey")).click()
    expect(page.get_by_role("heading", name="New: Learning journey")).to_be_visible()
    page.get_by_role("textbox", name="Title*").first.fill(JOURNEY)
    page.get_by_role("textbox", name="Summary").first.fill(
        "Three steps for reverse-mentoring pairs."
    )
    steps = page.get_by_role("region", name="Steps")

    # Step 1: a conversation the pair has in a meeting.
    step = _add_step(
        page, steps, 0, "Get to know each other", "When the pair has met", 45
    )
    prompts = _add_body_block(page, step, "Conversation prompts")
    questions = prompts.get_by_role("region", name=re.compile(r"^Question"))
    questions.nth(0).get_by_role("textbox").fill(PROMPTS[0])
    _settled(page)
    prompts.get_by_role("button", name="Add").last.click()
    expect(questions).to_have_count(2)
    questions.nth(1).get_by_role("textbox").fill(PROMPTS[1])

    # Step 2: a reflection each member writes.
    step = _add_step(
        page,
        steps,
        1,
        "Reflect on the first session",
        "When every question is answered",
        20,
    )
    reflection = _add_body_block(page, step, "Reflection")
    reflection.get_by_role("textbox", name="Question*").fill(REFLECTION)

    # Step 3: a SMART goal, with the block's sensible defaults.
    step = _add_step(
        page, steps, 2, "Set a goal", "When every question is answered", 30
    )
    goal = _add_body_block(page, step, "Goal setting")
    expect(
        goal.get_by_role("spinbutton", name=re.compile("Suggested time frame"))
    ).to_have_value("8")

    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(re.compile(f"'{JOURNEY}'.* published"))).to_be_visible()


def _link_journey_to_program(page, live_server, program):
    page.goto(f"{live_server.url}/admin/pages/{program.pk}/edit/")
    page.get_by_role("tab", name="Program").click()
    section = page.get_by_role("region", name="Learning journey")
    section.get_by_role("button", name="Choose a page (Learning journey)").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Search term").fill(JOURNEY)
    dialog.get_by_role("link", name=JOURNEY).click()
    expect(dialog).to_be_hidden()
    expect(section).to_contain_text(JOURNEY)
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(
        page.get_by_text(re.compile(f"'{re.escape(program.title)}'.* published"))
    ).to_be_visible()


def _pair(program):
    """Two active employees matched in ``program`` (the matching UI is not ours)."""
    people = list(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False, groups__isnull=True)
        .filter(mentoring_profile__isnull=False)
        .exclude(mentoring_memberships__isnull=False)
        .order_by("pk")[:2]
    )
    mentee, mentor = people
    relationship = start_relationship(
        program, [(mentee, Role.MENTEE), (mentor, Role.MENTOR)], mentor
    )
    return relationship, mentee, mentor


def test_editor_builds_a_journey_and_a_pair_works_through_it(
    page, live_server, demo_site, axe_check
):
    User = get_user_model()
    admin = User.objects.get(is_superuser=True)
    hub = MentoringHubPage.objects.get()
    program = ProgramPage.objects.get(slug=PROGRAM_SLUG)

    # --- The editor composes the journey in the Wagtail page editor. ---------
    sign_in(page, live_server, admin.get_username(), PASSWORD, "/admin/")
    _build_journey_in_the_editor(page, live_server, hub)
    journey = LearningJourneyPage.objects.get(title=JOURNEY)
    assert journey.live
    assert [(s.title, s.value["completion"]) for s in journey.journey_steps] == [
        ("Get to know each other", "meeting"),
        ("Reflect on the first session", "answer"),
        ("Set a goal", "answer"),
    ]
    assert journey.journey_steps[0].value.prompts == PROMPTS
    _link_journey_to_program(page, live_server, program)
    program.refresh_from_db()
    assert program.journey_id == journey.pk

    # --- A matched pair schedules a meeting: the prompts are on its agenda. --
    relationship, mentee, mentor = _pair(program)
    page.context.clear_cookies()
    sign_in(
        page,
        live_server,
        mentee.get_username(),
        PASSWORD,
        f"/mentoring/relationships/{relationship.pk}/",
    )
    page.get_by_role("link", name="Schedule a meeting").click()
    for prompt in PROMPTS:
        expect(page.get_by_label("Agenda")).to_have_value(re.compile(re.escape(prompt)))
    axe_check(page)
    start = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d")
    page.get_by_label("Title").fill("First session")
    page.get_by_label("Starts").fill(f"{start}T10:00")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(page.get_by_text("Meeting scheduled")).to_be_visible()
    meeting = Meeting.objects.get(relationship=relationship)
    # Browsers submit textarea lines with CRLF.
    assert meeting.agenda.replace("\r\n", "\n").startswith(default_agenda(relationship))
    for prompt in PROMPTS:
        assert prompt in meeting.agenda

    page.goto(live_server.url + "/mentoring/")
    expect(page.get_by_role("heading", name="My mentoring", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=JOURNEY).click()
    expect(page.get_by_role("heading", name=JOURNEY, level=1)).to_be_visible()
    agenda = page.get_by_role("region", name="Talk about this in your next meeting")
    for prompt in PROMPTS:
        expect(agenda).to_contain_text(prompt)
    expect(agenda).to_contain_text("Your next meeting: First session")
    expect(page.get_by_text("Your part: 0 of 3 steps done")).to_be_visible()
    expect(page.get_by_text("Together: 0 of 3 steps done")).to_be_visible()
    axe_check(page)

    # Time passes: the meeting took place and the periodic job records it.
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(hours=2)
    )
    assert mark_meetings_held() == 1
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    page.reload()
    # The pair met: that step is done for both members and for the pair.
    expect(page.get_by_text("Your part: 1 of 3 steps done")).to_be_visible()
    expect(page.get_by_text("Together: 1 of 3 steps done")).to_be_visible()

    # --- The mentee writes a reflection. ---------------------------------------
    page.get_by_role("link", name="Continue: Reflect on the first session").click()
    expect(page.get_by_role("heading", name=REFLECTION)).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Save my reflection").click()
    expect(page.get_by_role("alert")).to_contain_text("Please write your answer.")
    page.get_by_label(f"Your answer to “{REFLECTION}”").fill(
        "How quickly they try things out."
    )
    page.get_by_role("button", name="Save my reflection").click()
    expect(page.get_by_text("Your reflection was saved.")).to_be_visible()
    axe_check(page)
    answer = ReflectionAnswer.objects.get(relationship=relationship, user=mentee)
    assert answer.text == "How quickly they try things out."

    # --- The goal-setting block creates a goal. -------------------------------
    page.get_by_role("link", name="Next: Set a goal").click()
    expect(page.get_by_role("heading", name="Set a SMART goal")).to_be_visible()
    axe_check(page)
    page.get_by_label("My goal").fill("Run a team retro with a new tool")
    page.get_by_label("How I will know I got there").fill("Retro held, feedback ≥ 4/5")
    page.get_by_role("button", name="Set my goal").click()
    expect(page.get_by_text("Your goal was set.")).to_be_visible()
    axe_check(page)
    goal = Goal.objects.get(relationship=relationship, owner=mentee)
    assert goal.source_step_id == journey.journey_steps[2].id
    assert goal.target_date > timezone.localdate()

    # The mentor answers too (through the same services the page calls).
    journey = LearningJourneyPage.objects.get(pk=journey.pk)
    services.save_reflection(
        relationship,
        mentor,
        journey,
        journey.journey_steps[1].id,
        journey.journey_steps[1].value["body"][0].id,
        "Their patience with my questions.",
    )

    # --- The admin report shows the funnel. -----------------------------------
    page.context.clear_cookies()
    sign_in(page, live_server, admin.get_username(), PASSWORD, "/admin/")
    page.get_by_role("button", name="Mentoring").click()
    page.get_by_role("link", name="Journey progress").click()
    page.get_by_role("button", name="Show filters").click()
    page.get_by_role("tooltip").get_by_role("button", name="Program").click()
    page.get_by_label("Program").select_option(label=program.title)
    table = page.get_by_role("table")
    rows = {
        "Get to know each other": ["1", "1", "1", "100%"],
        "Reflect on the first session": ["1", "1", "1", "100%"],
        "Set a goal": ["1", "1", "0", "0%"],
    }
    for title, (pairs, started, finished, rate) in rows.items():
        row = table.get_by_role("row").filter(has_text=title)
        expect(row.get_by_role("cell")).to_have_text(
            [
                re.compile(r"\d"),
                title,
                "Both",
                pairs,
                started,
                finished,
                rate,
                re.compile("."),
            ]
        )
