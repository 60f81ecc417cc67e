"""An employee applies on the intranet; a program admin approves in Wagtail."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus, ProgramPage

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


def test_employee_applies_and_admin_approves(page, live_server, demo_site, axe_check):
    User = get_user_model()
    employee = (
        User.objects.filter(is_active=True, is_superuser=False)
        .exclude(mentoring_enrollments__isnull=False)
        .order_by("-pk")
        .exclude(groups__isnull=False)
        .first()
    )
    program = ProgramPage.objects.get(slug="engineering-mentoring")
    languages = employee.mentoring_profile.languages
    assert languages  # the demo gives everyone at least one

    # The employee finds the program from the intranet's menu.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Mentoring", exact=True).click()
    # axe reads the page that is there: wait for the hub to arrive.
    page.wait_for_url(re.compile(r"/mentoring-programs/$"))
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_role("link", name=program.title, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=program.title)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Sign in to apply").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=username]").fill(employee.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Apply to {program.title}"
    )
    axe_check(page)

    # Submitting without the required answer keeps everything typed.
    page.get_by_label("Mentee").check()
    page.get_by_label("Why do you want to join?").fill("To learn system design.")
    page.get_by_label("Career level").fill("2")
    page.get_by_label("Department").fill("Engineering")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Please correct the errors below")).to_be_visible()
    expect(page.get_by_label("Why do you want to join?")).to_have_value(
        "To learn system design."
    )
    axe_check(page)
    page.get_by_label("What do you hope to learn?").fill("How to design systems.")
    page.get_by_label("Monthly").check()
    page.get_by_role("button", name="Submit application").click()

    # "My mentoring" shows the pending application.
    expect(page.get_by_role("heading", name="My mentoring", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=program.title)
    expect(row).to_contain_text("Pending review")
    axe_check(page)
    enrollment = Enrollment.objects.get(user=employee, program=program)
    assert enrollment.status == EnrollmentStatus.PENDING
    # Applying through the page keeps the languages (the box shows them chosen).
    employee.mentoring_profile.refresh_from_db()
    assert sorted(employee.mentoring_profile.languages) == sorted(languages)

    # The program admin approves it in the Wagtail admin.
    page.context.clear_cookies()
    sign_in(
        page,
        live_server,
        User.objects.get(is_superuser=True).get_username(),
        PASSWORD,
        "/admin/",
    )
    page.get_by_role("button", name="Mentoring").click()
    page.get_by_role("link", name="Applications").click()
    page.get_by_role("textbox", name="Search term").fill(employee.get_username())
    listing_row = page.get_by_role("row").filter(has_text=program.title)
    expect(listing_row).to_have_count(1)
    axe_check_admin = listing_row.get_by_role("link", name="Approve")
    axe_check_admin.click()
    page.get_by_role("button", name=re.compile("Yes, approve", re.I)).click()
    expect(page.get_by_text("1 application approved.")).to_be_visible()
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.APPROVED

    # And the employee sees it.
    page.context.clear_cookies()
    sign_in(page, live_server, employee.get_username(), PASSWORD, "/mentoring/")
    row = page.get_by_role("row").filter(has_text=program.title)
    expect(row).to_contain_text("Approved")
