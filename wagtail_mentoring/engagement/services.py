"""Business actions of a relationship's space (first cut, extended by issue 5)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.engagement.models import Goal, GoalCheckIn, GoalStatus
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import Relationship


def _check_member(relationship: Relationship, user) -> None:
    if not relationship.members.filter(user=user).exists():
        raise MentoringError(
            _("Only members of this relationship can do that."), code="not_member"
        )


def create_goal(
    relationship: Relationship,
    owner,
    *,
    title: str,
    target_date,
    measure: str = "",
    why: str = "",
    source_step_id: str = "",
) -> Goal:
    """A member sets a SMART goal; it must be in the future and the pair open."""
    _check_member(relationship, owner)
    if not title.strip():
        raise MentoringError(_("Please name the goal."), code="title")
    if target_date < timezone.localdate():
        raise MentoringError(_("The target date must not be in the past."), code="date")
    with transaction.atomic():
        # Read the status under a lock: the caller's copy may be stale.
        relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
        if not relationship.is_open:
            raise MentoringError(
                _("Goals can only be added while the relationship is open."),
                code="closed",
            )
        goal = Goal.objects.create(
            relationship=relationship,
            owner=owner,
            title=title.strip(),
            target_date=target_date,
            measure=measure,
            why=why,
            source_step_id=source_step_id,
        )
        audit.record(goal, "wagtail_mentoring.goal.create", user=owner)
    return goal


def check_in_goal(goal: Goal, by, *, progress: int, note: str = "") -> GoalCheckIn:
    """A member reports progress (0–100); 100 marks the goal achieved."""
    _check_member(goal.relationship, by)
    if not 0 <= progress <= 100:
        raise MentoringError(_("Progress is a percentage from 0 to 100."), code="range")
    with transaction.atomic():
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        check_in = GoalCheckIn.objects.create(
            goal=goal, author=by, progress=progress, note=note
        )
        goal.progress = progress
        if progress == 100:
            goal.status = GoalStatus.ACHIEVED
        goal.save(update_fields=["progress", "status", "updated_at"])
        audit.record(
            goal, "wagtail_mentoring.goal.check_in", user=by, progress=progress
        )
    return check_in
