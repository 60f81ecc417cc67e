"""What the programs base holds about a person: applications and relationships."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.personal_data import CLEAR, DETACH, PersonalData, when
from wagtail_mentoring.programs.models import (
    Cohort,
    Enrollment,
    Relationship,
    RelationshipMember,
)


class ProgramsData(PersonalData):
    # After the domains above: they find the person's rows through these links.
    erase_order = 80
    sections = {
        "applications": _("Applications"),
        "relationships": _("Relationships"),
    }
    user_fields = {
        "Enrollment.user": DETACH,
        "Enrollment.decided_by": CLEAR,
        "Relationship.created_by": CLEAR,
        "Cohort.created_by": CLEAR,
        "Relationship.rematch_requested_by": CLEAR,
        "RelationshipMember.user": DETACH,
    }

    def export(self, user):
        applications = (
            Enrollment.objects.filter(user=user)
            .select_related("program")
            .order_by("created_at", "pk")
        )
        memberships = (
            RelationshipMember.objects.filter(user=user)
            .select_related("relationship__program")
            .prefetch_related(
                Prefetch(
                    "relationship__members",
                    queryset=RelationshipMember.objects.select_related("user").order_by(
                        "pk"
                    ),
                )
            )
            .order_by("relationship__created_at", "relationship_id")
        )
        return {
            "applications": [_application(e) for e in applications],
            "relationships": [_relationship(m) for m in memberships],
        }

    def records(self, user):
        return {
            Enrollment: Enrollment.objects.filter(user=user).values_list(
                "pk", flat=True
            ),
            Relationship: Relationship.objects.filter(members__user=user).values_list(
                "pk", flat=True
            ),
        }

    def erase(self, user):
        Enrollment.objects.filter(user=user).update(
            user=None, motivation="", answers={}, decision_note="", circle_topic=""
        )
        Enrollment.objects.filter(decided_by=user).update(decided_by=None)
        # An end reason is about the pair, whoever wrote it.
        Relationship.objects.filter(members__user=user).update(end_reason="")
        Relationship.objects.filter(created_by=user).update(created_by=None)
        Cohort.objects.filter(created_by=user).update(created_by=None)
        Relationship.objects.filter(rematch_requested_by=user).update(
            rematch_requested_by=None
        )
        RelationshipMember.objects.filter(user=user).update(
            user=None, messages_read_at=None
        )


def _application(enrollment: Enrollment) -> dict:
    labels = {
        block_id: block.value["label"]
        for block_id, block in enrollment.program.questions
    }
    return {
        "id": enrollment.pk,
        "program": enrollment.program.title,
        "role": enrollment.role,
        "status": enrollment.status,
        "applied_at": when(enrollment.created_at),
        "decided_at": when(enrollment.decided_at),
        "capacity": enrollment.capacity,
        "circle_topic": enrollment.circle_topic,
        "motivation": enrollment.motivation,
        # Answers to questions since removed from the program keep their id.
        "answers": [
            {"question": labels.get(block_id, block_id), "answer": answer}
            for block_id, answer in enrollment.answers.items()
        ],
        "decision_note": enrollment.decision_note,
    }


def _relationship(membership: RelationshipMember) -> dict:
    relationship = membership.relationship
    return {
        "id": relationship.pk,
        "program": relationship.program.title,
        "role": membership.role,
        "status": relationship.status,
        "started_on": when(relationship.started_on),
        "ends_on": when(relationship.ends_on),
        "ended_at": when(relationship.ended_at),
        "end_reason": relationship.end_reason,
        # Partners by name only: the rest of what we hold about them is theirs.
        "partners": [
            {"name": display_name(m.user), "role": m.role}
            for m in relationship.members.all()
            if m.pk != membership.pk
        ],
    }


personal_data = ProgramsData()
