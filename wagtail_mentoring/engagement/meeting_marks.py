"""Each relationship's first and last held meeting (``Relationship.first_met_at``
and ``last_met_at``), recounted from its meetings whenever one that is or was
held is saved or deleted: exact at every commit, one UPDATE per such change."""

from __future__ import annotations

from django.db.models import Max, Min, OuterRef, Subquery
from django.db.models.signals import post_delete, post_init, post_save

from wagtail_mentoring.engagement.models import Meeting, MeetingStatus
from wagtail_mentoring.programs.models import Relationship


def recount(relationships) -> int:
    """Recount the marks of ``relationships`` (a queryset) from their meetings,
    in one statement; returns how many relationships were updated."""
    held = Meeting.objects.filter(
        relationship_id=OuterRef("pk"), status=MeetingStatus.HELD
    ).order_by()
    grouped = held.values("relationship_id")
    return relationships.update(
        first_met_at=Subquery(grouped.annotate(at=Min("starts_at")).values("at")),
        last_met_at=Subquery(grouped.annotate(at=Max("starts_at")).values("at")),
    )


def _loaded(sender, instance, **kwargs) -> None:
    # What the marks were counted from; read from the instance's dict so that
    # a deferred field is not fetched.
    instance._wm_marked = (
        instance.__dict__.get("status"),
        instance.__dict__.get("starts_at"),
    )


def _saved(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "_wm_marked", (None, None))
    now = (instance.status, instance.starts_at)
    instance._wm_marked = now
    if not created and before == now:
        return
    if MeetingStatus.HELD not in (before[0], now[0]):
        return
    recount(Relationship.objects.filter(pk=instance.relationship_id))


def _deleted(sender, instance, **kwargs) -> None:
    if instance.__dict__.get("status") == MeetingStatus.HELD:
        recount(Relationship.objects.filter(pk=instance.relationship_id))


def connect() -> None:
    post_init.connect(_loaded, sender=Meeting, dispatch_uid="wm_meeting_marks_i")
    post_save.connect(_saved, sender=Meeting, dispatch_uid="wm_meeting_marks_s")
    post_delete.connect(_deleted, sender=Meeting, dispatch_uid="wm_meeting_marks_d")
