"""Property tests: solve_assignment equals an independent exact optimum."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from wagtail_mentoring.matching.engine import solve_assignment, solver
from wagtail_mentoring.matching.engine.backends import available
from wagtail_mentoring.matching.engine.flow import min_cost_assignment

# every backend must reach the same certified optimum; ortools is an optional extra
SOLVERS = [b for b in ("scipy", "highs", "ortools") if available(b)]


def reference(w, col_cap, row_cap, locked=(), rejected=(), min_score=None):
    """(matched, total weight) by MILP: maximise count first, then weight."""
    n, m = w.shape
    allowed = np.isfinite(w)
    if min_score is not None:
        allowed &= w >= min_score
    for i, j in rejected:
        allowed[i, j] = False
    for i, j in locked:
        allowed[i, j] = True
    r, c = np.nonzero(allowed)
    k = r.size
    if k == 0:
        return 0, 0.0
    vals = w[r, c]
    big = (np.abs(vals).sum() + 1) * 4
    a1 = np.zeros((n, k))
    a1[r, np.arange(k)] = 1
    a2 = np.zeros((m, k))
    a2[c, np.arange(k)] = 1
    lb = np.zeros(k)
    lk = {tuple(p) for p in locked}
    for e in range(k):
        if (r[e], c[e]) in lk:
            lb[e] = 1
    res = milp(
        -(vals + big),
        constraints=[
            LinearConstraint(a1, 0, row_cap),
            LinearConstraint(a2, 0, col_cap),
        ],
        integrality=np.ones(k),
        bounds=Bounds(lb, 1),
    )
    assert res.status == 0
    x = np.rint(res.x).astype(bool)
    return int(x.sum()), float(vals[x].sum())


@st.composite
def instances(draw, floats=False, multi=False):
    n = draw(st.integers(0, 7))
    m = draw(st.integers(0, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    if floats:
        w = np.round(rng.normal(0, 3, (n, m)), 3)
    else:
        w = rng.integers(-3, 12, (n, m)).astype(float)
    w[rng.random((n, m)) < draw(st.sampled_from([0.0, 0.3, 0.7]))] = -np.inf
    col_cap = rng.integers(0, 4, m)
    row_cap = rng.integers(1, 3, n) if multi else np.ones(n, np.int64)
    return w, col_cap, row_cap, rng


def check(
    w, col_cap, row_cap, res, locked=(), rejected=(), min_score=None, backend=None
):
    n, m = w.shape
    if backend is not None:  # the backend itself proved it: no fallback to HiGHS
        assert res.stats["backend"] == backend
    pairs = res.pairs
    assert pairs.shape[1] == 2
    assert len({tuple(p) for p in pairs.tolist()}) == len(pairs)
    if len(pairs):
        assert np.all(np.bincount(pairs[:, 1], minlength=m) <= col_cap)
        assert np.all(np.bincount(pairs[:, 0], minlength=n) <= row_cap)
        vals = w[pairs[:, 0], pairs[:, 1]]
        assert np.all(np.isfinite(vals))
        lk = {tuple(p) for p in locked}
        if min_score is not None:
            assert all(
                v >= min_score or tuple(p) in lk
                for v, p in zip(vals, pairs.tolist(), strict=True)
            )
    got = {tuple(p) for p in pairs.tolist()}
    assert {tuple(p) for p in locked} <= got
    assert not ({tuple(p) for p in rejected} & got)
    count, total = reference(w, col_cap, row_cap, locked, rejected, min_score)
    assert len(pairs) == count
    assert res.objective == pytest.approx(total, abs=1e-9)
    assert res.optimal
    assert res.gap == 0


@pytest.mark.parametrize("backend", SOLVERS)
@settings(max_examples=80, deadline=None)
@given(instances())
def test_integer_weights_match_exact_optimum(backend, inst):
    w, col_cap, row_cap, _ = inst
    res = solve_assignment(w, col_cap, backend=backend)
    check(w, col_cap, row_cap, res, backend=backend)


@pytest.mark.parametrize("backend", SOLVERS)
@settings(max_examples=60, deadline=None)
@given(instances(floats=True))
def test_float_weights_match_exact_optimum(backend, inst):
    w, col_cap, row_cap, _ = inst
    res = solve_assignment(w, col_cap, backend=backend)
    check(w, col_cap, row_cap, res, backend=backend)


@pytest.mark.parametrize("backend", SOLVERS)
@settings(max_examples=50, deadline=None)
@given(instances(multi=True))
def test_mentees_wanting_several_mentors(backend, inst):
    w, col_cap, row_cap, _ = inst
    res = solve_assignment(w, col_cap, mentee_capacity=row_cap, backend=backend)
    check(w, col_cap, row_cap, res, backend=backend)


@pytest.mark.parametrize("backend", SOLVERS)
@settings(max_examples=60, deadline=None)
@given(instances(), st.data())
def test_locks_rejections_and_min_score(backend, inst, data):
    w, col_cap, row_cap, rng = inst
    n, m = w.shape
    r, c = np.nonzero(np.isfinite(w))
    order = rng.permutation(r.size)
    locked, used_c, used_r = [], np.zeros(m, int), np.zeros(n, int)
    for e in order[: data.draw(st.integers(0, 3))]:
        i, j = int(r[e]), int(c[e])
        if used_c[j] < col_cap[j] and used_r[i] < row_cap[i]:
            locked.append((i, j))
            used_c[j] += 1
            used_r[i] += 1
    lk = set(locked)
    rejected = [(int(r[e]), int(c[e])) for e in order[3:6] if (r[e], c[e]) not in lk]
    min_score = data.draw(st.sampled_from([None, 0.0, 4.0]))
    if min_score is not None:
        locked = [p for p in locked if w[p] >= min_score]
    res = solve_assignment(
        w,
        col_cap,
        locked=locked,
        min_score=min_score,
        rejected=rejected,
        backend=backend,
    )
    check(w, col_cap, row_cap, res, locked, rejected, min_score, backend)


@pytest.mark.parametrize("backend", SOLVERS)
@settings(max_examples=40, deadline=None)
@given(instances())
def test_sparse_input_and_determinism(backend, inst):
    w, col_cap, row_cap, _ = inst
    r, c = np.nonzero(np.isfinite(w))
    s = sp.csr_matrix((w[r, c], (r, c)), shape=w.shape)
    a = solve_assignment(s, col_cap, backend=backend)
    b = solve_assignment(s, col_cap, backend=backend)
    check(w, col_cap, row_cap, a, backend=backend)
    assert np.array_equal(a.pairs, b.pairs)
    d = solve_assignment(w, col_cap, backend=backend)
    assert d.objective == pytest.approx(a.objective)


def test_pruned_large_dense_matrix_is_certified():
    # large enough to go through candidate pruning and the certification loop
    rng = np.random.default_rng(3)
    n, m = 200, 100
    w = rng.integers(0, 1000, (n, m)).astype(float)
    w[rng.random((n, m)) < 0.2] = -np.inf
    cap = np.full(m, 2)
    res = solve_assignment(w, cap, top_k=6, prune_above=1000)
    assert res.optimal
    assert res.certificate.candidate_pairs < np.isfinite(w).sum()
    from scipy.optimize import linear_sum_assignment

    cols = np.repeat(np.arange(m), cap)
    big = 1e7
    cost = np.where(np.isfinite(w[:, cols]), -(w[:, cols] + big), 0.0)
    rr, cc = linear_sum_assignment(cost)
    ok = np.isfinite(w[rr, cols[cc]])
    assert len(res.pairs) == ok.sum()
    assert res.objective == pytest.approx(w[rr[ok], cols[cc[ok]]].sum())


def test_duals_reject_a_suboptimal_assignment():
    # two mentees, two single-seat mentors: the crossed pairing is worth more
    from wagtail_mentoring.matching.engine.duals import assignment_duals

    rows, cols = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    ben = np.array([10, 1, 9, 2])
    cap = np.ones(2, np.int64)
    best = np.array([False, True, True, False])  # 1 + 9 = 10 < 10 + 2 = 12
    good = np.array([True, False, False, True])
    assert assignment_duals(rows, cols, ben, best, 2, 2, cap, cap) is None
    d = assignment_duals(rows, cols, ben, good, 2, 2, cap, cap)
    assert d is not None and d.primal == d.dual == 12
    # an empty seat with a mentee who would take it is not optimal either
    empty = np.array([True, False, False, False])
    assert assignment_duals(rows, cols, ben, empty, 2, 2, cap, cap) is None


def test_a_wrong_backend_answer_is_caught_and_re_solved(monkeypatch):
    from wagtail_mentoring.matching.engine import backends

    real = backends.solve_graph
    calls = []

    def lazy(name, rows, *args):
        calls.append(name)
        if name != "highs":
            return np.zeros(rows.size, bool)  # claims nobody can be matched
        return real(name, rows, *args)

    monkeypatch.setattr(backends, "solve_graph", lazy)
    w = np.array([[3.0, 1.0], [2.0, 5.0]])
    res = solve_assignment(w, [1, 1], backend="scipy")
    assert calls == ["scipy", "highs"]
    assert res.pairs.tolist() == [[0, 0], [1, 1]] and res.optimal
    assert res.certificate.method == "highs"


@settings(max_examples=80, deadline=None)
@given(instances(multi=True), st.booleans())
def test_flow_solver_reaches_the_optimum_from_any_prices(inst, wrong):
    w, col_cap, row_cap, rng = inst
    n, m = w.shape
    r, c = np.nonzero(np.isfinite(w))
    # benefits ranked like the engine's: a cardinality constant above every score
    score = w[r, c].astype(np.int64) + 3
    umax = int(min(row_cap.sum(), col_cap.sum()))
    ben = score + (int(score.max(initial=0)) + 1) * (umax + 1) + 1
    # random prices, even far above every benefit, or the auction's own
    price = rng.integers(0, 2 * int(ben.max(initial=1)), m) if wrong else None
    used, _ = min_cost_assignment(r, c, ben, n, m, row_cap, col_cap, price=price)
    assert np.all(np.bincount(r[used], minlength=n) <= row_cap)
    assert np.all(np.bincount(c[used], minlength=m) <= col_cap)
    count, total = reference(w, col_cap, row_cap)
    assert int(used.sum()) == count
    assert w[r[used], c[used]].sum() == pytest.approx(total)


@settings(max_examples=60, deadline=None)
@given(instances(), st.data())
def test_any_starting_prices_give_the_optimum(inst, data):
    # match() hands the flow an auction's prices; any others, far too high or
    # negative, must only cost time, also with locks and rejections
    w, col_cap, row_cap, rng = inst
    n, m = w.shape
    prices = rng.integers(-20, 40, m).astype(float)
    cells = [(i, j) for i in range(n) for j in range(m) if np.isfinite(w[i, j])]
    rejected = data.draw(st.lists(st.sampled_from(cells), unique=True)) if cells else []
    res = solve_assignment(
        w, col_cap, rejected=rejected, prices=prices, backend="scipy"
    )
    check(w, col_cap, row_cap, res, rejected=rejected, backend="scipy")


@pytest.mark.parametrize("backend", SOLVERS)
@settings(max_examples=50, deadline=None)
@given(instances(multi=True), st.data())
def test_repair_after_locks_rejections_and_capacity_changes(backend, inst, data):
    w, col_cap, row_cap, rng = inst
    n, m = w.shape
    first = solve_assignment(w, col_cap, mentee_capacity=row_cap, backend=backend)
    # an admin edit: lock a pair that was not proposed, reject proposed pairs, and
    # change one mentor's capacity
    proposed = {tuple(p) for p in first.pairs.tolist()}
    r, c = np.nonzero(np.isfinite(w))
    others = [(int(i), int(j)) for i, j in zip(r, c, strict=True)]
    others = [p for p in others if p not in proposed]
    caps = col_cap.copy()
    if m:
        j = data.draw(st.integers(0, m - 1))
        caps[j] = data.draw(st.integers(0, 3))
    locked = []
    if others and data.draw(st.booleans()):
        i, j = others[data.draw(st.integers(0, len(others) - 1))]
        if caps[j] > 0:
            locked = [(i, j)]
    rejected = [p for p in first.pairs.tolist()[:2] if tuple(p) not in set(locked)]
    res = solve_assignment(
        w,
        caps,
        mentee_capacity=row_cap,
        locked=locked,
        rejected=rejected,
        backend=backend,
        start=first,
    )
    check(w, caps, row_cap, res, locked, rejected, backend=backend)
    if backend != "ortools" and first._warm is not None and res._warm is not None:
        assert res.certificate.method == f"{backend}+repair"
    # starting from the same problem's own answer: one phase puts every matched
    # mentee back on its tight arc, a second one leaves the rest unmatched (a mentee
    # wanting several mentors is valued at its best only, so may take more)
    again = solve_assignment(w, col_cap, mentee_capacity=row_cap, start=first)
    check(w, col_cap, row_cap, again)
    single = row_cap.size == 0 or row_cap.max() <= 1
    if first._warm is not None and again._warm is not None and single:
        assert again.stats["repair_phases"] <= 2 or again.stats["backend"] == "ortools"


@pytest.mark.parametrize("backend", SOLVERS)
@settings(max_examples=40, deadline=None)
@given(instances(multi=True), st.data())
def test_a_large_matrix_read_in_blocks_gives_the_exact_optimum(backend, inst, data):
    w, col_cap, row_cap, rng = inst
    n, m = w.shape
    r, c = np.nonzero(np.isfinite(w))
    locked = [(int(r[e]), int(c[e])) for e in rng.permutation(r.size)[:1]]
    locked = [p for p in locked if col_cap[p[1]] > 0]
    rejected = [(int(r[e]), int(c[e])) for e in rng.permutation(r.size)[:2]]
    rejected = [p for p in rejected if p not in set(locked)]
    min_score = data.draw(st.sampled_from([None, 2.0]))
    locked = [p for p in locked if min_score is None or w[p] >= min_score]
    kw = dict(
        mentee_capacity=row_cap,
        locked=locked,
        rejected=rejected,
        min_score=min_score,
        backend=backend,
        prune_above=0,
        top_k=1,
    )
    s = sp.csr_matrix((w[r, c], (r, c)), shape=w.shape)
    with pytest.MonkeyPatch.context() as mp:
        # blocks of two mentees, every matrix counted as large, one candidate each:
        # the certificate's block checks must bring in whatever else pays
        mp.setattr(solver, "_BLOCK_WEIGHTS", 2 * max(m, 1))
        dense = solve_assignment(w, col_cap, **kw)
        sparse = solve_assignment(s, col_cap, **kw)
        unsorted = solve_assignment(shuffled_csr(s, rng), col_cap, **kw)
    check(w, col_cap, row_cap, dense, locked, rejected, min_score, backend)
    for res in (sparse, unsorted):
        check(w, col_cap, row_cap, res, locked, rejected, min_score, backend)
        assert same_certificate(res, dense)


def shuffled_csr(s, rng):
    """The same pairs as CSR whose mentors are not sorted within rows."""
    ind, data = s.indices.copy(), s.data.copy()
    for i in range(s.shape[0]):
        a, b = s.indptr[i], s.indptr[i + 1]
        order = a + rng.permutation(b - a)
        ind[a:b], data[a:b] = ind[order], data[order]
    out = sp.csr_matrix((data, ind, s.indptr.copy()), shape=s.shape)
    out.has_sorted_indices = bool(np.all(ind == s.indices))
    return out


def same_certificate(a, b):
    """The proof's numbers agree (which candidates a tie brought in may not)."""
    ca, cb = a.certificate, b.certificate
    return (ca.primal, ca.upper_bound, ca.gap, ca.quantum) == (
        cb.primal,
        cb.upper_bound,
        cb.gap,
        cb.quantum,
    ) and a.objective == pytest.approx(b.objective, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 2**31 - 1),
    st.integers(1, 10),
    st.sampled_from(["floats", "ties", "scales", "short"]),
)
def test_each_rows_best_stored_pairs_are_found_without_a_dense_block(seed, k, kind):
    # the selection behind sparse input's first candidates, against a full sort
    rng = np.random.default_rng(seed)
    nrow = int(rng.integers(0, 40))
    hi = 12 if kind == "short" else 300
    lengths = rng.integers(0, hi, nrow)
    lengths[rng.random(nrow) < 0.1] = 0  # mentees with no stored pair
    ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    size = int(ptr[-1])
    if kind == "ties":
        eff = rng.integers(0, 3, size).astype(float)  # explicit zeros and ties
    else:
        eff = rng.random(size)
    if kind == "scales":  # rows on different scales, as priorities make them
        eff *= np.repeat(rng.choice([1e-3, 1.0, 1.25, 1e3], nrow), lengths)
    eff[rng.random(size) < rng.choice([0.0, 0.3, 0.9])] = -np.inf
    fin = eff != -np.inf
    rows, pos = solver._segment_top(eff, ptr, fin, k)
    assert np.all(fin[pos]) and np.unique(pos).size == pos.size
    assert np.array_equal(solver._row_of(ptr, pos), rows)
    for i in range(nrow):
        seg = eff[ptr[i] : ptr[i + 1]]
        want = np.sort(seg[seg != -np.inf])[::-1][:k]
        got = np.sort(eff[pos[rows == i]])[::-1]
        assert np.array_equal(got, want)


