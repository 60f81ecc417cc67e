"""Program KPIs: the numbers of the program dashboard and the roll-up.

Every figure is computed in the database (aggregates over a fixed number of
queries, whatever the number of programs, pairs or meetings), for a set of
programs and a period of whole days in the current time zone. The definitions,
with their formulas, are the table in ``docs/dashboards.md``; change both
together.

Who counts:
- *Seekers* are the people a program is for: mentees, sponsees and peer members.
  The funnel follows the seekers who applied within the period.
- A relationship is *active in the period* when it started before the period
  ended and had not ended before it began.
- A relationship's *origin* is how it was made: a matching run, a participant's
  own request (self-select), or by hand (an admin's pair or manual proposal).
"""

from __future__ import annotations

import queue
import statistics
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connections, transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.analytics import summary
from wagtail_mentoring.analytics.models import ActivityDay
from wagtail_mentoring.engagement.models import (
    Feedback,
    Goal,
    GoalStatus,
    Meeting,
    MeetingStatus,
    MentorRequest,
    Message,
)
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.matching.models import MatchProposal, ProposalOrigin
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)

#: The roles a program serves (the funnel follows them).
SEEKER_ROLES = [Role.MENTEE, Role.SPONSEE, Role.MEMBER]

#: Buckets of "days since the last held meeting" for open relationships.
QUIET_BUCKETS = [
    (0, 14, _("0–14 days")),
    (15, 30, _("15–30 days")),
    (31, 60, _("31–60 days")),
    (61, None, _("61 days or more")),
]

ORIGINS = [
    ("algorithm", _("Matching run")),
    ("self_select", _("Participant's request")),
    ("by_hand", _("Paired by hand")),
]


