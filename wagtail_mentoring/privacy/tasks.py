"""Periodic privacy upkeep (see ``wagtail_mentoring.tasks.beat_schedule``)."""

from __future__ import annotations

from celery import shared_task

from wagtail_mentoring.engagement import leaving
from wagtail_mentoring.privacy import retention


@shared_task(ignore_result=True)
def apply_retention() -> dict:
    """Daily: delete what ended relationships kept past its retention period."""

    return retention.apply_retention()


@shared_task(ignore_result=True)
def end_participation_of_leavers() -> int:
    """Daily: end what is still open for accounts deactivated without a save()
    (bulk updates of an SSO or SCIM sync)."""

    return leaving.end_participation_of_leavers()
