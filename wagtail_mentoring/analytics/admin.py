"""The program dashboard: one program or the roll-up of every program the
viewer administers, for a period; exports and a printable summary.

Program admins see their programs (``administered_programs``); the split by
self-identified group needs the equity permission, as in every report.
"""

from __future__ import annotations

import io

from django import forms
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from wagtail_mentoring import spreadsheets
from wagtail_mentoring.admin_base import ReportView, SingleViewSet
from wagtail_mentoring.analytics import charts, kpis, outcomes, surveys
from wagtail_mentoring.analytics.equity import aggregate
from wagtail_mentoring.permissions import VIEW_EQUITY_REPORTS, administered_programs
from wagtail_mentoring.programs.models import Cohort, ProgramPage

PERIODS = [
    ("30", gettext_lazy("Last 30 days")),
    ("90", gettext_lazy("Last 90 days")),
    ("365", gettext_lazy("Last 12 months")),
    ("custom", gettext_lazy("Choose dates")),
]


class DateInput(forms.DateInput):
    input_type = "date"


class DashboardFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=ProgramPage.objects.none(),
        required=False,
        empty_label=gettext_lazy("All my programs"),
    )
    cohort = forms.ModelChoiceField(
        label=gettext_lazy("Cohort"),
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every cohort"),
        help_text=gettext_lazy(
            "The people who applied to that intake, and their relationships."
        ),
    )
    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PERIODS, required=False, initial="90"
    )
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("With “Choose dates”."),
    )
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs.order_by("title")
        self.fields["cohort"].queryset = (
            Cohort.objects.filter(program__in=programs.values("pk"))
            .select_related("program")
            .order_by("program__title", "-starts_on", "name")
        )
        self.fields["cohort"].label_from_instance = lambda cohort: (
            _("%(program)s: %(cohort)s")
            % {"program": cohort.program.title, "cohort": cohort.name}
        )

    def clean(self):
        data = super().clean()
        program, cohort = data.get("program"), data.get("cohort")
        if program and cohort and cohort.program_id != program.pk:
            raise forms.ValidationError(
                _("%(cohort)s is a cohort of another program.")
                % {"cohort": cohort.name}
            )
        if data.get("period") == "custom":
            if not (data.get("start") and data.get("end")):
                raise forms.ValidationError(
                    _("Choose both dates of the period, or a preset period.")
                )
            if data["start"] > data["end"]:
                raise forms.ValidationError(_("The period must start before it ends."))
            if (data["end"] - data["start"]).days > 3 * 366:
                raise forms.ValidationError(
                    _("Choose a period of three years or less.")
                )
        return data

    def period_value(self) -> kpis.Period:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        choice = data.get("period") or "90"
        if choice == "custom":
            return kpis.Period(data["start"], data["end"])
        return kpis.Period.last_days(int(choice))


