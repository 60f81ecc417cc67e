"""When each pair last met: shared by the quiet-pair nudge and the at-risk list."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from wagtail_mentoring.engagement.models import MeetingStatus
from wagtail_mentoring.programs.models import (
    Relationship,
    RelationshipMember,
    RelationshipStatus,
)


def with_meeting_dates(relationships: QuerySet, now: datetime) -> QuerySet:
    """Annotate ``last_met`` (latest meeting that was not cancelled, up to
    ``now``) and ``next_meeting`` (the next one planned)."""
    kept = ~Q(meetings__status=MeetingStatus.CANCELLED)
    return relationships.annotate(
        last_met=Max(
            "meetings__starts_at", filter=kept & Q(meetings__starts_at__lte=now)
        ),
        next_meeting=Min(
            "meetings__starts_at", filter=kept & Q(meetings__starts_at__gt=now)
        ),
    )


def members_prefetch() -> Prefetch:
    return Prefetch(
        "members",
        queryset=RelationshipMember.objects.exclude(user=None)
        .select_related("user__mentoring_profile")
        .order_by("pk"),
    )


def active_pairs(now: datetime) -> QuerySet:
    """Active relationships with their meeting dates, program and members."""
    return (
        with_meeting_dates(
            Relationship.objects.filter(status=RelationshipStatus.ACTIVE), now
        )
        .select_related("program")
        .prefetch_related(members_prefetch())
        .order_by("pk")
    )


def quiet_since(relationship: Relationship) -> datetime:
    """Since when the pair has not met: their last meeting, else their start."""
    if relationship.last_met:
        return relationship.last_met
    if relationship.started_on:
        return timezone.make_aware(datetime.combine(relationship.started_on, time()))
    return relationship.created_at


def quiet_days(relationship: Relationship, now: datetime) -> int:
    """Days without a meeting; 0 while a meeting is planned."""
    if relationship.next_meeting:
        return 0
    return max(0, (now - quiet_since(relationship)).days)
