"""The remaining reminders: feedback after a held meeting, a goal check-in,
a journey's next step. Each runs twice here: the second run sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.engagement_helpers import pair
from tests.journey_data import make_journey
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.models import (
    Goal,
    GoalCheckIn,
    Meeting,
    MeetingStatus,
)
from wagtail_mentoring.engagement.nudges import jobs
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.journeys.reminders import remind_journey_steps
from wagtail_mentoring.people.users import user_email
from wagtail_mentoring.programs.models import Relationship

pytestmark = pytest.mark.django_db


def _held(relationship, hours_ago, title="Career chat"):
    return Meeting.objects.create(
        relationship=relationship,
        title=title,
        starts_at=timezone.now() - timedelta(hours=hours_ago),
        duration_minutes=60,
        status=MeetingStatus.HELD,
    )


def _members(relationship):
    return [m.user for m in relationship.members.order_by("pk")]


def test_feedback_is_asked_once_a_day_after_a_held_meeting(program):
    relationship = pair(program)
    mentee_user, mentor_user = _members(relationship)
    meeting = _held(relationship, hours_ago=30)
    engagement.give_feedback(relationship, mentor_user, rating=5, meeting=meeting)
    _held(pair(program), hours_ago=12, title="Too recent")  # ended 11 hours ago
    _held(pair(program), hours_ago=24 * 10, title="Too old")
    ended = pair(program)
    _held(ended, hours_ago=30, title="Pair ended")
    Relationship.objects.filter(pk=ended.pk).update(status="completed")
    mail.outbox.clear()

    assert jobs.remind_feedback() == 1
    assert jobs.remind_feedback() == 0  # a second run sends nothing
    (message,) = mail.outbox
    # Only the member who has not given feedback yet.
    assert message.to == [user_email(mentee_user)]
    assert message.subject == "How was Career chat?"
    assert f"/relationships/{relationship.pk}/meetings/{meeting.pk}/feedback/" in (
        message.body
    )


def test_goal_check_in_reminder_after_two_quiet_weeks_and_again(program):
    relationship = pair(program)
    owner = _members(relationship)[0]
    now = timezone.now()
    stale = Goal.objects.create(
        relationship=relationship,
        owner=owner,
        title="Lead a design review",
        target_date=now.date() + timedelta(days=60),
        created_at=now - timedelta(days=20),
    )
    fresh = Goal.objects.create(
        relationship=relationship,
        owner=owner,
        title="Give a talk",
        target_date=now.date() + timedelta(days=60),
        created_at=now - timedelta(days=40),
    )
    GoalCheckIn.objects.create(
        goal=fresh, author=owner, progress=30, created_at=now - timedelta(days=3)
    )
    Goal.objects.create(
        relationship=relationship,
        owner=owner,
        title="Done already",
        target_date=now.date(),
        status="achieved",
        created_at=now - timedelta(days=40),
    )
    mail.outbox.clear()

    assert jobs.remind_goal_check_ins(now) == 1
    assert jobs.remind_goal_check_ins(now) == 0
    (message,) = mail.outbox
    assert message.to == [user_email(owner)]
    assert "Lead a design review" in message.subject
    assert "no check-in for 20 days" in message.body
    assert f"/goals/{stale.pk}/" in message.body
    # Two weeks later, still no check-in: reminded again, once.
    later = now + timedelta(days=14)
    assert jobs.remind_goal_check_ins(later) == 2  # and the other goal by then
    assert jobs.remind_goal_check_ins(later) == 0
    # A check-in restarts the count.
    GoalCheckIn.objects.create(goal=stale, author=owner, progress=50, created_at=later)
    assert jobs.remind_goal_check_ins(later + timedelta(days=1)) == 0


def test_journey_next_step_reminder_when_the_journey_stalls(program, hub):
    journey = make_journey(hub)
    stalled = pair(program)
    moving = pair(program)
    now = timezone.now()
    progress = JourneyProgress.objects.create(
        relationship=stalled,
        journey=journey,
        current_step_id=journey.journey_steps[1].id,
        current_step_title="Set your first goal",
        last_activity_at=now - timedelta(days=15),
    )
    JourneyProgress.objects.create(
        relationship=moving,
        journey=journey,
        current_step_id=journey.journey_steps[1].id,
        current_step_title="Set your first goal",
        last_activity_at=now - timedelta(days=2),
    )
    mail.outbox.clear()

    assert remind_journey_steps(now) == 2
    assert remind_journey_steps(now) == 0
    assert {m.to[0] for m in mail.outbox} == {user_email(u) for u in _members(stalled)}
    message = mail.outbox[0]
    assert message.subject == "Your next step: Set your first goal"
    assert f"steps/{progress.current_step_id}/" in message.body
    # A journey only the mentee follows reminds only the mentee.
    mentee_user = _members(stalled)[0]
    JourneyProgress.objects.filter(pk=progress.pk).update(
        members={str(mentee_user.pk): {"done": 1, "total": 3}}
    )
    JourneyProgress.objects.filter(relationship=moving).update(
        last_activity_at=now + timedelta(days=13)
    )
    assert remind_journey_steps(now + timedelta(days=14)) == 1
    assert mail.outbox[-1].to == [user_email(mentee_user)]
