"""Which domain events become webhook events, and what they carry.

Payloads hold ids, kinds, statuses and dates: never messages, notes, goals'
wording, decision reasons or anything else people wrote, and nothing about a
nomination before it is decided (until then it is confidential).
"""

from __future__ import annotations

from django.db.models.signals import post_save

from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.models import Goal, Meeting, MeetingStatus
from wagtail_mentoring.matching import services as matching
from wagtail_mentoring.programs import signals as programs
from wagtail_mentoring.programs.models import (
    ProgramPage,
    Relationship,
    RelationshipStatus,
)
from wagtail_mentoring.sponsorship import outcomes
from wagtail_mentoring.sponsorship import services as sponsorship
from wagtail_mentoring.sponsorship.models import CareerOutcome, OpportunityNomination
from wagtail_mentoring.webhooks import events
from wagtail_mentoring.webhooks.services import emit

ENDED = (RelationshipStatus.COMPLETED, RelationshipStatus.ENDED_EARLY)


def _date(value):
    return value.isoformat() if value else None


def relationship_data(relationship: Relationship) -> dict:
    return {
        "relationship": {
            "id": relationship.pk,
            "program": relationship.program_id,
            "status": relationship.status,
            "started_on": _date(relationship.started_on),
            "ended_at": _date(relationship.ended_at),
            "members": [
                {"user": str(m.user_id), "role": m.role}
                for m in relationship.members.order_by("pk")
                if m.user_id is not None
            ],
        }
    }


def matches_published(sender, program, relationship_ids, **kwargs) -> None:
    emit(
        events.MATCH_PUBLISHED,
        f"{events.MATCH_PUBLISHED}:{program.pk}:{','.join(map(str, relationship_ids))}",
        {"program": program.pk, "relationships": relationship_ids},
    )


def relationship_started(sender, relationship, **kwargs) -> None:
    emit(
        events.RELATIONSHIP_STARTED,
        f"{events.RELATIONSHIP_STARTED}:{relationship.pk}",
        relationship_data(relationship),
    )


def relationship_status_changed(sender, relationship, **kwargs) -> None:
    if relationship.status in ENDED:
        emit(
            events.RELATIONSHIP_ENDED,
            f"{events.RELATIONSHIP_ENDED}:{relationship.pk}",
            relationship_data(relationship),
        )


def meeting_saved(sender, instance, **kwargs) -> None:
    if instance.status == MeetingStatus.HELD:
        emit(
            events.MEETING_HELD,
            f"{events.MEETING_HELD}:{instance.pk}",
            {
                "meeting": {
                    "id": instance.pk,
                    "relationship": instance.relationship_id,
                    "starts_at": _date(instance.starts_at),
                    "duration_minutes": instance.duration_minutes,
                }
            },
        )


def goal_achieved(sender, goal, **kwargs) -> None:
    emit(
        events.GOAL_ACHIEVED,
        f"{events.GOAL_ACHIEVED}:{goal.pk}:{goal.updated_at.isoformat()}",
        {"goal": {"id": goal.pk, "relationship": goal.relationship_id}},
    )


def nomination_decided(sender, nomination, **kwargs) -> None:
    emit(
        events.NOMINATION_DECIDED,
        f"{events.NOMINATION_DECIDED}:{nomination.pk}",
        {
            "nomination": {
                "id": nomination.pk,
                "opportunity": nomination.opportunity_id,
                "nominee": str(nomination.nominee_id),
                "status": nomination.status,
                "decided_at": _date(nomination.decided_at),
            }
        },
    )


def outcome_recorded(sender, outcome, **kwargs) -> None:
    emit(
        events.OUTCOME_RECORDED,
        f"{events.OUTCOME_RECORDED}:{outcome.pk}",
        {
            "outcome": {
                "id": outcome.pk,
                "employee": str(outcome.employee_id),
                "kind": outcome.kind,
                "occurred_on": _date(outcome.occurred_on),
                "relationship": outcome.relationship_id,
            }
        },
    )


def connect() -> None:
    uid = "wm_webhooks"
    matching.matches_published.connect(
        matches_published, sender=ProgramPage, dispatch_uid=uid
    )
    programs.relationship_started.connect(relationship_started, dispatch_uid=uid)
    programs.relationship_status_changed.connect(
        relationship_status_changed, dispatch_uid=uid
    )
    post_save.connect(meeting_saved, sender=Meeting, dispatch_uid=uid)
    engagement.goal_achieved.connect(goal_achieved, sender=Goal, dispatch_uid=uid)
    sponsorship.nomination_decided.connect(
        nomination_decided, sender=OpportunityNomination, dispatch_uid=uid
    )
    outcomes.outcome_recorded.connect(
        outcome_recorded, sender=CareerOutcome, dispatch_uid=uid
    )