def test_a_few_allowed_pairs_among_many_forbidden_ones_are_still_found():
    # stored -inf everywhere but five pairs of one mentee, too many to sort them
    # outright and between the points a sample of the block lands on
    eff = np.full(100_000, -np.inf)
    eff[[5, 7, 9, 11, 13]] = [1.0, 5.0, 3.0, 4.0, 2.0]
    ptr = np.array([0, 50_000, 100_000])
    rows, pos = solver._segment_top(eff, ptr, eff != -np.inf, 1)
    assert rows.tolist() == [0] and pos.tolist() == [7]


def test_tied_pairs_spread_the_first_candidates_over_the_mentors():
    # every weight equal: naming each mentee's first mentors in column order would
    # send all of them to the same few seats, and the certificate would add the rest
    n, m = 400, 80
    for w in (np.ones((n, m)), sp.csr_matrix(np.ones((n, m)))):
        res = solve_assignment(w, np.full(m, 6), prune_above=1000)
        assert res.optimal and res.matched_slots == n
        assert res.certificate.rounds == 1 and res.certificate.added_pairs == 0


@pytest.mark.parametrize("backend", SOLVERS)
def test_sparse_blocks_and_dense_blocks_give_the_same_certified_optimum(backend):
    # long rows on two scales (a priority group), so the stored-pair selection
    # works with thresholds over several blocks, not by sorting short rows
    rng = np.random.default_rng(11)
    n, m = 600, 150
    w = rng.random((n, m))
    w[:, :3] = 0.0  # stored zeros: allowed pairs of weight 0
    w[rng.random((n, m)) < 0.3] = -np.inf
    w[rng.random(n) < 0.05] = -np.inf  # mentees with no allowed pair
    prio = np.where(rng.random(n) < 0.25, 1.25, 1.0)
    r, c = np.nonzero(np.isfinite(w))
    s = sp.csr_matrix((w[r, c], (r, c)), shape=w.shape)
    cap = rng.integers(0, 6, m)
    kw = dict(
        mentee_capacity=rng.integers(1, 3, n),
        priority=prio,
        locked=[(int(r[5]), int(c[5]))] if cap[c[5]] else [],
        rejected=[(int(r[9]), int(c[9]))],
        min_score=0.05,
        backend=backend,
        prune_above=1000,
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solver, "_BLOCK_WEIGHTS", 100 * m)
        dense = solve_assignment(w, cap, **kw)
        sparse = solve_assignment(s, cap, **kw)
        unsorted = solve_assignment(shuffled_csr(s, rng), cap, **kw)
    assert dense.optimal and dense.certificate.candidate_pairs < r.size
    for res in (sparse, unsorted):
        assert res.optimal and same_certificate(res, dense)
        # continuous weights: one optimum, and the same candidates as dense rows
        assert np.array_equal(res.pairs, dense.pairs)
        assert res.certificate.candidate_pairs == dense.certificate.candidate_pairs


