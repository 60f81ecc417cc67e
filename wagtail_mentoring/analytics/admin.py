"""The program dashboard: one program or the roll-up of every program the
viewer administers, for a period; exports and a printable summary.

Program admins see their programs (``administered_programs``); the split by
self-identified group needs the equity permission, as in every report.
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from wagtail_mentoring import dispatch, spreadsheets
from wagtail_mentoring.admin_base import ReportView, SingleViewSet
from wagtail_mentoring.analytics import (
    charts,
    dashboard,
    group_kpis,
    kpis,
    outcomes,
    summary,
    surveys,
)
from wagtail_mentoring.analytics.tasks import refresh_activity_summary
from wagtail_mentoring.permissions import (
    VIEW_EQUITY_REPORTS,
    administers_any_program,
)


class DashboardView(ReportView):
    template_name = "wagtail_mentoring/analytics/dashboard.html"
    print_template_name = "wagtail_mentoring/analytics/summary.html"
    page_title = gettext_lazy("Program dashboard")
    header_icon = "wm-chart"

    def has_permission(self, user):
        return administers_any_program(user)

    def get(self, request, *args, **kwargs):
        form = dashboard.filter_form(request.user, request.GET)
        programs, chosen, cohort, period = dashboard.scope(request.user, form)
        if summary.due():
            dispatch.enqueue(refresh_activity_summary)
        with kpis.reading():
            report = self.report(programs, period, chosen, cohort)
            # Outcomes compare with the whole company (every profile): asked
            # for, not read on every visit.
            if request.GET.get("outcomes"):
                report["outcomes"] = outcomes.compare(
                    programs,
                    period,
                    cohort,
                    by_group=request.user.has_perm(VIEW_EQUITY_REPORTS),
                )
            # The other KPIs by group read every active pair's meetings and
            # messages: asked for too.
            if request.GET.get("groups") and request.user.has_perm(VIEW_EQUITY_REPORTS):
                report["kpi_groups"] = group_kpis.compute(programs, period, cohort)
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
        query.pop("groups", None)
        context["query"] = query.urlencode()
        return self.render_to_response(context)

    def report(self, programs, period, chosen, cohort=None) -> dict:
        report = dashboard.report(self.request.user, programs, period, chosen, cohort)
        report["charts"] = _charts(
            report["kpis"], [row[0] for row in report["months"]], report["series"]
        )
        # Surveys: two queries, whatever the number of programs.
        report["surveys"] = surveys.summarize(programs, period, cohort)
        if self.request.user.has_perm(VIEW_EQUITY_REPORTS):
            report["survey_groups"] = surveys.summarize_by_group(
                programs, period, cohort
            )
        report["charts"].update(_survey_charts(report["surveys"]))
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


def _split_rows(split) -> list[tuple]:
    """A month's or group's two outcome rows; a hidden one shows no numbers,
    not even how many people it has."""
    rows = []
    for outcome in (split.retention, split.promotion):
        name = _("Retention") if outcome is split.retention else _("Promotion")
        if split.hidden or outcome.suppressed:
            rows.append((split.label, name, "", _("suppressed"), "", ""))
            continue
        rows.append(
            (
                split.label,
                name,
                outcome.matched_sponsees,
                _percent(outcome.sponsee_rate),
                _percent(outcome.comparable_rate),
                _percent(outcome.difference),
            )
        )
    return rows


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
            [
                (
                    label,
                    *(
                        _percent(value) if key in kpis.SHARE_TRENDS else _number(value)
                        for key, value in zip(report["series"], values, strict=True)
                    ),
                )
                for label, *values in report["months"]
            ],
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
        split_header = [
            _("Outcome"),
            _("Participants compared"),
            _("Participants (%)"),
            _("Comparable people, weighted (%)"),
            _("Difference (points)"),
        ]
        tables["outcomes_months"] = (
            _("Outcomes by the month participants joined"),
            [_("Joined in"), *split_header],
            [row for split in found.by_month for row in _split_rows(split)],
        )
        if found.by_group:
            tables["outcomes_groups"] = (
                _("Outcomes by self-identified group (consented answers)"),
                [_("Dimension"), _("Group"), *split_header],
                [
                    (dimension, *row)
                    for dimension, splits in found.by_group
                    for split in splits
                    for row in _split_rows(split)
                ],
            )
    if report.get("equity"):
        table = report["equity"]
        tables["equity"] = (
            _("The funnel, goals and early closures by self-identified group"),
            [
                _("Dimension"),
                _("Group"),
                _("Applied"),
                *[
                    _("%(stage)s: count, share (%%), parity") % {"stage": label}
                    for _key, label in table.stages
                ],
            ],
            [
                (block.label, row.label, _("suppressed"))
                if row.suppressed
                else (
                    block.label,
                    row.label,
                    row.population,
                    *[
                        f"{count} · {_percent(share)} · {_number(parity)}"
                        for _key, count, share, parity in row.cells
                    ],
                )
                for block in table.dimensions
                for row in block.rows
            ],
        )
    split = report.get("survey_groups")
    if split and split.dimensions:
        tables["survey_groups"] = (
            _("Survey answers by self-identified group (named surveys)"),
            [
                _("Dimension"),
                _("Group"),
                _("People"),
                _("Responses"),
                _("Satisfaction (mean, 1–5)"),
                _("NPS"),
            ],
            [
                (block.label, row.label, _("suppressed"))
                if row.hidden
                else (
                    block.label,
                    row.label,
                    row.people,
                    row.responses,
                    _("withheld")
                    if "satisfaction" in row.withheld
                    else _number(row.satisfaction),
                    _("withheld") if "nps" in row.withheld else _number(row.nps),
                )
                for block in split.dimensions
                for row in block.rows
            ],
        )
    by_group = report.get("kpi_groups")
    if by_group and by_group.dimensions:
        tables["kpi_groups"] = (
            _("Matching, engagement and quality by self-identified group"),
            [
                _("Dimension"),
                _("Group"),
                _("People"),
                *[
                    f"{label} (%)" if kind == "percent" else label
                    for _key, label, kind in by_group.measures
                ],
            ],
            [
                *[
                    (block.label, row.label, _("suppressed"))
                    if row.hidden
                    else (block.label, *_figure_row(row))
                    for block in by_group.dimensions
                    for row in block.rows
                ],
                (_("All"), *_figure_row(by_group.everyone)),
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


def _figure_row(row) -> tuple:
    return (row.label, row.people, *_figure_cells(row))


def _figure_cells(row) -> list:
    return [
        _("withheld")
        if withheld
        else _percent(value)
        if kind == "percent"
        else _number(value)
        for _key, kind, value, withheld in row.cells
    ]


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
        "shares": charts.lines(
            _("Match rate and goal completion by month (%)"),
            month_labels,
            [
                (
                    str(names[key]),
                    [_percent(v) if v is not None else None for v in series[key]],
                )
                for key in ("match_rate", "goal_completion")
            ],
        ),
        "engagement": charts.lines(
            _("Meetings per pair and mean rating by month"),
            month_labels,
            [
                (str(names[key]), series[key])
                for key in ("meetings_per_pair", "rating_mean")
            ],
        ),
        "active": charts.lines(
            _("Active relationships by month"),
            month_labels,
            [(str(names["active"]), series["active"])],
        ),
        "wait": charts.lines(
            _("Median days to match by month (applications of the month)"),
            month_labels,
            [(str(names["days_to_match"]), series["days_to_match"])],
        ),
    }


class DashboardViewSet(SingleViewSet):
    name = "dashboard"
    icon = "wm-chart"
    menu_label = gettext_lazy("Dashboard")
    menu_order = 10
    view_class = DashboardView
