"""What program surveys say: satisfaction, net promoter score and self-rated
growth before and after, for the dashboard; and one survey's results.

Small-group suppression as everywhere else: fewer than ``MIN_GROUP_SIZE``
responses behind a figure and it is not shown (``None``), not even its
distribution, so one person's answer cannot be read off a chart.

For people-data stewards, a named survey's satisfaction, NPS and response
counts split by self-identified (consented) group, with the equity reports'
suppression; an anonymous survey's answers carry no person, so they cannot be
split at all.

Answers are JSON keyed by question id, and ids differ from one survey to the
next: the responses in scope are read in one query and tallied here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.analytics.equity import (
    consented_groups,
    group_label,
    min_group_size,
    suppress,
    suppressed_note,
)
from wagtail_mentoring.surveys.models import Moment, Survey, SurveyResponse

#: Growth compares start and end answers given in the period or this long
#: before it: a relationship's start lies months before its end.
GROWTH_LOOKBACK = timedelta(days=365)

NPS_GROUPS = [
    ("promoters", _("Promoters (9–10)")),
    ("passives", _("Passives (7–8)")),
    ("detractors", _("Detractors (0–6)")),
]


@dataclass
class Rated:
    """Answers on the 1–5 rating; ``mean`` and ``counts`` empty when suppressed."""

    responses: int = 0
    answers: list = field(default_factory=list)
    min_size: int = 0

    @property
    def suppressed(self) -> bool:
        return 0 < self.responses < self.min_size

    @property
    def mean(self) -> float | None:
        if self.suppressed or not self.answers:
            return None
        return sum(self.answers) / len(self.answers)

    @property
    def rows(self) -> list[tuple[int, int]]:
        if self.suppressed:
            return []
        counts = Counter(self.answers)
        return [(stars, counts.get(stars, 0)) for stars in range(1, 6)]


@dataclass
class Nps:
    responses: int = 0
    answers: list = field(default_factory=list)
    min_size: int = 0

    @property
    def suppressed(self) -> bool:
        return 0 < self.responses < self.min_size

    def _count(self, group: str) -> int:
        low, high = {"promoters": (9, 10), "passives": (7, 8), "detractors": (0, 6)}[
            group
        ]
        return sum(low <= a <= high for a in self.answers)

    @property
    def score(self) -> float | None:
        """% promoters − % detractors, from −100 to 100."""
        if self.suppressed or not self.answers:
            return None
        n = len(self.answers)
        return 100 * (self._count("promoters") - self._count("detractors")) / n

    @property
    def rows(self) -> list[tuple[str, int]]:
        if self.suppressed:
            return []
        return [(label, self._count(key)) for key, label in NPS_GROUPS]


@dataclass
class SurveySummary:
    satisfaction: Rated
    nps: Nps
    growth_before: Rated
    growth_after: Rated
    responses: int
    min_size: int

    @property
    def growth_change(self) -> float | None:
        before, after = self.growth_before.mean, self.growth_after.mean
        return None if before is None or after is None else after - before


def measured_questions(surveys) -> dict[tuple[int, str], str]:
    """``{(survey id, question id): "satisfaction" | "growth" | "nps"}``."""
    found = {}
    for survey in surveys:
        for block_id, block in survey.question_blocks():
            if block.block_type == "nps":
                found[(survey.pk, block_id)] = "nps"
            elif block.block_type == "rating" and block.value.get("measures"):
                found[(survey.pk, block_id)] = block.value["measures"]
    return found


def _number(value, low, high) -> int | None:
    # Stored by our form as an int; anything else (an edited survey whose
    # question changed type) is left out rather than guessed.
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def _responses(programs, since, period, cohort=None):
    # The answers to ``programs``' surveys given from ``since`` to the end of
    # ``period``, of one cohort when ``cohort`` is given.
    responses = SurveyResponse.objects.filter(
        program__in=programs.values("pk"),
        submitted_on__gte=since,
        submitted_on__lte=period.end,
    )
    if cohort is not None:
        responses = responses.filter(cohort=cohort)
    return responses


def summarize(programs, period, cohort=None, min_size: int | None = None):
    """Satisfaction, NPS and growth of ``programs`` (a queryset) in ``period``."""
    threshold = min_group_size(min_size)
    surveys = Survey.objects.filter(program__in=programs.values("pk"))
    measured = measured_questions(surveys)
    responses = _responses(programs, period.start - GROWTH_LOOKBACK, period, cohort)
    satisfaction, nps = [], []
    before, after = [], []
    counted = Counter()
    in_period = 0
    for survey_id, moment, day, answers in responses.values_list(
        "survey_id", "moment", "submitted_on", "answers"
    ).order_by():
        current = day >= period.start
        in_period += current
        seen = set()
        for block_id, value in (answers or {}).items():
            kind = measured.get((survey_id, block_id))
            if kind == "growth" and moment in (Moment.START, Moment.END):
                bucket = before if moment == Moment.START else after
                kind = f"growth_{moment}"
            elif kind in ("nps", "satisfaction") and current:
                bucket = nps if kind == "nps" else satisfaction
            else:
                continue
            low = 0 if kind == "nps" else 1
            high = 10 if kind == "nps" else 5
            if (n := _number(value, low, high)) is not None:
                bucket.append(n)
                seen.add(kind)
        counted.update(seen)
    return SurveySummary(
        satisfaction=Rated(counted["satisfaction"], satisfaction, threshold),
        nps=Nps(counted["nps"], nps, threshold),
        growth_before=Rated(counted[f"growth_{Moment.START}"], before, threshold),
        growth_after=Rated(counted[f"growth_{Moment.END}"], after, threshold),
        responses=in_period,
        min_size=threshold,
    )


@dataclass
class QuestionResult:
    block_id: str
    label: str
    kind: str
    answered: int
    rows: list = field(default_factory=list)  # (label, count)
    mean: float | None = None
    nps: float | None = None
    texts: list = field(default_factory=list)
    suppressed: bool = False


def survey_results(survey: Survey, min_size: int | None = None) -> dict:
    """Every question's answers, or nothing at all below the threshold."""
    threshold = min_group_size(min_size)
    answers = list(survey.responses.values_list("answers", flat=True).order_by())
    result = {
        "responses": len(answers),
        "min_size": threshold,
        "suppressed": 0 < len(answers) < threshold,
        "questions": [],
        "invited": survey.invitations.count(),
        "answered": survey.invitations.filter(completed=True).count(),
        "header": [_("Answer"), _("Answers")],
    }
    if result["suppressed"]:
        return result
    for block_id, block in survey.question_blocks():
        given = [a[block_id] for a in answers if a.get(block_id) not in (None, "", [])]
        value, kind = block.value, block.block_type
        item = QuestionResult(block_id, value["label"], kind, len(given))
        result["questions"].append(item)
        # A question few answered would show their answers alone.
        if 0 < len(given) < threshold:
            item.suppressed = True
            continue
        if kind in ("rating", "scale", "nps"):
            low, high = {"rating": (1, 5), "nps": (0, 10)}.get(
                kind, (value.get("minimum", 0), value.get("maximum", 10))
            )
            numbers = [n for g in given if (n := _number(g, low, high)) is not None]
            counts = Counter(numbers)
            item.rows = [(str(n), counts.get(n, 0)) for n in range(low, high + 1)]
            item.mean = sum(numbers) / len(numbers) if numbers else None
            if kind == "nps":
                item.nps = Nps(len(numbers), numbers, threshold).score
        elif kind == "choice":
            counts = Counter()
            for g in given:
                counts.update(g if isinstance(g, list) else [g])
            item.rows = [(c, counts.get(c, 0)) for c in value["choices"]]
        else:
            # Sorted, never in the order they came in.
            item.texts = sorted(str(g) for g in given)
    return result


