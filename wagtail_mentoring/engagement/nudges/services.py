"""Nudging a pair: the one action behind the periodic nudge and the admins'
*Nudge both* button."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.engagement.agenda import conversation_prompts
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.permissions import require, require_program_admin
from wagtail_mentoring.programs.models import Relationship, RelationshipStatus

#: How many conversation prompts a nudge suggests.
PROMPTS_IN_NUDGE = 3


def nudge_pair(
    relationship: Relationship,
    *,
    by=None,
    occurrence: str | None = None,
    quiet_days: int | None = None,
    now=None,
    prompts: list[str] | None = None,
) -> int:
    """Remind every member of an active pair to meet, with a one-click link to
    schedule the next meeting and their next conversation prompts.

    ``by`` is the program admin who asked (``None`` for the periodic job);
    ``occurrence`` names this nudge, so it goes out once (an admin's nudges are
    once a day per pair). ``prompts``: the pair's conversation prompts when
    the caller looked them up for many pairs at once. Returns how many emails
    went out.
    """
    now = now or timezone.now()
    if by is not None:
        require_program_admin(by, relationship.program)
    require(
        relationship.status == RelationshipStatus.ACTIVE,
        _("Only an active pair can be nudged."),
        code="not_active",
    )
    if occurrence is None:
        occurrence = f"admin:{timezone.localdate(now).isoformat()}"
    members = [m.user for m in relationship.members.all() if m.user_id]
    context = {
        "relationship": relationship,
        "program": relationship.program,
        "quiet_days": quiet_days,
        "from_admin": by is not None,
        "prompts": (conversation_prompts(relationship) if prompts is None else prompts)[
            :PROMPTS_IN_NUDGE
        ],
        "schedule_url": reverse(
            "wagtail_mentoring:meeting_new", args=[relationship.pk]
        ),
        "relationship_url": reverse(
            "wagtail_mentoring:relationship", args=[relationship.pk]
        ),
    }
    sent = 0
    for user in members:
        partners = [u for u in members if u.pk != user.pk]
        delivery = notify(
            user,
            "pair_nudge",
            relationship.pk,
            occurrence,
            category=Category.REMINDERS,
            template="pair_nudge",
            context={**context, "partners": partners},
            link=context["schedule_url"],
        )
        sent += delivery is not None
    if by is not None and sent:
        audit.record(relationship, "wagtail_mentoring.relationship.nudge", user=by)
    return sent
