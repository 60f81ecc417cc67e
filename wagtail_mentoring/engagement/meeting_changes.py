"""What a meeting was when it was loaded or last saved, kept once for every
receiver that recounts something from meetings (the relationship's marks here,
the activity summary in analytics), so that each compares the same before and
after of a save whatever order the receivers run in."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db.models.signals import post_init, post_save
from django.dispatch import Signal

from wagtail_mentoring.engagement.models import Meeting

#: A meeting was saved (``instance``, ``created``, ``before`` and ``now``: its
#: ``Recorded`` values as loaded or last saved, and as saved now). Sent for
#: every save, changed or not; receivers decide what matters to them.
meeting_saved = Signal()


class Recorded(NamedTuple):
    status: str | None
    starts_at: datetime | None


def _loaded(sender, instance, **kwargs) -> None:
    # Read from the instance's dict so that a deferred field is not fetched.
    instance._wm_recorded = Recorded(
        instance.__dict__.get("status"), instance.__dict__.get("starts_at")
    )


def _saved(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "_wm_recorded", Recorded(None, None))
    now = Recorded(instance.status, instance.starts_at)
    instance._wm_recorded = now
    meeting_saved.send(
        sender=Meeting, instance=instance, created=created, before=before, now=now
    )


def connect() -> None:
    post_init.connect(_loaded, sender=Meeting, dispatch_uid="wm_meeting_recorded_i")
    post_save.connect(_saved, sender=Meeting, dispatch_uid="wm_meeting_recorded_s")