def test_dense_blocks_with_float_weights_match_dense_linear_sum_assignment():
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(5)
    n, m = 400, 80
    w = rng.random((n, m))
    w[rng.random((n, m)) < 0.2] = -np.inf
    cap = np.full(m, 5)
    res = solve_assignment(w, cap, prune_above=1000)
    assert res.optimal and res.certificate.candidate_pairs < np.isfinite(w).sum()
    cols = np.repeat(np.arange(m), cap)
    big = 1e3
    cost = np.where(np.isfinite(w[:, cols]), -(w[:, cols] + big), 0.0)
    rr, cc = linear_sum_assignment(cost)
    ok = np.isfinite(w[rr, cols[cc]])
    assert len(res.pairs) == ok.sum()
    # weights are rounded to 2^-20 of their range: each pair moves by half a step
    step = res.certificate.quantum
    assert abs(res.objective - w[rr[ok], cols[cc[ok]]].sum()) <= len(res.pairs) * step


def test_a_solver_that_gives_up_is_replaced_by_highs(monkeypatch):
    from wagtail_mentoring.matching.engine import backends
    from wagtail_mentoring.matching.engine.errors import MatchingError

    def gives_up(*args, **kwargs):
        raise MatchingError("the assignment flow made no progress")

    monkeypatch.setattr(backends, "min_cost_assignment", gives_up)
    monkeypatch.setattr(solver, "min_cost_assignment", gives_up)
    w = np.array([[3.0, 1.0], [2.0, 5.0], [4.0, -np.inf]])
    first = solve_assignment(w, [1, 1], backend="scipy")
    assert first.pairs.tolist() == [[1, 1], [2, 0]] and first.optimal
    assert first.certificate.method == "highs"
    again = solve_assignment(w, [1, 1], rejected=[(2, 0)], backend="scipy", start=first)
    assert again.pairs.tolist() == [[0, 0], [1, 1]] and again.optimal
    assert again.certificate.method == "highs"


