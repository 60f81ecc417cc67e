"""Editing the wording of a notification in the admin, in a browser on the
demo intranet: a broken wording is refused, the preview shows sample values,
saving and resetting work, and every screen passes axe."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from wagtail_mentoring.notifications.models import NotificationWording
from wagtail_mentoring.programs.models import ProgramPage

pytestmark = pytest.mark.browser

PASSWORD = "changeme"


def test_edit_preview_save_and_reset_a_wording(page, live_server, demo_site, axe_check):
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    # The demo words one program's nudge already: take one without a wording.
    program = (
        ProgramPage.objects.filter(notification_wordings__isnull=True)
        .order_by("title")
        .first()
    )
    assert NotificationWording.objects.filter(kind="meeting_reminder_day").exists()
    own = NotificationWording.objects.filter(program=program)
    sign_in(
        page, live_server, admin.get_username(), PASSWORD, "/admin/mentoring/wording/"
    )
    expect(
        page.get_by_role("heading", name="Notification wording").first
    ).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name=program.title, exact=True).click()
    expect(page.get_by_role("link", name="Quiet pair nudge")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Quiet pair nudge").click()
    expect(page.get_by_label("Subject")).to_have_value("Time to meet {partner_names}?")
    axe_check(page)

    # A misspelt placeholder is refused, and nothing is saved.
    page.get_by_label("Subject").fill("Time to meet {partner_nmes}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Unknown placeholder {partner_nmes}")).to_be_visible()
    axe_check(page)
    assert not own.exists()

    page.get_by_label("Subject").fill("{quiet_days} days without a meeting")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("32 days without a meeting")).to_be_visible()
    axe_check(page)
    assert not own.exists()

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: “Quiet pair nudge”")).to_be_visible()
    wording = own.get()
    assert (wording.program_id, wording.kind) == (program.pk, "pair_nudge")
    expect(page.get_by_text("Own wording, changed")).to_be_visible()

    page.get_by_role("link", name="Quiet pair nudge").click()
    page.get_by_role("button", name="Reset to default").click()
    expect(page.get_by_text("is back to the default")).to_be_visible()
    assert not own.exists()