# --- By self-identified group ---------------------------------------------------

GROUP_MEASURES = ("satisfaction", "nps")


@dataclass
class GroupFigures:
    """One group's figures; ``hidden``: no numbers at all (``note`` says why).
    A figure is ``None`` when the survey does not ask it, nobody in the group
    answered it, or too few did (``withheld``)."""

    label: str
    people: int | None = None
    responses: int | None = None
    satisfaction: float | None = None
    nps: float | None = None
    withheld: set = field(default_factory=set)
    hidden: bool = False
    note: str = ""


@dataclass
class GroupBlock:
    dimension: str
    label: str
    rows: list[GroupFigures]


@dataclass
class SurveyByGroup:
    anonymous: bool
    min_size: int
    measures: list[str] = field(default_factory=list)
    dimensions: list[GroupBlock] = field(default_factory=list)
    # Over several surveys (the dashboard): answers split, and left out.
    named_responses: int | None = None
    anonymous_responses: int = 0


def survey_results_by_group(
    survey: Survey, min_size: int | None = None, dimensions=None
) -> SurveyByGroup:
    """A named survey's response counts, satisfaction mean and NPS by
    consented self-identified group; callers check the equity permission.

    Groups are counted in people (one person may answer once per
    relationship), suppressed as in every equity report: a group of fewer
    than ``min_size`` people shows nothing, and when it is the only one, the
    next-smallest group neither. A figure few people of a shown group gave is
    withheld by the same rule, applied to how many gave it.
    """
    threshold = min_group_size(min_size)
    if survey.anonymous:
        return SurveyByGroup(anonymous=True, min_size=threshold)
    rows = survey.responses.filter(respondent__isnull=False).values_list(
        "respondent_id", "survey_id", "answers"
    )
    return _by_group(
        rows.order_by(), measured_questions([survey]), threshold, dimensions
    )


