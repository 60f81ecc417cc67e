"""Read-side queries of space events: lists with their counts in one query."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from wagtail_mentoring.community.events.models import (
    EventRSVP,
    RSVPStatus,
    SpaceEvent,
)


def with_counts(events):
    return events.annotate(
        going_count=Count("rsvps", filter=Q(rsvps__status=RSVPStatus.GOING)),
        waiting_count=Count("rsvps", filter=Q(rsvps__status=RSVPStatus.WAITLISTED)),
    )


def upcoming(space, limit: int | None = None, now=None):
    """The space's events that have not ended, soonest first (cancelled ones
    included, marked, so people who planned to go see why it went)."""
    now = now or timezone.now()
    events = with_counts(
        SpaceEvent.objects.filter(space=space, ends_at__gt=now)
    ).order_by("starts_at", "pk")
    return events[:limit] if limit else events


def past(space, limit: int = 10, now=None):
    now = now or timezone.now()
    return with_counts(
        SpaceEvent.objects.filter(space=space, ends_at__lte=now, is_cancelled=False)
    ).order_by("-starts_at", "-pk")[:limit]


def answers_of(user, events) -> dict[int, str]:
    """``user``'s answer per event id (one query for a whole list)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(
        EventRSVP.objects.filter(user=user, event__in=list(events)).values_list(
            "event_id", "status"
        )
    )


def going_people(event):
    return (
        EventRSVP.objects.filter(event=event, status=RSVPStatus.GOING)
        .select_related("user")
        .order_by("created_at", "pk")
    )