@dataclass(frozen=True)
class Period:
    """Whole days ``start``..``end`` (both included) in the current time zone."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first moment after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(1), time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> float:
        return self.days / (365.25 / 12)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        end = self.start - timedelta(1)
        return Period(end - timedelta(self.days - 1), end)

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today - timedelta(days - 1), today)


@dataclass
class Stage:
    key: str
    label: str
    count: int
    previous: int | None = None  # the stage before it (None for the first)

    @property
    def share_of_previous(self) -> float | None:
        if self.previous is None:
            return None
        return self.count / self.previous if self.previous else 0.0

    @property
    def drop(self) -> int | None:
        return None if self.previous is None else self.previous - self.count


@dataclass
class Distribution:
    """Counts per labelled bucket, in order."""

    rows: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _label, n in self.rows)


@dataclass
class Kpis:
    period: Period
    funnel: list[Stage]
    match_rate: float | None
    days_to_match_median: float | None
    days_to_match_p90: float | None
    unmatched: Distribution
    origins: Distribution
    active_relationships: int
    meetings_held: int
    meetings_per_pair_month: float | None
    quiet: Distribution
    messages: int
    journeys_started: int
    journeys_completed: int
    goals_set: int
    goals_achieved: int
    feedback_count: int
    rating_mean: float | None
    ratings: Distribution
    ended_early: int
    early_closure_by_origin: list[tuple[str, int, int]]  # label, made, ended early
    early_reasons: list[str] = field(default_factory=list)

    @property
    def journey_completion(self) -> float | None:
        return _ratio(self.journeys_completed, self.journeys_started)

    @property
    def goal_completion(self) -> float | None:
        return _ratio(self.goals_achieved, self.goals_set)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by linear interpolation (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


#: The database :func:`together` may read through other connections of (None:
#: it may not), set by :func:`reading` for the thread that entered it.
_parallel = threading.local()


@contextmanager
def reading(using: str = "default") -> Iterator[None]:
    """Run the dashboard's queries in one read transaction; on PostgreSQL
    without just-in-time compilation, and letting :func:`together` spread
    independent figures over two connections.

    The dashboard runs a few dozen short aggregates whose cost estimates (a
    million meetings) pass PostgreSQL's ``jit_above_cost``: compiling each one
    took longer than running it (half a second of a 0.9 s query, measured with
    ``EXPLAIN ANALYZE`` in ``benchmarks/dashboard.py``). ``SET LOCAL`` ends with
    the transaction, so nothing else of the host's is affected.
    """
    connection = connections[using]
    # Another connection sees the same rows only when this one holds no
    # uncommitted writes: not inside a caller's transaction (a test's, or a
    # host's ATOMIC_REQUESTS), where everything stays on this connection.
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    before = getattr(_parallel, "using", None)
    _parallel.using = using if parallel else None
    try:
        with _read_transaction(connection):
            yield
    finally:
        _parallel.using = before


@contextmanager
def _read_transaction(connection) -> Iterator[None]:
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def together(*figures: Callable[[], object]) -> list:
    """The results of independent ``figures`` (functions of no argument that
    only read). Inside :func:`reading` on PostgreSQL, two connections compute
    them side by side, so the database works on two cores while this process
    waits; everywhere else, one after the other."""
    using = getattr(_parallel, "using", None)
    if using is None or len(figures) < 2:
        return [figure() for figure in figures]
    zone, language = timezone.get_current_timezone(), translation.get_language()
    pending = queue.SimpleQueue()
    for n, figure in enumerate(figures):
        pending.put((n, figure))
    results = [None] * len(figures)

    def work():
        # A worker thread has its own connection, time zone and language; it
        # takes figures until none is left, in one read transaction.
        try:
            with (
                timezone.override(zone),
                translation.override(language),
                _read_transaction(connections[using]),
            ):
                while True:
                    try:
                        n, figure = pending.get_nowait()
                    except queue.Empty:
                        return
                    results[n] = figure()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for worker in [pool.submit(work) for _ in range(2)]:
            worker.result()  # raises what a figure raised
    return results


# ---------------------------------------------------------------------------
# Building blocks


def relationships_with_origin(relationships):
    """``relationships`` annotated with ``origin`` flags (``by_engine``,
    ``by_request``), one query whatever their number."""
    return relationships.annotate(
        by_engine=Exists(
            MatchProposal.objects.filter(
                relationship_id=OuterRef("pk"), origin=ProposalOrigin.ENGINE
            )
        ),
        by_request=Exists(MentorRequest.objects.filter(relationship_id=OuterRef("pk"))),
    )


def _origin_counts(relationships) -> dict[str, dict[str, int]]:
    """made / ended early per origin, in one grouped query: each relationship's
    origin is looked up once (an aggregate with a filter per origin would
    repeat both lookups in every filter)."""
    rows = (
        relationships_with_origin(relationships)
        .annotate(early=Q(status=RelationshipStatus.ENDED_EARLY))
        .values_list("by_engine", "by_request", "early")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {key: {"made": 0, "early": 0} for key, _label in ORIGINS}
    for by_engine, by_request, early, n in rows:
        key = "algorithm" if by_engine else "self_select" if by_request else "by_hand"
        counts[key]["made"] += n
        if early:
            counts[key]["early"] += n
    return counts


def active_in(relationships, period: Period):
    """Relationships active at some moment of ``period``."""
    return relationships.filter(_active_q(period))


def applications(programs, period: Period, cohort=None):
    """The seekers' applications to ``programs`` (to ``cohort`` when given) made
    within ``period``."""
    return Enrollment.objects.filter(_applied(programs, period, cohort))


def _applied(programs, period: Period, cohort=None, via: str = "") -> Q:
    """The condition on an application (reached through ``via``) of being one
    of :func:`applications`."""
    condition = Q(
        **{
            f"{via}program_id__in": programs.values("pk"),
            f"{via}role__in": SEEKER_ROLES,
            f"{via}created_at__gte": period.since,
            f"{via}created_at__lt": period.until,
        }
    )
    if cohort is not None:
        condition &= Q(**{f"{via}cohort_id": cohort.pk})
    return condition


def _in_cohort(enrollments, cohort):
    return enrollments if cohort is None else enrollments.filter(cohort_id=cohort.pk)


def relationships_of(programs, cohort=None):
    """The relationships of ``programs``; with a ``cohort``, those whose seeker
    (mentee, sponsee or peer member) applied to that cohort."""
    relationships = Relationship.objects.filter(program_id__in=programs.values("pk"))
    if cohort is None:
        return relationships
    return relationships.filter(
        Exists(
            RelationshipMember.objects.filter(
                relationship_id=OuterRef("pk"),
                role__in=SEEKER_ROLES,
                enrollment__cohort_id=cohort.pk,
            )
        )
    )


def of_relationships(model, programs, cohort=None):
    """Rows of ``model`` (meetings, messages, feedback) of those relationships."""
    rows = model.objects.filter(relationship__program_id__in=programs.values("pk"))
    if cohort is None:
        return rows
    return rows.filter(relationship__in=relationships_of(programs, cohort))


def _matches(programs, period: Period, cohort=None):
    """The relationship memberships the period's applications led to (the one
    service that starts relationships links each member to their live
    application); joined to the application rather than filtered by a
    subquery of them, so that a query reads the applications once."""
    return RelationshipMember.objects.filter(
        _applied(programs, period, cohort, via="enrollment__")
    )


def _by_status(enrollments, *by: str):
    """``(*by, status, matched or not, count)`` rows of ``enrollments``, in one
    grouped query: the funnel's first stages."""
    matched = Exists(RelationshipMember.objects.filter(enrollment_id=OuterRef("pk")))
    return (
        enrollments.annotate(is_matched=matched)
        .values_list(*by, "status", "is_matched")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _approved(status: str, is_matched: bool) -> bool:
    """Whether an application passed the funnel's "approved" stage: matched
    applications count, whatever their status became since."""
    return is_matched or status == EnrollmentStatus.APPROVED


def _stage_flags() -> dict:
    """Annotations of a relationship membership: whether its relationship
    has held a meeting, set a goal, achieved one."""
    related = OuterRef("relationship_id")
    return {
        "has_met": Q(relationship__first_met_at__isnull=False),
        "has_goal": Exists(Goal.objects.filter(relationship_id=related)),
        "has_achieved": Exists(
            Goal.objects.filter(relationship_id=related, status=GoalStatus.ACHIEVED)
        ),
    }


def _funnel_counts(programs, period: Period, cohort=None) -> dict[str, int]:
    """Every funnel and "not matched" count, from two grouped queries: the
    applications by status and matched-or-not, and their memberships by which
    later stages they reached (a handful of rows, whatever the data)."""
    by_status = {
        (status, is_matched): n
        for status, is_matched, n in _by_status(applications(programs, period, cohort))
    }
    counts = {
        "applied": sum(by_status.values()),
        "approved": sum(
            n
            for (status, is_matched), n in by_status.items()
            if _approved(status, is_matched)
        ),
        "matched": sum(n for (_s, is_matched), n in by_status.items() if is_matched),
    }
    for key, status in [
        ("pending", EnrollmentStatus.PENDING),
        ("declined", EnrollmentStatus.DECLINED),
        ("withdrawn", EnrollmentStatus.WITHDRAWN),
        ("waiting", EnrollmentStatus.APPROVED),
    ]:
        counts[key] = by_status.get((status, False), 0)
    stages = (
        _matches(programs, period, cohort)
        .annotate(
            **_stage_flags(),
            is_completed=Q(relationship__status=RelationshipStatus.COMPLETED),
        )
        .values_list("has_met", "has_goal", "has_achieved", "is_completed")
        .annotate(n=Count("enrollment_id", distinct=True))
        .order_by()
    )
    # A funnel narrows: each stage counts the people who also passed every
    # stage before it (a completed pair without an achieved goal stops there).
    counts.update(met=0, goal_set=0, goal_achieved=0, completed=0)
    for met, goal, achieved, completed, n in stages:
        reached = [met, met and goal, met and goal and achieved]
        reached.append(reached[-1] and completed)
        for key, passed in zip(
            ("met", "goal_set", "goal_achieved", "completed"), reached, strict=True
        ):
            counts[key] += n if passed else 0
    return counts


# ---------------------------------------------------------------------------
# Activity: meetings, messages and ratings in one pass over each table


def month_starts(months: int, until: date) -> list[date]:
    """The first days of the ``months`` calendar months up to ``until``'s."""
    first = until.replace(day=1)
    for _step in range(months - 1):
        first = (first - timedelta(1)).replace(day=1)
    starts = [first]
    while len(starts) < months:
        starts.append((starts[-1] + timedelta(32)).replace(day=1))
    return starts


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Activity:
    """Held meetings, messages and feedback of some programs, for several
    periods and the trend months at once, so the dashboard reads each table
    once, not once per figure.

    Whole UTC days come from the activity summary (``analytics/summary.py``)
    when it has been refreshed and no cohort is chosen; the rest (the partial
    days at the edges of each period in the current time zone, and the days
    since the last refresh) is counted live: one grouped query per table over
    those few hours. Without the summary everything is counted live.

    ``meetings[key]`` and ``meetings_by_program[key][program id]`` count held
    meetings per period key; ``ratings[key][stars]`` and
    ``ratings_by_program[key][program id]`` are ``{stars: count}``;
    ``messages[key]`` counts messages; ``meetings_by_month``,
    ``messages_by_month`` and ``ratings_by_month`` hold the same by month
    start; ``as_of`` is the time of the summary's last refresh (``None``:
    every figure live).
    """

    meetings: dict
    meetings_by_program: dict
    meetings_by_month: dict
    ratings: dict
    ratings_by_program: dict
    messages: dict
    as_of: datetime | None = None
    messages_by_month: dict = field(default_factory=dict)
    ratings_by_month: dict = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        programs,
        periods: dict[str, Period],
        months=(),
        cohort=None,
        *,
        summarised: bool = True,
    ) -> Activity:
        months = list(months)
        # Every window counted, under an alias usable in SQL.
        windows = {f"p{n}": (p.since, p.until) for n, p in enumerate(periods.values())}
        for n, month in enumerate(months):
            windows[f"m{n}"] = (_aware(month), _aware(_next_month(month)))
        period_alias = dict(zip(periods, windows, strict=False))
        month_alias = {month: f"m{n}" for n, month in enumerate(months)}

        current = summary.state() if summarised and cohort is None else None
        whole, live = {}, {}
        for alias, (low, high) in windows.items():
            whole[alias], live[alias] = _split(
                low, high, current.complete_until if current else None
            )
        # counts[alias][program id] = {column: n}
        counts = {alias: {} for alias in windows}

        def add(alias, program, column, n):
            mine = counts[alias].setdefault(program, {})
            mine[column] = mine.get(column, 0) + n

        if current is not None:
            _add_summary(programs, whole, add)
        for rows, when, column in [
            (
                of_relationships(Meeting, programs, cohort).filter(
                    status=MeetingStatus.HELD
                ),
                "starts_at",
                "meetings_held",
            ),
            (
                of_relationships(Message, programs, cohort),
                "created_at",
                "messages",
            ),
            (
                of_relationships(Feedback, programs, cohort),
                "created_at",
                None,
            ),
        ]:
            _add_live(rows, when, live, column, add)

        def total(alias, column, program=None):
            rows = (
                counts[alias].values()
                if program is None
                else [counts[alias].get(program, {})]
            )
            return sum(row.get(column, 0) for row in rows)

        def stars(row):
            return {
                n: row[f"rating_{n}"] for n in range(1, 6) if row.get(f"rating_{n}")
            }

        meetings, by_program, ratings, ratings_by_program, messages = {}, {}, {}, {}, {}
        for key, alias in period_alias.items():
            meetings[key] = total(alias, "meetings_held")
            messages[key] = total(alias, "messages")
            by_program[key] = {
                program: row["meetings_held"]
                for program, row in counts[alias].items()
                if row.get("meetings_held")
            }
            ratings[key] = {
                n: total(alias, f"rating_{n}")
                for n in range(1, 6)
                if total(alias, f"rating_{n}")
            }
            ratings_by_program[key] = {
                program: stars(row)
                for program, row in counts[alias].items()
                if stars(row)
            }

        def by_month(column):
            return {
                month: total(alias, column)
                for month, alias in month_alias.items()
                if total(alias, column)
            }

        return cls(
            meetings,
            by_program,
            by_month("meetings_held"),
            ratings,
            ratings_by_program,
            messages,
            as_of=current.refreshed_at if current else None,
            messages_by_month=by_month("messages"),
            ratings_by_month={
                month: found
                for month, alias in month_alias.items()
                if (
                    found := stars(
                        {
                            f"rating_{n}": total(alias, f"rating_{n}")
                            for n in range(1, 6)
                        }
                    )
                )
            },
        )


