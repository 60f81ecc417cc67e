"""Every periodic job is in the beat schedule and in the cron command, and
every one of them may run twice: the second run sends nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.engagement_helpers import PROFILE, mentee, mentor, pair, self_select
from tests.event_helpers import event, make_space, member
from tests.factories import make_enrollment, make_user
from tests.journey_data import make_journey
from tests.office_hours_helpers import flash_mentor, flash_program, publish
from wagtail_mentoring.community.events.models import EventRSVP
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.models import Goal, Meeting, MentorRequest
from wagtail_mentoring.engagement.office_hours import services as office_hours
from wagtail_mentoring.engagement.office_hours.models import OfficeHourSlot
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.notifications.models import Delivery, DeliveryStatus
from wagtail_mentoring.notifications.services import notify, update_preferences
from wagtail_mentoring.programs.models import Enrollment, ProgramPage, Relationship
from wagtail_mentoring.sponsorship.reports import quarter_start
from wagtail_mentoring.tasks import PERIODIC_JOBS, beat_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_commit_now")]


def test_beat_and_cron_run_the_same_jobs():
    schedule = beat_schedule()
    assert len(schedule) == len(PERIODIC_JOBS)
    tasks = {entry["task"] for entry in schedule.values()}
    for expected in (
        "wagtail_mentoring.engagement.tasks.expire_mentor_requests",
        "wagtail_mentoring.engagement.tasks.complete_ended_relationships",
        "wagtail_mentoring.engagement.nudges.tasks.send_meeting_reminders",
        "wagtail_mentoring.engagement.nudges.tasks.send_request_reminders",
        "wagtail_mentoring.engagement.nudges.tasks.nudge_quiet_pairs",
        "wagtail_mentoring.notifications.tasks.retry_failed_notifications",
        "wagtail_mentoring.notifications.tasks.send_notification_digests",
        "wagtail_mentoring.engagement.nudges.tasks.send_feedback_reminders",
        "wagtail_mentoring.engagement.nudges.tasks.send_goal_check_in_reminders",
        "wagtail_mentoring.journeys.tasks.send_journey_step_reminders",
        "wagtail_mentoring.engagement.nudges.tasks.nudge_mentees_without_requests",
        "wagtail_mentoring.engagement.nudges.tasks.nudge_incomplete_profiles",
        "wagtail_mentoring.sponsorship.tasks.nudge_idle_sponsors",
        "wagtail_mentoring.engagement.nudges.tasks.send_admin_at_risk_digest",
        "wagtail_mentoring.community.events.tasks.send_event_reminders",
    ):
        assert expected in tasks
    with pytest.raises(CommandError):
        call_command("mentoring_run_jobs", "--job", "no-such-job")


def _something_due_for_every_job(program):
    """Data on which every emailing job has something to send right now."""
    now = timezone.now()
    # A meeting tomorrow.
    soon = pair(program)
    meeting = engagement.schedule_meeting(
        soon,
        soon.members.first().user,
        title="Tomorrow",
        starts_at=now + timedelta(hours=20),
    )
    Meeting.objects.filter(pk=meeting.pk).update(created_at=now - timedelta(days=2))
    # A pair that went quiet.
    quiet = pair(program)
    Relationship.objects.filter(pk=quiet.pk).update(
        started_on=timezone.localdate() - timedelta(days=40)
    )
    # A meeting that ended yesterday (marked held by its job): feedback due.
    met = pair(program)
    Meeting.objects.create(
        relationship=met, title="Yesterday", starts_at=now - timedelta(hours=30)
    )
    # A goal nobody checked in on for three weeks.
    Goal.objects.create(
        relationship=met,
        owner=met.members.first().user,
        title="Stale goal",
        target_date=now.date() + timedelta(days=30),
        created_at=now - timedelta(days=21),
    )
    # A journey that stopped moving.
    journey = make_journey(program.get_parent())
    JourneyProgress.objects.create(
        relationship=met,
        journey=journey,
        current_step_id=journey.journey_steps[0].id,
        current_step_title="Meet your partner",
        last_activity_at=now - timedelta(days=20),
    )
    # A relationship past its end date (completed, and everyone emailed).
    ending = pair(program)
    Relationship.objects.filter(pk=ending.pk).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    # A request waiting for the mentor's answer, and one that expired.
    self_select(program)
    asker, target = mentee(program), mentor(program)
    waiting = engagement.send_request(asker, target, asker.user)
    MentorRequest.objects.filter(pk=waiting.pk).update(
        sent_at=now - timedelta(days=5), expires_at=now + timedelta(days=2)
    )
    late_asker = mentee(program)
    late = engagement.send_request(late_asker, mentor(program), late_asker.user)
    MentorRequest.objects.filter(pk=late.pk).update(
        expires_at=now - timedelta(minutes=1)
    )
    # A mentee who has asked nobody for two weeks.
    idle = mentee(program)
    Enrollment.objects.filter(pk=idle.pk).update(decided_at=now - timedelta(days=15))
    # A new participant whose profile lacks their department.
    newcomer = make_user(profile=dict(PROFILE, department=""))
    joined = make_enrollment(newcomer, program, "mentor", status="approved")
    Enrollment.objects.filter(pk=joined.pk).update(decided_at=now - timedelta(days=4))
    # A digest whose hour has come (midnight: any hour today is past it).
    reader = make_user(profile=dict(PROFILE))
    update_preferences(reader, by=reader, activity="daily", digest_hour=0)
    notify(reader, "test", "news", 1, category="activity", template="digest",
           context={"items": [], "frequency": "x"})  # fmt: skip
    # A failed send whose backoff has passed.
    Delivery.objects.create(
        key="test:failed:1:x",
        kind="test",
        category="activity",
        recipient=make_user(),
        status=DeliveryStatus.FAILED,
        subject="Second try",
        body_text="Hello again",
        attempts=1,
        next_attempt_at=now - timedelta(minutes=1),
    )
    # A flash conversation in three hours, and one that ended an hour ago.
    flash = flash_program(program.get_parent())
    host = flash_mentor(flash)
    soon_slot = publish(host, days=1, hour=0, cutoff_hours=0).slots.get()
    OfficeHourSlot.objects.filter(pk=soon_slot.pk).update(
        starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=4)
    )
    office_hours.book_slot(soon_slot, make_user(), now=now)
    held_slot = publish(host, days=2, title="Held").slots.get()
    office_hours.book_slot(held_slot, make_user())
    OfficeHourSlot.objects.filter(pk=held_slot.pk).update(
        starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)
    )
    # A space event tomorrow that someone is going to.
    space = make_space()
    going = member(space)
    meetup = event(space, hours=20, title="Guild meetup")
    EventRSVP.objects.create(
        event=meetup, user=going, status="going", updated_at=now - timedelta(days=1)
    )
    mail.outbox.clear()


def test_every_periodic_job_run_twice_sends_nothing_the_second_time(
    program, sponsorship, program_admin
):
    _something_due_for_every_job(program)
    # A sponsor who logged no advocacy this quarter (reminded from its 2nd day).
    ProgramPage.objects.filter(pk=sponsorship.program_id).update(
        nudge_sponsors_after_days=1
    )
    quarter_day = (timezone.localdate() - quarter_start(timezone.localdate())).days
    # The admins' weekly email waits for Monday 07:00 (site time).
    local = timezone.localtime()
    admin_week_begun = not (local.weekday() == 0 and local.hour < 7)
    out = StringIO()
    call_command("mentoring_run_jobs", stdout=out)
    first = [m.subject for m in mail.outbox]
    # Every emailing job had something to say.
    for expected in (
        (
            "Tomorrow: Tomorrow",  # meeting reminder
            "Tomorrow: Guild meetup",  # space event reminder
            "Time to meet again",  # quiet pair
            "is waiting for your answer",  # request reminder
            "expired",  # request expiry
            "Daily digest",  # digest
            "Second try",  # retry
            "How was Yesterday?",  # feedback due
            "How is your goal going? Stale goal",  # goal check-in
            "Your next step: Meet your partner",  # journey step
            "Find your mentor in",  # mentee who asked nobody
            "Complete your mentoring profile",  # incomplete profile
            "Soon: Career conversations",  # flash conversation reminder
            "How was “Held”?",  # flash conversation feedback
        )
        + (("No advocacy logged this quarter",) if quarter_day else ())
        + (("may need a hand this week",) if admin_week_begun else ())
    ):
        assert any(expected in subject for subject in first), expected
    assert all(name in out.getvalue() for name in PERIODIC_JOBS)
    # The second run of every job sends nothing.
    call_command("mentoring_run_jobs", stdout=StringIO())
    assert [m.subject for m in mail.outbox] == first
    # And so does each job alone.
    for name in PERIODIC_JOBS:
        call_command("mentoring_run_jobs", "--job", name, stdout=StringIO())
    assert len(mail.outbox) == len(first)
