"""Demo data of reminders, nudges and notification settings.

Deterministic and idempotent: in Engineering Mentoring one pair went quiet (no
meeting for five weeks, a message left unanswered), another rated its last
meeting low for the admins, and a third meets tomorrow, so the *At-risk pairs*
screen has pairs to show and the next run of the jobs (``manage.py
mentoring_run_jobs`` or Celery beat) sends a reminder and a nudge. The demo
mentee has chosen a daily digest of reminders at 08:00, so *Notification
settings* shows a choice.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wagtail_mentoring.engagement.models import Feedback, Meeting, Message
from wagtail_mentoring.notifications.models import NotificationPreferences
from wagtail_mentoring.programs.models import (
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)

QUIET_TITLE = "Kick-off (a while ago)"
TOMORROW_TITLE = "Mock interview"


def seed_nudges(program) -> None:
    now = timezone.now()
    pairs = list(
        Relationship.objects.filter(program=program, status=RelationshipStatus.ACTIVE)
        .prefetch_related("members__user")
        .order_by("pk")
    )
    complete = [r for r in pairs if {m.role for m in r.members.all() if m.user_id}
                >= {Role.MENTOR, Role.MENTEE}]  # fmt: skip
    if complete and not Meeting.objects.filter(title=QUIET_TITLE).exists():
        _went_quiet(complete[-1], now)
        if len(complete) >= 2:
            _meets_tomorrow(complete[0], now)
        if len(complete) >= 3:
            _rated_low(complete[-2], now)
    # The demo mentee (the one the seed names) prefers one email a day.
    demo_mentee = (
        RelationshipMember.objects.filter(role=Role.MENTEE)
        .exclude(user=None)
        .order_by("pk")
        .first()
    )
    if demo_mentee:
        NotificationPreferences.objects.update_or_create(
            user=demo_mentee.user,
            defaults={"reminders": "daily", "digest_hour": 8},
        )


def _roles(relationship):
    users = {m.role: m.user for m in relationship.members.all()}
    return users.get(Role.MENTEE), users.get(Role.MENTOR)


def _went_quiet(quiet, now) -> None:
    """Their only meeting was five weeks ago, nothing is planned, and the
    mentee's last message is still waiting for an answer."""
    quiet.meetings.all().delete()
    Relationship.objects.filter(pk=quiet.pk).update(
        started_on=timezone.localdate() - timedelta(weeks=8)
    )
    mentee, _mentor = _roles(quiet)
    Meeting.objects.create(
        relationship=quiet,
        title=QUIET_TITLE,
        starts_at=(now - timedelta(weeks=5)).replace(minute=0, second=0, microsecond=0),
        status="held",
        location="Video call",
        created_by=mentee,
    )
    quiet.messages.all().delete()
    Message.objects.create(
        relationship=quiet,
        author=mentee,
        body="Hi! Shall we find a time to catch up?",
        created_at=now - timedelta(days=11),
    )


def _rated_low(unhappy, now) -> None:
    """Rated their last meeting low, for the admins' eyes only."""
    held = (
        unhappy.meetings.filter(starts_at__lt=now).exclude(status="cancelled").first()
    )
    author, _mentor = _roles(unhappy)
    if held and author:
        Feedback.objects.get_or_create(
            relationship=unhappy,
            meeting=held,
            author=author,
            kind="meeting",
            defaults={
                "rating": 2,
                "visibility": "admins",
                "comment": "We keep running out of time.",
            },
        )


def _meets_tomorrow(soon, now) -> None:
    """Planned last week: the reminder is due."""
    mentee, _mentor = _roles(soon)
    Meeting.objects.create(
        relationship=soon,
        title=TOMORROW_TITLE,
        starts_at=(now + timedelta(hours=20)).replace(second=0, microsecond=0),
        location="Room 4.2",
        agenda="- Walk through the last interview\n- Practise two questions",
        created_by=mentee,
        created_at=now - timedelta(days=6),
    )
