"""Journeys react to meetings being held and to journeys being republished."""

from __future__ import annotations

from django.db import transaction


def meeting_saved(sender, instance, **kwargs) -> None:
    from wagtail_mentoring.engagement.models import MeetingStatus
    from wagtail_mentoring.journeys.services import record_meeting_held

    if instance.status == MeetingStatus.HELD:
        record_meeting_held(instance)


def journey_published(sender, instance, **kwargs) -> None:
    """A new revision may add or remove steps: refresh the pairs' summaries."""
    from wagtail_mentoring.journeys.models import JourneyModulePage
    from wagtail_mentoring.journeys.tasks import refresh_journey_summaries

    journey_id = instance.pk
    if isinstance(instance, JourneyModulePage):
        journey_id = instance.get_parent().pk
    transaction.on_commit(lambda: refresh_journey_summaries.delay(journey_id))
