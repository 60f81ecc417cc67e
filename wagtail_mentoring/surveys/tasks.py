"""Background work of surveys."""

from __future__ import annotations

from celery import shared_task

from wagtail_mentoring.surveys import services


@shared_task(ignore_result=True)
def send_surveys() -> int:
    """Periodic: invite whoever reached a survey's moment."""
    return services.send_due_surveys()


@shared_task(ignore_result=True)
def send_survey_reminders() -> int:
    """Periodic: remind who has not answered an open survey."""
    return services.remind_surveys()
