"""Celery entry point: re-exports every domain's tasks for autodiscovery."""

from wagtail_mentoring.journeys.tasks import refresh_journey_summaries  # noqa: F401
from wagtail_mentoring.matching.tasks import (  # noqa: F401
    run_matching,
    send_match_emails,
)
from wagtail_mentoring.programs.tasks import send_decision_emails  # noqa: F401
