"""Fairness summary of a run: match rate and score by self-identified group.

Built on ``analytics.equity``: only consented answers, only aggregates, groups
smaller than ``MIN_GROUP_SIZE`` shown together as "Other" (with the next
smallest while that is still too small), each such row saying why. Nobody's
answers ever leave this module; callers need
``wagtail_mentoring.view_equity_reports``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from wagtail_mentoring.analytics import equity
from wagtail_mentoring.matching.models import MatchingRun, ProposalStatus
from wagtail_mentoring.programs.models import Enrollment, ProgramKind


@dataclass
class FairnessRow:
    label: str
    mentees: int = 0
    matched: int = 0
    mean_score: float | None = None
    suppressed: bool = False
    #: Why the row combines groups or shows no numbers.
    note: str = ""

    @property
    def match_rate(self) -> float | None:
        return self.matched / self.mentees if self.mentees else None


@dataclass
class FairnessBlock:
    dimension: str
    label: str
    rows: list[FairnessRow] = field(default_factory=list)


@dataclass
class FairnessSummary:
    mentees: int
    matched: int
    mean_score: float | None
    min_group_size: int
    dimensions: list[FairnessBlock]


def fairness_summary(run: MatchingRun) -> FairnessSummary:
    """Per dimension and group: mentees, matched, match rate, mean pair score."""
    enrollment_ids = (run.pool or {}).get("mentees", [])
    population = set(
        Enrollment.objects.filter(pk__in=enrollment_ids).values_list(
            "user_id", flat=True
        )
    )
    scores: dict = defaultdict(list)
    sides = ["mentee__user_id"]
    if run.program.kind == ProgramKind.PEER:
        sides.append("mentor__user_id")  # both members of a peer pair are matched
    kept = run.proposals.exclude(
        status__in=[ProposalStatus.REJECTED, ProposalStatus.SUPERSEDED]
    )
    for side in sides:
        for user_id, score in kept.values_list(side, "score"):
            if user_id in population:
                scores[user_id].append(score)
    matched = set(scores)
    all_scores = [s for values in scores.values() for s in values]
    threshold = equity.min_group_size()
    summary = FairnessSummary(
        mentees=len(population),
        matched=len(matched),
        mean_score=sum(all_scores) / len(all_scores) if all_scores else None,
        min_group_size=threshold,
        dimensions=[],
    )
    for dimension, groups in equity.consented_groups(population).items():
        rows = equity.combine_small_groups(
            {value: len(ids) for value, ids in groups.items()}, threshold
        )
        block = FairnessBlock(dimension, dimension.replace("_", " ").capitalize())
        for row in rows:
            if row.hidden:
                block.rows.append(
                    FairnessRow(row.label, suppressed=True, note=row.note)
                )
                continue
            ids = set().union(*(groups[value] for value in row.values))
            group_scores = [s for uid in ids for s in scores.get(uid, [])]
            block.rows.append(
                FairnessRow(
                    row.label,
                    mentees=len(ids),
                    matched=len(ids & matched),
                    mean_score=sum(group_scores) / len(group_scores)
                    if group_scores
                    else None,
                    note=row.note,
                )
            )
        summary.dimensions.append(block)
    return summary
