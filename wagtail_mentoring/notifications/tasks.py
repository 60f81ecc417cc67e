"""Periodic work of notifications (Celery ``shared_task``s)."""

from __future__ import annotations

from celery import shared_task

from wagtail_mentoring.notifications import services


@shared_task(ignore_result=True)
def retry_failed_notifications() -> int:
    """Periodic: resend failed notifications whose backoff has passed."""
    return services.retry_due()


@shared_task(ignore_result=True)
def send_notification_digests() -> int:
    """Periodic (hourly): daily and weekly digests whose hour has come."""
    return services.send_digests()
