"""Business actions of a pair on its learning journey.

Each function is one transaction that validates, writes and logs, or raises
:class:`MentoringError` and writes nothing. The pair's row is locked first, so
two members acting at once (or a member and a held meeting) are serialised.
Callers (page views, API, tasks) check who may call them; these functions check
what the business allows (membership, open relationship, the step's rules).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.blocks.journey import CompletionRule
from wagtail_mentoring.engagement.models import Goal, Meeting, MeetingStatus
from wagtail_mentoring.engagement.services import create_goal
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys import progress, rules
from wagtail_mentoring.journeys.interchange.cartridge import export_cartridge
from wagtail_mentoring.journeys.interchange.importer import build_journey
from wagtail_mentoring.journeys.interchange.reader import open_package
from wagtail_mentoring.journeys.models import (
    JourneyProgress,
    LearningJourneyPage,
    QuizAttempt,
    ReflectionAnswer,
    StepProgress,
    StepStatus,
)
from wagtail_mentoring.permissions import require
from wagtail_mentoring.programs.models import Relationship

MAX_REFLECTION_LENGTH = 10_000


def _complete(ctx: rules.StepContext, row: StepProgress, by, now) -> None:
    row.status = StepStatus.COMPLETED
    row.completed_at = now
    row.save()
    audit.record(
        row,
        "wagtail_mentoring.journey.step_complete",
        user=by,
        step_id=ctx.step.id,
        relationship=ctx.relationship.pk,
    )


def _after_change(ctx: rules.StepContext, row: StepProgress, by, now) -> StepProgress:
    """Save the member's row, complete "answer" steps that are now answered."""
    if (
        row.status != StepStatus.COMPLETED
        and ctx.step.value.get("completion") == CompletionRule.ANSWER
        and not rules.missing(ctx, row)
    ):
        _complete(ctx, row, by, now)
    else:
        row.save()
    refresh_journey_progress(ctx.relationship, ctx.journey, activity_at=now)
    return row


def open_step(relationship, user, journey, step_id: str) -> StepProgress | None:
    """A member opens a step: it counts as started (and done, for "when opened").

    Returns ``None`` and records nothing when the member cannot act on the step
    (the page still shows it to them read-only).
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            ctx = rules.begin(relationship, user, journey, step_id)
            existing = StepProgress.objects.filter(
                relationship=ctx.relationship, user=user, step_id=step_id
            ).first()
            if existing is not None and (
                existing.is_completed
                or ctx.step.value.get("completion") != CompletionRule.VIEW
            ):
                return existing
            row = rules.member_row(ctx, now)
            if ctx.step.value.get("completion") == CompletionRule.VIEW:
                _complete(ctx, row, user, now)
            else:
                row.save()
            refresh_journey_progress(ctx.relationship, journey, activity_at=now)
            return row
    except MentoringError:
        return None


def complete_step(relationship, user, journey, step_id: str) -> StepProgress:
    """A member ticks a step off; refused until the step's rule is met."""
    now = timezone.now()
    with transaction.atomic():
        ctx = rules.begin(relationship, user, journey, step_id)
        if ctx.step.value.is_pair_step:
            return _complete_pair_step(ctx, by=user, meeting=None, now=now)
        row = rules.member_row(ctx, now)
        if row.is_completed:
            raise MentoringError(_("You already completed this step."), code="done")
        missing = rules.missing(ctx, row)
        if missing:
            raise MentoringError(" ".join(missing), code="incomplete")
        _complete(ctx, row, user, now)
        refresh_journey_progress(ctx.relationship, journey, activity_at=now)
    return row


