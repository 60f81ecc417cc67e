"""The dashboard's matching, engagement and quality KPIs by self-identified
group, for people-data stewards (the funnel's split is :mod:`.equity`'s table).

Each figure is the dashboard's own KPI (``docs/dashboards.md``) computed over
the relationships of one group's seekers: a relationship counts for the group
of each seeker in it (the mentee or sponsee; both members of a peer pair). The
wait to be matched counts for the seeker who waited.

Suppression is equity's: a group of fewer than ``MIN_GROUP_SIZE`` people shows
nothing, nor does the next-smallest group when only one would be hidden; a
figure that fewer than that many people of a shown group contributed to (say,
only three of its people's pairs were rated) is withheld by the same rule,
applied to the contributors. Only consented answers are read, and only
aggregates leave this module.

Reads, whatever the number of programs and people: the waits, the seekers of
the active relationships with each relationship's "quiet" flag, one grouped
query per activity table (meetings, messages, feedback, journeys, goals) and
the consented answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

import numpy as np
from django.db import connections
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail_mentoring.analytics import kpis
from wagtail_mentoring.analytics.equity import (
    consented_groups,
    group_label,
    min_group_size,
    suppress,
    suppressed_note,
)
from wagtail_mentoring.engagement.models import (
    Feedback,
    Goal,
    GoalStatus,
    Meeting,
    MeetingStatus,
    Message,
)
from wagtail_mentoring.journeys.models import JourneyProgress
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    RelationshipMember,
)

#: A pair is quiet when its last held meeting is this many days old or more
#: (or it has not met yet): the dashboard's "31–60 days" bucket and after.
QUIET_DAYS = kpis.QUIET_BUCKETS[2][0]

#: ``(key, label, kind)``: kind is how a template shows the value.
MEASURES = [
    ("days_to_match_median", gettext_lazy("Median days to match"), "days"),
    ("days_to_match_p90", gettext_lazy("90th percentile of days to match"), "days"),
    ("meetings_per_pair_month", gettext_lazy("Meetings per pair per month"), "decimal"),
    ("messages_per_pair_month", gettext_lazy("Messages per pair per month"), "decimal"),
    (
        "quiet_share",
        gettext_lazy("Open pairs quiet for %(days)d days or more, or not met yet")
        % {"days": QUIET_DAYS},
        "percent",
    ),
    ("journey_completion", gettext_lazy("Journey completion"), "percent"),
    ("goal_completion", gettext_lazy("Goal completion"), "percent"),
    ("rating_mean", gettext_lazy("Mean rating (1–5)"), "decimal"),
]

# Who contributes to each figure (the people counted for its withholding).
_CONTRIBUTORS = {
    "days_to_match_median": "matched",
    "days_to_match_p90": "matched",
    "meetings_per_pair_month": "paired",
    "messages_per_pair_month": "paired",
    "quiet_share": "open",
    "journey_completion": "journeys",
    "goal_completion": "goals",
    "rating_mean": "rated",
}


@dataclass
class FigureRow:
    """One group's figures; ``hidden``: no numbers (``note`` says why); a key
    in ``withheld``: too few of the group's people contributed to it."""

    value: str
    label: str
    people: int | None = None
    figures: dict[str, float | None] = field(default_factory=dict)
    withheld: set = field(default_factory=set)
    hidden: bool = False
    note: str = ""

    @property
    def cells(self) -> list[tuple[str, str, float | None, bool]]:
        """``(key, kind, value, withheld)`` in the table's order, for templates."""
        return [
            (key, kind, self.figures.get(key), key in self.withheld)
            for key, _label, kind in MEASURES
        ]


@dataclass
class FigureBlock:
    dimension: str
    label: str
    rows: list[FigureRow]


@dataclass
class GroupKpis:
    min_group_size: int
    everyone: FigureRow
    dimensions: list[FigureBlock] = field(default_factory=list)

    @property
    def measures(self) -> list[tuple[str, str, str]]:
        return [(key, str(label), kind) for key, label, kind in MEASURES]


