"""Journeys react to meetings being held and to journeys being republished."""

from __future__ import annotations

from django.db.models.signals import post_save
from wagtail.signals import page_published

from wagtail_mentoring import dispatch
from wagtail_mentoring.engagement.models import Meeting, MeetingStatus
from wagtail_mentoring.journeys.models import JourneyModulePage, LearningJourneyPage
from wagtail_mentoring.journeys.services import record_meeting_held
from wagtail_mentoring.journeys.tasks import refresh_journey_summaries


def meeting_saved(sender, instance, **kwargs) -> None:
    if instance.status == MeetingStatus.HELD:
        record_meeting_held(instance)


def journey_published(sender, instance, **kwargs) -> None:
    """A new revision may add or remove steps: refresh the pairs' summaries."""
    journey_id = instance.pk
    if isinstance(instance, JourneyModulePage):
        journey_id = instance.get_parent().pk
    dispatch.enqueue(refresh_journey_summaries, journey_id)


def connect() -> None:
    post_save.connect(meeting_saved, sender=Meeting, dispatch_uid="wm_journeys")
    for page_model in (LearningJourneyPage, JourneyModulePage):
        page_published.connect(
            journey_published,
            sender=page_model,
            dispatch_uid=f"wm_journeys_{page_model.__name__}",
        )
