"""Read-side numbers of sponsorship: the equity report and sponsor accountability.

Everything here returns aggregates; callers check ``view_equity_reports``
(equity) or program administration (accountability). Query counts do not grow
with the number of people: each step is one query, grouped in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring.analytics.equity import (
    EquityTable,
    aggregate,
    consented_groups,
    group_label,
    suppress,
)
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    RelationshipMember,
    Role,
)
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    CareerOutcome,
    CareerOutcomeKind,
    Nomination,
    OpportunityNomination,
    OpportunityNominationStatus,
)

STAGES = [
    ("nominated", _("Nominated")),
    ("sponsored", _("Sponsored")),
    ("put_forward", _("Put forward for opportunities")),
    ("selected", _("Selected")),
    ("promoted", _("Promoted")),
]


def sponsorship_programs():
    return ProgramPage.objects.filter(kind=ProgramKind.SPONSORSHIP)


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=365), today


def _sponsored_ids(programs, start: date, end: date) -> set:
    """Sponsees of a sponsorship that was open at some point in the period."""
    members = RelationshipMember.objects.filter(
        role=Role.SPONSEE,
        relationship__program__in=programs,
        relationship__started_on__lte=end,
    ).values_list("user_id", "relationship__ended_at")
    return {
        user_id
        for user_id, ended_at in members
        if ended_at is None or timezone.localdate(ended_at) >= start
    }


def population_ids(programs) -> set:
    """The eligible population: active employees with a profile, minus the
    accepted sponsors of the programs (they give sponsorship, not receive it)."""
    sponsors = Enrollment.objects.filter(
        program__in=programs, role=Role.SPONSOR, status=EnrollmentStatus.APPROVED
    ).values("user_id")
    return set(
        EmployeeProfile.objects.active()
        .exclude(user_id__in=sponsors)
        .values_list("user_id", flat=True)
    )


def _in_period(queryset, field: str, start: date, end: date):
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lte": end})


def stage_ids(programs, start: date, end: date) -> dict[str, set]:
    day_start = timezone.make_aware(
        timezone.datetime.combine(start, timezone.datetime.min.time())
    )
    day_end = timezone.make_aware(
        timezone.datetime.combine(end + timedelta(days=1), timezone.datetime.min.time())
    )
    nominated = Nomination.objects.filter(
        program__in=programs, created_at__gte=day_start, created_at__lt=day_end
    ).values_list("nominee_id", flat=True)
    opportunity = OpportunityNomination.objects.filter(
        opportunity__program__in=programs
    )
    put_forward = opportunity.filter(
        created_at__gte=day_start, created_at__lt=day_end
    ).values_list("nominee_id", flat=True)
    selected = opportunity.filter(
        status=OpportunityNominationStatus.SELECTED,
        decided_at__gte=day_start,
        decided_at__lt=day_end,
    ).values_list("nominee_id", flat=True)
    promoted = _in_period(
        CareerOutcome.objects.filter(kind=CareerOutcomeKind.PROMOTION),
        "occurred_on",
        start,
        end,
    ).values_list("employee_id", flat=True)
    return {
        "nominated": set(nominated),
        "sponsored": _sponsored_ids(programs, start, end),
        "put_forward": set(put_forward),
        "selected": set(selected),
        "promoted": set(promoted),
    }


# ---------------------------------------------------------------------------
# Promotion rate of sponsees vs comparable non-sponsored employees


def department_band(department: str) -> str:
    for band, departments in mentoring_settings.DEPARTMENT_BANDS.items():
        if department in departments:
            return band
    return department


def strata(user_ids: set, start: date, end: date) -> dict:
    """``{user id: (level at the start of the period, department band)}``.

    The profile holds today's level; someone promoted during the period started
    it at the ``from_level`` of their first promotion in the period.
    """
    first_from_level: dict = {}
    promotions = (
        _in_period(
            CareerOutcome.objects.filter(
                kind=CareerOutcomeKind.PROMOTION, employee_id__in=user_ids
            ),
            "occurred_on",
            start,
            end,
        )
        .exclude(from_level=None)
        .order_by("occurred_on", "pk")
        .values_list("employee_id", "from_level")
    )
    for user_id, level in promotions:
        first_from_level.setdefault(user_id, level)
    result = {}
    for user_id, level, department in EmployeeProfile.objects.filter(
        user_id__in=user_ids
    ).values_list("user_id", "level", "department"):
        level = first_from_level.get(user_id, level)
        if level is None:
            continue  # no level, no comparison
        result[user_id] = (level, department_band(department))
    return result


@dataclass
class PromotionComparison:
    label: str
    sponsees: int = 0
    matched_sponsees: int = 0
    sponsee_rate: float | None = None
    comparable_pool: int = 0
    comparable_rate: float | None = None
    suppressed: bool = False

    @property
    def difference(self) -> float | None:
        if self.sponsee_rate is None or self.comparable_rate is None:
            return None
        return self.sponsee_rate - self.comparable_rate


def compare_promotions(
    label: str,
    sponsees: set,
    non_sponsored: set,
    promoted: set,
    stratum: dict,
    threshold: int,
) -> PromotionComparison:
    """Direct standardisation: the comparable rate weights each (level, band)
    stratum's non-sponsored promotion rate by the number of sponsees in it."""
    result = PromotionComparison(label=label, sponsees=len(sponsees))
    pool: dict = defaultdict(list)
    for user_id in non_sponsored:
        if user_id in stratum:
            pool[stratum[user_id]].append(user_id)
    matched = [u for u in sponsees if stratum.get(u) in pool]
    result.matched_sponsees = len(matched)
    used_strata = {stratum[u] for u in matched}
    result.comparable_pool = sum(len(pool[s]) for s in used_strata)
    if len(matched) < threshold or result.comparable_pool < threshold:
        result.suppressed = True
        return result
    result.sponsee_rate = sum(1 for u in matched if u in promoted) / len(matched)
    weighted = 0.0
    for user_id in matched:
        members = pool[stratum[user_id]]
        weighted += sum(1 for m in members if m in promoted) / len(members)
    result.comparable_rate = weighted / len(matched)
    return result


