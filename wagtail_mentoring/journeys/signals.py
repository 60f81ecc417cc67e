"""Journeys react to meetings being held and to journeys being republished."""

from __future__ import annotations

from django.db.models.signals import post_save
from wagtail.signals import page_published

from wagtail_mentoring import dispatch
from wagtail_mentoring.engagement import circles
from wagtail_mentoring.engagement.models import Meeting, MeetingStatus
from wagtail_mentoring.journeys.models import JourneyModulePage, LearningJourneyPage
from wagtail_mentoring.journeys.services import (
    record_meeting_held,
    refresh_journey_progress,
)
from wagtail_mentoring.journeys.tasks import refresh_journey_summaries
from wagtail_mentoring.programs.models import Relationship


def meeting_saved(sender, instance, **kwargs) -> None:
    if instance.status == MeetingStatus.HELD:
        record_meeting_held(instance)


def journey_published(sender, instance, **kwargs) -> None:
    """A new revision may add or remove steps: refresh the pairs' summaries."""
    journey_id = instance.pk
    if isinstance(instance, JourneyModulePage):
        journey_id = instance.get_parent().pk
    dispatch.enqueue(refresh_journey_summaries, journey_id)


def circle_members_changed(sender, relationship, **kwargs) -> None:
    """A circle's progress waits for every member: recount it with the new
    members (a fresh copy: the caller's may hold the old member list)."""
    circle = Relationship.objects.select_related("program").get(pk=relationship.pk)
    for journey in circle.program.learning_journeys:
        refresh_journey_progress(circle, journey)


def connect() -> None:
    circles.members_changed.connect(
        circle_members_changed, sender=Relationship, dispatch_uid="wm_journeys_circle"
    )
    post_save.connect(meeting_saved, sender=Meeting, dispatch_uid="wm_journeys")
    for page_model in (LearningJourneyPage, JourneyModulePage):
        page_published.connect(
            journey_published,
            sender=page_model,
            dispatch_uid=f"wm_journeys_{page_model.__name__}",
        )
