"""The demo shows reminders and nudges: a quiet pair and a low rating on the
admins' *At-risk pairs* screen, a reminder due for tomorrow's meeting, every
other reminder and nudge with something to say, and a mentee whose
notification settings hold a choice."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intranet.home.demo_nudges import STALE_GOAL, YESTERDAY_TITLE
from wagtail_mentoring.engagement.nudges import jobs
from wagtail_mentoring.engagement.nudges.at_risk import (
    LOW_RATINGS,
    NO_MEETING,
    UNANSWERED,
    pairs_at_risk,
)
from wagtail_mentoring.journeys.reminders import remind_journey_steps
from wagtail_mentoring.notifications.models import Delivery, NotificationPreferences
from wagtail_mentoring.programs.models import Relationship
from wagtail_mentoring.sponsorship.reminders import remind_idle_sponsors
from wagtail_mentoring.sponsorship.reports import quarter_start

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

    # The other reminders and nudges have something to say, once.
    for job in (
        jobs.remind_feedback,
        jobs.remind_goal_check_ins,
        jobs.nudge_mentees_without_requests,
        jobs.nudge_incomplete_profiles,
        remind_journey_steps,
    ):
        assert job() >= 1, job.__name__
        assert job() == 0, job.__name__
    assert Delivery.objects.filter(
        kind="goal_check_in", subject__contains=STALE_GOAL
    ).exists()
    assert Delivery.objects.filter(
        kind="feedback_due", subject__contains=YESTERDAY_TITLE
    ).exists()
    # The coordinator (an Engineering admin) gets the weekly at-risk email.
    today = timezone.localdate()
    wednesday = timezone.make_aware(
        datetime.combine(today + timedelta(days=(2 - today.weekday()) % 7), time(10))
    )
    assert jobs.send_admin_at_risk_digest(wednesday) >= 1
    assert Delivery.objects.filter(kind="admin_at_risk").exists()
    quarter_day = (today - quarter_start(today)).days
    if quarter_day >= 45:  # the sponsor nudge's default day of the quarter
        assert remind_idle_sponsors() >= 1

    prefs = NotificationPreferences.objects.get()
    client.force_login(prefs.user)
    settings_page = client.get(
        reverse("wagtail_mentoring:notification_settings")
    ).content.decode()
    assert 'value="daily" id="id_reminders_1" checked' in settings_page or (
        'name="reminders" value="daily"' in settings_page and "checked" in settings_page
    )
