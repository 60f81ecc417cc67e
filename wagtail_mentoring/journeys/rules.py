"""The rules of a journey step: who may act on it, and what "done" requires.

Shared by the services (which enforce them) and the step page (which explains
what is still missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from wagtail_mentoring.blocks.journey import Audience, CompletionRule
from wagtail_mentoring.engagement.models import Goal
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys import progress
from wagtail_mentoring.journeys.models import (
    JourneyStep,
    LearningJourneyPage,
    QuizAttempt,
    ReflectionAnswer,
    StepProgress,
)
from wagtail_mentoring.programs.models import Relationship, RelationshipMember


@dataclass
class StepContext:
    relationship: Relationship
    member: RelationshipMember
    journey: LearningJourneyPage
    step: JourneyStep


def begin(relationship, user, journey, step_id: str) -> StepContext:
    """Lock the pair and check the member may act on this step now."""
    relationship = (
        Relationship.objects.select_for_update()
        .select_related("program")
        .get(pk=relationship.pk)
    )
    member = relationship.members.filter(user=user).first()
    if member is None:
        raise MentoringError(
            _("Only members of this relationship can do that."), code="not_member"
        )
    if progress.journey_id_for_role(relationship.program, member.role) != journey.pk:
        raise MentoringError(
            _("Your program does not use this journey."), code="not_following"
        )
    if not relationship.is_open:
        raise MentoringError(
            _("This relationship has ended; its journey can no longer change."),
            code="closed",
        )
    step = journey.get_step(step_id)
    if step is None:
        raise MentoringError(
            _("This step is no longer part of the journey."), code="unknown_step"
        )
    if not progress.step_applies(step, member):
        raise MentoringError(
            _("This step is for the other member (%(audience)s).")
            % {"audience": Audience(step.value.get("audience")).label},
            code="not_for_you",
        )
    return StepContext(relationship, member, journey, step)


def member_row(ctx: StepContext, now) -> StepProgress:
    row, created = StepProgress.objects.get_or_create(
        relationship=ctx.relationship,
        user=ctx.member.user,
        step_id=ctx.step.id,
        defaults={
            "journey": ctx.journey,
            "step_title": ctx.step.title,
            "started_at": now,
        },
    )
    if not created and row.step_title != ctx.step.title:
        row.step_title = ctx.step.title
    return row


def find_block(ctx: StepContext, block_type: str, block_id: str):
    for found_id, value in ctx.step.value.children(block_type):
        if found_id == block_id:
            return value
    raise MentoringError(
        _("This part of the step no longer exists; reload the page."),
        code="unknown_block",
    )


@dataclass
class StepWork:
    """What a member did on a step's blocks, when a page has read it already:
    the reflections they answered, the quizzes they passed, whether they set
    the step's goal."""

    answered: set[str]
    passed: set[str]
    has_goal: bool


def missing_requirements(
    relationship,
    member,
    journey,
    step: JourneyStep,
    row: StepProgress | None,
    work: StepWork | None = None,
) -> list[str]:
    """What a member still has to do before the step can be completed."""
    return missing(StepContext(relationship, member, journey, step), row, work)


def missing(
    ctx: StepContext, row: StepProgress | None, work: StepWork | None = None
) -> list[str]:
    """As :func:`missing_requirements`; ``work`` spares reading the member's
    answers, attempts and goal again."""
    step, member = ctx.step.value, ctx.member
    audience = progress.audience_of(member.role)
    missing = []
    checked = set(row.checked_items if row else [])
    if step.get("completion") in (CompletionRule.CHECK, CompletionRule.ANSWER):
        for _id, checklist in step.children("checklist"):
            if not set(checklist.item_ids) <= checked:
                missing.append(_("Tick every item of the checklist."))
                break
    if step.get("completion") != CompletionRule.ANSWER:
        return missing
    reflection_ids = [
        block_id
        for block_id, value in step.children("reflection")
        if value.is_for(audience)
    ]
    quiz_ids = [block_id for block_id, _v in step.children("quiz")]
    work = work or _work(ctx, reflection_ids, quiz_ids)
    if set(reflection_ids) - work.answered:
        missing.append(_("Answer the reflection questions."))
    if set(quiz_ids) - work.passed:
        missing.append(_("Pass the quiz."))
    if step.children("goal") and not work.has_goal:
        missing.append(_("Set your goal."))
    return missing


def _work(ctx: StepContext, reflection_ids, quiz_ids) -> StepWork:
    member = ctx.member
    return StepWork(
        answered=set(
            ReflectionAnswer.objects.filter(
                relationship=ctx.relationship,
                user=member.user,
                block_id__in=reflection_ids,
            ).values_list("block_id", flat=True)
        ),
        passed=set(
            QuizAttempt.objects.filter(
                relationship=ctx.relationship,
                user=member.user,
                block_id__in=quiz_ids,
                passed=True,
            ).values_list("block_id", flat=True)
        ),
        has_goal=bool(ctx.step.value.children("goal"))
        and Goal.objects.filter(
            relationship=ctx.relationship,
            owner=member.user,
            source_step_id=ctx.step.id,
        ).exists(),
    )
