"""Input and output of the program admin's actions beyond matching runs:
pairing by hand, mentor requests, sponsorship pairs and opportunity
nominations."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wagtail_mentoring.api.base import MAX_ID, StrictSerializer
from wagtail_mentoring.api.serializers import TEXT_MAX, PersonField
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.sponsorship.models import (
    OpportunityNomination,
    OpportunityNominationStatus,
)


class ManualPairInput(StrictSerializer):
    mentee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The receiving side's application id."
    )
    mentor = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The giving side's application id."
    )
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_MAX,
        help_text="Required when the pair breaks one of the program's hard rules.",
    )


class SponsorshipPairInput(StrictSerializer):
    sponsor = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The sponsor's application id."
    )
    sponsee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The sponsee's application id."
    )


class PairMadeSerializer(serializers.Serializer):
    relationship = serializers.IntegerField()


class MentorRequestSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_id", read_only=True)
    mentee = PersonField(source="mentee_enrollment.user", read_only=True)
    mentor = PersonField(source="mentor_enrollment.user", read_only=True)

    class Meta:
        model = MentorRequest
        fields = [
            "id",
            "program",
            "mentee",
            "mentor",
            "rank",
            "status",
            "created_at",
            "sent_at",
            "expires_at",
            "decided_at",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": ["object", "null"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        "required": ["id", "name"],
    }
)
class MaybePersonField(PersonField):
    """A person, or null once their data was erased."""


class NominationDecisionInput(StrictSerializer):
    status = serializers.ChoiceField(
        choices=[
            (OpportunityNominationStatus.SELECTED, _("Selected")),
            (OpportunityNominationStatus.NOT_SELECTED, _("Not selected")),
        ]
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_MAX,
        help_text="Required when not selected; the nominee sees it.",
    )


class OpportunityNominationSerializer(serializers.ModelSerializer):
    opportunity = serializers.IntegerField(source="opportunity_id", read_only=True)
    nominee = MaybePersonField(read_only=True)
    decided_by = MaybePersonField(read_only=True)

    class Meta:
        model = OpportunityNomination
        fields = [
            "id",
            "opportunity",
            "nominee",
            "status",
            "decision_reason",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields
