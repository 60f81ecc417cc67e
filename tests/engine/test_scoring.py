"""Scores are exact integers whichever rows and mentors a product covers."""

from __future__ import annotations

import numpy as np
import pytest

from wagtail_mentoring.matching.engine import (
    MatchingConfig,
    MatchingProblem,
    match,
    multi_hot,
)
from wagtail_mentoring.matching.engine.explain import explain_pairs
from wagtail_mentoring.matching.engine.features import build_features
from wagtail_mentoring.matching.engine.rules import build_pair_rules
from wagtail_mentoring.matching.engine.scoring import SCORE_SCALE, Scorer

WORDS = ["data", "cloud", "python", "design", "sales", "finance", "coaching", "ux"]


def _company(n_mentees: int, seed: int, skill_value: float = 1.0) -> MatchingProblem:
    rng = np.random.default_rng(seed)
    m = max(2, n_mentees // 3)
    p = n_mentees + m

    def hot(k, size):
        mat = multi_hot([rng.choice(size, k, replace=False) for _ in range(p)], size)
        mat.data[:] = skill_value
        return mat

    return MatchingProblem(
        person_ids=np.arange(p),
        level=np.concatenate([rng.integers(1, 4, n_mentees), rng.integers(3, 8, m)]),
        department=rng.integers(0, 3, p),
        location=rng.integers(0, 3, p),
        utc_offset=rng.choice([-300, 0, 60, 330], p),
        manager=np.concatenate([[-1], rng.integers(0, np.arange(1, p))]),
        languages=multi_hot([rng.choice(3, 2, replace=False) for _ in range(p)], 3),
        skills_offered=hot(3, 12),
        skills_wanted=hot(2, 12),
        goals=multi_hot([rng.choice(5, 2, replace=False) for _ in range(p)], 5),
        interests_text=[" ".join(rng.choice(WORDS, 4)) for _ in range(p)],
        mentees=np.arange(n_mentees),
        mentors=np.arange(n_mentees, p),
        mentor_capacity=rng.integers(1, 4, m),
    )


def _scorer(prob, config, cache_pairs):
    prob.validate()
    space = build_features(prob, config)
    return Scorer(space, build_pair_rules(prob, config), 16, cache_pairs=cache_pairs)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_any_rows_and_mentors_give_the_same_integer_scores(seed):
    prob = _company(90, seed)
    config = MatchingConfig(min_seniority=0, reporting_line_depth=2, text_dim=32)
    scorer = _scorer(prob, config, cache_pairs=0)
    n, m = prob.n_mentees, prob.n_mentors
    full = np.vstack([q for _, q in scorer.rows_scores(np.arange(n))])
    assert full.shape == (n, m)
    assert np.array_equal(full, np.floor(full))  # integers, held in float32
    assert full.min() >= -1 and full.max() <= SCORE_SCALE
    assert (full >= 0).any() and (full < 0).any()  # rules bite somewhere
    rng = np.random.default_rng(seed)
    for _ in range(5):
        rows = np.sort(rng.choice(n, rng.integers(1, n), replace=False))
        cols = np.sort(rng.choice(m, rng.integers(1, m), replace=False))
        assert np.array_equal(scorer.scores(rows, cols), full[np.ix_(rows, cols)])
        assert np.array_equal(scorer.column_scores(cols).T, full[:, cols])
        r, c = rng.integers(0, n, 50), rng.integers(0, m, 50)
        assert np.array_equal(scorer.pair_scores(r, c), full[r, c].astype(np.int64))
    # the cache (kept up to CACHE_PAIRS) holds exactly the same scores
    cached = _scorer(prob, config, cache_pairs=None)
    cached.candidates(4)
    assert cached.cache is not None
    again = np.vstack([q for _, q in cached.rows_scores(np.arange(n))])
    assert np.array_equal(again, full)


def test_integer_scores_stay_within_a_few_steps_of_the_factor_values():
    # features are rounded to integers so that float32 products are exact; the
    # score must still be the weighted factor sum (text cosine included)
    prob = _company(60, 3)
    config = MatchingConfig(min_seniority=None, reporting_line_depth=0)
    scorer = _scorer(prob, config, cache_pairs=0)
    full = np.vstack([q for _, q in scorer.rows_scores(np.arange(prob.n_mentees))])
    rows, cols = np.nonzero(full >= 0)
    pairs = np.column_stack([rows, cols])
    space = scorer.space
    expl = explain_pairs(prob, config, pairs, space.text_tokens, space.text_vectors)
    exact = np.array([sum(e.factors.values()) for e in expl])
    assert np.abs(full[rows, cols] / SCORE_SCALE - exact).max() <= 5 / SCORE_SCALE


def test_guard_gives_every_usable_mentor_its_best_mentees():
    # with one candidate per mentee, unpopular mentors would have none at all
    prob = _company(120, 4)
    config = MatchingConfig(min_seniority=None)
    scorer = _scorer(prob, config, cache_pairs=0)
    n, m = prob.n_mentees, prob.n_mentors
    full = np.vstack([q for _, q in scorer.rows_scores(np.arange(n))])
    before = np.bincount(scorer.candidates(1).cols, minlength=m)
    cands = scorer.candidates(1, guard=np.full(m, 3))
    assert (before < 3).any()
    for j in range(m):
        mine = cands.rows[cands.cols == j]
        allowed = np.flatnonzero(full[:, j] >= 0)
        assert mine.size >= min(3, allowed.size)
        if before[j] < 3 and allowed.size:  # guarded: its best mentees are in
            best = np.sort(full[allowed, j])[::-1][: min(3, allowed.size)]
            assert np.array_equal(np.sort(full[mine, j])[::-1][: best.size], best)
    # the bounds cover every pair left out
    kept = np.zeros((n, m), bool)
    kept[cands.rows, cands.cols] = True
    left = np.where(kept, -1, full)
    for gi in np.unique(cands.row_grouping):
        grp = cands.groupings[gi]
        for i in np.flatnonzero(cands.row_grouping == gi):
            best = np.full(cands.group_max.shape[1], -1.0)
            np.maximum.at(best, grp, left[i])
            assert np.all(cands.group_max[i] >= best)


def test_multi_hot_inputs_count_presence_not_amounts():
    config = MatchingConfig(min_seniority=None)
    plain = match(_company(40, 5), config)
    weighted = match(_company(40, 5, skill_value=3.0), config)
    assert np.array_equal(plain.pairs, weighted.pairs)
    assert np.array_equal(plain.scores, weighted.scores)
    assert weighted.scores.min() >= 0 and weighted.scores.max() <= 1


@pytest.mark.parametrize("seed", [6, 7])
def test_warm_re_solve_after_admin_edits_equals_a_fresh_solve(seed):
    prob = _company(150, seed)
    config = MatchingConfig(min_seniority=None, top_k=4)
    first = match(prob, config)
    rng = np.random.default_rng(seed)
    cands = first._cache["cands"]
    # lock three mentees to another candidate mentor, reject two proposed pairs
    locked, used = [], set()
    for i, j in first.pairs[rng.choice(len(first.pairs), 5, replace=False)].tolist():
        alt = [c for c in cands.cols[cands.rows == i].tolist() if c != j]
        if alt and len(locked) < 3 and alt[0] not in used:
            locked.append((i, alt[0]))
            used.add(alt[0])
    rejected = [tuple(p) for p in first.pairs[:2].tolist()]
    prob.locked, prob.rejected = np.array(locked), np.array(rejected)
    warm = match(prob, config, previous=first)
    fresh = match(prob, MatchingConfig(min_seniority=None, top_k=4, fresh=True))
    assert warm.optimal and fresh.optimal
    assert len(warm.pairs) == len(fresh.pairs)
    assert warm.total_score == pytest.approx(fresh.total_score)
    got = {tuple(p) for p in warm.pairs.tolist()}
    assert set(locked) <= got and not set(rejected) & got
    # stickiness: of the optimal answers, the one closest to the last proposals
    before = {tuple(p) for p in first.pairs.tolist()}
    assert len(got & before) >= len({tuple(p) for p in fresh.pairs.tolist()} & before)


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("rejected_in", ["a re-solve", "the first run"])
def test_a_rejection_taken_back_comes_back_into_a_warm_re_solve(seed, rejected_in):
    """A warm re-solve reuses the earlier run's candidates, whose bounds left out
    the pairs its rules forbade: pairs allowed again (kept in place since, or
    never candidates) are scored anew, and the answer is a fresh solve's."""
    prob = _company(400, seed)
    config = MatchingConfig(min_seniority=None, top_k=2)
    best = match(prob, config)
    prob.rejected = best.pairs[::7][:15]
    if rejected_in == "a re-solve":
        rejected = match(prob, config, previous=best)
    else:
        rejected = match(prob, config)
    assert not {tuple(p) for p in prob.rejected.tolist()} & {
        tuple(p) for p in rejected.pairs.tolist()
    }
    assert rejected.total_score < best.total_score
    prob.rejected = None
    again = match(prob, config, previous=rejected)
    fresh = match(prob, MatchingConfig(min_seniority=None, top_k=2, fresh=True))
    assert again.optimal
    assert again.total_score == pytest.approx(fresh.total_score)
    assert again.total_score == pytest.approx(best.total_score)


@pytest.mark.parametrize("tie", [1, 3])
def test_the_float32_screen_never_hides_a_paying_pair(tie):
    # an expensive mentor and a mentee with a very negative value: the screen's
    # clipped terms must still send the pair to the exact check
    from types import SimpleNamespace

    from wagtail_mentoring.matching.engine.certify import left_out_violations

    penalty = 2**30
    wm = {
        "price": np.array([2**23 + 5, 0], np.int64) * tie,
        "row_value": np.array([0, penalty * tie + 10 * tie], np.int64),
        "penalty": penalty,
        "tie": tie,
        "prio": None,
        "step": 1.0,
        "offset": 0.0,
        "row_cap": np.array([1, 1]),
        "col_cap": np.array([1, 1]),
    }
    result = SimpleNamespace(_warm=wm)
    weights = np.array([[0, -1], [-1, 10]], np.float32)
    r, c, rp = left_out_violations(result, np.array([0, 1]), weights, 0)
    # pair (0, 0) pays (P·T − price > 0); pair (1, 1) is exactly tight: it does not
    assert r.tolist() == [0] and c.tolist() == [0]
    assert rp.tolist() == [(penalty - 2**23 - 5) * tie]
    # with a slack, the tight pair comes too
    r, c, rp = left_out_violations(result, np.array([0, 1]), weights, 0, slack=1)
    assert sorted(zip(r.tolist(), c.tolist(), strict=True)) == [(0, 0), (1, 1)]
