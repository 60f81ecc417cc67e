"""Read-side queries of journeys: pages, the agenda hook, dashboards."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.analytics.equity import min_group_size
from wagtail_mentoring.engagement.nudges.at_risk import STALLED_JOURNEY, Reason
from wagtail_mentoring.journeys import progress
from wagtail_mentoring.journeys.models import (
    JourneyProgress,
    LearningJourneyPage,
    StepProgress,
    StepStatus,
)
from wagtail_mentoring.people.users import first_name
from wagtail_mentoring.permissions import mark_privacy, passes_privacy
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
)
from wagtail_mentoring.sql import compiled_once

#: Pairs whose journey people can still look at (ended early ones are hidden).
VISIBLE_STATUSES = [
    RelationshipStatus.PENDING,
    RelationshipStatus.ACTIVE,
    RelationshipStatus.PAUSED,
    RelationshipStatus.COMPLETED,
]


def following_pairs(journey: LearningJourneyPage, user) -> list[RelationshipMember]:
    """``user``'s memberships (with relationship) whose program uses ``journey``."""
    if not user.is_authenticated:
        return []
    mine = [
        m
        for m in _memberships(user.pk)
        if progress.journey_id_for_role(m.relationship.program, m.role) == journey.pk
    ]
    for m in mine:
        m.user = user  # already read: the pages ask for it, and would again
    return mine


@compiled_once
def _memberships(user_key):
    """``user_key``'s memberships of pairs whose journey they can look at,
    with the relationship, its program and its members, the newest first."""
    return (
        RelationshipMember.objects.filter(
            user=user_key, relationship__status__in=VISIBLE_STATUSES
        )
        .select_related("relationship__program")
        .prefetch_related(
            Prefetch(
                "relationship__members",
                queryset=RelationshipMember.objects.select_related("user").order_by(
                    "role", "pk"
                ),
            )
        )
        .order_by("-relationship__created_at", "-pk")
    )


def pair_states(
    relationship: Relationship, journey: LearningJourneyPage
) -> list[progress.StepState]:
    """The pair's state on each current step of ``journey``."""
    members = [
        m
        for m in relationship.members.all()
        if progress.journey_id_for_role(relationship.program, m.role) == journey.pk
    ]
    # one row per member (or pair) and step: no order needed, and the model's
    # own ordering would join the relationship for it
    rows = StepProgress.objects.filter(
        relationship=relationship, journey=journey
    ).order_by()
    return progress.step_states(journey.journey_steps, members, rows)


def history(relationship: Relationship, journey: LearningJourneyPage, states):
    """Progress on steps that editors have since removed from the journey."""
    current = {s.step.id for s in states}
    return [
        row
        for row in StepProgress.objects.filter(
            relationship=relationship, journey=journey
        ).order_by("started_at", "pk")
        if row.step_id not in current
    ]


def pair_prompts(relationship: Relationship) -> list[str]:
    """Conversation prompts of the pair's next step(s), for the meeting agenda."""
    relationship = Relationship.objects.select_related("program").get(
        pk=relationship.pk
    )
    return pairs_prompts([relationship]).get(relationship.pk, [])


def pairs_prompts(relationships) -> dict[int, list[str]]:
    """``{pk: prompts}`` of :func:`pair_prompts` for many pairs (``program``
    loaded) in three queries, however many pairs: the nudge job asks for a
    thousand at a time."""
    pks = [r.pk for r in relationships]
    members: dict = {}
    for member in RelationshipMember.objects.filter(relationship_id__in=pks).order_by(
        "pk"
    ):
        members.setdefault(member.relationship_id, []).append(member)
    following = {
        r.pk: progress.followers(r.program, members.get(r.pk, []))
        for r in relationships
    }
    ids = {journey_id for found in following.values() for journey_id in found}
    if not ids:
        return {}
    journeys = {j.pk: j for j in LearningJourneyPage.objects.live().filter(pk__in=ids)}
    rows: dict = {}
    for row in StepProgress.objects.filter(
        relationship_id__in=pks, journey_id__in=list(journeys)
    ):
        rows.setdefault((row.relationship_id, row.journey_id), []).append(row)
    prompts: dict[int, list[str]] = {}
    for pk, by_journey in following.items():
        for journey_id, followers in by_journey.items():
            journey = journeys.get(journey_id)
            if journey is None:
                continue
            states = progress.step_states(
                journey.journey_steps, followers, rows.get((pk, journey_id), [])
            )
            _state, found = progress.upcoming_prompts(states)
            prompts.setdefault(pk, []).extend(found)
    return prompts


@dataclass
class JourneyCard:
    """What a dashboard shows about one journey of one pair."""

    journey: LearningJourneyPage
    summary: JourneyProgress | None
    #: the viewer's own part (``progress.member_parts``), when they follow it
    mine: dict | None = None
    #: partners the pair waits for, first names as the page greets them
    waiting_for: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return self.summary.percent if self.summary else 0

    @property
    def my_percent(self) -> int:
        if not self.mine or not self.mine.get("total"):
            return 0
        return round(100 * self.mine["done"] / self.mine["total"])


