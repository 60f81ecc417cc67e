"""The program admins' weekly email of at-risk pairs: only their programs,
with reasons and a link, never empty, once a week, as they chose."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.engagement_helpers import pair
from tests.factories import make_user
from wagtail_mentoring.engagement.nudges import jobs
from wagtail_mentoring.notifications.models import Delivery, DeliveryStatus
from wagtail_mentoring.notifications.services import update_preferences
from wagtail_mentoring.people.users import display_name, user_email
from wagtail_mentoring.programs.models import Relationship

pytestmark = pytest.mark.django_db


def _wednesday(hour=10):
    today = timezone.localdate()
    day = today + timedelta(days=(2 - today.weekday()) % 7)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _quiet(program, days=40):
    relationship = pair(program)
    Relationship.objects.filter(pk=relationship.pk).update(
        started_on=timezone.localdate() - timedelta(days=days)
    )
    return relationship


def test_weekly_at_risk_email_to_each_program_admin(
    program, other_program, program_admin, other_program_admin
):
    quiet = _quiet(program)
    pair(other_program)  # fine: nothing to say to its admin
    both = make_user("bea", admin_access=True, groups=[program.admin_group])
    update_preferences(both, by=both, admin="weekly")
    mail.outbox.clear()
    now = _wednesday()

    assert jobs.send_admin_at_risk_digest(now) == 2  # Paula sent, Bea held
    assert jobs.send_admin_at_risk_digest(now) == 0  # once a week
    (message,) = mail.outbox
    assert message.to == [user_email(program_admin)]
    assert message.subject == "1 pair may need a hand this week"
    names = " & ".join(display_name(m.user) for m in quiet.members.order_by("pk"))
    assert f"{names}: No meeting for" in message.body
    assert program.title in message.body
    assert reverse("wm_at_risk:index") in message.body
    held = Delivery.objects.get(recipient=both, kind="admin_at_risk")
    assert held.status == DeliveryStatus.HELD and held.category == "admin"
    # Next week: sent again.
    assert jobs.send_admin_at_risk_digest(now + timedelta(days=7)) == 2


def test_admin_digest_waits_for_monday_morning_and_respects_never(
    program, program_admin
):
    _quiet(program)
    monday = _wednesday() - timedelta(days=2)
    assert jobs.send_admin_at_risk_digest(monday.replace(hour=6)) == 0
    update_preferences(program_admin, by=program_admin, admin="never")
    assert jobs.send_admin_at_risk_digest(monday.replace(hour=7)) == 1
    assert Delivery.objects.get(kind="admin_at_risk").status == DeliveryStatus.SKIPPED
    assert mail.outbox == [] or all("need a hand" not in m.subject for m in mail.outbox)


def test_admin_digest_costs_the_same_queries_for_more_pairs(program, program_admin):
    def queries(pairs):
        Delivery.objects.all().delete()
        for _ in range(pairs):
            _quiet(program)
        with CaptureQueriesContext(connection) as captured:
            assert jobs.send_admin_at_risk_digest(_wednesday()) == 1
        return len(captured)

    few = queries(2)
    assert queries(6) == few, few
