"""Periodic people-data upkeep (see ``wagtail_mentoring.tasks.beat_schedule``)."""

from __future__ import annotations

from celery import shared_task

from wagtail_mentoring.people.hris import services


@shared_task(ignore_result=True)
def run_scheduled_hris_imports() -> dict:
    """Nightly: the saved imports listed in ``HRIS_SCHEDULED_IMPORTS``."""

    return services.run_scheduled_imports()
