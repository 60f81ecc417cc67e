"""The journey report of a program: funnel by step, time per step, stalled pairs.

Program admins see only aggregate progress here (counts and durations); the
text of reflections and quiz answers never appears in reports.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, DateTimeField, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail_mentoring.journeys import progress
from wagtail_mentoring.journeys.models import LearningJourneyPage, StepProgress
from wagtail_mentoring.programs.models import (
    ProgramPage,
    Relationship,
    RelationshipStatus,
)

#: Pairs counted in the funnel: every pair that was ever under way.
FUNNEL_STATUSES = [
    RelationshipStatus.ACTIVE,
    RelationshipStatus.PAUSED,
    RelationshipStatus.COMPLETED,
    RelationshipStatus.ENDED_EARLY,
]


def duration_label(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    hours = seconds / 3600
    if hours < 1:
        minutes = max(1, round(seconds / 60))
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if hours < 48:
        n = round(hours)
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    n = round(hours / 24)
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


@dataclass
class FunnelRow:
    """One step of the funnel (or a removed step that still has history)."""

    journey: str
    number: int | None
    title: str
    audience: str
    pairs: int
    reached: int
    completed: int
    median_seconds: float | None
    removed: bool = False

    @property
    def step(self) -> str:
        return (
            _("%(title)s (removed)") % {"title": self.title}
            if self.removed
            else self.title
        )

    @property
    def completion_rate(self) -> str:
        if not self.pairs:
            return "—"
        return f"{round(100 * self.completed / self.pairs)}%"

    @property
    def median_time(self) -> str:
        return duration_label(self.median_seconds)

    @property
    def median_hours(self) -> float | None:
        if self.median_seconds is None:
            return None
        return round(self.median_seconds / 3600, 1)


def program_journeys(program: ProgramPage) -> list[LearningJourneyPage]:
    ids = [
        i
        for i in dict.fromkeys(
            [program.journey_id, program.mentor_journey_id, program.mentee_journey_id]
        )
        if i
    ]
    found = LearningJourneyPage.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def program_funnel(program: ProgramPage, people=None) -> list[FunnelRow]:
    """Per step of the program's journey(s): pairs that started and finished it,
    and the median time members took from opening a step to completing it.

    ``people`` (user ids) narrows it to the pairs one of them is in: the part of
    the report a scoped viewer may see (``permissions.report_scope``).
    """
    pairs_qs = (
        Relationship.objects.filter(program=program, status__in=FUNNEL_STATUSES)
        # People who left are invisible in reports, and so are their pairs;
        # a former participant (erased) left too.
        .exclude(members__user__is_active=False)
        .exclude(members__user=None)
    )
    if people is not None:
        pairs_qs = pairs_qs.filter(
            pk__in=Relationship.objects.filter(
                program=program, members__user__in=list(people)
            ).values("pk")
        )
    relationships = list(pairs_qs.select_related("program").prefetch_related("members"))
    rows_by_pair: dict[int, list[StepProgress]] = {}
    all_rows = list(
        StepProgress.objects.filter(relationship__in=relationships).only(
            "relationship_id",
            "user_id",
            "journey_id",
            "step_id",
            "step_title",
            "status",
            "started_at",
            "completed_at",
        )
    )
    for row in all_rows:
        rows_by_pair.setdefault(row.relationship_id, []).append(row)
    result: list[FunnelRow] = []
    for journey in program_journeys(program):
        steps = journey.journey_steps
        pairs = {s.id: 0 for s in steps}
        reached = {s.id: 0 for s in steps}
        completed = {s.id: 0 for s in steps}
        for relationship in relationships:
            members = progress.followers(program, relationship.members.all()).get(
                journey.pk
            )
            if not members:
                continue
            pair_rows = [
                r
                for r in rows_by_pair.get(relationship.pk, [])
                if r.journey_id == journey.pk
            ]
            for state in progress.step_states(steps, members, pair_rows):
                if not state.counts:
                    continue
                pairs[state.step.id] += 1
                status = state.status
                if status != "not_started":
                    reached[state.step.id] += 1
                if status == "completed":
                    completed[state.step.id] += 1
        durations: dict[str, list[float]] = {}
        journey_rows = [r for r in all_rows if r.journey_id == journey.pk]
        pair_step_ids = {s.id for s in steps if s.value.is_pair_step}
        for row in journey_rows:
            if row.completed_at is None:
                continue
            # Pair steps are timed on the pair's row, member steps on members'.
            if (row.step_id in pair_step_ids) != (row.user_id is None):
                continue
            durations.setdefault(row.step_id, []).append(
                max(0.0, (row.completed_at - row.started_at).total_seconds())
            )
        for step in steps:
            times = durations.get(step.id)
            result.append(
                FunnelRow(
                    journey=journey.title,
                    number=step.number,
                    title=step.title,
                    audience=step.value.audience_label,
                    pairs=pairs[step.id],
                    reached=reached[step.id],
                    completed=completed[step.id],
                    median_seconds=statistics.median(times) if times else None,
                )
            )
        current = {s.id for s in steps}
        removed: dict[str, list[StepProgress]] = {}
        for row in journey_rows:
            if row.step_id not in current:
                removed.setdefault(row.step_id, []).append(row)
        for rows in removed.values():
            times = [
                (r.completed_at - r.started_at).total_seconds()
                for r in rows
                if r.completed_at
            ]
            result.append(
                FunnelRow(
                    journey=journey.title,
                    number=None,
                    title=max(rows, key=lambda r: r.started_at).step_title,
                    audience="",
                    pairs=len({r.relationship_id for r in rows}),
                    reached=len({r.relationship_id for r in rows}),
                    completed=len({r.relationship_id for r in rows if r.completed_at}),
                    median_seconds=statistics.median(times) if times else None,
                    removed=True,
                )
            )
    return result


def with_journey(programs):
    return programs.filter(
        Q(journey__isnull=False)
        | Q(mentor_journey__isnull=False)
        | Q(mentee_journey__isnull=False)
    )


#: Days without progress after which a pair counts as stalled, unless asked.
DEFAULT_STALLED_DAYS = 14


def stalled_pairs(relationships, days: int, now=None):
    """Active pairs of journey programs with no progress for ``days`` days.

    A pair that never started counts from the day it was matched; a pair that
    finished every journey of its program is not stalled.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    return (
        relationships.filter(status=RelationshipStatus.ACTIVE)
        .exclude(members__user__is_active=False)
        .exclude(members__user=None)
        .filter(
            Q(program__journey__isnull=False)
            | Q(program__mentor_journey__isnull=False)
            | Q(program__mentee_journey__isnull=False)
        )
        .annotate(
            last_progress=Max("journey_progress__last_activity_at"),
            journeys_started=Count("journey_progress", distinct=True),
            journeys_open=Count(
                "journey_progress",
                filter=Q(journey_progress__completed_at__isnull=True),
                distinct=True,
            ),
        )
        .annotate(
            last_activity=Coalesce(
                "last_progress", "created_at", output_field=DateTimeField()
            )
        )
        .filter(last_activity__lt=cutoff)
        .filter(Q(journeys_started=0) | Q(journeys_open__gt=0))
    )
