"""The program admin's side of the API: applications, matching, reports.

Listings take their rows from the model's policy (``permissions.py``), the same
as the admin's screens; actions call the services the admin's buttons call,
which authorize the actor themselves.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework.response import Response

from wagtail_mentoring.analytics import kpis
from wagtail_mentoring.api import serializers as s
from wagtail_mentoring.api.authentication import ProgramAdminScope
from wagtail_mentoring.api.base import APIBase, DetailBase, ListBase, documented
from wagtail_mentoring.api.filters import ApplicationFilter, ProposalFilter, RunFilter
from wagtail_mentoring.api.views import ERRORS
from wagtail_mentoring.matching import runs
from wagtail_mentoring.matching import services as matching
from wagtail_mentoring.matching.models import MatchingRun, MatchProposal
from wagtail_mentoring.permissions import (
    administered_programs,
    can_run_matching,
    policy_for,
)
from wagtail_mentoring.programs import services as programs
from wagtail_mentoring.programs.models import Enrollment, ProgramPage


def _scoped(model, user):
    return policy_for(model).instances_user_has_permission_for(user, "view")


def _matching_program(user, program_id) -> ProgramPage:
    """As the matching panel finds it: a program whose matching ``user`` may
    run, else "not found"."""
    program = ProgramPage.objects.filter(pk=program_id).first()
    if program is None or not can_run_matching(user, program):
        raise Http404
    return program.specific


class AdminApplicationList(ListBase):
    """Applications to the programs I administer."""

    queryset = Enrollment.objects.none()  # the schema's model

    permission_classes = [ProgramAdminScope]
    serializer_class = s.AdminApplicationSerializer
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return (
            _scoped(Enrollment, self.request.user)
            .with_matched()
            .select_related("program", "user")
            .order_by("-created_at", "-pk")
        )


class DecideApplication(APIBase):
    """Approve or decline a pending application, as the admin's bulk action."""

    permission_classes = [ProgramAdminScope]

    @documented(
        request=s.DecideApplicationInput,
        responses={200: s.AdminApplicationSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        enrollment = get_object_or_404(_scoped(Enrollment, request.user), pk=pk)
        data = self.input(s.DecideApplicationInput)
        decide = (
            programs.approve_enrollment
            if data["decision"] == "approve"
            else programs.decline_enrollment
        )
        decide(enrollment, request.user, data.get("note", ""))
        enrollment = (
            Enrollment.objects.with_matched()
            .select_related("program", "user")
            .get(pk=pk)
        )
        return Response(s.AdminApplicationSerializer(enrollment).data)


class RunList(ListBase):
    """A program's matching runs, newest first; POST starts one (or returns
    the one still running)."""

    queryset = MatchingRun.objects.none()  # the schema's model

    permission_classes = [ProgramAdminScope]
    serializer_class = s.RunSerializer
    filterset_class = RunFilter

    def program(self):
        if not hasattr(self, "_program"):
            self._program = _matching_program(
                self.request.user, self.kwargs["program_id"]
            )
        return self._program

    def get_queryset(self):
        return MatchingRun.objects.filter(program=self.program()).order_by("-pk")

    @documented(request=s.StartRunInput, responses={202: s.RunSerializer, **ERRORS})
    def post(self, request, program_id: int):
        program = self.program()
        data = self.input(s.StartRunInput)
        run = matching.start_run(program, request.user, fresh=data["fresh"])
        run.refresh_from_db()
        return Response(s.RunSerializer(run).data, status=202)


class RunDetail(DetailBase):
    """A run's status, for polling after starting one."""

    permission_classes = [ProgramAdminScope]
    serializer_class = s.RunSerializer

    def get_object(self):
        run = get_object_or_404(
            _scoped(MatchingRun, self.request.user), pk=self.kwargs["pk"]
        )
        runs.fail_unclaimed_runs(run.program)
        run.refresh_from_db()
        return run


class ProposalList(ListBase):
    """The program's proposals of its current run and decisions kept."""

    queryset = MatchProposal.objects.none()  # the schema's model

    permission_classes = [ProgramAdminScope]
    serializer_class = s.ProposalSerializer
    filterset_class = ProposalFilter

    def get_queryset(self):
        program = _matching_program(self.request.user, self.kwargs["program_id"])
        return (
            MatchProposal.objects.filter(program=program)
            .select_related("mentee__user", "mentor__user")
            .order_by("-score", "pk")
        )


PROPOSAL_ACTIONS = {
    "approve": matching.approve_proposal,
    "lock": matching.lock_proposal,
    "reject": matching.reject_proposal,
    "reopen": matching.reopen_proposal,
}


class DecideProposal(APIBase):
    """Approve, lock, reject or reopen one proposal."""

    permission_classes = [ProgramAdminScope]

    @documented(
        request=s.DecideProposalInput, responses={200: s.ProposalSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        proposal = get_object_or_404(
            _scoped(MatchProposal, request.user).select_related("program"), pk=pk
        )
        data = self.input(s.DecideProposalInput)
        program = proposal.program.specific
        PROPOSAL_ACTIONS[data["action"]](program, proposal, request.user)
        proposal = MatchProposal.objects.select_related(
            "mentee__user", "mentor__user"
        ).get(pk=pk)
        return Response(s.ProposalSerializer(proposal).data)


class Publish(APIBase):
    """Turn the approved proposals into relationships and tell both people."""

    permission_classes = [ProgramAdminScope]

    @documented(request=s.PublishInput, responses={200: s.OutcomeSerializer, **ERRORS})
    def post(self, request, program_id: int):
        program = _matching_program(request.user, program_id)
        data = self.input(s.PublishInput)
        outcome = matching.publish(
            program, request.user, message=data.get("message", "")
        )
        return Response(
            {
                "done": [p.pk for p in outcome.done],
                "skipped": [
                    {"proposal": p.pk, "reason": str(why)} for p, why in outcome.skipped
                ],
            }
        )


class ProgramReport(APIBase):
    """Each program I administer with its headline figures (the dashboard's)."""

    permission_classes = [ProgramAdminScope]

    @documented(
        parameters=[s.ReportInput],
        responses={200: s.ProgramReportSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        query = s.ReportInput(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        period = kpis.Period.last_days(query.validated_data["days"])
        rows = kpis.per_program(administered_programs(request.user), period)
        return Response(s.ProgramReportSerializer(rows, many=True).data)
