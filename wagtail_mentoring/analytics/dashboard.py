"""The program dashboard's figures, for the admin's page and the API alike:
one program (or cohort) or the roll-up of every program the viewer
administers, over a period, against the period before.

Program admins see their programs (``administered_programs``); the split by
self-identified group is added only for holders of the equity permission, as
in every report.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail_mentoring.analytics import kpis, summary
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


def scope(user, form: DashboardFilterForm):
    """The programs, chosen program and cohort and the period a (bound or
    empty) filter form asks for, within what ``user`` administers."""
    programs = administered_programs(user)
    chosen = cohort = None
    if form.is_bound and form.is_valid():
        cohort = form.cleaned_data["cohort"]
        chosen = form.cleaned_data["program"] or (cohort and cohort.program)
        if chosen:
            programs = programs.filter(pk=chosen.pk)
    return programs, chosen, cohort, form.period_value()


def filter_form(user, data=None) -> DashboardFilterForm:
    mine = administered_programs(user).specific(defer=True)
    return DashboardFilterForm(data or None, programs=mine)


def report(user, programs, period, chosen, cohort=None) -> dict:
    """Every figure of the dashboard (charts aside), read in a fixed number
    of queries whatever the number of programs and people."""
    # Meetings, messages and ratings of both periods and the trend months
    # in one pass over each table.
    months = kpis.month_starts(12, period.end)
    activity = kpis.Activity.of(
        programs, {"current": period, "previous": period.previous()}, months, cohort
    )
    steward = user.has_perm(VIEW_EQUITY_REPORTS)
    current, split, previous, (months, series), rows = kpis.together(
        lambda: kpis.compute(programs, period, activity, "current", cohort),
        lambda: equity(programs, period, cohort) if steward else None,
        lambda: kpis.compute(programs, period.previous(), activity, "previous", cohort),
        lambda: kpis.monthly(
            programs, 12, until=period.end, activity=activity, cohort=cohort
        ),
        lambda: (
            [] if chosen else kpis.per_program(programs, period, activity, "current")
        ),
    )
    # The month under way is counted so far: say so beside its smaller numbers.
    this_month = timezone.localdate().replace(day=1)
    month_labels = [
        _("%(month)s (so far)") % {"month": date_format(m, "M y")}
        if m == this_month
        else date_format(m, "M y")
        for m in months
    ]
    found = {
        "program": chosen,
        "cohort": cohort,
        "period": period,
        "kpis": current,
        "previous": previous,
        "headlines": headlines(current, previous),
        "months": list(zip(month_labels, *series.values(), strict=True)),
        "month_starts": list(months),
        "series": series,
        "trend_names": [str(label) for _key, label in kpis.TRENDS],
        "programs": rows,
        "generated": timezone.localtime(),
        # When meetings, messages and ratings come from the summary.
        "as_of": activity.as_of,
        "refresh_minutes": summary.REFRESH_MINUTES,
    }
    if steward:
        found["equity"] = split
    return found


def equity(programs, period, cohort=None):
    """The funnel split by self-identified group, small groups suppressed.
    Callers check the equity permission (people data)."""
    population, stages = kpis.funnel_people(programs, period, cohort)
    return aggregate(
        population, stages, among=kpis.applicants(programs, period, cohort)
    )


def headlines(current: kpis.Kpis, previous: kpis.Kpis) -> list[dict]:
    """The KPI tiles: value now, value in the previous period, and the change."""

    def tile(key, label, now, before, kind="count", better="up"):
        change = None
        if now is not None and before is not None:
            change = now - before
        return {
            "key": key,
            "label": label,
            "now": now,
            "before": before,
            "change": change,
            "kind": kind,
            "better": better,
        }

    return [
        tile(
            "applied", _("Applied"), current.funnel[0].count, previous.funnel[0].count
        ),
        tile(
            "match_rate",
            _("Match rate"),
            current.match_rate,
            previous.match_rate,
            kind="percent",
        ),
        tile(
            "days_to_match_median",
            _("Median days to match"),
            current.days_to_match_median,
            previous.days_to_match_median,
            kind="days",
            better="down",
        ),
        tile(
            "active_relationships",
            _("Active relationships"),
            current.active_relationships,
            previous.active_relationships,
        ),
        tile(
            "meetings_per_pair_month",
            _("Meetings per pair per month"),
            current.meetings_per_pair_month,
            previous.meetings_per_pair_month,
            kind="decimal",
        ),
        tile(
            "rating_mean",
            _("Mean rating (1–5)"),
            current.rating_mean,
            previous.rating_mean,
            kind="decimal",
        ),
        tile(
            "goal_completion",
            _("Goal completion"),
            current.goal_completion,
            previous.goal_completion,
            kind="percent",
        ),
        tile(
            "ended_early",
            _("Ended early"),
            current.ended_early,
            previous.ended_early,
            better="down",
        ),
    ]
