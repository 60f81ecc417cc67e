"""The demo shows reminders and nudges: a quiet pair and a low rating on the
admins' *At-risk pairs* screen, a reminder due for tomorrow's meeting, and a
mentee whose notification settings hold a choice."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from wagtail_mentoring.engagement.nudges import jobs
from wagtail_mentoring.engagement.nudges.at_risk import (
    LOW_RATINGS,
    NO_MEETING,
    UNANSWERED,
    pairs_at_risk,
)
from wagtail_mentoring.notifications.models import Delivery, NotificationPreferences
from wagtail_mentoring.programs.models import Relationship

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def forget_the_demo_site():
    """Requests to the demo cache its site's root paths (Wagtail), which the
    rollback does not undo: later tests must not route pages through them."""
    yield
    cache.clear()


def test_the_demo_has_pairs_at_risk_a_due_reminder_and_settings():
    call_command("seed_demo", employees=60, verbosity=0)
    call_command("seed_demo", employees=60, verbosity=0)  # idempotent
    found = pairs_at_risk(Relationship.objects.all())
    codes = {reason.code for pair in found for reason in pair.reasons}
    assert {NO_MEETING, LOW_RATINGS, UNANSWERED} <= codes

    User = get_user_model()
    admin = User.objects.get(
        is_superuser=True, **{User.USERNAME_FIELD + "__startswith": "admin"}
    )
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("wm_at_risk:index")).content.decode()
    assert "No meeting for" in page and "Low feedback ratings" in page

    # The reminder of tomorrow's meeting is due: recorded for both members
    # (sent, or held for the mentee's daily digest), once.
    assert jobs.remind_meetings() >= 2
    assert jobs.remind_meetings() == 0
    assert Delivery.objects.filter(kind="meeting_reminder_day").count() >= 2
    assert jobs.nudge_quiet_pairs() >= 2

    prefs = NotificationPreferences.objects.get()
    client.force_login(prefs.user)
    settings_page = client.get(
        reverse("wagtail_mentoring:notification_settings")
    ).content.decode()
    assert 'value="daily" id="id_reminders_1" checked' in settings_page or (
        'name="reminders" value="daily"' in settings_page and "checked" in settings_page
    )