@settings(max_examples=80, deadline=None)
@given(instances(multi=True), st.booleans())
def test_flow_solver_reaches_the_optimum_from_any_starting_pairs(inst, priced):
    # a repair starts from an earlier answer's pairs; any set of pairs (over
    # capacity, or nothing like an optimum) must still end at the optimum
    w, col_cap, row_cap, rng = inst
    n, m = w.shape
    r, c = np.nonzero(np.isfinite(w))
    score = w[r, c].astype(np.int64) + 3
    umax = int(min(row_cap.sum(), col_cap.sum()))
    ben = score + (int(score.max(initial=0)) + 1) * (umax + 1) + 1
    used = rng.random(r.size) < 0.5
    price = rng.integers(0, 2 * int(ben.max(initial=1)), m) if priced else None
    stats = {}
    got, _ = min_cost_assignment(
        r, c, ben, n, m, row_cap, col_cap, price=price, used=used, stats=stats
    )
    assert np.all(np.bincount(r[got], minlength=n) <= row_cap)
    assert np.all(np.bincount(c[got], minlength=m) <= col_cap)
    count, total = reference(w, col_cap, row_cap)
    assert int(got.sum()) == count
    assert w[r[got], c[got]].sum() == pytest.approx(total)
    assert stats["paths"] <= stats["units"]


