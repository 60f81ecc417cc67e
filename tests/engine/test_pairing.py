"""``solve_pairing`` against networkx's blossom algorithm (an independent reference)."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wagtail_mentoring.matching.engine import MatchingError, pairing, solve_pairing


def reference(w: np.ndarray, locked=(), min_score=None) -> tuple[int, float]:
    """(pairs, objective) of networkx's max-cardinality max-weight matching."""
    n = w.shape[0]
    w = w.copy()
    if min_score is not None:
        w[w < min_score] = -np.inf
    taken = {v for pair in locked for v in pair}
    g = nx.Graph()
    g.add_nodes_from(range(n))
    for i in range(n):
        for j in range(i + 1, n):
            if np.isfinite(w[i, j]) and i not in taken and j not in taken:
                g.add_edge(i, j, weight=w[i, j])
    m = nx.max_weight_matching(g, maxcardinality=True)
    locked_w = sum(w[i, j] for i, j in locked)
    return len(m) + len(locked), sum(w[i, j] for i, j in m) + locked_w


def check(result, w, locked=(), min_score=None):
    k, obj = reference(w, locked, min_score)
    pairs = result.pairs
    assert pairs.shape == (k, 2)
    assert np.all(pairs[:, 0] < pairs[:, 1])
    assert np.unique(pairs.ravel()).size == pairs.size  # a matching
    for i, j in locked:
        assert [min(i, j), max(i, j)] in pairs.tolist()
    for i, j in pairs.tolist():
        assert np.isfinite(w[i, j])
        assert min_score is None or w[i, j] >= min_score or (i, j) in locked
    assert result.objective == pytest.approx(obj, abs=1e-9)
    assert result.optimal and result.gap == 0.0


@st.composite
def graphs(draw):
    n = draw(st.integers(2, 11))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    w = rng.integers(0, draw(st.sampled_from([2, 10, 1000])), (n, n)).astype(float)
    w = np.triu(w, 1)
    forbid = np.triu(rng.random((n, n)) < draw(st.sampled_from([0.0, 0.3, 0.7])), 1)
    w[forbid] = -np.inf
    w = np.triu(w, 1) + np.triu(w, 1).T
    w[np.tril(np.ones((n, n), bool))] = w.T[np.tril(np.ones((n, n), bool))]
    np.fill_diagonal(w, rng.integers(-5, 5))  # ignored
    allowed = [
        (i, j) for i in range(n) for j in range(i + 1, n) if np.isfinite(w[i, j])
    ]
    locked = []
    if allowed and draw(st.booleans()):
        used = set()
        for i, j in draw(st.lists(st.sampled_from(allowed), max_size=2)):
            if i not in used and j not in used:
                locked.append((i, j))
                used |= {i, j}
    min_score = draw(st.sampled_from([None, None, 3.0]))
    return w, locked, min_score, draw(st.integers(1, 4))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_same_optimum_as_networkx(case):
    w, locked, min_score, top_k = case
    if min_score is not None:
        locked = [(i, j) for i, j in locked if w[i, j] >= min_score]
    result = solve_pairing(w, locked=locked, min_score=min_score, top_k=top_k)
    check(result, w, locked, min_score)


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_sparse_input_gives_the_dense_answer(case):
    w, _locked, _min_score, top_k = case
    i, j = np.nonzero(np.isfinite(w))
    keep = i != j
    sparse = sp.coo_matrix((w[i[keep], j[keep]], (i[keep], j[keep])), shape=w.shape)
    check(
        solve_pairing(sparse.tocsr(), top_k=top_k),
        np.where(np.eye(len(w)) > 0, -np.inf, w),
    )


@st.composite
def larger_graphs(draw):
    """Up to 60 members seen through one or two best partners each: the first
    blossom run's duals miss many pairs, so later runs continue from its blossoms."""
    n = draw(st.integers(12, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    w = rng.integers(0, draw(st.sampled_from([3, 10, 100])), (n, n)).astype(float)
    forbid = rng.random((n, n)) < draw(st.sampled_from([0.0, 0.3, 0.7]))
    w[forbid] = -np.inf
    w = np.triu(w, 1) + np.triu(w, 1).T
    return w, draw(st.integers(1, 2))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(larger_graphs())
def test_later_blossom_runs_keep_the_optimum(case):
    w, top_k = case
    result = solve_pairing(w, top_k=top_k)
    check(result, w)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(larger_graphs(), st.sampled_from([1, 2, 8]))
def test_pairs_the_degree_lp_leaves_go_to_the_blossom_run(case, handover):
    # large runs hand the last few pairs breaking the degree LP's duals to the
    # blossom run; small ones rarely do, so lower the threshold here
    w, top_k = case
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pairing, "HANDOVER", handover)
        result = solve_pairing(w, locked=(), top_k=top_k)
    check(result, w)


def test_the_hand_over_happens():
    handed = 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pairing, "HANDOVER", 1)
        for seed in range(10):
            rng = np.random.default_rng(seed)
            w = rng.integers(0, 100, (60, 60)).astype(float)
            w[rng.random((60, 60)) < 0.5] = -np.inf
            w = np.triu(w, 1) + np.triu(w, 1).T
            r = solve_pairing(w, top_k=1)
            check(r, w)
            handed += r.stats["handed_over"]
    assert handed > 0


