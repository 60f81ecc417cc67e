"""Where people are on a development track: the one evaluation of entry rules.

:class:`Facts` loads, in a fixed number of queries, everything the rules of a
track ask about a set of people; :func:`evaluate` turns one person's facts into
the state of each stage. The track page asks for one person, the admin report
for everyone on the track, with the same code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.engagement.office_hours.models import Booking, BookingStatus
from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    RelationshipMember,
    RelationshipStatus,
    Role,
)
from wagtail_mentoring.sponsorship.models import Nomination
from wagtail_mentoring.tracks.blocks import EntryRule

#: A track develops the people who receive mentoring or sponsorship: their
#: mentors and sponsors walk the same journeys but are not on the track.
DEVELOPING_ROLES = (Role.MENTEE, Role.SPONSEE, Role.MEMBER)

DONE = "done"
CURRENT = "current"  # open to the person, not finished yet
WAITING = "waiting"  # the next stage, but its entry rule is not met yet
LATER = "later"

STATE_LABELS = {
    DONE: _("Done"),
    CURRENT: _("You are here"),
    WAITING: _("Not open to you yet"),
    LATER: _("Later"),
}


@dataclass
class Stage:
    index: int
    title: str
    description: str
    page: object  # the specific page, or None
    rule: str
    rule_page: object


@dataclass
class Facts:
    """What the rules need to know about some people (by user id)."""

    finished_journeys: dict = field(default_factory=lambda: defaultdict(set))
    completed_programs: dict = field(default_factory=lambda: defaultdict(set))
    approved_in: dict = field(default_factory=lambda: defaultdict(set))
    nominated: set = field(default_factory=set)


def stages_of(track) -> list[Stage]:
    stages = []
    for index, child in enumerate(track.stages):
        value = child.value
        page = value["page"].specific if value["page"] else None
        rule_page = value["rule_page"].specific if value["rule_page"] else None
        stages.append(
            Stage(
                index=index,
                title=value["title"],
                description=value["description"],
                page=page,
                rule=value["entry_rule"],
                rule_page=rule_page,
            )
        )
    return stages


def _ids(stages, kind):
    found = set()
    for stage in stages:
        for page in (stage.page, stage.rule_page):
            if isinstance(page, kind):
                found.add(page.pk)
    return found


def load_facts(stages: list[Stage], user_ids=None) -> Facts:
    """The facts of ``user_ids`` (everyone when ``None``) about the pages the
    track names: five queries, whatever the number of people or stages."""
    facts = Facts()
    journeys = _ids(stages, LearningJourneyPage)
    programs = _ids(stages, ProgramPage)

    def only(queryset, field_name):
        if user_ids is None:
            return queryset
        return queryset.filter(**{f"{field_name}__in": user_ids})

    if journeys:
        finished = only(
            RelationshipMember.objects.filter(
                role__in=DEVELOPING_ROLES,
                relationship__journey_progress__journey_id__in=journeys,
                relationship__journey_progress__completed_at__isnull=False,
            ),
            "user_id",
        ).values_list("user_id", "relationship__journey_progress__journey_id")
        for user_id, journey_id in finished:
            facts.finished_journeys[user_id].add(journey_id)
    if programs:
        completed = only(
            RelationshipMember.objects.filter(
                role__in=DEVELOPING_ROLES,
                relationship__program_id__in=programs,
                relationship__status=RelationshipStatus.COMPLETED,
            ),
            "user_id",
        ).values_list("user_id", "relationship__program_id")
        for user_id, program_id in completed:
            facts.completed_programs[user_id].add(program_id)
        # A flash program has no relationships: a conversation held completes it.
        held = only(
            Booking.objects.filter(
                slot__program_id__in=programs,
                slot__program__kind=ProgramKind.FLASH,
                status=BookingStatus.BOOKED,
                slot__ends_at__lte=timezone.now(),
            ),
            "user_id",
        ).values_list("user_id", "slot__program_id")
        for user_id, program_id in held:
            facts.completed_programs[user_id].add(program_id)
        approved = only(
            Enrollment.objects.filter(
                program_id__in=programs,
                role__in=DEVELOPING_ROLES,
                status=EnrollmentStatus.APPROVED,
            ),
            "user_id",
        ).values_list("user_id", "program_id")
        for user_id, program_id in approved:
            facts.approved_in[user_id].add(program_id)
    if any(s.rule == EntryRule.SPONSORSHIP_NOMINATION for s in stages):
        facts.nominated = set(
            only(
                Nomination.objects.filter(enrollment__status=EnrollmentStatus.APPROVED),
                "nominee_id",
            ).values_list("nominee_id", flat=True)
        )
    return facts


def stage_done(stage: Stage, facts: Facts, user_id) -> bool:
    if isinstance(stage.page, LearningJourneyPage):
        return stage.page.pk in facts.finished_journeys[user_id]
    if isinstance(stage.page, ProgramPage):
        return stage.page.pk in facts.completed_programs[user_id]
    # A space or an article has nothing to finish: open means done.
    return True


def rule_met(stage: Stage, facts: Facts, user_id, previous_done: bool) -> bool:
    """The one evaluation of a stage's entry rule for one person."""
    rule, page = stage.rule, stage.rule_page
    if rule == EntryRule.NONE:
        return True
    if rule == EntryRule.PREVIOUS_STAGE:
        return previous_done
    if rule == EntryRule.FINISHED_JOURNEY:
        return page is not None and page.pk in facts.finished_journeys[user_id]
    if rule == EntryRule.COMPLETED_PROGRAM:
        return page is not None and page.pk in facts.completed_programs[user_id]
    if rule == EntryRule.TAKING_PART:
        return page is not None and page.pk in facts.approved_in[user_id]
    if rule == EntryRule.SPONSORSHIP_NOMINATION:
        return user_id in facts.nominated
    return False


