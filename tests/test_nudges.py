"""Reminders and nudges: meetings tomorrow and within the hour (in the
recipient's own time zone), requests waiting for an answer, quiet pairs.
Every job runs twice here: the second run sends nothing."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import formats, timezone

from tests.engagement_helpers import PROFILE, mentee, mentor, pair, self_select
from tests.factories import make_user
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.models import Meeting, MentorRequest
from wagtail_mentoring.engagement.nudges import jobs
from wagtail_mentoring.notifications.models import Delivery
from wagtail_mentoring.people.users import user_email

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"


def _meeting(relationship, starts_at, *, created_days_ago=2):
    member = relationship.members.first().user
    meeting = engagement.schedule_meeting(
        relationship, member, title="Career chat", starts_at=starts_at
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        created_at=timezone.now() - timedelta(days=created_days_ago)
    )
    mail.outbox.clear()
    return meeting


def _to(message):
    return message.to[0]


def test_meeting_reminders_the_day_before_and_the_hour_before(program):
    traveller = make_user("traveller", profile=dict(PROFILE, timezone=NEW_YORK))
    relationship = pair(program, mentee_user=traveller)
    now = timezone.now()
    starts_at = (now + timedelta(hours=20)).replace(second=0, microsecond=0)
    _meeting(relationship, starts_at)

    assert jobs.remind_meetings(now) == 2
    assert jobs.remind_meetings(now) == 0  # a second run sends nothing
    assert {m.subject for m in mail.outbox} == {"Tomorrow: Career chat"}
    # The time reads in each recipient's own zone.
    theirs = next(m for m in mail.outbox if _to(m) == user_email(traveller))
    local = starts_at.astimezone(zoneinfo.ZoneInfo(NEW_YORK))
    assert formats.date_format(local, "DATETIME_FORMAT") in theirs.body
    assert NEW_YORK in theirs.body
    other = next(m for m in mail.outbox if _to(m) != user_email(traveller))
    assert "Europe/Berlin" in other.body

    mail.outbox.clear()
    an_hour_before = starts_at - timedelta(minutes=50)
    assert jobs.remind_meetings(an_hour_before) == 2
    assert jobs.remind_meetings(an_hour_before) == 0
    assert {m.subject for m in mail.outbox} == {"In an hour: Career chat"}


def test_no_reminder_for_cancelled_meetings_ended_pairs_or_leavers(program):
    now = timezone.now()
    cancelled = pair(program)
    meeting = _meeting(cancelled, now + timedelta(hours=5))
    engagement.cancel_meeting(meeting, cancelled.members.first().user)
    ended = pair(program)
    _meeting(ended, now + timedelta(hours=5))
    engagement.end_relationship(ended, ended.members.first().user, reason="Moving on")
    left = pair(program)
    _meeting(left, now + timedelta(hours=5))
    leaver = left.members.order_by("pk").first().user
    type(leaver).objects.filter(pk=leaver.pk).update(is_active=False)
    mail.outbox.clear()

    assert jobs.remind_meetings(now) == 1  # only the leaver's partner
    assert [_to(m) for m in mail.outbox] == [
        user_email(left.members.order_by("pk").last().user)
    ]


def test_no_day_reminder_right_after_the_invitation(program):
    relationship = pair(program)
    now = timezone.now()
    _meeting(relationship, now + timedelta(hours=5), created_days_ago=0)
    assert jobs.remind_meetings(now) == 0


def test_a_mentor_who_has_not_answered_is_nudged_then_reminded_on_the_last_day(
    program,
):
    self_select(program)  # a week to answer
    asker, target = mentee(program), mentor(program)
    request = engagement.send_request(asker, target, asker.user)
    mail.outbox.clear()
    sent = request.sent_at
    assert jobs.remind_requests(sent + timedelta(days=1)) == 0  # too early
    halfway = sent + timedelta(days=4)
    assert jobs.remind_requests(halfway) == 1
    assert jobs.remind_requests(halfway) == 0
    last_day = request.expires_at - timedelta(hours=3)
    assert jobs.remind_requests(last_day) == 1
    assert jobs.remind_requests(last_day) == 0
    assert [_to(m) for m in mail.outbox] == [user_email(target.user)] * 2
    assert "is waiting for your answer" in mail.outbox[0].subject
    assert "Last day to answer" in mail.outbox[1].subject
    # Answered requests are left alone.
    engagement.decline_request(request, target.user, reason="Full")
    mail.outbox.clear()
    assert jobs.remind_requests(last_day + timedelta(hours=1)) == 0
    assert MentorRequest.objects.get(pk=request.pk).status == "declined"


def test_a_quiet_pair_is_nudged_with_a_schedule_link_and_prompts(program):
    program.conversation_prompts = [("prompt", "What energised you this month?")]
    program.save()
    relationship = pair(program)
    later = timezone.now() + timedelta(days=22)  # the default is 21 days
    assert jobs.nudge_quiet_pairs(timezone.now() + timedelta(days=20)) == 0
    assert jobs.nudge_quiet_pairs(later) == 2
    assert jobs.nudge_quiet_pairs(later) == 0
    message = mail.outbox[0]
    assert "have not met for 22 days" in message.body
    schedule = (
        f"http://testserver/mentoring/relationships/{relationship.pk}/meetings/new/"
    )
    assert schedule in message.body
    assert f'href="{schedule}"' in message.alternatives[0][0]
    assert "What energised you this month?" in message.body
    # Still quiet after another stretch: one more nudge.
    assert jobs.nudge_quiet_pairs(later + timedelta(days=21)) == 2


def test_pairs_that_meet_or_whose_program_opted_out_are_not_nudged(
    program, other_program
):
    later = timezone.now() + timedelta(days=30)
    planned = pair(program)
    engagement.schedule_meeting(
        planned,
        planned.members.first().user,
        title="Soon",
        starts_at=later + timedelta(days=2) - timedelta(days=30),
    )
    other_program.nudge_after_days = 0  # never
    other_program.save()
    pair(other_program)
    mail.outbox.clear()
    # The planned meeting took place 2 days in: 28 quiet days by then.
    assert jobs.nudge_quiet_pairs(later - timedelta(days=10)) == 0
    assert jobs.nudge_quiet_pairs(later) == 2
    assert {d.recipient_id for d in Delivery.objects.filter(kind="pair_nudge")} == {
        m.user_id for m in planned.members.all()
    }