def test_later_blossom_runs_happen():
    # the property test above is only worth something if runs do continue
    runs = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        w = rng.integers(0, 100, (60, 60)).astype(float)
        w[rng.random((60, 60)) < 0.7] = -np.inf
        w = np.triu(w, 1) + np.triu(w, 1).T
        r = solve_pairing(w, top_k=1)
        check(r, w)
        runs.append(r.stats.get("blossom_runs", 0))
    assert max(runs) > 1


def test_a_triangle_of_friends_needs_a_blossom():
    # Three members who all like each other and one who likes only one of them:
    # the degree LP pairs the triangle "half" (value 1.5 pairs); the answer must
    # still be a real matching, proved.
    w = np.full((4, 4), -np.inf)
    for i, j, v in [(0, 1, 10), (1, 2, 10), (0, 2, 10), (2, 3, 1)]:
        w[i, j] = w[j, i] = v
    r = solve_pairing(w, top_k=3)
    assert r.pairs.tolist() in ([[0, 1], [2, 3]],)
    assert r.objective == 11 and r.optimal
    # five friends in a ring: two pairs, the best two
    ring = np.full((5, 5), -np.inf)
    for i in range(5):
        j = (i + 1) % 5
        ring[i, j] = ring[j, i] = 5 + i
    r = solve_pairing(ring)
    assert len(r.pairs) == 2 and r.optimal
    assert r.objective == reference(ring)[1]


def test_cardinality_comes_before_weight():
    # one heavy pair (1, 2) or two light pairs (0, 1) and (2, 3): two pairs win
    w = np.full((4, 4), -np.inf)
    for i, j, v in [(0, 1, 1), (1, 2, 100), (2, 3, 1)]:
        w[i, j] = w[j, i] = v
    r = solve_pairing(w)
    assert r.pairs.tolist() == [[0, 1], [2, 3]] and r.objective == 2 and r.optimal


def test_nothing_allowed_is_an_empty_proved_answer():
    r = solve_pairing(np.full((3, 3), -np.inf))
    assert r.pairs.shape == (0, 2) and r.objective == 0 and r.optimal


@pytest.mark.parametrize(
    "weights, kwargs, message",
    [
        (np.zeros((2, 3)), {}, "square"),
        (np.array([[0, 1], [2, 0]], float), {}, "symmetric"),
        (np.array([[0, np.nan], [np.nan, 0]]), {}, "NaN"),
        (np.zeros((3, 3)), {"locked": [(0, 3)]}, "below 3"),
        (np.zeros((3, 3)), {"locked": [(1, 1)]}, "themself"),
        (np.zeros((4, 4)), {"locked": [(0, 1), (1, 2)]}, "two locked"),
        (
            np.array([[0, -np.inf], [-np.inf, 0]]),
            {"locked": [(0, 1)]},
            "forbidden",
        ),
        (np.ones((2, 2)), {"locked": [(0, 1)], "min_score": 2}, "forbidden"),
    ],
)
def test_bad_input_says_what_is_wrong(weights, kwargs, message):
    with pytest.raises(MatchingError, match=message):
        solve_pairing(weights, **kwargs)


def test_a_large_dense_problem_is_proved_against_every_pair():
    rng = np.random.default_rng(7)
    profile = rng.random((150, 8))
    w = np.rint(profile @ profile.T * 50)
    dept = rng.integers(0, 5, 150)
    w[dept[:, None] == dept[None, :]] = -np.inf
    r = solve_pairing(w, top_k=3)
    check(r, w)
    assert r.stats["candidate_pairs"] < 150 * 149 / 2  # not every pair was solved
    assert r.stats["method"] == "blossom"  # whole numbers: the exact integer path


@settings(max_examples=40, deadline=None)
@given(graphs())
def test_fractional_weights_take_the_lp_path(case):
    w, locked, min_score, top_k = case
    w = w / 7.0 + 0.1  # never a whole number
    if min_score is not None:
        min_score = min_score / 7.0 + 0.1
        locked = [(i, j) for i, j in locked if w[i, j] >= min_score]
    result = solve_pairing(w, locked=locked, min_score=min_score, top_k=top_k)
    k, obj = reference(w, locked, min_score)
    assert result.pairs.shape == (k, 2)
    assert result.objective == pytest.approx(obj, abs=1e-6)
    assert result.stats["method"] == "lp" or len(result.pairs) == len(locked)


@pytest.mark.parametrize(
    "shift, method",
    [(0.0, "blossom"), (0.5, "lp")],  # whole numbers, and the LP path for the rest
)
def test_tie_heavy_graph_of_eight_is_paired(shift, method):
    # the LP path once dropped pairs a matching of all eight needed (after a cut
    # removed its fractional answer) and answered no pairs at all
    x = -np.inf
    w = np.array(
        [
            [1, 1, 1, 1, x, 0, 1, x],
            [1, 1, 1, x, 0, 1, 0, 0],
            [1, 1, 1, 0, x, 1, x, x],
            [1, x, 0, 1, x, x, 0, 0],
            [x, 0, x, x, 1, 0, x, 0],
            [0, 1, 1, x, 0, 1, 0, 1],
            [1, 0, x, 0, x, 0, 1, x],
            [x, 0, x, 0, 0, 1, x, 1],
        ],
        dtype=float,
    )
    w = w + shift
    result = solve_pairing(w)
    check(result, w)
    assert result.stats["method"] == method
