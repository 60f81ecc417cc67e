"""Background work of the LTI tool (enqueued through ``wagtail_mentoring.dispatch``)."""

from __future__ import annotations

import requests
from celery import shared_task
from celery.schedules import crontab
from pylti1p3.exception import LtiServiceException

from . import grades


@shared_task(
    ignore_result=True,
    autoretry_for=(LtiServiceException, requests.RequestException),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=6,
)
def post_course_grade(grade_id: int) -> bool:
    """Send a completed journey's score to the course's gradebook (idempotent)."""
    return grades.send(grade_id)


#: Every 15 minutes: past Celery's own retries of a send, never racing them.
RETRY_SCHEDULE = crontab(minute="*/15")


@shared_task(ignore_result=True)
def retry_course_grades() -> int:
    """Queue again the scores the gradebook refused or never received."""
    return grades.retry_failed()