class DashboardView(ReportView):
    template_name = "wagtail_mentoring/analytics/dashboard.html"
    print_template_name = "wagtail_mentoring/analytics/summary.html"
    page_title = gettext_lazy("Program dashboard")
    header_icon = "wm-chart"

    def has_permission(self, user):
        return administered_programs(user).exists()

    def get(self, request, *args, **kwargs):
        mine = administered_programs(request.user).specific(defer=True)
        form = DashboardFilterForm(request.GET or None, programs=mine)
        programs = administered_programs(request.user)
        chosen = cohort = None
        if form.is_bound and form.is_valid():
            cohort = form.cleaned_data["cohort"]
            chosen = form.cleaned_data["program"] or (cohort and cohort.program)
            if chosen:
                programs = programs.filter(pk=chosen.pk)
        period = form.period_value()
        with kpis.reading():
            report = self.report(programs, period, chosen, cohort)
            # Outcomes compare with the whole company (every profile): asked
            # for, not read on every visit.
            if request.GET.get("outcomes"):
                report["outcomes"] = outcomes.compare(programs, period, cohort)
        export = request.GET.get("export")
        if export == "csv":
            return self.csv(report, request.GET.get("table", "funnel"))
        if export == "xlsx":
            return self.xlsx(report)
        context = self.get_context_data(
            form=form, report=report, tables=_tables(report)
        )
        if request.GET.get("format") == "print":
            return TemplateResponse(request, self.print_template_name, context)
        query = request.GET.copy()
        query.pop("export", None)
        query.pop("table", None)
        query.pop("format", None)
        query.pop("outcomes", None)
        context["query"] = query.urlencode()
        return self.render_to_response(context)

    def report(self, programs, period, chosen, cohort=None) -> dict:
        # Meetings, messages and ratings of both periods and the trend months
        # in one pass over each table.
        months = kpis.month_starts(12, period.end)
        activity = kpis.Activity.of(
            programs, {"current": period, "previous": period.previous()}, months, cohort
        )
        current = kpis.compute(programs, period, activity, "current", cohort)
        previous = kpis.compute(
            programs, period.previous(), activity, "previous", cohort
        )
        months, series = kpis.monthly(
            programs, 12, until=period.end, activity=activity, cohort=cohort
        )
        month_labels = [date_format(m, "M y") for m in months]
        report = {
            "program": chosen,
            "cohort": cohort,
            "period": period,
            "kpis": current,
            "previous": previous,
            "headlines": _headlines(current, previous),
            "months": list(zip(month_labels, *series.values(), strict=True)),
            "trend_names": [str(label) for _key, label in kpis.TRENDS],
            "programs": []
            if chosen
            else kpis.per_program(programs, period, activity, "current"),
            "charts": _charts(current, month_labels, series),
            "generated": timezone.localtime(),
            "surveys": surveys.summarize(programs, period, cohort),
        }
        report["charts"].update(_survey_charts(report["surveys"]))
        if self.request.user.has_perm(VIEW_EQUITY_REPORTS):
            report["equity"] = aggregate(
                kpis.applicants(programs, period, cohort),
                kpis.funnel_people(programs, period, cohort),
                among=kpis.applicants(programs, period, cohort, query=True),
            )
        return report

    # -- exports ---------------------------------------------------------

    def csv(self, report, table: str) -> HttpResponse:
        tables = _tables(report)
        if table not in tables:
            table = "funnel"
        title, header, rows = tables[table]
        buffer = io.StringIO()
        writer = spreadsheets.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(
            buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{_filename(report, table)}.csv"'
        )
        return response

    def xlsx(self, report) -> HttpResponse:
        workbook = Workbook()
        workbook.remove(workbook.active)
        for title, header, rows in _tables(report).values():
            # Excel refuses these characters and names over 31 characters.
            name = str(title).translate(str.maketrans("", "", "[]:*?/\\"))[:31]
            sheet = workbook.create_sheet(title=name)
            sheet.append([str(cell) for cell in header])
            for row in rows:
                sheet.append(
                    [
                        str(cell) if hasattr(cell, "_proxy____cast") else cell
                        for cell in row
                    ]
                )
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{_filename(report, "dashboard")}.xlsx"'
        )
        return response


def _plain(cell):
    return str(cell) if isinstance(cell, Promise) else cell


def _filename(report, table: str) -> str:
    period = report["period"]
    scope = f"program-{report['program'].pk}" if report["program"] else "all-programs"
    if report.get("cohort"):
        scope += f"-cohort-{report['cohort'].pk}"
    return f"mentoring-{table}-{scope}-{period.start}-{period.end}"


def _number(value, digits=1):
    return "" if value is None else round(value, digits)


def _percent(value):
    return "" if value is None else round(value * 100, 1)


def _tables(report) -> dict:
    """Every table of the dashboard as (title, header, rows): the page, the
    CSV and the XLSX exports all read these."""
    k = report["kpis"]
    tables = {
        "funnel": (
            _("Funnel"),
            [_("Stage"), _("People"), _("Share of the stage before (%)"), _("Drop")],
            [
                (s.label, s.count, _percent(s.share_of_previous), s.drop or "")
                for s in k.funnel
            ],
        ),
        "unmatched": (
            _("Not matched"),
            [_("Where they are"), _("People")],
            k.unmatched.rows,
        ),
        "origins": (
            _("How relationships were made"),
            [_("Origin"), _("Relationships made"), _("Ended early")],
            k.early_closure_by_origin,
        ),
        "quiet": (
            _("Days since the last meeting"),
            [_("Days"), _("Open relationships")],
            k.quiet.rows,
        ),
        "ratings": (
            _("Feedback ratings"),
            [_("Stars"), _("Ratings")],
            k.ratings.rows,
        ),
        "trends": (
            _("By month"),
            [_("Month"), *report["trend_names"]],
            report["months"],
        ),
    }
    found = report["surveys"]
    tables["survey_satisfaction"] = (
        _("Satisfaction in surveys"),
        [_("Rating"), _("Answers")],
        found.satisfaction.rows,
    )
    tables["survey_nps"] = (
        _("Would recommend the program"),
        [_("Answer"), _("Answers")],
        found.nps.rows,
    )
    tables["survey_growth"] = (
        _("Self-rated growth"),
        [_("When"), _("Responses"), _("Mean (1–5)")],
        [
            (
                _("At the start"),
                found.growth_before.responses,
                _suppressed(found.growth_before),
            ),
            (
                _("At the end"),
                found.growth_after.responses,
                _suppressed(found.growth_after),
            ),
        ],
    )
    if report.get("outcomes"):
        found = report["outcomes"]
        tables["outcomes"] = (
            _("Outcomes: association, not cause"),
            [
                _("Outcome"),
                _("Participants"),
                _("Participants compared"),
                _("Participants (%)"),
                _("Comparable people"),
                _("Comparable people, weighted (%)"),
                _("Difference (points)"),
            ],
            [
                (
                    row.label,
                    row.sponsees,
                    row.matched_sponsees,
                    _("suppressed") if row.suppressed else _percent(row.sponsee_rate),
                    row.comparable_pool,
                    "" if row.suppressed else _percent(row.comparable_rate),
                    "" if row.difference is None else _percent(row.difference),
                )
                for row in (found.retention, found.promotion)
            ],
        )
    if report["programs"]:
        tables["programs"] = (
            _("Programs"),
            [
                _("Program"),
                _("Applied"),
                _("Active relationships"),
                _("Meetings held"),
                _("Ended early"),
                _("Mean rating"),
            ],
            [
                (
                    row.title,
                    row.applied,
                    row.active,
                    row.meetings_held,
                    row.ended_early,
                    _number(row.rating_mean),
                )
                for row in report["programs"]
            ],
        )
    return tables


