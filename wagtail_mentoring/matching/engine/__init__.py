"""Pure numpy/scipy matching engine (no Django): score, rule, solve, certify, explain.

Public API::

    solve_assignment(weights, mentor_capacity, mentee_capacity=1, locked=(),
                     min_score=None, *, rejected=(), previous=(), priority=None,
                     warm_start=None, top_k=None, prune_above=None,
                     backend=None, start=None) -> AssignmentResult
    solve_pairing(weights, locked=(), min_score=None, *, top_k=6,
                  max_rounds=40) -> PairingResult
    match(problem, config=None, *, previous=None) -> MatchResult
"""

from .errors import MatchingError
from .explain import PairExplanation, Reason, UnmatchedExplanation
from .fairness import GroupStats
from .match import MatchResult, match
from .pairing import PairingResult, solve_pairing
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
    "PairingResult",
    "PairExplanation",
    "Reason",
    "UnmatchedExplanation",
    "Vocabularies",
    "match",
    "multi_hot",
    "solve_assignment",
    "solve_pairing",
]
