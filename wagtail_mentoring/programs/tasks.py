"""Background jobs of the programs domain (Celery ``shared_task``s)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring.notifications.kinds import PROGRAM_ANNOUNCEMENT
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.notifications.sharing import share
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus, ProgramPage


@shared_task(ignore_result=True)
def send_decision_emails(enrollment_ids: list[int]) -> int:
    """Tell applicants their application was approved or declined.

    Idempotent under retry: it only sends for decisions it has not sent yet.
    """

    sent = 0
    for pk in enrollment_ids:
        with transaction.atomic():
            enrollment = (
                Enrollment.objects.select_for_update(of=("self",))
                .select_related("user", "program")
                .filter(
                    pk=pk,
                    status__in=[EnrollmentStatus.APPROVED, EnrollmentStatus.DECLINED],
                    decision_emailed_at__isnull=True,
                )
                .first()
            )
            # Nobody to tell: left, or erased (a former participant).
            if enrollment is None or not getattr(enrollment.user, "is_active", False):
                continue
            if notify(
                enrollment.user,
                "decision",
                enrollment.pk,
                enrollment.status,
                category=Category.ACTIVITY,
                template="application_decided",
                context={"enrollment": enrollment, "program": enrollment.program},
                link=enrollment.program.url or "",
            ):
                sent += 1
            enrollment.decision_emailed_at = timezone.now()
            enrollment.save(update_fields=["decision_emailed_at"])
    return sent


@shared_task(ignore_result=True)
def announce_program(program_id: int) -> int:
    """Post a newly opened program to the chat channels that carry
    announcements (once: the delivery key names the program)."""
    program = ProgramPage.objects.live().filter(pk=program_id).first()
    if program is None:
        return 0
    return share(
        PROGRAM_ANNOUNCEMENT.name,
        program.pk,
        "opened",
        program_id=program.pk,
        title=_("New program: %(title)s") % {"title": program.title},
        text=program.search_description
        or _("Applications and details are on its page."),
        link=program.full_url or "",
    )