def compute(
    programs, period: kpis.Period, cohort=None, *, min_size=None, dimensions=None
) -> GroupKpis:
    """The KPIs of ``programs`` over ``period`` by consented group (see the
    module). Callers check the equity permission."""
    threshold = min_group_size(min_size)
    data = _Data.read(programs, period, cohort)
    people = set(data.people)

    def figures(ids: set) -> tuple[dict, dict]:
        return data.figures(ids, period)

    totals, _counts = figures(people)
    result = GroupKpis(
        min_group_size=threshold,
        everyone=FigureRow("", _("Everyone"), len(people), totals),
    )
    for dim, groups in consented_groups(people, dimensions).items():
        present = {value: ids for value, ids in groups.items() if ids}
        sizes = {value: len(ids) for value, ids in present.items()}
        hidden = suppress(sizes, threshold)
        computed = {value: figures(ids) for value, ids in present.items()}
        withheld = {
            key: hidden
            | suppress(
                {value: counts[who] for value, (_f, counts) in computed.items()},
                threshold,
            )
            for key, who in _CONTRIBUTORS.items()
        }
        block = FigureBlock(dim, dim.replace("_", " ").capitalize(), [])
        for value in present:
            row = FigureRow(value, group_label(value))
            block.rows.append(row)
            if value in hidden:
                row.hidden = True
                row.note = suppressed_note(sizes[value], threshold)
                continue
            row.people = sizes[value]
            found, _counts = computed[value]
            row.withheld = {key for key in _CONTRIBUTORS if value in withheld[key]}
            row.figures = {
                key: None if key in row.withheld else number
                for key, number in found.items()
            }
        result.dimensions.append(block)
    return result


def _ratio(part, whole) -> float | None:
    return float(part / whole) if whole else None


#: Per relationship, what it adds to its seekers' figures (columns of _Data.pair).
_PAIR_COLUMNS = [
    "open",
    "quiet",
    "meetings",
    "messages",
    "journeys",
    "journeys_done",
    "goals",
    "goals_done",
    "ratings",
    "stars",
]


@dataclass
class _Data:
    """The rows every group's figures are computed from, as arrays: each
    group is then a mask, so ten groups cost ten passes over arrays rather
    than over Python objects."""

    people: np.ndarray  # user ids: the index of every array below
    waits: np.ndarray  # days, one per match
    waited: np.ndarray  # for each wait, the index of its seeker
    seat_person: np.ndarray  # one row per seeker in an active relationship
    seat_pair: np.ndarray
    pair: dict[str, np.ndarray]  # _PAIR_COLUMNS, one value per relationship

    @classmethod
    def read(cls, programs, period, cohort) -> _Data:
        seats, pair, (wait_rows,) = _pairs(
            programs, period, cohort, lambda: list(kpis.waits(programs, period, cohort))
        )
        people = np.unique(
            np.array(
                [user for user, _days in wait_rows] + [user for user, _pk in seats],
                dtype=object,
            )
        )
        index = {user: n for n, user in enumerate(people)}
        return cls(
            people=people,
            waits=np.array([days for _user, days in wait_rows], dtype=float),
            waited=np.array([index[u] for u, _d in wait_rows], dtype=np.int64),
            seat_person=np.array([index[u] for u, _pk in seats], dtype=np.int64),
            seat_pair=np.array([pk for _u, pk in seats], dtype=np.int64),
            pair=pair,
        )

    def figures(self, ids: set, period) -> tuple[dict, dict]:
        """The figures of the people ``ids``, and how many of them
        contributed to each (by :data:`_CONTRIBUTORS`' names)."""
        mine = np.fromiter(
            (user in ids for user in self.people), dtype=bool, count=len(self.people)
        )
        waited = self.waits[mine[self.waited]]
        seated = mine[self.seat_person]
        pairs = np.unique(self.seat_pair[seated])
        column = {name: values[pairs] for name, values in self.pair.items()}
        n = len(pairs)

        def contributors(flag=None) -> int:
            chosen = seated.copy()
            if flag is not None:
                chosen &= self.pair[flag][self.seat_pair] > 0
            return len(np.unique(self.seat_person[chosen]))

        still_open = column["open"] > 0
        figures = {
            "days_to_match_median": (float(np.median(waited)) if len(waited) else None),
            "days_to_match_p90": (
                float(np.percentile(waited, 90)) if len(waited) else None
            ),
            "meetings_per_pair_month": (
                float(column["meetings"].sum()) / n / period.months if n else None
            ),
            "messages_per_pair_month": (
                float(column["messages"].sum()) / n / period.months if n else None
            ),
            "quiet_share": _ratio(
                int(column["quiet"][still_open].sum()), int(still_open.sum())
            ),
            "journey_completion": _ratio(
                int(column["journeys_done"].sum()), int(column["journeys"].sum())
            ),
            "goal_completion": _ratio(
                int(column["goals_done"].sum()), int(column["goals"].sum())
            ),
            "rating_mean": _ratio(
                int(column["stars"].sum()), int(column["ratings"].sum())
            ),
        }
        counts = {
            "matched": len(np.unique(self.waited[mine[self.waited]])),
            "paired": contributors(),
            "open": contributors("open"),
            "journeys": contributors("journeys"),
            "goals": contributors("goals"),
            "rated": contributors("ratings"),
        }
        return figures, counts


