"""Plain data the Django glue builds from database rows: people, pairs, settings.

Everything is numpy/scipy so the engine stays independent of Django. People are rows
of one table (mentees and mentors are both employees and share an org chart); a
mentee or mentor is an index into that table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from .backends import BACKENDS
from .errors import MatchingError

FACTORS = (
    "skills",
    "goals",
    "seniority",
    "cross_department",
    "location",
    "languages",
    "availability",
    "interests",
    "topic",
)

DEFAULT_WEIGHTS = {
    "skills": 3.0,
    "goals": 2.0,
    "seniority": 1.0,
    "cross_department": 0.5,
    "location": 0.5,
    "languages": 0.5,
    "availability": 1.0,
    "interests": 1.0,
    # only counts in runs where some mentor named a topic (group programs' circles)
    "topic": 2.0,
}


def multi_hot(rows: Sequence[Sequence[int]], size: int) -> sp.csr_matrix:
    """CSR 0/1 matrix from a list of index lists (one list per person)."""
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    idx = np.fromiter((i for r in rows for i in r), np.int64, int(indptr[-1]))
    mat = sp.csr_matrix(
        (np.ones(idx.size, np.float32), idx, indptr), shape=(len(rows), size)
    )
    mat.sum_duplicates()
    mat.data[:] = 1
    return mat


def _binary(mat) -> sp.csr_matrix:
    """A float32 0/1 copy: scores are exact only for multi-hot mentor features."""
    out = sp.csr_matrix(mat, dtype=np.float32, copy=True)
    out.data = (out.data != 0).astype(np.float32)
    out.eliminate_zeros()
    return out


@dataclass
class Vocabularies:
    """Labels so that explanations can name things; index = code used in arrays."""

    skills: Sequence[str] = ()
    goals: Sequence[str] = ()
    languages: Sequence[str] = ()
    departments: Sequence[str] = ()
    locations: Sequence[str] = ()
    availability: Sequence[str] = ()  # e.g. "Mon am"


@dataclass
class MatchingConfig:
    """Program settings: factor weights, hard rules, fairness and solver options.

    * ``weights``: factor → weight (missing factors weigh 0); scores are the weighted
      mean of factors, each in [0, 1], so a score is in [0, 1] too.
    * ``ideal_level_gap``: the seniority gap (mentor minus mentee level) scoring 1.
    * ``reporting_line_depth``: no pair where one manages the other within N levels
      (0 disables); ``exclude_same_manager``: also no peers under the same manager.
    * ``min_seniority``: mentor at least K levels above the mentee (None disables);
      ``reverse``: reverse mentoring, the mentee must be the senior one.
    * ``department_rule``: ``"any"``, ``"same"`` or ``"different"``.
    * ``require_shared_language``, ``max_timezone_hours`` (None = no window).
    * ``min_score``: pairs scoring below it are not proposed.
    * ``floor_first``: maximise the lowest matched score, then the total.
    * ``group_priority``: group id → multiplier of that group's scores (e.g. 1.25).
    * ``fresh``: ignore previous proposals (no stickiness, no warm start).
    * ``solver``: ``"auto"`` (OR-tools when installed, else scipy), ``"ortools"``,
      ``"scipy"`` or ``"highs"``; every answer is certified the same way.
    """

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    ideal_level_gap: int = 2
    reporting_line_depth: int = 3
    exclude_same_manager: bool = False
    min_seniority: int | None = 1
    reverse: bool = False
    department_rule: str = "any"
    require_shared_language: bool = True
    max_timezone_hours: float | None = None
    min_score: float | None = None
    floor_first: bool = False
    group_priority: dict[int, float] = field(default_factory=dict)
    fresh: bool = False
    solver: str = "auto"
    top_k: int = 24
    block_rows: int = 1024
    text_dim: int = 64
    explain_top: int = 3

    def validate(self) -> None:
        """Raise :class:`MatchingError` for settings that make no sense."""
        unknown = set(self.weights) - set(FACTORS)
        if unknown:
            raise MatchingError(f"unknown factor(s): {', '.join(sorted(unknown))}")
        if any(w < 0 or not np.isfinite(w) for w in self.weights.values()):
            raise MatchingError("factor weights must be finite and not negative")
        if sum(self.weights.values()) <= 0:
            raise MatchingError("at least one factor needs a positive weight")
        if self.department_rule not in ("any", "same", "different"):
            raise MatchingError("department_rule must be 'any', 'same' or 'different'")
        if self.reporting_line_depth < 0:
            raise MatchingError("reporting_line_depth must not be negative")
        if any(p <= 0 for p in self.group_priority.values()):
            raise MatchingError("group priorities must be positive")
        if self.solver not in BACKENDS:
            raise MatchingError(
                f"unknown solver {self.solver!r}; choose one of {', '.join(BACKENDS)}"
            )


def _pairs(x: Any) -> np.ndarray:
    arr = np.asarray(x if x is not None else [], dtype=np.int64)
    if arr.size == 0:
        return np.zeros((0, 2), np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise MatchingError("pair lists must be (mentee index, mentor index) pairs")
    return arr


@dataclass
class MatchingProblem:
    """One matching run's input. Arrays over people have length ``n_people``.

    People (index = row): ``person_ids`` (opaque ints for the glue), ``level``,
    ``department`` / ``location`` codes (a negative code is "not given": never the
    same place, no cross-department credit, no department-rule verdict),
    ``utc_offset`` in minutes with ``timezone_known`` (``False`` where a person
    gave no time zone: no time-zone credit, and the time-zone window cannot
    exclude them), ``manager`` (index
    of the manager row, -1 = none; drives the reporting-line rule), ``languages``,
    ``skills_offered``, ``skills_wanted``, ``goals`` and ``availability`` as CSR
    multi-hot matrices (see :func:`multi_hot`), ``interests_text`` (free text),
    ``topic_text`` (a mentor's row: the topic of the circle they lead, empty for
    none; a mentee's row: the words their fit with a topic is judged on).

    Sides: ``mentees`` and ``mentors`` are row indices into the people arrays;
    capacities and ``group`` (opaque fairness group per mentee) follow those orders.
    Pair lists use (mentee position, mentor position): ``previous_partners`` and
    ``opt_outs`` are excluded, ``rejected`` excluded, ``locked`` forced,
    ``previous_proposals`` preferred on ties (low churn). ``priority`` multiplies a
    mentee's scores (e.g. people unmatched last time).
    """

    person_ids: np.ndarray
    level: np.ndarray
    department: np.ndarray
    location: np.ndarray
    utc_offset: np.ndarray
    manager: np.ndarray
    languages: sp.csr_matrix
    skills_offered: sp.csr_matrix
    skills_wanted: sp.csr_matrix
    goals: sp.csr_matrix
    mentees: np.ndarray
    mentors: np.ndarray
    mentor_capacity: np.ndarray
    mentee_capacity: Any = 1
    availability: sp.csr_matrix | None = None
    interests_text: Sequence[str] | None = None
    topic_text: Sequence[str] | None = None
    timezone_known: np.ndarray | None = None
    group: np.ndarray | None = None
    previous_partners: Any = None
    opt_outs: Any = None
    rejected: Any = None
    locked: Any = None
    previous_proposals: Any = None
    priority: np.ndarray | None = None
    labels: Vocabularies = field(default_factory=Vocabularies)

    @property
    def n_mentees(self) -> int:
        """Number of mentees."""
        return int(len(self.mentees))

    @property
    def n_mentors(self) -> int:
        """Number of mentors."""
        return int(len(self.mentors))

    def validate(self) -> None:
        """Check shapes and codes; raise :class:`MatchingError` with the reason."""
        p = len(self.person_ids)
        for name in ("level", "department", "location", "utc_offset", "manager"):
            arr = np.asarray(getattr(self, name))
            if arr.shape != (p,):
                raise MatchingError(f"{name} must have one value per person ({p})")
            setattr(self, name, arr.astype(np.int64))
        for name in ("languages", "skills_offered", "skills_wanted", "goals"):
            mat = getattr(self, name)
            if not sp.issparse(mat):
                mat = sp.csr_matrix(np.asarray(mat, np.float32))
            if mat.shape[0] != p:
                raise MatchingError(f"{name} must have one row per person ({p})")
            setattr(self, name, _binary(mat))
        if self.availability is not None:
            mat = self.availability
            if not sp.issparse(mat):
                mat = sp.csr_matrix(np.asarray(mat, np.float32))
            if mat.shape[0] != p:
                raise MatchingError(f"availability must have one row per person ({p})")
            self.availability = _binary(mat)
        if self.timezone_known is None:
            self.timezone_known = np.ones(p, bool)
        self.timezone_known = np.asarray(self.timezone_known, bool)
        if self.timezone_known.shape != (p,):
            raise MatchingError(f"timezone_known must have one value per person ({p})")
        if self.interests_text is not None and len(self.interests_text) != p:
            raise MatchingError(f"interests_text must have one entry per person ({p})")
        if self.topic_text is not None and len(self.topic_text) != p:
            raise MatchingError(f"topic_text must have one entry per person ({p})")
        if self.skills_offered.shape[1] != self.skills_wanted.shape[1]:
            raise MatchingError("skills_offered and skills_wanted need one vocabulary")
        mgr = self.manager
        if np.any((mgr < -1) | (mgr >= p)):
            raise MatchingError("manager must be a person index or -1")
        self.mentees = np.asarray(self.mentees, np.int64)
        self.mentors = np.asarray(self.mentors, np.int64)
        for name in ("mentees", "mentors"):
            arr = getattr(self, name)
            if arr.ndim != 1 or np.any((arr < 0) | (arr >= p)):
                raise MatchingError(f"{name} must be person indices")
        n, m = self.n_mentees, self.n_mentors
        self.mentor_capacity = np.asarray(self.mentor_capacity, np.int64)
        if self.mentor_capacity.shape != (m,) or np.any(self.mentor_capacity < 0):
            raise MatchingError(f"mentor_capacity needs {m} non-negative integers")
        if self.group is None:
            self.group = np.zeros(n, np.int64)
        self.group = np.asarray(self.group, np.int64)
        if self.group.shape != (n,):
            raise MatchingError(f"group needs one id per mentee ({n})")
        for name in (
            "previous_partners",
            "opt_outs",
            "rejected",
            "locked",
            "previous_proposals",
        ):
            arr = _pairs(getattr(self, name))
            if arr.size and (
                np.any((arr[:, 0] < 0) | (arr[:, 0] >= n))
                or np.any((arr[:, 1] < 0) | (arr[:, 1] >= m))
            ):
                raise MatchingError(f"{name} contains a pair outside the problem")
            setattr(self, name, arr)
