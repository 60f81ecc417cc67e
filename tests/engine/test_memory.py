"""A long-lived worker runs matching after matching: no run may leave memory behind."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np

from wagtail_mentoring.matching.engine import (
    MatchingConfig,
    MatchingProblem,
    match,
    multi_hot,
    solve_pairing,
)


def company(mentees: int, seed: int) -> MatchingProblem:
    rng = np.random.default_rng(seed)
    m = mentees // 4
    p = mentees + m
    skills = 12
    return MatchingProblem(
        person_ids=np.arange(p),
        level=rng.integers(1, 8, p),
        department=rng.integers(0, 5, p),
        location=rng.integers(0, 4, p),
        utc_offset=np.zeros(p, np.int64),
        manager=np.full(p, -1),
        languages=multi_hot([[0]] * p, 2),
        skills_offered=multi_hot(
            [rng.choice(skills, 3, replace=False) for _ in range(p)], skills
        ),
        skills_wanted=multi_hot(
            [rng.choice(skills, 2, replace=False) for _ in range(p)], skills
        ),
        goals=multi_hot([rng.choice(6, 2, replace=False) for _ in range(p)], 6),
        mentees=np.arange(mentees),
        mentors=np.arange(mentees, p),
        mentor_capacity=np.full(m, 4),
    )


def one_run(seed: int) -> None:
    result = match(company(240, seed), MatchingConfig(min_seniority=0))
    assert result.optimal
    rng = np.random.default_rng(seed)
    w = np.rint(rng.random((120, 120)) * 100)
    w = np.triu(w, 1) + np.triu(w, 1).T
    assert solve_pairing(w).optimal


def test_consecutive_runs_leave_nothing_behind():
    """Python memory held after a run stays flat from run to run (a worker's life).

    One run's scores alone (240 × 60 float64) are 112 KiB: keeping any run's
    arrays, results or caches would show here; what is allowed is interpreter and
    library bookkeeping (a few KiB per run).
    """
    one_run(0)  # imports and first-use caches
    tracemalloc.start()
    try:
        held = []
        for seed in range(1, 6):
            one_run(seed)
            gc.collect()
            held.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    growth = held[-1] - held[0]
    assert growth < 4 * 16 * 1024, held