def _next_month(first: date) -> date:
    return (first + timedelta(32)).replace(day=1)


def _split(low: datetime, high: datetime, complete_until: date | None):
    """``[low, high)`` as the whole UTC days the summary holds (``(first,
    end)`` or ``None``) and the moments left to count live."""
    if complete_until is None:
        return None, [(low, high)]
    first = summary.utc_day(low)
    if summary.utc_start(first) < low:
        first += timedelta(1)
    end = min(summary.utc_day(high), complete_until)
    if first >= end:
        return None, [(low, high)]
    live = [
        (a, b)
        for a, b in [(low, summary.utc_start(first)), (summary.utc_start(end), high)]
        if a < b
    ]
    return (first, end), live


def _add_summary(programs, whole, add) -> None:
    """The summarised days of every window: the periods' grouped by program,
    the months' totals from the days' sums (two queries)."""
    wanted = {alias: days for alias, days in whole.items() if days}
    periods = {a: days for a, days in wanted.items() if a.startswith("p")}
    months = {a: days for a, days in wanted.items() if a.startswith("m")}
    if periods:
        rows = (
            _summary_days(programs, periods.values())
            .values("program_id")
            .annotate(
                **{
                    f"{alias}_{column}": Sum(
                        column, filter=Q(day__gte=first, day__lt=end)
                    )
                    for alias, (first, end) in periods.items()
                    for column in summary.COLUMNS
                }
            )
            .order_by()
        )
        for row in rows:
            for alias in periods:
                for column in summary.COLUMNS:
                    if n := row[f"{alias}_{column}"]:
                        add(alias, row["program_id"], column, n)
    if months:
        # A filtered sum per month and column costs a filter per row each;
        # a day belongs to one month, so group by day and place it here.
        days = (
            _summary_days(programs, months.values())
            .values("day")
            .annotate(**{column: Sum(column) for column in summary.COLUMNS})
            .order_by()
        )
        for row in days:
            for alias, (first, end) in months.items():
                if first <= row["day"] < end:
                    for column in summary.COLUMNS:
                        if n := row[column]:
                            add(alias, None, column, n)


