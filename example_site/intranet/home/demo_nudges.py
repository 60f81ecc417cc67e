"""Demo data of reminders, nudges and notification settings.

Deterministic and idempotent: in Engineering Mentoring one pair went quiet (no
meeting for five weeks, a message left unanswered), another rated its last
meeting low for the admins, and a third meets tomorrow, so the *At-risk pairs*
screen has pairs to show and the next run of the jobs (``manage.py
mentoring_run_jobs`` or Celery beat) sends a reminder and a nudge. The demo
mentee has chosen a daily digest of reminders at 08:00, so *Notification
settings* shows a choice.

The other reminders and nudges have something to say too: a meeting held
yesterday waits for the mentee's feedback, a goal has had no check-in for three
weeks, a mentee of Product & Design Mentoring has asked nobody for three weeks,
and a newcomer approved five days ago has no department on their profile. The
coordinator (an Engineering admin) gets the weekly at-risk email.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wagtail_mentoring.engagement.models import (
    Feedback,
    Goal,
    Meeting,
    MentorRequest,
    Message,
)
from wagtail_mentoring.notifications.models import NotificationPreferences
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    MatchingMode,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)

QUIET_TITLE = "Kick-off (a while ago)"
TOMORROW_TITLE = "Mock interview"
YESTERDAY_TITLE = "Career paths chat"
STALE_GOAL = "Present at the architecture guild"


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
    if (
        len(complete) >= 4
        and not Meeting.objects.filter(title=YESTERDAY_TITLE).exists()
    ):
        _met_yesterday(complete[1], now)
        _stale_goal(complete[1], now)
    _mentee_asked_nobody(now)
    _newcomer_without_department(now)
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


def _met_yesterday(pair, now) -> None:
    """Held yesterday; nobody gave feedback yet: the feedback reminder is due."""
    mentee, _mentor = _roles(pair)
    Meeting.objects.create(
        relationship=pair,
        title=YESTERDAY_TITLE,
        starts_at=(now - timedelta(hours=27)).replace(second=0, microsecond=0),
        status="held",
        location="Coffee corner",
        created_by=mentee,
        created_at=now - timedelta(days=8),
    )


def _stale_goal(pair, now) -> None:
    """A goal set three weeks ago with no check-in since."""
    mentee, _mentor = _roles(pair)
    Goal.objects.create(
        relationship=pair,
        owner=mentee,
        title=STALE_GOAL,
        measure="A 20-minute talk with questions",
        target_date=(now + timedelta(days=45)).date(),
        created_at=now - timedelta(days=21),
    )


def _mentee_asked_nobody(now) -> None:
    """In the program where mentees choose, one joined three weeks ago and
    has not asked anyone yet."""
    asked = MentorRequest.objects.values("mentee_enrollment")
    paired = RelationshipMember.objects.filter(role=Role.MENTEE).values("user")
    idle = (
        Enrollment.objects.filter(
            program__matching_mode=MatchingMode.SELF_SELECT,
            role=Role.MENTEE,
            status=EnrollmentStatus.APPROVED,
        )
        .exclude(pk__in=asked)
        .exclude(user__in=paired)
        .order_by("pk")
        .first()
    )
    if idle:
        Enrollment.objects.filter(pk=idle.pk).update(
            decided_at=now - timedelta(days=21)
        )


def _newcomer_without_department(now) -> None:
    """A mentor of the program where mentees choose, approved five days ago,
    who left their department empty (Engineering's matching demo is untouched)."""
    paired = RelationshipMember.objects.values("user")
    newcomer = (
        Enrollment.objects.filter(
            program__matching_mode=MatchingMode.SELF_SELECT,
            role=Role.MENTOR,
            status=EnrollmentStatus.APPROVED,
        )
        .exclude(user__in=paired)
        .order_by("-pk")
        .first()
    )
    if newcomer:
        Enrollment.objects.filter(pk=newcomer.pk).update(
            decided_at=now - timedelta(days=5)
        )
        EmployeeProfile.objects.filter(user=newcomer.user_id).update(department="")