def _expanded_optimum(w, col_cap, rejected=(), locked=()):
    """(matched, total) by scipy's dense assignment on capacity-expanded columns,
    cardinality first: an oracle independent of the flow solver."""
    from scipy.optimize import linear_sum_assignment

    w = w.copy()
    col_cap = np.array(col_cap)
    rows = np.ones(w.shape[0], bool)
    fixed = 0.0
    for i, j in rejected:
        w[i, j] = -np.inf
    for i, j in locked:
        fixed += w[i, j]
        rows[i] = False
        col_cap[j] -= 1
    sub = w[rows]
    cols = np.repeat(np.arange(w.shape[1]), col_cap)
    big = 4.0 * (np.abs(sub[np.isfinite(sub)]).sum() + 1)
    gain = np.where(np.isfinite(sub[:, cols]), sub[:, cols] + big, 0.0)
    a, b = linear_sum_assignment(-gain)
    ok = gain[a, b] > 0
    return int(ok.sum()) + len(locked), float(sub[a[ok], cols[b[ok]]].sum()) + fixed


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 8), st.booleans())
def test_a_repair_after_k_edits_moves_about_k_units(seed, k, lock):
    # the work of a repair follows the edit, not the problem: k rejected proposals
    # leave k units out of place (a lock: its mentor's surplus and the seat its
    # mentee left), each settled by one path, after at most a few global phases
    rng = np.random.default_rng(seed)
    n, m = 240, 48
    w = rng.integers(0, 400, (n, m)).astype(float)
    w[rng.random((n, m)) < 0.3] = -np.inf
    cap = np.full(m, 5)
    first = solve_assignment(w, cap, backend="scipy")
    assert first.optimal
    pick = rng.choice(len(first.pairs), k, replace=False)
    edited = [tuple(p) for p in first.pairs[pick].tolist()]
    rejected, locked = edited, []
    if lock:
        # each picked mentee is locked to another allowed mentor with room
        rejected, taken = [], np.bincount(first.pairs[:, 1], minlength=m) * 0
        for i, j in edited:
            alt = [
                c
                for c in np.flatnonzero(np.isfinite(w[i])).tolist()
                if c != j and taken[c] < cap[c]
            ]
            if alt:
                locked.append((i, alt[0]))
                taken[alt[0]] += 1
    res = solve_assignment(
        w, cap, locked=locked, rejected=rejected, backend="scipy", start=first
    )
    assert res.optimal and res.certificate.method == "scipy+repair"
    count, total = _expanded_optimum(w, cap, rejected, locked)
    assert len(res.pairs) == count
    assert res.objective == pytest.approx(total)
    work = res.stats["repair"]
    edits = len(rejected) + 2 * len(locked)
    assert work["units"] <= edits
    assert work["paths"] <= work["units"]
    assert work["phases"] <= 1 + work["units"] // 3