@dataclass
class EquityReport:
    start: date
    end: date
    table: EquityTable
    promotion: PromotionComparison
    promotion_by_group: list[tuple[str, list[PromotionComparison]]] = field(
        default_factory=list
    )


def equity_report(
    programs=None, start: date | None = None, end: date | None = None
) -> EquityReport:
    """The sponsorship equity report of ``programs`` over ``start``–``end``."""
    if programs is None:
        programs = sponsorship_programs()
    default_start, default_end = default_period()
    start, end = start or default_start, end or default_end
    population = population_ids(programs)
    stages = stage_ids(programs, start, end)
    table = aggregate(population, [(key, label, stages[key]) for key, label in STAGES])
    threshold = table.min_group_size
    sponsees = stages["sponsored"] & population
    non_sponsored = population - sponsees
    stratum = strata(population, start, end)
    promoted = stages["promoted"]
    overall = compare_promotions(
        _("All sponsees"), sponsees, non_sponsored, promoted, stratum, threshold
    )
    by_group = []
    for dim, groups in consented_groups(sponsees).items():
        # Sizes of the sponsee groups decide what is shown, with the same
        # complementary rule as the main table.
        hidden = suppress({v: len(ids) for v, ids in groups.items()}, threshold)
        rows = []
        for value, ids in groups.items():
            if not ids:
                continue
            if value in hidden:
                rows.append(
                    PromotionComparison(label=group_label(value), suppressed=True)
                )
                continue
            rows.append(
                compare_promotions(
                    group_label(value), ids, non_sponsored, promoted, stratum, threshold
                )
            )
        by_group.append((dim.replace("_", " ").capitalize(), rows))
    return EquityReport(start, end, table, overall, by_group)


# ---------------------------------------------------------------------------
# Sponsor accountability


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_quarters(today: date, count: int) -> list[date]:
    starts = [quarter_start(today)]
    while len(starts) < count:
        starts.append(quarter_start(starts[-1] - timedelta(days=1)))
    return list(reversed(starts))


def quarter_label(start: date) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


@dataclass
class SponsorRow:
    sponsor: object
    program: ProgramPage
    open_sponsees: int
    per_quarter: list[int]
    last_action: date | None
    idle: bool

    @property
    def sponsor_name(self) -> str:
        return display_name(self.sponsor)


def sponsor_accountability(
    programs, *, idle_days: int | None = None, today: date | None = None, quarters=4
) -> tuple[list[str], list[SponsorRow]]:
    """Advocacy actions per sponsor per quarter and who has been idle.

    Counts include confidential actions (only the number is shown). A sponsor
    is idle when they sponsor someone and logged nothing in ``idle_days``.
    """
    today = today or timezone.localdate()
    idle_days = idle_days or mentoring_settings.SPONSOR_IDLE_DAYS
    starts = previous_quarters(today, quarters)
    sponsors = list(
        Enrollment.objects.filter(
            program__in=programs,
            role=Role.SPONSOR,
            status=EnrollmentStatus.APPROVED,
            user__is_active=True,
        )
        .select_related("user", "program")
        .order_by("program__title", "pk")
    )
    open_counts: dict = defaultdict(int)
    for user_id, program_id in RelationshipMember.objects.filter(
        role=Role.SPONSOR,
        relationship__program__in=programs,
        relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
    ).values_list("user_id", "relationship__program_id"):
        open_counts[(user_id, program_id)] += 1
    per_quarter: dict = defaultdict(lambda: [0] * len(starts))
    actions = AdvocacyAction.objects.filter(
        relationship__program__in=programs, occurred_on__gte=starts[0]
    ).values_list("sponsor_id", "relationship__program_id", "occurred_on")
    for sponsor_id, program_id, occurred_on in actions:
        index = max(i for i, s in enumerate(starts) if s <= occurred_on)
        per_quarter[(sponsor_id, program_id)][index] += 1
    last = {
        (row["sponsor_id"], row["relationship__program_id"]): row["last"]
        for row in AdvocacyAction.objects.filter(relationship__program__in=programs)
        .values("sponsor_id", "relationship__program_id")
        .annotate(last=Max("occurred_on"))
    }
    cutoff = today - timedelta(days=idle_days)
    rows = []
    for enrollment in sponsors:
        key = (enrollment.user_id, enrollment.program_id)
        last_action = last.get(key)
        sponsees = open_counts.get(key, 0)
        rows.append(
            SponsorRow(
                sponsor=enrollment.user,
                program=enrollment.program,
                open_sponsees=sponsees,
                per_quarter=per_quarter[key],
                last_action=last_action,
                idle=bool(sponsees) and (last_action is None or last_action < cutoff),
            )
        )
    return [quarter_label(s) for s in starts], rows
