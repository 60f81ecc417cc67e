"""A mentor applies to a group program with their circle's topic; a program
admin changes a facilitator's topic from the matching panel's pool."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.programs.models import Enrollment, ProgramPage

pytestmark = pytest.mark.browser

PASSWORD = "changeme"
TOPIC = "Moving into people management"


def test_mentor_gives_a_topic_and_an_admin_changes_one(
    page, live_server, demo_site, axe_check
):
    User = get_user_model()
    program = ProgramPage.objects.get(slug="leading-together")
    employee = (
        User.objects.filter(is_active=True, is_superuser=False)
        .exclude(mentoring_enrollments__program=program)
        .exclude(groups__isnull=False)
        .order_by("-pk")
        .first()
    )
    sign_in(
        page, live_server, employee.get_username(), PASSWORD, program.url + "apply/"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Apply to {program.title}"
    )
    topic = page.get_by_label("Your circle's topic")
    expect(topic).to_be_visible()
    axe_check(page)
    page.get_by_label("Mentor", exact=True).check()
    page.get_by_label("How many people can you take on?").fill("3")
    topic.fill(TOPIC)
    page.get_by_label("Career level").fill("6")
    page.get_by_label("Department").fill("Engineering")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="My mentoring", level=1)).to_be_visible()
    enrollment = Enrollment.objects.get(user=employee, program=program)
    assert enrollment.role == "mentor"
    assert enrollment.circle_topic == TOPIC

    # The program admin changes a facilitator's topic from the panel's pool.
    page.context.clear_cookies()
    admin = User.objects.get(is_superuser=True)
    sign_in(
        page,
        live_server,
        admin.get_username(),
        PASSWORD,
        reverse("wm_matching:panel", args=[program.pk]),
    )
    page.get_by_text(re.compile(r"Mentors and their remaining capacity")).click()
    lead = Enrollment.objects.get(
        program=program, role="mentor", circle_topic="Growing as a tech lead"
    )
    page.get_by_role("link", name=re.compile(r"^Edit topic")).and_(
        page.locator(f"[href$='/circle-topic/{lead.pk}/']")
    ).click()
    expect(page.get_by_label("Circle topic")).to_have_value("Growing as a tech lead")
    axe_check(page)
    page.get_by_label("Circle topic").fill("Growing as a tech lead: first 90 days")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Circle topic of")).to_be_visible()
    lead.refresh_from_db()
    assert lead.circle_topic == "Growing as a tech lead: first 90 days"