def journey_cards(
    relationship: Relationship, viewer=None, request=None
) -> list[JourneyCard]:
    """The pair's journeys with their progress summary, and ``viewer``'s part.

    With ``request``, a journey in a private section the request may not see
    (the intranet's *Privacy* settings) is left out, as its pages would refuse
    it. Uses prefetched ``journey_progress`` (see :func:`with_journeys`) when
    the caller loaded a list of relationships, so a dashboard stays at a
    constant number of queries.
    """
    program = relationship.program
    members = list(relationship.members.all())
    ids = list(progress.followers(program, members))
    if not ids:
        return []
    summaries = {p.journey_id: p for p in relationship.journey_progress.all()}
    journeys = _journeys(program, ids)
    if request is not None:
        mark_privacy(request, journeys.values())
        journeys = {
            pk: page for pk, page in journeys.items() if passes_privacy(request, page)
        }
    by_id = {str(m.user_id): m for m in members}
    cards = []
    for i in ids:
        if i not in journeys or not journeys[i].live:
            continue
        card = JourneyCard(journey=journeys[i], summary=summaries.get(i))
        if card.summary and viewer is not None:
            card.mine = (card.summary.members or {}).get(str(viewer.pk))
        if card.mine:
            card.waiting_for = [
                first_name(by_id[uid].user)
                for uid in card.mine.get("waiting_for", [])
                if uid in by_id
            ]
        cards.append(card)
    return cards


def _journeys(program, ids) -> dict[int, LearningJourneyPage]:
    # with_journeys() or the cards' programs (PROGRAM_JOURNEYS) fill these.
    found = {}
    for name in ("journey", "mentor_journey", "mentee_journey"):
        if getattr(program, f"{name}_id") in ids:
            journey = getattr(program, name)
            found[journey.pk] = journey
    return found


#: A program's journey pages, which :func:`journey_cards` reads.
PROGRAM_JOURNEYS = ("journey", "mentor_journey", "mentee_journey")


def card_progress(relationships):
    """Relationship cards whose programs come with their journeys
    (:data:`PROGRAM_JOURNEYS`) by another way: only the pairs' progress."""
    return relationships.prefetch_related("journey_progress")


def with_journeys(relationships):
    """A relationship queryset with what :func:`journey_cards` reads."""
    return relationships.select_related(
        *(f"program__{name}" for name in PROGRAM_JOURNEYS)
    ).prefetch_related("journey_progress")


def stalled_journeys(relationships, now) -> dict:
    """At-risk signal: pairs whose journey has not moved for their program's
    ``nudge_after_days`` (one query for any number of pairs)."""
    by_pk = {r.pk: r for r in relationships if r.program.nudge_after_days}
    if not by_pk:
        return {}
    stalled = {}
    for pk, last in (
        JourneyProgress.objects.filter(
            relationship_id__in=by_pk, completed_at__isnull=True
        )
        .order_by("relationship_id", "last_activity_at")
        .values_list("relationship_id", "last_activity_at")
    ):
        days = (now - last).days
        if days >= by_pk[pk].program.nudge_after_days:
            stalled[pk] = Reason(
                STALLED_JOURNEY,
                1,
                _("No journey progress for %(days)d days") % {"days": days},
            )
    return stalled


# --- Cohort learning ---------------------------------------------------------------


@dataclass
class CohortProgress:
    """How far a cohort following a journey got, step by step: counts only.

    A count below ``min_size`` is shown as "fewer than N": in a small cohort
    an exact small number could tell who is behind.
    """

    cohort: object
    participants: int
    finished: dict
    min_size: int

    def text(self, step_id: str) -> str:
        n = self.finished.get(step_id, 0)
        if 0 < n < self.min_size:
            return gettext("fewer than %(min)d of %(total)d in %(cohort)s finished") % {
                "min": self.min_size,
                "total": self.participants,
                "cohort": self.cohort.name,
            }
        return gettext("%(n)d of %(total)d in %(cohort)s finished") % {
            "n": n,
            "total": self.participants,
            "cohort": self.cohort.name,
        }


def cohort_progress(journey: LearningJourneyPage, user) -> CohortProgress | None:
    """The progress of the cohort ``user`` takes part in, if that cohort
    follows ``journey`` (three queries, whatever the cohort's size)."""
    if not getattr(user, "is_authenticated", False):
        return None
    enrollment = (
        Enrollment.objects.filter(
            user=user, status=EnrollmentStatus.APPROVED, cohort__journey=journey
        )
        .select_related("cohort")
        .order_by("-cohort__starts_on")
        .first()
    )
    if enrollment is None:
        return None
    cohort = enrollment.cohort
    participants = Enrollment.objects.filter(
        cohort=cohort, status=EnrollmentStatus.APPROVED, user__is_active=True
    ).values("user_id")
    finished = {
        row["step_id"]: row["n"]
        for row in StepProgress.objects.filter(
            journey=journey,
            status=StepStatus.COMPLETED,
            user__in=participants,
        )
        .values("step_id")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    }
    return CohortProgress(
        cohort=cohort,
        participants=participants.aggregate(n=Count("user", distinct=True))["n"],
        finished=finished,
        min_size=min_group_size(),
    )