def _summary_days(programs, windows):
    return ActivityDay.objects.filter(
        program_id__in=programs.values("pk"),
        day__gte=min(first for first, _end in windows),
        day__lt=max(end for _first, end in windows),
    )


def _add_live(rows, when: str, live, column: str | None, add) -> None:
    """Rows of one table in the windows' live moments, grouped by program (and
    rating for feedback, when ``column`` is None): one query."""

    def within(intervals):
        condition = Q(pk__in=[])
        for low, high in intervals:
            condition |= Q(**{f"{when}__gte": low, f"{when}__lt": high})
        return condition

    wanted = {alias: intervals for alias, intervals in live.items() if intervals}
    if not wanted:
        return
    everything = [interval for intervals in wanted.values() for interval in intervals]
    group = ["relationship__program_id"] + (["rating"] if column is None else [])
    grouped = (
        rows.filter(within(everything))
        .values(*group)
        .annotate(
            **{alias: Count("pk", filter=within(iv)) for alias, iv in wanted.items()}
        )
        .order_by()
    )
    for row in grouped:
        name = column or f"rating_{row['rating']}"
        for alias in wanted:
            if row[alias]:
                add(alias, row["relationship__program_id"], name, row[alias])


def mean_rating(counts: dict) -> float | None:
    """The mean of ``{stars: count}`` (``None`` without ratings)."""
    total = sum(counts.values())
    return sum(stars * n for stars, n in counts.items()) / total if total else None


