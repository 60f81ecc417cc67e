"""The LTI tool listens to the journeys' summary rows; the core never calls it."""

from __future__ import annotations

from django.db.models.signals import post_save

from wagtail_mentoring.journeys.models import JourneyProgress

from . import grades


def _journey_progress_saved(sender, instance: JourneyProgress, **kwargs):
    if instance.completed_at is None:
        return
    users = [m.user for m in instance.relationship.members.all()]
    grades.journey_completed(users, instance.journey)


def connect() -> None:
    post_save.connect(
        _journey_progress_saved,
        sender=JourneyProgress,
        dispatch_uid="wagtail_mentoring_lti.journey_progress",
    )
