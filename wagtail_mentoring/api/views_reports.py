"""Reports as JSON for program admins: the dashboard, its equity split, the
journey progress and stalled-pairs reports, the network map and the
sponsorship reports.

Each endpoint reads its figures with the function the admin's screen reads
them with and scopes them with the same policy, so the two cannot disagree.
Group statistics (equity) need the equity permission on top: people data,
never implied by administering a program.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from wagtail_mentoring.analytics import dashboard, group_kpis, kpis, network, outcomes
from wagtail_mentoring.api import report_serializers as r
from wagtail_mentoring.api.authentication import ProgramAdminScope, SignedIn
from wagtail_mentoring.api.base import APIBase, ListBase, documented
from wagtail_mentoring.api.models import TokenScope
from wagtail_mentoring.api.views import ERRORS
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.journeys import report as journey_report
from wagtail_mentoring.permissions import (
    VIEW_EQUITY_REPORTS,
    administered_programs,
    can_view_network,
    network_programs,
    policy_for,
)
from wagtail_mentoring.programs.models import ProgramKind, ProgramPage, Relationship
from wagtail_mentoring.sponsorship import reports as sponsorship_reports


class EquityStewardScope(SignedIn):
    """Group statistics: the equity permission (a token needs ``api:admin``)."""

    scope = TokenScope.API_ADMIN
    message = _("Only people-data stewards see reports by group.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.has_perm(
            VIEW_EQUITY_REPORTS
        )


class NetworkScope(SignedIn):
    """The network map: program admins and people-data stewards, as on the
    admin's screen (a token needs ``api:admin``)."""

    scope = TokenScope.API_ADMIN
    message = _("Only program admins and people-data stewards see the network map.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and can_view_network(request.user)


class ProgramAdminStewardScope(ProgramAdminScope):
    """The dashboard's equity split: a program admin who is also a steward."""

    message = EquityStewardScope.message

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.has_perm(
            VIEW_EQUITY_REPORTS
        )


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data


def _dashboard_scope(request):
    """The admin page's filter form, fed the API's (typed) query: the same
    choices, the same refusals. Another admin's program or cohort is "not
    found", as everywhere else."""
    data = _query(r.DashboardInput, request)
    form = dashboard.filter_form(
        request.user,
        {k: str(v) for k, v in data.items() if k != "outcomes"},
    )
    if form.is_bound and not form.is_valid():
        refused = form.errors.as_data()
        for name in ("program", "cohort"):
            if any(e.code == "invalid_choice" for e in refused.get(name, [])):
                raise Http404
        errors = form.errors.get_json_data()
        raise exceptions.ValidationError(
            {
                ("non_field_errors" if k == "__all__" else k): [e["message"] for e in v]
                for k, v in errors.items()
            }
        )
    return (*dashboard.scope(request.user, form), data["outcomes"])


class DashboardReport(APIBase):
    """The program dashboard's figures: one program or cohort, or the roll-up
    of every program I administer, over a period and the period before it."""

    permission_classes = [ProgramAdminScope]

    @documented(
        parameters=[r.DashboardInput],
        responses={200: r.DashboardSerializer, **ERRORS},
    )
    def get(self, request):
        programs, chosen, cohort, period, with_outcomes = _dashboard_scope(request)
        with kpis.reading():
            report = dashboard.report(request.user, programs, period, chosen, cohort)
            if with_outcomes:
                report["outcomes"] = outcomes.compare(programs, period, cohort)
        series = report["series"]
        report["month_rows"] = [
            {"month": month, **{key: values[i] for key, values in series.items()}}
            for i, month in enumerate(report["month_starts"])
        ]
        return Response(r.DashboardSerializer(report).data)


class DashboardEquity(APIBase):
    """The dashboard's funnel and its other KPIs split by self-identified
    group (consented answers only; groups smaller than the minimum are
    suppressed, figures too few of a group contributed to withheld)."""

    permission_classes = [ProgramAdminStewardScope]

    @documented(
        parameters=[r.DashboardInput],
        responses={200: r.DashboardEquitySerializer, **ERRORS},
    )
    def get(self, request):
        programs, chosen, cohort, period, _outcomes = _dashboard_scope(request)
        with kpis.reading():
            table = dashboard.equity(programs, period, cohort)
            by_group = group_kpis.compute(programs, period, cohort)
        return Response(
            r.DashboardEquitySerializer(
                {
                    "program": chosen,
                    "cohort": cohort,
                    "period": period,
                    "equity": table,
                    "kpis_by_group": by_group,
                }
            ).data
        )


class JourneyReport(APIBase):
    """Journey progress of one program: per step, how many pairs started and
    finished it and the median time it took (the admin's journey funnel)."""

    permission_classes = [ProgramAdminScope]

    @documented(responses={200: r.JourneyReportSerializer, **ERRORS})
    def get(self, request, program_id: int):
        program = (
            journey_report.with_journey(administered_programs(request.user))
            .filter(pk=program_id)
            .first()
        )
        if program is None:
            raise Http404
        steps = journey_report.program_funnel(program.specific)
        return Response(
            r.JourneyReportSerializer({"program": program.pk, "steps": steps}).data
        )


class SponsorshipEquity(APIBase):
    """Who reaches each sponsorship stage, by self-identified group, and
    promotion rates against comparable people (the admin's equity report)."""

    permission_classes = [EquityStewardScope]

    @documented(
        parameters=[r.SponsorshipEquityInput],
        responses={200: r.SponsorshipEquitySerializer, **ERRORS},
    )
    def get(self, request):
        data = _query(r.SponsorshipEquityInput, request)
        start, end = sponsorship_reports.default_period()
        start, end = data.get("start", start), data.get("end", end)
        if start > end:
            raise exceptions.ValidationError(
                {"start": [_("The period must start before it ends.")]}
            )
        programs = sponsorship_reports.sponsorship_programs()
        if "program" in data:
            programs = programs.filter(pk=data["program"])
            if not programs.exists():
                raise Http404
        report = sponsorship_reports.equity_report(programs, start, end)
        return Response(r.SponsorshipEquitySerializer(report).data)


class SponsorAccountability(APIBase):
    """Advocacy actions per sponsor per quarter, and who has been idle, in the
    sponsorship programs I administer."""

    permission_classes = [ProgramAdminScope]

    @documented(
        parameters=[r.AccountabilityInput],
        responses={200: r.AccountabilitySerializer, **ERRORS},
    )
    def get(self, request):
        data = _query(r.AccountabilityInput, request)
        programs = administered_programs(request.user).filter(
            kind=ProgramKind.SPONSORSHIP
        )
        if "program" in data:
            programs = programs.filter(pk=data["program"])
            if not programs.exists():
                raise Http404
        idle_days = data.get("idle_days") or mentoring_settings.SPONSOR_IDLE_DAYS
        quarters, rows = sponsorship_reports.sponsor_accountability(
            programs, idle_days=idle_days
        )
        return Response(
            r.AccountabilitySerializer(
                {"idle_days": idle_days, "quarters": quarters, "sponsors": rows}
            ).data
        )


class StalledPairs(ListBase):
    """Active pairs of one program's journeys with no progress for ``days``
    days (14 unless given), longest-stalled first (the admin's report)."""

    queryset = Relationship.objects.none()  # the schema's model
    permission_classes = [ProgramAdminScope]
    serializer_class = r.StalledPairSerializer
    filter_backends: list = []

    @documented(parameters=[r.StalledInput])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        days = _query(r.StalledInput, self.request).get(
            "days", journey_report.DEFAULT_STALLED_DAYS
        )
        program_id = self.kwargs["program_id"]
        if not administered_programs(self.request.user).filter(pk=program_id).exists():
            raise Http404
        mine = (
            policy_for(Relationship)
            .instances_user_has_permission_for(self.request.user, "view")
            .filter(program_id=program_id)
        )
        return (
            journey_report.stalled_pairs(mine, days)
            .prefetch_related("members", "journey_progress")
            .order_by("last_activity", "pk")
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        now = timezone.now()
        for relationship in page:
            relationship.now_at_steps = [
                p.current_step_title
                for p in relationship.journey_progress.all()
                if p.current_step_title
            ]
            relationship.days_stalled = (now - relationship.last_activity).days
        return page


class NetworkMap(APIBase):
    """The organisational network map: connections between departments,
    locations or career levels made by mentoring, this quarter against the
    last; groups below the privacy minimum merged (the admin's map)."""

    permission_classes = [NetworkScope]

    @documented(
        parameters=[r.NetworkInput], responses={200: r.NetworkSerializer, **ERRORS}
    )
    def get(self, request):
        data = _query(r.NetworkInput, request)
        programs = network_programs(request.user)
        if "program" in data:
            scope = ProgramPage.objects.all() if programs is None else programs
            if not scope.filter(pk=data["program"]).exists():
                raise Http404
            programs = [data["program"]]
        elif programs is not None:
            programs = programs.values("pk")
        found = network.build_map(
            programs, dimension=data.get("dimension", "department")
        )
        return Response(r.NetworkSerializer(found).data)