# ---------------------------------------------------------------------------
# The KPIs


def compute(
    programs,
    period: Period,
    activity: Activity | None = None,
    slot: str = "current",
    cohort=None,
) -> Kpis:
    r"""Every KPI of ``programs`` (a queryset of program pages; of one of their
    ``cohort``\ s when given) over ``period``; ``activity`` (with ``period``
    under ``slot``) when the caller read it already for several periods."""
    if activity is None:
        activity = Activity.of(programs, {slot: period}, cohort=cohort)
    counts = _funnel_counts(programs, period, cohort)
    labels = [
        ("applied", _("Applied")),
        ("approved", _("Approved")),
        ("matched", _("Matched")),
        ("met", _("First meeting held")),
        ("goal_set", _("Goal set")),
        ("goal_achieved", _("Goal achieved")),
        ("completed", _("Completed")),
    ]
    funnel, before = [], None
    for key, label in labels:
        funnel.append(Stage(key, str(label), counts[key], before))
        before = counts[key]

    wait_median, wait_p90 = _days_to_match(programs, period, cohort)

    relationships = relationships_of(programs, cohort)
    made = relationships.filter(
        created_at__gte=period.since, created_at__lt=period.until
    )
    origin_counts = _origin_counts(made)
    active = active_in(relationships, period)
    active_count = active.count()

    meetings_held = activity.meetings[slot]
    quiet = _quiet_distribution(relationships, period)
    messages = activity.messages[slot]

    journeys = JourneyProgress.objects.filter(relationship__in=active).aggregate(
        started=Count("pk"),
        completed=Count(
            "pk",
            filter=Q(completed_at__gte=period.since, completed_at__lt=period.until),
        ),
    )
    # Goals have no "achieved on" date: those set by the period's end in its
    # relationships, and how many of them are achieved by today.
    goals = Goal.objects.filter(
        relationship__in=active, created_at__lt=period.until
    ).aggregate(
        set=Count("pk"),
        achieved=Count("pk", filter=Q(status=GoalStatus.ACHIEVED)),
    )

    rating_rows = activity.ratings[slot]
    rating_mean = mean_rating(rating_rows)

    ended = relationships.filter(
        status=RelationshipStatus.ENDED_EARLY,
        ended_at__gte=period.since,
        ended_at__lt=period.until,
    )
    ended_early = ended.count()
    reasons = list(
        ended.exclude(end_reason="")
        .order_by("-ended_at")
        .values_list("end_reason", flat=True)[:10]
    )

    return Kpis(
        period=period,
        funnel=funnel,
        match_rate=_ratio(counts["matched"], counts["approved"]),
        days_to_match_median=wait_median,
        days_to_match_p90=wait_p90,
        unmatched=Distribution(
            [
                (str(_("Waiting for review")), counts["pending"]),
                (str(_("Approved, not matched yet")), counts["waiting"]),
                (str(_("Declined")), counts["declined"]),
                (str(_("Withdrew")), counts["withdrawn"]),
            ]
        ),
        origins=Distribution(
            [(str(label), origin_counts[key]["made"]) for key, label in ORIGINS]
        ),
        active_relationships=active_count,
        meetings_held=meetings_held,
        meetings_per_pair_month=(
            meetings_held / active_count / period.months if active_count else None
        ),
        quiet=quiet,
        messages=messages,
        journeys_started=journeys["started"],
        journeys_completed=journeys["completed"],
        goals_set=goals["set"],
        goals_achieved=goals["achieved"],
        feedback_count=sum(rating_rows.values()),
        rating_mean=rating_mean,
        ratings=Distribution(
            [(str(stars), rating_rows.get(stars, 0)) for stars in range(1, 6)]
        ),
        ended_early=ended_early,
        early_closure_by_origin=[
            (str(label), origin_counts[key]["made"], origin_counts[key]["early"])
            for key, label in ORIGINS
        ],
        early_reasons=reasons,
    )


