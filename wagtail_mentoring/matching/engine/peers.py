"""``match_peers(problem)``: members of a peer program paired with each other.

The problem lists the same members as mentees and as mentors (position i on both
sides is the same person). Scores and hard rules are the bipartite ones; a pair
(i, j) scores the mean of its two directions (what i gains from j and j from i)
and is forbidden when either direction breaks a rule (reporting line, department,
language, time zones, previous partners, a rejection). :func:`.pairing.solve_pairing`
then finds the most pairs and, among those, the best total, with a proof.
"""

from __future__ import annotations

import time

import numpy as np

from .errors import MatchingError
from .explain import explain_pairs
from .fairness import group_report
from .features import build_features
from .match import MatchResult, _unmatched
from .pairing import solve_pairing
from .problem import MatchingConfig, MatchingProblem
from .rules import PAIR_RULES, build_pair_rules
from .scoring import SCORE_SCALE, Scorer


def peer_scores(scorer: Scorer, n: int) -> np.ndarray:
    """Symmetric integer scores (float64), -inf where a rule forbids the pair."""
    q = np.empty((n, n), np.float64)
    for rows, block in scorer.rows_scores(np.arange(n)):
        q[rows] = block
    both = np.minimum(q, q.T)
    sym = (q + q.T) / 2
    sym[both < 0] = -np.inf
    np.fill_diagonal(sym, -np.inf)
    return sym


def match_peers(
    problem: MatchingProblem, config: MatchingConfig | None = None
) -> MatchResult:
    """Score, rule, pair (certified), explain and report one peer matching run.

    ``pairs`` are (i, j) with i < j, positions in the member list; each member
    appears at most once. Unmatched members and the fairness report count every
    member (both ends of a pair are matched).
    """
    t0 = time.perf_counter()
    config = config or MatchingConfig()
    config.validate()
    problem.validate()
    n = problem.n_mentees
    if problem.n_mentors != n or not np.array_equal(problem.mentees, problem.mentors):
        raise MatchingError("a peer problem lists the same members on both sides")
    space = build_features(problem, config)
    rules = build_pair_rules(problem, config)
    scorer = Scorer(space, rules, config.block_rows)
    q = peer_scores(scorer, n)
    locked = np.asarray(problem.locked, np.int64).reshape(-1, 2)
    if len(locked):
        bad = ~np.isfinite(q[locked[:, 0], locked[:, 1]])
        if bad.any():
            i, j = locked[int(np.argmax(bad))]
            code = rules.lookup(np.array([i * n + j, j * n + i]))
            code = code[code >= 0]
            why = PAIR_RULES[int(code[0])] if code.size else "a program rule"
            raise MatchingError(
                f"locked pair (member {i}, member {j}) breaks a hard rule: {why}"
            )
    timings = {"scoring": time.perf_counter() - t0}
    min_int = (
        float(np.ceil(config.min_score * SCORE_SCALE - 1e-9))
        if config.min_score is not None
        else None
    )
    t1 = time.perf_counter()
    res = solve_pairing(q, locked=locked.tolist(), min_score=min_int)
    timings["solve"] = time.perf_counter() - t1
    pairs = res.pairs
    scores = (q[pairs[:, 0], pairs[:, 1]] / SCORE_SCALE) if len(pairs) else np.zeros(0)
    t2 = time.perf_counter()
    explanations = explain_pairs(
        problem,
        config,
        pairs,
        space.text_tokens,
        space.text_vectors,
        topic=space.topic,
    )
    for e, s in zip(explanations, scores, strict=True):
        e.score = float(s)
    # both ends of a pair are matched: the bipartite reports see it both ways
    both_ways = np.concatenate([pairs, pairs[:, ::-1]]) if len(pairs) else pairs
    both_scores = np.concatenate([scores, scores])
    unmatched = _unmatched(problem, config, scorer, rules, both_ways, int(min_int or 0))
    timings["explain"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    cert = {
        "optimal": res.optimal,
        "gap": res.gap / SCORE_SCALE,
        "upper_bound": res.upper_bound / SCORE_SCALE,
        "method": "pairing",
        "cardinality_proved": res.cardinality_proved,
        **{k: v for k, v in res.stats.items() if isinstance(v, int | float | bool)},
    }
    return MatchResult(
        pairs=pairs,
        scores=scores,
        explanations=explanations,
        unmatched=unmatched,
        fairness=group_report(problem.group, both_ways, both_scores),
        fairness_baseline=None,
        fairness_cost=0.0,
        floor=None,
        optimal=bool(res.optimal),
        certificate=cert,
        timings=timings,
        assignment=None,
        stats={"matched_members": 2 * len(pairs)},
    )