def _complete_pair_step(ctx: rules.StepContext, *, by, meeting, now) -> StepProgress:
    if StepProgress.objects.filter(
        relationship=ctx.relationship,
        user=None,
        step_id=ctx.step.id,
        status=StepStatus.COMPLETED,
    ).exists():
        raise MentoringError(_("You already completed this step."), code="done")
    if meeting is None:
        used = StepProgress.objects.filter(meeting=OuterRef("pk"))
        meeting = (
            Meeting.objects.filter(
                relationship=ctx.relationship, status=MeetingStatus.HELD
            )
            .exclude(Exists(used))
            .order_by("-starts_at")
            .first()
        )
        if meeting is None:
            raise MentoringError(
                _(
                    "This step is done once you have met: mark your meeting as "
                    "held first."
                ),
                code="no_meeting",
            )
    first_opened = (
        StepProgress.objects.filter(relationship=ctx.relationship, step_id=ctx.step.id)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    row, _created = StepProgress.objects.get_or_create(
        relationship=ctx.relationship,
        user=None,
        step_id=ctx.step.id,
        defaults={
            "journey": ctx.journey,
            "step_title": ctx.step.title,
            "started_at": first_opened or now,
        },
    )
    row.meeting = meeting
    row.step_title = ctx.step.title
    _complete(ctx, row, by, now)
    refresh_journey_progress(ctx.relationship, ctx.journey, activity_at=now)
    return row


def tick_checklist(
    relationship, user, journey, step_id: str, block_id: str, checked: list[str]
) -> StepProgress:
    """Save which items of a checklist block the member has ticked."""
    now = timezone.now()
    with transaction.atomic():
        ctx = rules.begin(relationship, user, journey, step_id)
        checklist = rules.find_block(ctx, "checklist", block_id)
        items = set(checklist.item_ids)
        unknown = set(checked) - items
        if unknown:
            raise MentoringError(
                _("The checklist has changed; reload the page."), code="unknown_item"
            )
        row = rules.member_row(ctx, now)
        kept = [i for i in row.checked_items if i not in items]
        row.checked_items = kept + [i for i in checklist.item_ids if i in checked]
        return _after_change(ctx, row, user, now)


def save_reflection(
    relationship, user, journey, step_id: str, block_id: str, text: str
) -> ReflectionAnswer:
    """A member writes (or rewrites) their answer to a reflection question."""
    text = (text or "").strip()
    if not text:
        raise MentoringError(_("Please write your answer."), code="blank")
    if len(text) > MAX_REFLECTION_LENGTH:
        raise MentoringError(
            _("Please keep your answer under %(n)d characters.")
            % {"n": MAX_REFLECTION_LENGTH},
            code="too_long",
        )
    now = timezone.now()
    with transaction.atomic():
        ctx = rules.begin(relationship, user, journey, step_id)
        reflection = rules.find_block(ctx, "reflection", block_id)
        if not reflection.is_for(progress.audience_of(ctx.member.role)):
            raise MentoringError(
                _("This question is for the other member."), code="not_for_you"
            )
        answer, _created = ReflectionAnswer.objects.update_or_create(
            relationship=ctx.relationship,
            user=user,
            block_id=block_id,
            defaults={
                "journey": journey,
                "step_id": ctx.step.id,
                "question": reflection["question"][:255],
                "text": text,
                "shared_with_pair": bool(reflection.get("shared_with_pair")),
            },
        )
        audit.record(
            answer, "wagtail_mentoring.journey.reflection", user=user, step_id=step_id
        )
        _after_change(ctx, rules.member_row(ctx, now), user, now)
    return answer


def submit_quiz(
    relationship,
    user,
    journey,
    step_id: str,
    block_id: str,
    answers: dict[str, list[str]],
) -> QuizAttempt:
    """Grade a member's answers to a quiz block; they may try until they pass."""
    now = timezone.now()
    with transaction.atomic():
        ctx = rules.begin(relationship, user, journey, step_id)
        quiz = rules.find_block(ctx, "quiz", block_id)
        clean: dict[str, list[str]] = {}
        for question_id, question in quiz.question_items:
            chosen = [c for c in answers.get(question_id, []) if c]
            valid = {cid for cid, _c in question.choice_items}
            if not chosen:
                raise MentoringError(
                    _("Please answer every question."), code="unanswered"
                )
            if set(chosen) - valid or (len(chosen) > 1 and not question["multiple"]):
                raise MentoringError(
                    _("The quiz has changed; reload the page."), code="unknown_choice"
                )
            clean[question_id] = chosen
        score, _results = quiz.grade(clean)
        attempt = QuizAttempt.objects.filter(
            relationship=ctx.relationship, user=user, block_id=block_id
        ).first()
        if attempt is None:
            attempt = QuizAttempt(
                relationship=ctx.relationship,
                user=user,
                block_id=block_id,
                tries=0,
            )
        if attempt.passed:
            raise MentoringError(_("You already passed this quiz."), code="passed")
        attempt.journey = journey
        attempt.step_id = ctx.step.id
        attempt.answers = clean
        attempt.score = score
        attempt.passed = quiz.passes(score)
        attempt.tries += 1
        attempt.save()
        audit.record(
            attempt,
            "wagtail_mentoring.journey.quiz",
            user=user,
            score=score,
            passed=attempt.passed,
        )
        _after_change(ctx, rules.member_row(ctx, now), user, now)
    return attempt


def set_step_goal(
    relationship,
    user,
    journey,
    step_id: str,
    block_id: str,
    *,
    title: str,
    target_date,
    measure: str = "",
    why: str = "",
) -> Goal:
    """A member sets the SMART goal a goal-setting block asks for."""

    now = timezone.now()
    with transaction.atomic():
        ctx = rules.begin(relationship, user, journey, step_id)
        rules.find_block(ctx, "goal", block_id)
        if Goal.objects.filter(
            relationship=ctx.relationship, owner=user, source_step_id=ctx.step.id
        ).exists():
            raise MentoringError(
                _("You already set a goal in this step; update it in your goals."),
                code="duplicate_goal",
            )
        goal = create_goal(
            ctx.relationship,
            user,
            title=title,
            target_date=target_date,
            measure=measure,
            why=why,
            source_step_id=ctx.step.id,
        )
        _after_change(ctx, rules.member_row(ctx, now), user, now)
    return goal


def record_meeting_held(meeting: Meeting) -> list[StepProgress]:
    """A held meeting completes the pair's next "when the pair has met" step.

    Called when a meeting is saved as held. Each meeting completes at most one
    step per journey, once: saving it again changes nothing. The step is the
    pair's current step, a meeting step someone has already opened, or the step
    whose conversation prompts were put on the agenda.
    """
    if meeting.status != MeetingStatus.HELD:
        return []
    now = timezone.now()
    completed = []
    with transaction.atomic():
        relationship = (
            Relationship.objects.select_for_update()
            .select_related("program")
            .get(pk=meeting.relationship_id)
        )
        if not relationship.is_open:
            return []
        if StepProgress.objects.filter(meeting=meeting).exists():
            return []
        members = list(relationship.members.select_related("user"))
        for journey_id, following in progress.followers(
            relationship.program, members
        ).items():
            journey = LearningJourneyPage.objects.live().filter(pk=journey_id).first()
            if journey is None:
                continue
            rows = StepProgress.objects.filter(
                relationship=relationship, journey=journey
            )
            states = progress.step_states(journey.journey_steps, following, rows)
            # The step the pair is at, one they opened, or the one whose prompts
            # were on this meeting's agenda.
            expected = [
                progress.current_state(states),
                progress.upcoming_prompts(states)[0],
            ]
            for state in states:
                if (
                    state.step.value.is_pair_step
                    and state.counts
                    and not state.is_completed
                    and (any(state is e for e in expected) or state.started_at)
                ):
                    ctx = rules.StepContext(
                        relationship, following[0], journey, state.step
                    )
                    completed.append(
                        _complete_pair_step(ctx, by=None, meeting=meeting, now=now)
                    )
                    break
    return completed


def refresh_journey_progress(
    relationship: Relationship, journey: LearningJourneyPage, *, activity_at=None
) -> JourneyProgress | None:
    """Recompute the pair's summary row for ``journey`` (steps done, current)."""
    members = [
        m
        for m in relationship.members.all()
        if progress.journey_id_for_role(relationship.program, m.role) == journey.pk
    ]
    if not members:
        return None
    rows = StepProgress.objects.filter(relationship=relationship, journey=journey)
    states = progress.step_states(journey.journey_steps, members, rows)
    done, total, current = progress.summary(states)
    defaults = {
        "steps_done": done,
        "steps_total": total,
        "current_step_id": current.step.id if current else "",
        "current_step_title": current.step.title if current else "",
        "members": progress.member_parts(states, members),
    }
    summary = JourneyProgress.objects.filter(
        relationship=relationship, journey=journey
    ).first()
    if summary is None:
        if activity_at is None:
            return None  # never started: nothing to summarise yet
        summary = JourneyProgress(relationship=relationship, journey=journey)
    for key, value in defaults.items():
        setattr(summary, key, value)
    if activity_at is not None:
        summary.last_activity_at = activity_at
    if current is None and total:
        summary.completed_at = summary.completed_at or activity_at or timezone.now()
    else:
        summary.completed_at = None
    summary.save()
    return summary


def import_journey(parent, upload, by):
    """Create a draft journey under ``parent`` from a SCORM or Common Cartridge.

    ``upload`` is a file object: a zip package or a bare ``imsmanifest.xml``.
    Hostile or broken packages are refused with a message and nothing is
    created (no page, no documents, no files). Returns ``(page, summary)``.
    """

    if not LearningJourneyPage.can_create_at(parent):
        raise MentoringError(
            _("A learning journey cannot be created under %(title)s.")
            % {"title": parent.title},
            code="bad_parent",
        )
    require(
        parent.permissions_for_user(by).can_add_subpage(),
        _("You cannot add pages under %(title)s.") % {"title": parent.title},
    )
    package = open_package(upload)
    with transaction.atomic():
        page, summary = build_journey(package, parent.specific, by)
        audit.record(
            page,
            "wagtail_mentoring.journey.import",
            user=by,
            source=summary.kind,
            steps=summary.steps,
        )
    return page, summary


def export_journey(journey: LearningJourneyPage, by) -> bytes:
    """The journey as an IMS Common Cartridge 1.3 zip (for its editors)."""
    permissions = journey.permissions_for_user(by)
    require(
        permissions.can_edit() or permissions.can_publish(),
        _("Only editors of this journey can export it."),
    )

    return export_cartridge(journey)
