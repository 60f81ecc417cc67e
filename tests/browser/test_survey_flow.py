"""Answering a program survey in a browser on the demo intranet: the list,
a refused answer that keeps what was typed, the saved answers; the survey's
results in the admin, and its "Send now" button pressed twice (the second
press invites nobody). Every screen passes axe."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.engagement_helpers import pair
from wagtail_mentoring.programs.models import ProgramPage
from wagtail_mentoring.surveys.models import (
    Survey,
    SurveyInvitation,
    SurveyResponse,
)

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


def test_answer_a_survey_and_read_the_results(page, live_server, demo_site, axe_check):
    # A small demo company may have no running pair yet: ask one employee.
    kickoff = Survey.objects.get(title__startswith="Kick")
    employee = (
        get_user_model()
        .objects.filter(
            is_active=True, is_superuser=False, mentoring_profile__isnull=False
        )
        .order_by("pk")
        .first()
    )
    invitation, _new = SurveyInvitation.objects.get_or_create(
        survey=kickoff,
        user=employee,
        occasion="relationship:browser",
        defaults={"closes_at": timezone.now() + timedelta(days=5)},
    )
    before = SurveyResponse.objects.count()
    sign_in(
        page,
        live_server,
        invitation.user.get_username(),
        PASSWORD,
        "/mentoring/surveys/",
    )
    axe_check(page)
    page.get_by_role("link", name=invitation.survey.title).click()
    expect(page.get_by_text("Your answers are anonymous")).to_be_visible()
    axe_check(page)

    # Nothing chosen for a required question: refused, nothing saved, the
    # optional answer typed so far is still there.
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("nothing was saved yet")).to_be_visible()
    axe_check(page)
    assert SurveyResponse.objects.count() == before

    page.get_by_role(
        "group", name="How confident are you steering your own career?"
    ).get_by_label("2").check()
    page.get_by_label("A wider network").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you for your answers.")).to_be_visible()
    axe_check(page)
    assert SurveyResponse.objects.count() == before + 1
    invitation.refresh_from_db()
    assert invitation.completed

    page.context.clear_cookies()
    sign_in(page, live_server, "coordinator", PASSWORD, "/admin/mentoring/surveys/")
    page.get_by_role("link", name="Looking back").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    axe_check(page)

    # A pair of this year's program that starts today is due for its
    # kick-off survey: "Send now" invites them without waiting for the job.
    pair(ProgramPage.objects.get(pk=kickoff.program_id))
    invited = SurveyInvitation.objects.filter(survey=kickoff)
    already = invited.count()
    page.goto(f"{live_server.url}/admin/mentoring/surveys/")
    page.get_by_role("link", name=kickoff.title).click()
    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_text(re.compile("people invited to"))).to_be_visible()
    made = invited.count() - already
    assert made >= 2
    expect(
        page.get_by_text(f"{made} people invited to “{kickoff.title}”.")
    ).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_text("Nobody is due for this survey right now.")).to_be_visible()
    axe_check(page)
    assert invited.count() == already + made