def evaluate(stages: list[Stage], facts: Facts, user_id) -> list[str]:
    """Each stage's state for one person: done stages, the stage they are at
    (``current``, or ``waiting`` when its entry rule holds them back), later.

    A stage is done once it is open and its page is finished (a program
    completed, a journey finished; a space or article has nothing to finish).
    """
    states = []
    previous_done = True
    placed = False
    for stage in stages:
        opened = rule_met(stage, facts, user_id, previous_done)
        done = opened and stage_done(stage, facts, user_id)
        if placed:
            states.append(LATER)
        elif done:
            states.append(DONE)
        else:
            states.append(CURRENT if opened else WAITING)
            placed = True
        previous_done = done
    return states


@dataclass
class Position:
    stages: list
    states: list
    current: Stage | None
    next: Stage | None
    finished: bool

    def rows(self):
        return [
            (stage, state, STATE_LABELS[state])
            for stage, state in zip(self.stages, self.states, strict=True)
        ]


def track_position(track, user) -> Position:
    stages = stages_of(track)
    facts = load_facts(stages, [user.pk])
    states = evaluate(stages, facts, user.pk)
    current = next(
        (s for s, state in zip(stages, states, strict=True) if state != DONE), None
    )
    upcoming = None
    if current is not None and current.index + 1 < len(stages):
        upcoming = stages[current.index + 1]
    return Position(
        stages=stages,
        states=states,
        current=current,
        next=upcoming,
        finished=bool(stages) and current is None,
    )


def participants(stages: list[Stage], facts: Facts) -> set:
    """People on the track: anyone with a fact about one of its pages."""
    people = set(facts.finished_journeys) | set(facts.completed_programs)
    people |= set(facts.approved_in)
    journeys = _ids(stages, LearningJourneyPage)
    if journeys:
        people |= set(
            RelationshipMember.objects.filter(
                role__in=DEVELOPING_ROLES,
                relationship__journey_progress__journey_id__in=journeys,
            ).values_list("user_id", flat=True)
        )
    people.discard(None)
    # Inactive people are invisible to reports.
    return set(
        get_user_model()
        .objects.filter(pk__in=people, is_active=True)
        .values_list("pk", flat=True)
    )


def track_report(track, user_ids=None) -> dict:
    """How many people are at each stage, waiting at its gate, or finished."""
    stages = stages_of(track)
    facts = load_facts(stages, user_ids)
    people = participants(stages, facts)
    if user_ids is not None:
        people &= set(user_ids)
    at = [0] * len(stages)
    waiting = [0] * len(stages)
    finished = 0
    for user_id in people:
        states = evaluate(stages, facts, user_id)
        for index, state in enumerate(states):
            if state == CURRENT:
                at[index] += 1
            elif state == WAITING:
                waiting[index] += 1
        if states and all(state == DONE for state in states):
            finished += 1
    return {
        "stages": [
            {"stage": stage, "at": at[i], "waiting": waiting[i]}
            for i, stage in enumerate(stages)
        ],
        "people": len(people),
        "finished": finished,
    }
