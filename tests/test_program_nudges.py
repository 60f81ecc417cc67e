"""The per-program nudges: mentees who asked nobody, sponsors with no
advocacy this quarter, new participants with an incomplete profile. Each is
tunable per program (0 turns it off) and sends nothing the second time."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.engagement_helpers import PROFILE, mentee, mentor, self_select
from tests.factories import make_enrollment, make_user
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.nudges import jobs
from wagtail_mentoring.notifications.models import Delivery
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import user_email
from wagtail_mentoring.programs.models import Enrollment
from wagtail_mentoring.sponsorship import services as sponsorship_services
from wagtail_mentoring.sponsorship.reminders import remind_idle_sponsors
from wagtail_mentoring.sponsorship.reports import quarter_start

pytestmark = pytest.mark.django_db


def _approved_days_ago(enrollment, days):
    Enrollment.objects.filter(pk=enrollment.pk).update(
        decided_at=timezone.now() - timedelta(days=days)
    )
    return enrollment


def test_mentee_who_asked_nobody_is_encouraged_once(program):
    self_select(program)
    idle = _approved_days_ago(mentee(program), 15)
    asker = _approved_days_ago(mentee(program), 15)
    engagement.send_request(asker, mentor(program), asker.user)
    _approved_days_ago(mentee(program), 5)  # too new
    mail.outbox.clear()

    assert jobs.nudge_mentees_without_requests() == 1
    assert jobs.nudge_mentees_without_requests() == 0
    (message,) = mail.outbox
    assert message.to == [user_email(idle.user)]
    assert message.subject == f"Find your mentor in {program.title}"
    assert f"/applications/{idle.pk}/find-a-mentor/" in message.body


def test_mentee_nudge_is_tunable_and_only_where_mentees_choose(program, other_program):
    _approved_days_ago(mentee(other_program), 30)  # admins match in this one
    self_select(program, nudge_no_request_after_days=0)  # turned off
    _approved_days_ago(mentee(program), 30)
    assert jobs.nudge_mentees_without_requests() == 0
    self_select(program, nudge_no_request_after_days=40)  # later
    assert jobs.nudge_mentees_without_requests() == 0
    self_select(program, nudge_no_request_after_days=20)
    assert jobs.nudge_mentees_without_requests() == 1


def test_sponsor_without_advocacy_this_quarter_is_reminded_once_a_quarter(
    sponsorship_program, sponsorship, sponsor, sponsee
):
    start = quarter_start(timezone.localdate())
    at = lambda day: timezone.make_aware(datetime.combine(day, time(10)))  # noqa: E731
    mail.outbox.clear()

    assert remind_idle_sponsors(at(start + timedelta(days=10))) == 0  # too early
    assert remind_idle_sponsors(at(start + timedelta(days=50))) == 1
    assert remind_idle_sponsors(at(start + timedelta(days=60))) == 0  # once
    (message,) = mail.outbox
    assert message.to == [user_email(sponsor)]
    assert "No advocacy logged this quarter" in message.subject
    # Next quarter, still nothing logged: reminded again.
    next_start = quarter_start(start + timedelta(days=95))
    assert remind_idle_sponsors(at(next_start + timedelta(days=50))) == 1
    # A sponsor who logged advocacy this quarter is left alone.
    sponsorship_services.log_advocacy(
        sponsorship,
        sponsor,
        kind="endorsement",
        occurred_on=timezone.localdate() - timedelta(days=1),
        audience="Leadership offsite",
    )
    Delivery.objects.all().delete()  # as if this quarter's was never sent
    mail.outbox.clear()
    assert remind_idle_sponsors(at(start + timedelta(days=50))) == 0
    assert mail.outbox == []


def test_new_participant_with_incomplete_profile_is_reminded_once(
    program, other_program
):
    incomplete = make_user(profile=dict(PROFILE, department=""))
    enrollment = make_enrollment(incomplete, program, "mentee", status="approved")
    _approved_days_ago(enrollment, 4)
    # The same person in a second program gets one reminder, not two.
    _approved_days_ago(
        make_enrollment(incomplete, other_program, "mentee", status="approved"), 4
    )
    complete = make_user(profile=dict(PROFILE))
    _approved_days_ago(
        make_enrollment(complete, program, "mentee", status="approved"), 4
    )
    no_profile = make_user()
    EmployeeProfile.objects.filter(user=no_profile).delete()
    _approved_days_ago(
        make_enrollment(no_profile, program, "mentor", status="approved"), 4
    )
    veteran = make_user(profile=dict(PROFILE, department=""))
    _approved_days_ago(
        make_enrollment(veteran, program, "mentee", status="approved"), 200
    )
    mail.outbox.clear()

    assert jobs.nudge_incomplete_profiles() == 2
    assert jobs.nudge_incomplete_profiles() == 0
    assert {m.to[0] for m in mail.outbox} == {
        user_email(incomplete),
        user_email(no_profile),
    }
    message = next(m for m in mail.outbox if m.to[0] == user_email(incomplete))
    assert message.subject == "Complete your mentoring profile"
    assert "Still missing: department." in message.body
