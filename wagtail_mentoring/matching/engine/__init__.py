"""Pure numpy/scipy matching engine (no Django): score, rule, solve, certify, explain.

Public API::

    solve_assignment(weights, mentor_capacity, mentee_capacity=1, locked=(),
                     min_score=None, *, rejected=(), previous=(), priority=None,
                     warm_start=None, top_k=None, prune_above=None,
                     backend=None, start=None) -> AssignmentResult
    match(problem, config=None, *, previous=None) -> MatchResult
"""

from .errors import MatchingError
from .explain import PairExplanation, Reason, UnmatchedExplanation
from .fairness import GroupStats
from .match import MatchResult, match
from .problem import (
    DEFAULT_WEIGHTS,
    FACTORS,
    MatchingConfig,
    MatchingProblem,
    Vocabularies,
    multi_hot,
)
from .solver import AssignmentResult, Certificate, solve_assignment

__all__ = [
    "DEFAULT_WEIGHTS",
    "FACTORS",
    "AssignmentResult",
    "Certificate",
    "GroupStats",
    "MatchResult",
    "MatchingConfig",
    "MatchingError",
    "MatchingProblem",
    "PairExplanation",
    "Reason",
    "UnmatchedExplanation",
    "Vocabularies",
    "match",
    "multi_hot",
    "solve_assignment",
]
