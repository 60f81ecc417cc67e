"""Periodic work of sponsorship (Celery ``shared_task``s)."""

from __future__ import annotations

from celery import shared_task

from wagtail_mentoring.sponsorship.reminders import remind_idle_sponsors


@shared_task(ignore_result=True)
def nudge_idle_sponsors() -> int:
    """Periodic: sponsors with no advocacy logged this quarter."""
    return remind_idle_sponsors()
