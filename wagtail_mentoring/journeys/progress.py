"""Who follows which journey, and what a step's status is for a member or a pair.

Pure functions over rows already loaded, shared by the page views, the
services, the dashboard include and the admin report so that "done" means the
same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from wagtail_mentoring.blocks.journey import Audience
from wagtail_mentoring.journeys.models import JourneyStep, StepProgress, StepStatus
from wagtail_mentoring.programs.models import GIVING_ROLES, ProgramPage


def audience_of(role: str) -> str:
    """The step audience a relationship role belongs to."""
    return Audience.MENTOR if role in GIVING_ROLES else Audience.MENTEE


def journey_id_for_role(program: ProgramPage, role: str) -> int | None:
    """The journey a member in ``role`` follows in ``program`` (no query)."""
    if role in GIVING_ROLES:
        return program.mentor_journey_id or program.journey_id
    return program.mentee_journey_id or program.journey_id


def followers(program: ProgramPage, members: Iterable) -> dict[int, list]:
    """``{journey id: [members following it]}`` for a relationship's members."""
    result: dict[int, list] = {}
    for member in members:
        journey_id = journey_id_for_role(program, member.role)
        if journey_id:
            result.setdefault(journey_id, []).append(member)
    return result


def step_applies(step: JourneyStep, member) -> bool:
    return step.value.is_for(audience_of(member.role))


@dataclass
class StepState:
    """A step's status for one pair, with each member's own status."""

    step: JourneyStep
    members: list  # RelationshipMember rows that follow the journey
    member_status: dict = field(default_factory=dict)  # user_id -> StepStatus
    pair_row: StepProgress | None = None
    member_rows: dict = field(default_factory=dict)  # user_id -> StepProgress

    @property
    def applies_to(self) -> list:
        return [m for m in self.members if step_applies(self.step, m)]

    @property
    def counts(self) -> bool:
        """Whether anyone in the pair has to do this step."""
        return bool(self.applies_to)

    @property
    def status(self) -> str:
        if self.step.value.is_pair_step:
            if self.pair_row is None:
                started = any(self.member_rows.values())
                return StepStatus.STARTED if started else StepStatus.NOT_STARTED
            return self.pair_row.status
        statuses = [
            self.member_status.get(m.user_id, StepStatus.NOT_STARTED)
            for m in self.applies_to
        ]
        if statuses and all(s == StepStatus.COMPLETED for s in statuses):
            return StepStatus.COMPLETED
        if any(s != StepStatus.NOT_STARTED for s in statuses):
            return StepStatus.STARTED
        return StepStatus.NOT_STARTED

    @property
    def is_completed(self) -> bool:
        return self.status == StepStatus.COMPLETED

    def status_for(self, user_id) -> str:
        if self.step.value.is_pair_step:
            return self.status
        return self.member_status.get(user_id, StepStatus.NOT_STARTED)

    @property
    def started_at(self):
        times = [r.started_at for r in self.member_rows.values()]
        if self.pair_row:
            times.append(self.pair_row.started_at)
        return min(times) if times else None


def step_states(
    steps: list[JourneyStep], members: list, rows: Iterable[StepProgress]
) -> list[StepState]:
    """The pair's state on each step, from its ``StepProgress`` rows."""
    by_step: dict[str, list[StepProgress]] = {}
    for row in rows:
        by_step.setdefault(row.step_id, []).append(row)
    states = []
    for step in steps:
        state = StepState(step=step, members=members)
        for row in by_step.get(step.id, []):
            if row.user_id is None:
                state.pair_row = row
            else:
                state.member_rows[row.user_id] = row
                state.member_status[row.user_id] = row.status
        states.append(state)
    return states


def current_state(states: list[StepState]) -> StepState | None:
    """The first step someone in the pair still has to do."""
    return next((s for s in states if s.counts and not s.is_completed), None)


def upcoming_prompts(states: list[StepState]) -> tuple[StepState | None, list[str]]:
    """The step whose conversation prompts the pair should discuss next.

    That is the first unfinished step that has prompts: a pair reading step 2
    of a journey whose step 3 is a conversation gets step 3's questions for
    the meeting they are about to plan.
    """
    for state in states:
        if state.counts and not state.is_completed and state.step.value.prompts:
            return state, state.step.value.prompts
    return None, []


def summary(states: list[StepState]) -> tuple[int, int, StepState | None]:
    """``(steps done, steps that count, current step)`` for a pair."""
    counted = [s for s in states if s.counts]
    done = sum(1 for s in counted if s.is_completed)
    return done, len(counted), current_state(states)


@dataclass
class MemberPart:
    """One member's share of a journey: the steps they have to do themselves.

    A "both members" step counts for the pair only when everyone has finished
    it, so a member who did their part sees it here, with whom the pair waits
    for, instead of a pair count that has not moved.
    """

    done: int
    total: int
    current: StepState | None  # the first step this member still has to do
    waiting: StepState | None = None  # the first step waiting on someone else
    waiting_for: list = field(default_factory=list)  # members who have to act

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def member_part(states: list[StepState], member) -> MemberPart:
    """``member``'s own progress through ``states`` and whom the pair waits for."""
    mine = [s for s in states if step_applies(s.step, member)]
    finished = [s for s in mine if s.status_for(member.user_id) == StepStatus.COMPLETED]
    current = next(
        (s for s in mine if s.status_for(member.user_id) != StepStatus.COMPLETED),
        None,
    )
    part = MemberPart(done=len(finished), total=len(mine), current=current)
    for state in states:
        if not state.counts or state.is_completed or state.step.value.is_pair_step:
            continue
        if (
            step_applies(state.step, member)
            and state.status_for(member.user_id) != StepStatus.COMPLETED
        ):
            continue  # their own next step, not a wait
        others = [
            m
            for m in state.applies_to
            if m.user_id != member.user_id
            and state.status_for(m.user_id) != StepStatus.COMPLETED
        ]
        if others:
            part.waiting, part.waiting_for = state, others
            break
    return part


def member_parts(states: list[StepState], members: Iterable) -> dict[str, dict]:
    """Each member's part as JSON for the stored summary (``JourneyProgress``)."""
    parts = {}
    for member in members:
        part = member_part(states, member)
        parts[str(member.user_id)] = {
            "done": part.done,
            "total": part.total,
            "current_step_title": part.current.step.title if part.current else "",
            "waiting_step_title": part.waiting.step.title if part.waiting else "",
            "waiting_for": [str(m.user_id) for m in part.waiting_for],
        }
    return parts
