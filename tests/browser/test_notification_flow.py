"""Notification settings, one-click unsubscribe and the at-risk pairs, in a
browser on the demo intranet."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.notifications.models import Category, NotificationPreferences
from wagtail_mentoring.notifications.services import notify

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


@pytest.fixture
def demo_with_pairs(transactional_db):
    """The demo with enough people for running pairs in Engineering Mentoring."""
    from django.core.management import call_command

    call_command("seed_demo", employees=60, verbosity=0)


def test_settings_unsubscribe_and_at_risk(
    page, live_server, demo_with_pairs, axe_check
):
    prefs = NotificationPreferences.objects.select_related("user").get()
    person = prefs.user

    # From My mentoring to the settings page; the demo's choice is shown.
    sign_in(page, live_server, person.get_username(), PASSWORD, "/mentoring/")
    page.get_by_role("link", name="Notification settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    axe_check(page)
    reminders = page.get_by_role("group", name="Reminders and nudges")
    expect(reminders.get_by_label("Daily digest")).to_be_checked()
    page.get_by_role("group", name="Relationship activity").get_by_label(
        "Weekly digest"
    ).check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your notification settings were saved.")).to_be_visible()
    prefs.refresh_from_db()
    assert prefs.activity == "weekly"

    # An email's unsubscribe link works signed out, and asks first.
    mail.outbox.clear()
    notify(
        person, "test", "browser", 1, category=Category.ADMIN, template="digest",
        context={"items": [], "frequency": "Test"},
    )  # fmt: skip
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    page.context.clear_cookies()
    page.goto(link.replace("http://testserver", live_server.url))
    expect(
        page.get_by_text("Stop emails about: Program administration?")
    ).to_be_visible()
    axe_check(page)
    prefs.refresh_from_db()
    assert prefs.admin == "immediately"  # opening the link changed nothing
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status")).to_contain_text("Program administration")
    axe_check(page)
    prefs.refresh_from_db()
    assert prefs.admin == "never"

    # The admin sees the quiet pair and nudges both.
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    page.context.clear_cookies()
    sign_in(
        page, live_server, admin.get_username(), PASSWORD, "/admin/mentoring/at_risk/"
    )
    expect(page.get_by_role("heading", name="At-risk pairs").first).to_be_visible()
    expect(page.get_by_text("No meeting for").first).to_be_visible()
    mail.outbox.clear()
    page.get_by_role("button", name="Nudge both").first.click()
    expect(page.get_by_text("Both were reminded to meet.")).to_be_visible()
    assert mail.outbox and "Time to meet again" in mail.outbox[0].subject
