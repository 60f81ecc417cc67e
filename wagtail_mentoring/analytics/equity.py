"""Equity aggregation with small-group suppression, for every report that
breaks numbers down by self-identified group (sponsorship equity, matching
fairness…).

Only consented answers (``SelfIdentification`` with ``consented_at``) for the
configured ``DEMOGRAPHIC_DIMENSIONS`` are read, only counts leave this module,
and any group smaller than ``MIN_GROUP_SIZE`` (never below 3) is suppressed —
together with the next-smallest group when it is the only one suppressed, so
its numbers cannot be recovered by subtracting the others from the total.

Typical use::

    table = aggregate(population_ids, {"nominated": ids, "promoted": ids})
    for block in table.dimensions: ...
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import connections
from django.db.models.fields.json import KeyTextTransform
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail_mentoring import spreadsheets
from wagtail_mentoring.conf import HARD_MIN_GROUP_SIZE, mentoring_settings
from wagtail_mentoring.people.models import SelfIdentification

#: Above this many people, their answers are read without listing their ids.
_LISTED_IDS = 1000

#: Key of the group of people who gave no (consented) answer for a dimension.
UNDISCLOSED = "__undisclosed__"


def min_group_size(value: int | None = None) -> int:
    """The effective threshold: the setting (or ``value``), never below the floor."""
    size = mentoring_settings.MIN_GROUP_SIZE if value is None else value
    return max(int(size), HARD_MIN_GROUP_SIZE)


def suppress(counts: Mapping[object, int], min_size: int | None = None) -> set:
    """Keys of ``counts`` to hide: groups smaller than ``min_size`` and, when
    exactly one group is hidden, the next-smallest one too (so the hidden one
    cannot be worked out as total minus the shown groups).

    Groups with a count of 0 are never hidden: nobody can be identified in them.
    """
    threshold = min_group_size(min_size)
    hidden = {key for key, n in counts.items() if 0 < n < threshold}
    if len(hidden) == 1:
        shown = sorted(
            (
                (n, str(key), key)
                for key, n in counts.items()
                if key not in hidden and n
            ),
        )
        if shown:
            hidden.add(shown[0][2])
    return hidden


def suppressed_note(size: int, min_size: int) -> str:
    """Why a group of ``size`` people that :func:`suppress` hid shows nothing."""
    if size < min_size:
        return _("fewer than %(n)d people") % {"n": min_size}
    return _("withheld so that a smaller group cannot be worked out from the total")


@dataclass
class Grouping:
    """One row of a report: the groups it counts, and why it is not a
    single group as answered (``note``) or shows no numbers (``hidden``)."""

    values: list[str]
    label: str
    note: str = ""
    hidden: bool = False


def combine_small_groups(
    counts: Mapping[str, int], min_size: int | None = None
) -> list[Grouping]:
    """The rows to report ``counts`` in, so no shown row has fewer than
    ``min_size`` people and none can be worked out from the total.

    Unlike :func:`suppress`, groups that are too small are shown together in
    one "Other" row (with the people who did not say, if that is needed), so
    the comparison of the large groups stays visible. Only when that is not
    enough is a row hidden, and then the next-smallest group too (its
    numbers plus the total would give the hidden one away); every hidden or
    combined row says why. Groups of 0 are left out.
    """
    threshold = min_group_size(min_size)
    present = {key: n for key, n in counts.items() if n}
    by_size = sorted(present, key=lambda key: (present[key], str(key)))
    small = [key for key in by_size if present[key] < threshold]
    if not small:
        return [Grouping([key], group_label(key)) for key in present]
    merged = list(small)
    total = sum(present[key] for key in merged)
    needs_more = total < threshold or len(merged) < 2
    if needs_more and UNDISCLOSED in present and UNDISCLOSED not in merged:
        merged.append(UNDISCLOSED)
        total += present[UNDISCLOSED]
    rest = [key for key in by_size if key not in merged]
    rows = [Grouping([key], group_label(key)) for key in present if key not in merged]
    if len(merged) > 1:
        labels = ", ".join(group_label(key) for key in merged)
        other = Grouping(merged, _("Other (%(groups)s)") % {"groups": labels})
    else:
        other = Grouping(merged, group_label(merged[0]))
    small_labels = get_text_list([group_label(key) for key in small], _("and"))
    if total >= threshold and len(merged) > 1:
        other.note = ngettext(
            "%(groups)s has fewer than %(n)d people",
            "%(groups)s each have fewer than %(n)d people",
            len(small),
        ) % {"groups": small_labels, "n": threshold}
        return rows + [other]
    other.hidden = True
    other.note = _("suppressed: fewer than %(n)d people") % {"n": threshold}
    if rest:
        # Shown next to the total, the smallest other group would give the
        # hidden one away: it is hidden too, and says for whom.
        protector = next(row for row in rows if row.values == [rest[0]])
        protector.hidden = True
        protector.note = _(
            "suppressed so that %(groups)s cannot be worked out from the total"
        ) % {"groups": other.label}
    return rows + [other]


def consented_groups(
    user_ids: Iterable,
    dimensions: Mapping[str, Iterable[str]] | None = None,
    *,
    among=None,
) -> dict[str, dict[str, set]]:
    """``{dimension: {value: {user ids}}}`` from consented answers only.

    People without a consented answer for a dimension (or with a value the
    host does not configure) are in the :data:`UNDISCLOSED` group. ``among``,
    a queryset of the same user ids, lets the database select the answers by a
    subquery instead of a list of tens of thousands of ids.
    """

    dimensions = dimensions or mentoring_settings.DEMOGRAPHIC_DIMENSIONS
    user_ids = set(user_ids)
    groups: dict[str, dict[str, set]] = {
        dim: {value: set() for value in values} for dim, values in dimensions.items()
    }
    answered: dict[str, set] = {dim: set() for dim in dimensions}
    answers = SelfIdentification.objects.filter(consented_at__isnull=False)
    if among is not None:
        answers = answers.filter(user_id__in=among)
    elif len(user_ids) <= _LISTED_IDS:
        answers = answers.filter(user_id__in=user_ids)
    # else every consented answer is read (one row per person who gave one):
    # cheaper than sending tens of thousands of ids to the database.
    for dim, found in _answers_by_value(answers, dimensions):
        for value, ids in found:
            if value in groups[dim]:
                mine = user_ids.intersection(ids)
                groups[dim][value] |= mine
                answered[dim] |= mine
    for dim in dimensions:
        groups[dim][UNDISCLOSED] = user_ids - answered[dim]
    return groups


def _answers_by_value(answers, dimensions):
    """``(dimension, [(value, user ids), ...])`` of the ``answers``: on
    PostgreSQL the database groups each dimension's ids by value (one row per
    value, not per person); elsewhere the rows are grouped here."""
    if connections[answers.db].vendor == "postgresql":
        # Imported here: django.contrib.postgres needs psycopg, which a host
        # on another database does not have.
        from django.contrib.postgres.aggregates import ArrayAgg

        for dim in dimensions:
            yield (
                dim,
                answers.annotate(answer=KeyTextTransform(dim, "answers"))
                .values("answer")
                .annotate(ids=ArrayAgg("user_id"))
                .order_by()
                .values_list("answer", "ids"),
            )
        return
    names = list(dimensions)
    found = {dim: defaultdict(list) for dim in names}
    rows = answers.values_list(
        "user_id", *[KeyTextTransform(dim, "answers") for dim in names]
    )
    for user_id, *given in rows.iterator(chunk_size=5000):
        for dim, value in zip(names, given, strict=True):
            found[dim][value].append(user_id)
    for dim in names:
        yield dim, found[dim].items()


def group_label(value: str) -> str:
    if value == UNDISCLOSED:
        return _("Not disclosed")
    return value.replace("_", " ").capitalize()


@dataclass
class GroupRow:
    """One self-identified group: population and how many reached each stage."""

    value: str
    label: str
    population: int
    population_share: float
    counts: dict[str, int]
    shares: dict[str, float | None]
    suppressed: bool = False

    def parity(self, stage: str) -> float | None:
        """Share of the stage ÷ share of the population (1.0 = proportional)."""
        share = self.shares.get(stage)
        if share is None or not self.population_share:
            return None
        return share / self.population_share

    def rate(self, stage: str) -> float | None:
        """Share of the group that reached the stage."""
        return self.counts[stage] / self.population if self.population else None

    @property
    def cells(self):
        """``(stage, count, share, parity)`` in stage order, for templates."""
        return [
            (stage, count, self.shares[stage], self.parity(stage))
            for stage, count in self.counts.items()
        ]


@dataclass
class DimensionBlock:
    dimension: str
    label: str
    rows: list[GroupRow]

    @property
    def suppressed_count(self) -> int:
        return sum(1 for row in self.rows if row.suppressed)


@dataclass
class EquityTable:
    stages: list[tuple[str, str]]
    population: int
    totals: dict[str, int]
    dimensions: list[DimensionBlock] = field(default_factory=list)
    min_group_size: int = 5

    @property
    def stage_keys(self) -> list[str]:
        return [key for key, _label in self.stages]


def aggregate(
    population: Iterable,
    stages: Mapping[str, Iterable] | list[tuple[str, str, Iterable]],
    *,
    dimensions: Mapping[str, Iterable[str]] | None = None,
    min_size: int | None = None,
    among=None,
) -> EquityTable:
    """Break ``population`` (user ids) and each stage's ids down by group
    (``among``: the population as a queryset of user ids, for large ones).

    ``stages`` is ``[(key, label, ids), ...]`` (or a ``{key: ids}`` mapping);
    stage ids outside the population are ignored, so every share compares
    like with like. Suppressed rows keep no numbers at all.
    """
    if isinstance(stages, Mapping):
        stages = [(key, key, ids) for key, ids in stages.items()]
    population = set(population)
    stage_sets = {key: set(ids) & population for key, _label, ids in stages}
    totals = {key: len(ids) for key, ids in stage_sets.items()}
    threshold = min_group_size(min_size)
    table = EquityTable(
        stages=[(key, label) for key, label, _ids in stages],
        population=len(population),
        totals=totals,
        min_group_size=threshold,
    )
    configured = dimensions or mentoring_settings.DEMOGRAPHIC_DIMENSIONS
    for dim, groups in consented_groups(population, configured, among=among).items():
        hidden = suppress({value: len(ids) for value, ids in groups.items()}, threshold)
        rows = []
        for value, ids in groups.items():
            if not ids:
                continue
            if value in hidden:
                rows.append(GroupRow(value, group_label(value), 0, 0.0, {}, {}, True))
                continue
            counts = {key: len(ids & members) for key, members in stage_sets.items()}
            rows.append(
                GroupRow(
                    value=value,
                    label=group_label(value),
                    population=len(ids),
                    population_share=len(ids) / len(population),
                    counts=counts,
                    shares={
                        key: counts[key] / totals[key] if totals[key] else None
                        for key in stage_sets
                    },
                )
            )
        table.dimensions.append(
            DimensionBlock(dim, dim.replace("_", " ").capitalize(), rows)
        )
    return table


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def to_csv(table: EquityTable, extra_rows: Iterable[list] = ()) -> str:
    """The aggregated table as CSV: group counts and shares, never people."""
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    header = [_("Dimension"), _("Group"), _("Eligible"), _("Eligible share %")]
    for _key, label in table.stages:
        header += [label, f"{label} share %", f"{label} parity"]
    writer.writerow(header)
    for block in table.dimensions:
        for row in block.rows:
            if row.suppressed:
                writer.writerow(
                    [
                        block.label,
                        row.label,
                        _("suppressed (fewer than %(n)d)")
                        % {"n": table.min_group_size},
                    ]
                )
                continue
            line = [block.label, row.label, row.population, _pct(row.population_share)]
            for key in table.stage_keys:
                parity = row.parity(key)
                line += [
                    row.counts[key],
                    _pct(row.shares[key]),
                    "" if parity is None else f"{parity:.2f}",
                ]
            writer.writerow(line)
    total = [_("All"), _("All eligible employees"), table.population, "100.0"]
    for key in table.stage_keys:
        total += [table.totals[key], "100.0" if table.totals[key] else "", ""]
    writer.writerow(total)
    for row in extra_rows:
        writer.writerow(row)
    return out.getvalue()
