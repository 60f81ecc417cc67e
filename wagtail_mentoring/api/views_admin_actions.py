"""The program admin's actions beyond matching runs, as the admin offers them:
pair by hand, accept a mentor request on the mentor's behalf, pair a sponsor
and a sponsee, decide an opportunity nomination.

Rows are found within what the admin's screens show the caller (the policy);
each action is the service the admin's button calls, which authorizes the
caller again and keeps every business rule.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from wagtail_mentoring.api import admin_serializers as a
from wagtail_mentoring.api import serializers as s
from wagtail_mentoring.api.admin_views import _matching_program
from wagtail_mentoring.api.authentication import ProgramAdminScope
from wagtail_mentoring.api.base import APIBase, ListBase, documented
from wagtail_mentoring.api.views import ERRORS
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.matching import services as matching
from wagtail_mentoring.matching.models import MatchProposal
from wagtail_mentoring.permissions import (
    administered_programs,
    can_administer,
    policy_for,
)
from wagtail_mentoring.programs.models import Enrollment, ProgramKind
from wagtail_mentoring.sponsorship import services as sponsorship
from wagtail_mentoring.sponsorship.models import Opportunity, OpportunityNomination


def _applications(program, **ids) -> dict:
    """The program's applications by the given ids; an id of anyone else's is
    an invalid field (nothing about it is told)."""
    found = {
        e.pk: e
        for e in Enrollment.objects.filter(
            program=program, pk__in=ids.values()
        ).select_related("user")
    }
    missing = {
        name: [_("No application with this id in the program.")]
        for name, pk in ids.items()
        if pk not in found
    }
    if missing:
        raise exceptions.ValidationError(missing)
    return {name: found[pk] for name, pk in ids.items()}


class ManualPair(APIBase):
    """Pair a waiting person with a giver by hand (approved at once), as the
    matching panel's "Pair by hand"; a pair breaking a hard rule needs a
    justification. Publish it like any approved proposal."""

    permission_classes = [ProgramAdminScope]

    @documented(
        request=a.ManualPairInput, responses={201: s.ProposalSerializer, **ERRORS}
    )
    def post(self, request, program_id: int):
        program = _matching_program(request.user, program_id)
        data = self.input(a.ManualPairInput)
        people = _applications(program, mentee=data["mentee"], mentor=data["mentor"])
        proposal = matching.manual_pair(
            program,
            people["mentee"],
            people["mentor"],
            request.user,
            justification=data.get("justification", ""),
        )
        proposal = MatchProposal.objects.select_related(
            "mentee__user", "mentor__user"
        ).get(pk=proposal.pk)
        return Response(s.ProposalSerializer(proposal).data, status=201)


class MentorRequestList(ListBase):
    """Mentor requests in the programs I administer, newest first."""

    queryset = MentorRequest.objects.none()  # the schema's model

    permission_classes = [ProgramAdminScope]
    serializer_class = a.MentorRequestSerializer
    filterset_fields = ["status", "program"]

    def get_queryset(self):
        return (
            policy_for(MentorRequest)
            .instances_user_has_permission_for(self.request.user, "view")
            .select_related("mentee_enrollment__user", "mentor_enrollment__user")
            .order_by("-created_at", "-pk")
        )


class AcceptMentorRequest(APIBase):
    """Accept a pending request on the mentor's behalf (the relationship
    starts, as if the mentor had said yes)."""

    permission_classes = [ProgramAdminScope]

    @documented(request=None, responses={200: a.MentorRequestSerializer, **ERRORS})
    def post(self, request, pk: int):
        mentor_request = get_object_or_404(
            MentorRequest.objects.select_related(
                "program", "mentee_enrollment__user", "mentor_enrollment__user"
            ),
            pk=pk,
        )
        if not can_administer(request.user, mentor_request.program):
            raise Http404
        engagement.accept_request(mentor_request, request.user)
        mentor_request = MentorRequest.objects.select_related(
            "mentee_enrollment__user", "mentor_enrollment__user"
        ).get(pk=pk)
        return Response(a.MentorRequestSerializer(mentor_request).data)


class SponsorshipPair(APIBase):
    """Start a sponsorship between an accepted sponsor and sponsee of a
    sponsorship program I administer (the admin's "Pair a sponsor")."""

    permission_classes = [ProgramAdminScope]

    @documented(
        request=a.SponsorshipPairInput,
        responses={201: a.PairMadeSerializer, **ERRORS},
    )
    def post(self, request, program_id: int):
        program = get_object_or_404(
            administered_programs(request.user).filter(kind=ProgramKind.SPONSORSHIP),
            pk=program_id,
        ).specific
        data = self.input(a.SponsorshipPairInput)
        people = _applications(
            program, sponsor=data["sponsor"], sponsee=data["sponsee"]
        )
        relationship = sponsorship.pair_sponsor(
            program, people["sponsor"].user, people["sponsee"].user, request.user
        )
        return Response({"relationship": relationship.pk}, status=201)


def _decidable_nominations(user):
    return OpportunityNomination.objects.filter(
        opportunity__in=policy_for(Opportunity).instances_user_has_permission_for(
            user, "change"
        )
    ).select_related("nominee", "decided_by")


class OpportunityNominationList(ListBase):
    """Nominations to the opportunities I may decide on, newest first. Why the
    nominator put someone forward stays with them (not shown)."""

    queryset = OpportunityNomination.objects.none()  # the schema's model

    permission_classes = [ProgramAdminScope]
    serializer_class = a.OpportunityNominationSerializer
    filterset_fields = ["status", "opportunity"]

    def get_queryset(self):
        return _decidable_nominations(self.request.user).order_by("-created_at", "-pk")


class DecideOpportunityNomination(APIBase):
    """Select a nominee, or not (with the reason the nominee will read)."""

    permission_classes = [ProgramAdminScope]

    @documented(
        request=a.NominationDecisionInput,
        responses={200: a.OpportunityNominationSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        nomination = get_object_or_404(
            _decidable_nominations(request.user).select_related("opportunity"), pk=pk
        )
        data = self.input(a.NominationDecisionInput)
        sponsorship.decide_opportunity_nomination(
            nomination,
            request.user,
            status=data["status"],
            reason=data.get("reason", ""),
        )
        nomination = _decidable_nominations(request.user).get(pk=pk)
        return Response(a.OpportunityNominationSerializer(nomination).data)
