"""When each pair last met: shared by the quiet-pair nudge and the at-risk list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time

from django.db.models import Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from wagtail_mentoring.engagement.models import MeetingStatus
from wagtail_mentoring.programs.models import (
    ProgramPage,
    Relationship,
    RelationshipMember,
)

#: Relationships a periodic job holds in memory at once: each batch costs a
#: fixed number of queries, so a job's queries grow with pairs / BATCH_SIZE.
BATCH_SIZE = 1000


def in_batches(queryset: QuerySet, size: int = BATCH_SIZE) -> Iterator[list]:
    """``queryset`` in lists of at most ``size``, in primary-key order.

    Keyset pagination (``pk > last``) rather than offsets: every batch is one
    indexed query however deep into the table it is.
    """
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:size])
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last = rows[-1].pk


def attach_programs(relationships: list, known: dict) -> None:
    """Give each relationship its program from ``known`` (``{pk: program}``,
    filled here with the ones missing, in one query).

    Not ``select_related("program")``: that builds a full program page (its
    StreamFields and all) for every row, which costs more than the rest of
    a batch; a company has a handful of programs and thousands of pairs.
    """
    missing = {r.program_id for r in relationships} - known.keys()
    if missing:
        known.update(
            (program.pk, program)
            for program in ProgramPage.objects.filter(pk__in=missing)
        )
    for relationship in relationships:
        relationship.program = known[relationship.program_id]


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