class _PercentileOf(Aggregate):
    """PostgreSQL's ``percentile_cont``: the same interpolation as
    :func:`percentile`, over rows that never leave the database."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _wait(matches):
    """The days from application to match of each of ``matches``, as an
    expression PostgreSQL computes (seconds), or ``None`` elsewhere (Python
    computes them from the two timestamps)."""
    if connections[matches.db].vendor != "postgresql":
        return None
    wait = ExpressionWrapper(
        F("relationship__created_at") - F("enrollment__created_at"),
        output_field=DurationField(),
    )
    return Func(
        wait, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField()
    )


def _days_to_match(
    programs, period: Period, cohort=None
) -> tuple[float | None, float | None]:
    """Median and 90th percentile of the days from application to match, for
    the seekers matched so far: computed by PostgreSQL, elsewhere over the
    waits read into Python."""
    matches = _matches(programs, period, cohort)
    if (seconds := _wait(matches)) is not None:
        found = matches.aggregate(
            median=_PercentileOf(seconds, 0.5), p90=_PercentileOf(seconds, 0.9)
        )
        if found["median"] is None:
            return None, None
        return found["median"] / 86400, found["p90"] / 86400
    waits = [days for _user, days in waits_of(matches)]
    return (statistics.median(waits) if waits else None), percentile(waits, 0.9)


def waits(programs, period: Period, cohort=None) -> Iterator[tuple[int, float]]:
    """``(user id, days)`` from application to match of each seeker matched
    from the period's applications: the rows of the time to match."""
    matches = _matches(programs, period, cohort).filter(enrollment__user__isnull=False)
    return waits_of(matches)


def waits_of(matches) -> Iterator[tuple[int, float]]:
    if (seconds := _wait(matches)) is not None:
        for user, wait in matches.values_list("enrollment__user_id", seconds):
            yield user, wait / 86400
        return
    for user, applied, matched in matches.values_list(
        "enrollment__user_id", "enrollment__created_at", "relationship__created_at"
    ):
        yield user, (matched - applied).total_seconds() / 86400


def last_met_before(as_of: datetime, via: str = ""):
    """The last held meeting before ``as_of`` of each row's relationship (the
    row itself, or the one reached through ``via``, e.g. ``"relationship__"``),
    or NULL: the relationship's last held meeting unless that is later (a
    past period), and only then are its meetings read."""
    mark = f"{via}last_met_at"
    return Case(
        When(**{f"{mark}__isnull": True}, then=Value(None)),
        When(**{f"{mark}__lt": as_of}, then=F(mark)),
        default=Subquery(
            Meeting.objects.filter(
                relationship_id=OuterRef(f"{via[:-2]}_id" if via else "pk"),
                status=MeetingStatus.HELD,
                starts_at__lt=as_of,
            )
            .order_by("-starts_at")
            .values("starts_at")[:1]
        ),
        output_field=DateTimeField(),
    )


def _quiet_distribution(relationships, period: Period) -> Distribution:
    """Open relationships at the end of the period by days since their last
    held meeting (or "no meeting yet"), in one query."""
    as_of = period.until
    open_then = relationships.filter(created_at__lt=as_of).filter(
        Q(status__in=OPEN_RELATIONSHIP_STATUSES) | Q(ended_at__gte=as_of)
    )
    last_met = (
        open_then.annotate(last_met=last_met_before(as_of)).values("last_met").query
    )
    # Bucketed around the query so that each relationship's last meeting is
    # looked up once (an aggregate over the annotation would repeat it per
    # bucket).
    connection = connections[relationships.db]
    inner, params = last_met.sql_with_params()
    cases, limits = [], []
    for index in reversed(range(1, len(QUIET_BUCKETS))):
        low = QUIET_BUCKETS[index][0]
        cases.append(f"WHEN t.last_met <= %s THEN {index}")
        limits.append(
            connection.ops.adapt_datetimefield_value(as_of - timedelta(days=low))
        )
    never = len(QUIET_BUCKETS)
    # Only Django's own SQL and our bucket numbers are formatted in; every
    # value is a parameter.
    bucket = f"CASE WHEN t.last_met IS NULL THEN {never} {' '.join(cases)} ELSE 0 END"
    sql = f"SELECT {bucket}, COUNT(*) FROM ({inner}) t GROUP BY 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*limits, *params])
        totals = dict(cursor.fetchall())
    rows = [
        (str(label), totals.get(index, 0))
        for index, (_low, _high, label) in enumerate(QUIET_BUCKETS)
    ]
    rows.append((str(_("No meeting yet")), totals.get(never, 0)))
    return Distribution(rows)


# ---------------------------------------------------------------------------
# Trends


#: The monthly series: every headline KPI by calendar month. Counts are
#: integers; rates are fractions, days and means floats, ``None`` in a month
#: with nothing to divide (no approved applicant, no goal, no rating...).
TRENDS = [
    ("applications", _("Applications")),
    ("matches", _("New relationships")),
    ("meetings", _("Meetings held")),
    ("early", _("Ended early")),
    ("match_rate", _("Match rate")),
    ("days_to_match", _("Median days to match")),
    ("active", _("Active relationships")),
    ("meetings_per_pair", _("Meetings per pair")),
    ("messages", _("Messages")),
    ("rating_mean", _("Mean rating")),
    ("goal_completion", _("Goal completion")),
    ("journey_completion", _("Journey completion")),
]
#: Which series are shares (shown as percentages).
SHARE_TRENDS = {"match_rate", "goal_completion", "journey_completion"}