def _suppressed(rated):
    return _("suppressed") if rated.suppressed else _number(rated.mean)


def _survey_charts(found) -> dict:
    growth = [
        (str(label), rated.mean)
        for label, rated in (
            (_("At the start"), found.growth_before),
            (_("At the end"), found.growth_after),
        )
        if rated.mean is not None
    ]
    return {
        "survey_satisfaction": charts.bars(
            _("Satisfaction in surveys"),
            [
                (_("%(n)s of 5") % {"n": n}, count)
                for n, count in found.satisfaction.rows
            ],
        ),
        "survey_nps": charts.bars(_("Would recommend the program"), found.nps.rows),
        "survey_growth": charts.bars(_("Self-rated growth (mean, 1–5)"), growth),
    }


def _headlines(current: kpis.Kpis, previous: kpis.Kpis) -> list[dict]:
    """The KPI tiles: value now, value in the previous period, and the change."""

    def tile(label, now, before, kind="count", better="up"):
        change = None
        if now is not None and before is not None:
            change = now - before
        return {
            "label": label,
            "now": now,
            "before": before,
            "change": change,
            "kind": kind,
            "better": better,
        }

    return [
        tile(_("Applied"), current.funnel[0].count, previous.funnel[0].count),
        tile(_("Match rate"), current.match_rate, previous.match_rate, kind="percent"),
        tile(
            _("Median days to match"),
            current.days_to_match_median,
            previous.days_to_match_median,
            kind="days",
            better="down",
        ),
        tile(
            _("Active relationships"),
            current.active_relationships,
            previous.active_relationships,
        ),
        tile(
            _("Meetings per pair per month"),
            current.meetings_per_pair_month,
            previous.meetings_per_pair_month,
            kind="decimal",
        ),
        tile(
            _("Mean rating (1–5)"),
            current.rating_mean,
            previous.rating_mean,
            kind="decimal",
        ),
        tile(
            _("Goal completion"),
            current.goal_completion,
            previous.goal_completion,
            kind="percent",
        ),
        tile(
            _("Ended early"),
            current.ended_early,
            previous.ended_early,
            better="down",
        ),
    ]


def _charts(k: kpis.Kpis, month_labels, series) -> dict:
    names = dict(kpis.TRENDS)
    return {
        "funnel": charts.bars(
            _("Funnel: how far the people who applied got"),
            [(s.label, s.count) for s in k.funnel],
        ),
        "unmatched": charts.bars(_("Applicants not matched"), k.unmatched.rows),
        "origins": charts.bars(_("Relationships made, by origin"), k.origins.rows),
        "quiet": charts.bars(
            _("Open relationships by days since their last meeting"), k.quiet.rows
        ),
        "ratings": charts.bars(
            _("Feedback ratings"),
            [(_("%(n)s stars") % {"n": stars}, n) for stars, n in k.ratings.rows],
        ),
        "activity": charts.lines(
            _("Applications and new relationships by month"),
            month_labels,
            [
                (str(names["applications"]), series["applications"]),
                (str(names["matches"]), series["matches"]),
            ],
        ),
        "meetings": charts.lines(
            _("Meetings held and early closures by month"),
            month_labels,
            [
                (str(names["meetings"]), series["meetings"]),
                (str(names["early"]), series["early"]),
            ],
        ),
    }


class DashboardViewSet(SingleViewSet):
    name = "dashboard"
    icon = "wm-chart"
    menu_label = gettext_lazy("Dashboard")
    menu_order = 10
    view_class = DashboardView