def _raw(queryset) -> list[tuple]:
    """The rows of ``queryset`` as the database gives them: numbers need no
    converters, and skipping Django's per-row conversion halves the CPU of
    reading a hundred thousand rows."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _pairs(programs, period, cohort, *also) -> tuple[list, dict[str, np.ndarray], list]:
    """The seats (seeker user id, relationship's position) of the
    relationships active in the period, per relationship the columns of
    :data:`_PAIR_COLUMNS`, and the results of the readers ``also``: every
    query read side by side where :func:`kpis.together` can."""
    relationships = kpis.relationships_of(programs, cohort)
    active = kpis.active_in(relationships, period)
    as_of = period.until
    is_open = Q(relationship__status__in=OPEN_RELATIONSHIP_STATUSES) | Q(
        relationship__ended_at__gte=as_of
    )
    cut = as_of - timedelta(days=QUIET_DAYS)
    seat_rows = (
        RelationshipMember.objects.filter(
            relationship__in=active, role__in=kpis.SEEKER_ROLES, user__isnull=False
        )
        .annotate(last_met=kpis.last_met_before(as_of, "relationship__"))
        .annotate(
            state=Case(
                When(~is_open, then=Value(0)),
                When(last_met__isnull=True, then=Value(2)),
                When(last_met__lte=cut, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .values_list("user_id", "relationship_id", "state")
    )
    within = {"__gte": period.since, "__lt": period.until}

    def during(field):
        return {f"{field}{op}": when for op, when in within.items()}

    # Per relationship: (rows, {column: aggregate}), the largest first.
    sums = [
        (
            kpis.of_relationships(Meeting, programs, cohort).filter(
                status=MeetingStatus.HELD, **during("starts_at")
            ),
            {"meetings": Count("pk")},
        ),
        (
            kpis.of_relationships(Message, programs, cohort).filter(
                **during("created_at")
            ),
            {"messages": Count("pk")},
        ),
        (
            kpis.of_relationships(Feedback, programs, cohort).filter(
                rating__isnull=False, **during("created_at")
            ),
            {"ratings": Count("pk"), "stars": Sum("rating")},
        ),
        (
            JourneyProgress.objects.filter(relationship__in=active),
            {
                "journeys": Count("pk"),
                "journeys_done": Count("pk", filter=Q(**during("completed_at"))),
            },
        ),
        (
            Goal.objects.filter(relationship__in=active, created_at__lt=period.until),
            {
                "goals": Count("pk"),
                "goals_done": Count("pk", filter=Q(status=GoalStatus.ACHIEVED)),
            },
        ),
    ]
    found = kpis.together(
        lambda: _raw(seat_rows),
        *(
            partial(_raw, rows.order_by().values_list("relationship_id").annotate(**c))
            for rows, c in sums
        ),
        *also,
    )
    rows, tables, extra = found[0], found[1 : 1 + len(sums)], found[1 + len(sums) :]
    # Relationships by their position among the active ones' sorted ids.
    pks = np.array([pk for _u, pk, _s in rows], dtype=np.int64)
    keys = np.unique(pks)
    pair = {name: np.zeros(len(keys), dtype=np.int64) for name in _PAIR_COLUMNS}
    state = np.array([st for _u, _pk, st in rows], dtype=np.int64)
    seats = np.searchsorted(keys, pks)
    pair["open"][seats] = state > 0
    pair["quiet"][seats] = state == 2

    for (_rows, columns), table in zip(sums, tables, strict=True):
        if not table or not len(keys):
            continue
        table = np.array(table, dtype=np.int64)
        at = np.searchsorted(keys, table[:, 0]).clip(max=len(keys) - 1)
        # Only the active relationships count (a meeting can be recorded in
        # a relationship outside the period's).
        known = keys[at] == table[:, 0]
        for n, name in enumerate(columns, start=1):
            pair[name][at[known]] = table[known, n]
    seated = [(user, at) for (user, _pk, _s), at in zip(rows, seats, strict=True)]
    return seated, pair, extra