def monthly(
    programs,
    months: int = 12,
    until: date | None = None,
    activity: Activity | None = None,
    cohort=None,
):
    """Each trend series by calendar month for the ``months`` months up to the
    month of ``until``: ``(month starts, {series: [values]})``. Each month
    computes a KPI as :func:`compute` does for a period of that month: the
    match rate and the wait of the applications made in it, the goals and
    journeys of the relationships active in it. A fixed number of queries
    (meetings, messages and ratings from ``activity`` when given, read with
    these months)."""
    until = until or timezone.localdate()
    starts = month_starts(months, until)
    windows = [Period(start, _next_month(start) - timedelta(1)) for start in starts]
    whole = Period(starts[0], windows[-1].end)
    if activity is None:
        activity = Activity.of(programs, {}, starts, cohort)
    relationships = relationships_of(programs, cohort)
    series = {}
    for key, (queryset, when) in {
        "matches": (relationships, "created_at"),
        "early": (
            relationships.filter(status=RelationshipStatus.ENDED_EARLY),
            "ended_at",
        ),
    }.items():
        series[key] = _count_by_month(queryset, when, whole, starts)
    series.update(_applications_by_month(programs, whole, starts, cohort))
    series["days_to_match"] = _wait_by_month(programs, whole, starts, cohort)

    active = relationships.aggregate(
        **{
            f"m{n}": Count("pk", filter=_active_q(window))
            for n, window in enumerate(windows)
        }
    )
    series["active"] = [active[f"m{n}"] for n in range(len(windows))]
    series["meetings"] = [activity.meetings_by_month.get(m, 0) for m in starts]
    series["meetings_per_pair"] = [
        held / pairs if pairs else None
        for held, pairs in zip(series["meetings"], series["active"], strict=True)
    ]
    series["messages"] = [activity.messages_by_month.get(m, 0) for m in starts]
    series["rating_mean"] = [
        mean_rating(activity.ratings_by_month.get(m, {})) for m in starts
    ]
    # As compute(): the goals set by each month's end in the relationships
    # active in it, achieved by today; the journeys of those relationships,
    # completed within the month.
    goals = Goal.objects.filter(relationship__in=relationships).aggregate(
        **{
            f"{kind}{n}": Count("pk", filter=condition)
            for n, window in enumerate(windows)
            for kind, condition in [
                (
                    "set",
                    _active_q(window, "relationship__")
                    & Q(created_at__lt=window.until),
                ),
                (
                    "achieved",
                    _active_q(window, "relationship__")
                    & Q(created_at__lt=window.until, status=GoalStatus.ACHIEVED),
                ),
            ]
        }
    )
    journeys = JourneyProgress.objects.filter(relationship__in=relationships).aggregate(
        **{
            f"{kind}{n}": Count("pk", filter=condition)
            for n, window in enumerate(windows)
            for kind, condition in [
                ("started", _active_q(window, "relationship__")),
                (
                    "completed",
                    _active_q(window, "relationship__")
                    & Q(completed_at__gte=window.since, completed_at__lt=window.until),
                ),
            ]
        }
    )
    series["goal_completion"] = [
        _ratio(goals[f"achieved{n}"], goals[f"set{n}"]) for n in range(len(windows))
    ]
    series["journey_completion"] = [
        _ratio(journeys[f"completed{n}"], journeys[f"started{n}"])
        for n in range(len(windows))
    ]
    return starts, {key: series[key] for key, _label in TRENDS}


def _active_q(period: Period, via: str = "") -> Q:
    """The condition of :func:`active_in` on a relationship reached through
    ``via``."""
    return Q(**{f"{via}created_at__lt": period.until}) & (
        Q(**{f"{via}ended_at__isnull": True})
        | Q(**{f"{via}ended_at__gte": period.since})
    )


