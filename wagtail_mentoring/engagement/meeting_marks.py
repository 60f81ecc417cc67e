"""Each relationship's first and last held meeting (``Relationship.first_met_at``
and ``last_met_at``), recounted from its meetings whenever one that is or was
held is saved or deleted: exact at every commit, one UPDATE per such change."""

from __future__ import annotations

from django.db.models import Max, Min, OuterRef, Subquery
from django.db.models.signals import post_delete

from wagtail_mentoring.engagement.meeting_changes import meeting_saved
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


def _saved(sender, instance, created, before, now, **kwargs) -> None:
    if not created and before == now:
        return
    if MeetingStatus.HELD not in (before.status, now.status):
        return
    recount(Relationship.objects.filter(pk=instance.relationship_id))


def _deleted(sender, instance, **kwargs) -> None:
    if instance.__dict__.get("status") == MeetingStatus.HELD:
        recount(Relationship.objects.filter(pk=instance.relationship_id))


def connect() -> None:
    meeting_saved.connect(_saved, sender=Meeting, dispatch_uid="wm_meeting_marks_s")
    post_delete.connect(_deleted, sender=Meeting, dispatch_uid="wm_meeting_marks_d")
