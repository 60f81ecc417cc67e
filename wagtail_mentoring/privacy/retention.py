"""Retention: what ended relationships keep, and for how long.

``RETAIN_MESSAGES_DAYS``, ``RETAIN_MEETING_NOTES_DAYS`` and
``RETAIN_REFLECTIONS_DAYS`` count days from the day a relationship ended
(completed or ended early); ``None``, the default, keeps them. Open
relationships keep everything.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from wagtail_mentoring import audit
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement.models import Meeting, Message
from wagtail_mentoring.journeys.models import ReflectionAnswer
from wagtail_mentoring.programs.models import Relationship, RelationshipStatus

ENDED = [RelationshipStatus.COMPLETED, RelationshipStatus.ENDED_EARLY]


def ended_before(days: int | None, now):
    """Relationships that ended more than ``days`` days before ``now``."""
    if days is None:
        return Relationship.objects.none()
    return Relationship.objects.filter(
        status__in=ENDED, ended_at__lt=now - timedelta(days=int(days))
    )


def apply_retention(now=None) -> dict[str, int]:
    """Delete the messages and reflections, and blank the meeting notes, of
    relationships that ended longer ago than their setting allows.

    Idempotent: a second run finds nothing left to delete. Each relationship
    that lost something gets one audit entry with the counts. Returns the
    counts: ``{"messages": n, "meeting_notes": n, "reflections": n}``.
    """
    now = now or timezone.now()
    per_relationship: dict[int, Counter] = {}

    def tally(queryset, key):
        rows = queryset.order_by().values("relationship").annotate(n=Count("pk"))
        for row in rows:
            per_relationship.setdefault(row["relationship"], Counter())[key] += row["n"]

    with transaction.atomic():
        messages = Message.objects.filter(
            relationship__in=ended_before(mentoring_settings.RETAIN_MESSAGES_DAYS, now)
        )
        notes = Meeting.objects.filter(
            relationship__in=ended_before(
                mentoring_settings.RETAIN_MEETING_NOTES_DAYS, now
            )
        ).exclude(notes="")
        reflections = ReflectionAnswer.objects.filter(
            relationship__in=ended_before(
                mentoring_settings.RETAIN_REFLECTIONS_DAYS, now
            )
        )
        tally(messages, "messages")
        tally(notes, "meeting_notes")
        tally(reflections, "reflections")
        totals = {
            "messages": messages.delete()[0],
            "meeting_notes": notes.update(notes=""),
            "reflections": reflections.delete()[0],
        }
        for relationship in Relationship.objects.filter(pk__in=per_relationship):
            audit.record(
                relationship,
                "wagtail_mentoring.privacy.retention",
                **per_relationship[relationship.pk],
            )
    return totals