def summarize_by_group(
    programs, period, cohort=None, min_size: int | None = None, dimensions=None
) -> SurveyByGroup:
    """The dashboard's satisfaction and NPS by consented group: the named
    surveys' answers given in ``period`` (anonymous answers carry no person;
    ``named`` and ``anonymous_responses`` say how many each are), suppressed
    as :func:`survey_results_by_group`. Callers check the equity permission."""
    threshold = min_group_size(min_size)
    responses = _responses(programs, period.start, period, cohort)
    rows = list(
        responses.values_list("respondent_id", "survey_id", "answers").order_by()
    )
    named = [row for row in rows if row[0] is not None]
    surveys = Survey.objects.filter(pk__in={row[1] for row in named})
    result = _by_group(named, measured_questions(surveys), threshold, dimensions)
    result.named_responses = len(named)
    result.anonymous_responses = len(rows) - len(named)
    return result


def _by_group(rows, measured, threshold: int, dimensions=None) -> SurveyByGroup:
    """``rows`` of ``(person, survey id, answers)`` by group; ``measured``
    as :func:`measured_questions` gives it."""
    measured = {key: kind for key, kind in measured.items() if kind in GROUP_MEASURES}
    result = SurveyByGroup(
        anonymous=False,
        min_size=threshold,
        measures=[m for m in GROUP_MEASURES if m in measured.values()],
    )
    responses = defaultdict(int)
    given = {kind: defaultdict(list) for kind in GROUP_MEASURES}
    for person, survey_id, answers in rows:
        responses[person] += 1
        for block_id, value in (answers or {}).items():
            kind = measured.get((survey_id, block_id))
            low, high = (0, 10) if kind == "nps" else (1, 5)
            if kind and (n := _number(value, low, high)) is not None:
                given[kind][person].append(n)
    for dim, groups in consented_groups(responses, dimensions).items():
        present = {value: ids for value, ids in groups.items() if ids}
        sizes = {value: len(ids) for value, ids in present.items()}
        hidden = suppress(sizes, threshold)
        withheld = {
            kind: hidden
            | suppress(
                {
                    value: len(ids.intersection(given[kind]))
                    for value, ids in present.items()
                },
                threshold,
            )
            for kind in result.measures
        }
        block = GroupBlock(dim, dim.replace("_", " ").capitalize(), [])
        for value, ids in present.items():
            row = GroupFigures(group_label(value))
            block.rows.append(row)
            if value in hidden:
                row.hidden = True
                row.note = suppressed_note(sizes[value], threshold)
                continue
            row.people = sizes[value]
            row.responses = sum(responses[person] for person in ids)
            for kind in result.measures:
                if value in withheld[kind]:
                    row.withheld.add(kind)
                    continue
                numbers = [n for person in ids for n in given[kind].get(person, [])]
                people = len(ids.intersection(given[kind]))
                if kind == "nps":
                    row.nps = Nps(people, numbers, threshold).score
                else:
                    row.satisfaction = Rated(people, numbers, threshold).mean
        result.dimensions.append(block)
    return result
