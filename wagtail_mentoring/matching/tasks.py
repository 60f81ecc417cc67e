"""Background work of matching: runs and the emails after publishing."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring.matching.models import MatchProposal, ProposalStatus
from wagtail_mentoring.matching.runs import execute_run, fail_unclaimed_runs
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import ProgramKind, Role


@shared_task(ignore_result=True)
def run_matching(run_id: int) -> str | None:
    """Execute a queued matching run; a second delivery finds it taken or done
    and changes nothing (proposals are never stored twice)."""

    run = execute_run(run_id)
    return run.status if run else None


@shared_task(ignore_result=True)
def fail_unclaimed_matching_runs() -> int:
    """Periodic: queued runs that no worker started in time are marked failed."""
    return fail_unclaimed_runs()


@shared_task(ignore_result=True)
def send_match_emails(proposal_ids: list[int]) -> int:
    """Tell both people of each published pair who their partner is.

    Idempotent under retry: each side is emailed once (its timestamp is set in
    the same transaction that sends), inactive people are skipped.
    """

    sent = 0
    for pk in proposal_ids:
        with transaction.atomic():
            proposal = (
                MatchProposal.objects.select_for_update(of=("self",))
                .select_related("mentee__user", "mentor__user", "program")
                .filter(pk=pk, status=ProposalStatus.PUBLISHED)
                .first()
            )
            if proposal is None:
                continue
            sides = (
                ("mentee_emailed_at", proposal.mentee, proposal.mentor),
                ("mentor_emailed_at", proposal.mentor, proposal.mentee),
            )
            for stamp, recipient, partner in sides:
                # Nobody to tell: left, or erased (a former participant).
                if getattr(proposal, stamp) or not getattr(
                    recipient.user, "is_active", False
                ):
                    continue
                if notify(
                    recipient.user,
                    "match",
                    proposal.pk,
                    "published",
                    category=Category.ACTIVITY,
                    template="match_published",
                    context={
                        "program": proposal.program,
                        "partner_name": display_name(partner.user),
                        # a peer's partner is a member too: "your peer partner"
                        "partner_role": _("peer partner")
                        if partner.role == Role.MEMBER
                        else partner.get_role_display().lower(),
                        "partner_role_code": partner.role,
                        "circle": proposal.program.kind == ProgramKind.GROUP,
                        "message": proposal.publish_message,
                    },
                ):
                    sent += 1
                setattr(proposal, stamp, timezone.now())
            proposal.save(update_fields=["mentee_emailed_at", "mentor_emailed_at"])
    return sent
