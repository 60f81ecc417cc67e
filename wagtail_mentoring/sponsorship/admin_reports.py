"""Admin reports of sponsorship: the equity report (``view_equity_reports``)
and sponsor accountability (program admins of sponsorship programs)."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail_mentoring.admin_base import ReportView, SingleViewSet
from wagtail_mentoring.analytics.equity import to_csv
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.permissions import VIEW_EQUITY_REPORTS, administers_any_program
from wagtail_mentoring.programs.models import ProgramKind, ProgramPage
from wagtail_mentoring.sponsorship.admin import administered_sponsorship_programs
from wagtail_mentoring.sponsorship.forms import DateInput as DateInputWidget
from wagtail_mentoring.sponsorship.reports import (
    default_period,
    equity_report,
    sponsor_accountability,
    sponsorship_programs,
)


class EquityFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=ProgramPage.objects.none(),
        required=False,
        empty_label=gettext_lazy("All sponsorship programs"),
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=DateInputWidget()
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=DateInputWidget()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = sponsorship_programs().order_by("title")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period must start before it ends."))
        return data


class EquityReportView(ReportView):
    template_name = "wagtail_mentoring/sponsorship/admin/equity_report.html"
    page_title = gettext_lazy("Sponsorship equity")
    header_icon = "doc-full"

    def has_permission(self, user):
        # People data: its own permission, never implied by program admin.
        return user.is_active and user.has_perm(VIEW_EQUITY_REPORTS)

    def get(self, request, *args, **kwargs):
        form = EquityFilterForm(request.GET or None)
        start, end = default_period()
        programs = sponsorship_programs()
        if form.is_bound and form.is_valid():
            start = form.cleaned_data["start"] or start
            end = form.cleaned_data["end"] or end
            if form.cleaned_data["program"]:
                programs = programs.filter(pk=form.cleaned_data["program"].pk)
        report = equity_report(programs, start, end)
        if request.GET.get("export") == "csv":
            return self._csv(report)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                report=report,
                min_group_size=report.table.min_group_size,
                export_query=_with_export(request),
            )
        )

    def _csv(self, report):
        extra = [
            [],
            [
                _("Promotion rate"),
                _("Group"),
                _("Sponsees compared"),
                _("Sponsee rate %"),
                _("Comparable rate %"),
            ],
        ]
        rows = [("", report.promotion)] + [
            (dim, row) for dim, rows in report.promotion_by_group for row in rows
        ]
        for dim, row in rows:
            if row.suppressed:
                extra.append([dim, row.label, _("suppressed")])
            else:
                extra.append(
                    [
                        dim,
                        row.label,
                        row.matched_sponsees,
                        f"{row.sponsee_rate * 100:.1f}",
                        f"{row.comparable_rate * 100:.1f}",
                    ]
                )
        response = HttpResponse(
            to_csv(report.table, extra), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="sponsorship-equity-{report.start}-{report.end}.csv"'
        )
        return response


def _with_export(request) -> str:
    query = request.GET.copy()
    query["export"] = "csv"
    return query.urlencode()


class AccountabilityFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=ProgramPage.objects.none(),
        required=False,
        empty_label=gettext_lazy("All my sponsorship programs"),
    )
    idle_days = forms.IntegerField(
        label=gettext_lazy("Flag sponsors with no action in (days)"),
        min_value=1,
        max_value=365,
        required=False,
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs.order_by("title")


class AccountabilityView(ReportView):
    template_name = "wagtail_mentoring/sponsorship/admin/accountability.html"
    page_title = gettext_lazy("Sponsor accountability")
    header_icon = "time"

    def has_permission(self, user):
        return administers_any_program(user, ProgramKind.SPONSORSHIP)

    def get(self, request, *args, **kwargs):
        programs = administered_sponsorship_programs(request.user)
        form = AccountabilityFilterForm(request.GET or None, programs=programs)
        idle_days = mentoring_settings.SPONSOR_IDLE_DAYS
        if form.is_bound and form.is_valid():
            if form.cleaned_data["program"]:
                programs = programs.filter(pk=form.cleaned_data["program"].pk)
            idle_days = form.cleaned_data["idle_days"] or idle_days
        quarters, rows = sponsor_accountability(programs, idle_days=idle_days)
        return self.render_to_response(
            self.get_context_data(
                form=form,
                quarters=quarters,
                rows=rows,
                idle_days=idle_days,
                idle_count=sum(1 for row in rows if row.idle),
            )
        )


class EquityReportViewSet(SingleViewSet):
    name = "sponsorship_equity"
    icon = "doc-full"
    menu_label = gettext_lazy("Equity report")
    view_class = EquityReportView


class AccountabilityViewSet(SingleViewSet):
    name = "sponsorship_accountability"
    icon = "time"
    menu_label = gettext_lazy("Sponsor accountability")
    view_class = AccountabilityView