def _count_by_month(queryset, when: str, whole: Period, starts) -> list[int]:
    rows = (
        queryset.filter(**{f"{when}__gte": whole.since, f"{when}__lt": whole.until})
        .annotate(month=TruncMonth(when))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    by_month = {_month_start(month): n for month, n in rows}
    return [by_month.get(start, 0) for start in starts]


def _applications_by_month(programs, whole: Period, starts, cohort=None) -> dict:
    """Applications and the match rate of each month's applications (as the
    funnel's: matched among approved or matched), one grouped query."""
    rows = _by_status(
        applications(programs, whole, cohort).annotate(month=TruncMonth("created_at")),
        "month",
    )
    applied, approved, made = {}, {}, {}
    for month, status, is_matched, n in rows:
        start = _month_start(month)
        applied[start] = applied.get(start, 0) + n
        if _approved(status, is_matched):
            approved[start] = approved.get(start, 0) + n
        if is_matched:
            made[start] = made.get(start, 0) + n
    return {
        "applications": [applied.get(start, 0) for start in starts],
        "match_rate": [
            _ratio(made.get(start, 0), approved.get(start, 0)) for start in starts
        ],
    }


def _wait_by_month(programs, whole: Period, starts, cohort=None) -> list:
    """The median days to match of each month's applications: by PostgreSQL,
    elsewhere over the waits read into Python."""
    matches = _matches(programs, whole, cohort).annotate(
        month=TruncMonth("enrollment__created_at")
    )
    if (seconds := _wait(matches)) is not None:
        found = {
            _month_start(month): median / 86400
            for month, median in matches.values("month")
            .annotate(median=_PercentileOf(seconds, 0.5))
            .values_list("month", "median")
            .order_by()
        }
    else:
        waits = {}
        for month, applied, matched in matches.values_list(
            "month", "enrollment__created_at", "relationship__created_at"
        ):
            days = (matched - applied).total_seconds() / 86400
            waits.setdefault(_month_start(month), []).append(days)
        found = {month: statistics.median(days) for month, days in waits.items()}
    return [found.get(start) for start in starts]


def _month_start(value) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


# ---------------------------------------------------------------------------
# Per program (the roll-up's table)


@dataclass
class ProgramRow:
    program_id: int
    title: str
    applied: int
    active: int
    meetings_held: int
    ended_early: int
    rating_mean: float | None

    @property
    def meetings_per_pair(self) -> float | None:
        return _ratio(self.meetings_held, self.active)


def per_program(
    programs, period: Period, activity: Activity | None = None, slot: str = "current"
) -> list[ProgramRow]:
    """One row per program with its headline figures, in a fixed number of
    queries (grouped in the database)."""
    if activity is None:
        activity = Activity.of(programs, {slot: period})
    applied = dict(
        applications(programs, period)
        .values_list("program_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    relationships = relationships_of(programs)
    active = dict(
        active_in(relationships, period)
        .values_list("program_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    early = dict(
        relationships.filter(
            status=RelationshipStatus.ENDED_EARLY,
            ended_at__gte=period.since,
            ended_at__lt=period.until,
        )
        .values_list("program_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    meetings = activity.meetings_by_program[slot]
    ratings = {
        pk: mean_rating(counts)
        for pk, counts in activity.ratings_by_program[slot].items()
    }
    return [
        ProgramRow(
            program_id=pk,
            title=title,
            applied=applied.get(pk, 0),
            active=active.get(pk, 0),
            meetings_held=meetings.get(pk, 0),
            ended_early=early.get(pk, 0),
            rating_mean=ratings.get(pk),
        )
        for pk, title in programs.order_by("title").values_list("pk", "title")
    ]


def funnel_people(
    programs, period: Period, cohort=None
) -> tuple[set, list[tuple[str, str, set]]]:
    """Everyone who applied in the period (user ids), and the user ids at each
    funnel stage and of the later figures (goals, how the relationship ended),
    ``(key, label, ids)``: for the equity split, which
    reports them only in aggregate with small groups suppressed. Unlike the
    funnel, each figure counts everyone who reached it (a pair may set a goal
    before its first meeting is recorded)."""
    enrollments = applications(programs, period, cohort).filter(user__isnull=False)
    members = (
        _matches(programs, period, cohort)
        .filter(enrollment__user__isnull=False)
        .annotate(**_stage_flags())
    )
    applied = list(enrollments.values_list("user_id", "status"))
    population = {user for user, _status in applied}
    stages = {
        "approved": {
            user for user, status in applied if status == EnrollmentStatus.APPROVED
        }
    }
    rows = list(
        members.values_list(
            "enrollment__user_id",
            "has_met",
            "has_goal",
            "has_achieved",
            "relationship__status",
        )
    )
    # A set per figure, each built in one pass over the rows.
    stages["matched"] = {row[0] for row in rows}
    stages["approved"] |= stages["matched"]
    stages["met"] = {row[0] for row in rows if row[1]}
    stages["goal_set"] = {row[0] for row in rows if row[2]}
    stages["goal_achieved"] = {row[0] for row in rows if row[3]}
    stages["completed"] = {
        row[0] for row in rows if row[4] == RelationshipStatus.COMPLETED
    }
    stages["ended_early"] = {
        row[0] for row in rows if row[4] == RelationshipStatus.ENDED_EARLY
    }
    labels = {
        "approved": _("Approved"),
        "matched": _("Matched"),
        "met": _("First meeting held"),
        "goal_set": _("Goal set"),
        "goal_achieved": _("Goal achieved"),
        "completed": _("Relationship completed"),
        "ended_early": _("Relationship ended early"),
    }
    return population, [(key, str(labels[key]), ids) for key, ids in stages.items()]


def applicants(programs, period: Period, cohort=None):
    """Everyone who applied as a seeker in the period (the equity population),
    as a query of their user ids."""
    return (
        applications(programs, period, cohort)
        .filter(user__isnull=False)
        .values_list("user_id", flat=True)
    )


__all__ = [
    "Distribution",
    "Kpis",
    "Period",
    "ProgramRow",
    "Stage",
    "applicants",
    "compute",
    "funnel_people",
    "monthly",
    "per_program",
    "percentile",
    "relationships_of",
    "relationships_with_origin",
]