@settings(max_examples=80, deadline=None)
@given(instances(multi=True), st.booleans())
def test_smallest_prices_from_the_flow_potentials_equal_bellman_fords(inst, noisy):
    # the duals that certify a repair start from the flow's own prices; they must
    # be the very prices the sweeps find from nothing (and wrong hints are ignored)
    from wagtail_mentoring.matching.engine.duals import assignment_duals

    w, col_cap, row_cap, rng = inst
    n, m = w.shape
    r, c = np.nonzero(np.isfinite(w))
    score = w[r, c].astype(np.int64) + 3
    umax = int(min(row_cap.sum(), col_cap.sum()))
    ben = score + (int(score.max(initial=0)) + 1) * (umax + 1) + 1
    stats = {}
    used, _ = min_cost_assignment(r, c, ben, n, m, row_cap, col_cap, stats=stats)
    hint = stats["price"]
    if noisy:
        hint = hint + rng.integers(-3, 4, m)
    plain = assignment_duals(r, c, ben, used, n, m, row_cap, col_cap)
    hinted = assignment_duals(r, c, ben, used, n, m, row_cap, col_cap, hint)
    assert plain is not None and hinted is not None
    assert hinted.price.tolist() == plain.price.tolist()
    assert hinted.row_value.tolist() == plain.row_value.tolist()
    assert hinted.dual == plain.dual == plain.primal
