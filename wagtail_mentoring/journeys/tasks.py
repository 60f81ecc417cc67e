"""Background work of journeys."""

from __future__ import annotations

from celery import shared_task

from wagtail_mentoring.journeys import reminders
from wagtail_mentoring.journeys.models import JourneyProgress, LearningJourneyPage
from wagtail_mentoring.journeys.services import refresh_journey_progress


@shared_task
def refresh_journey_summaries(journey_id: int) -> int:
    """Recompute every pair's summary of a journey after it was republished.

    Idempotent: it only recomputes from ``StepProgress``, so a retry is harmless.
    Returns the number of summaries refreshed.
    """
    journey = LearningJourneyPage.objects.filter(pk=journey_id).first()
    if journey is None:
        return 0
    count = 0
    for summary in JourneyProgress.objects.filter(journey=journey).select_related(
        "relationship__program"
    ):
        refresh_journey_progress(summary.relationship, journey)
        count += 1
    return count


@shared_task(ignore_result=True)
def send_journey_step_reminders() -> int:
    """Periodic: pairs whose journey has not moved for a while."""
    return reminders.remind_journey_steps()
