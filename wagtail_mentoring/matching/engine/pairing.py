"""``solve_pairing``: exact, certified matching of a general graph (peer programs).

Members of a peer program are paired with each other: every member is on both sides,
so the bipartite machinery of :func:`.solver.solve_assignment` does not apply (its
LP is integral; the LP of a general graph is not: three members who all like each
other make a "half-matched" triangle worth 1.5 pairs).

Pipeline, the same shape as the bipartite solver:

1. keep each member's best ``top_k`` partners (the candidate graph), and its best
   few once each partner is priced (see ``_candidates``), read in row blocks when
   the matrix is dense;
2. solve the matching LP on the candidates with HiGHS (scipy): degree rows, one
   row fixing the number of pairs, and the odd-set (blossom) rows
   ``x(E(S)) <= (|S| - 1) / 2`` found by cutting planes on the fractional support
   until the LP answer is a matching;
3. price every pair of the *full* problem with the LP duals (member prices ``y``,
   odd-set duals ``z``, the cardinality multiplier ``lam``); a pair whose reduced
   weight ``w_ij - y_i - y_j - lam - z(S ∋ i, j)`` is positive could improve the
   answer, so it joins the candidates and the LP is solved again;
4. when no pair can improve it, the duals repaired to exact feasibility
   (each member's price raised by its largest remaining violation) give an upper
   bound valid for every matching of the full problem; the answer is optimal when
   the bound meets it (below the next integer for integer weights).

Cardinality comes first: the number of pairs ``K`` is the most the full graph
allows, proved the same way with unit weights when the candidate graph does not
reach the trivial bound (half the members who have any allowed partner); the
weighted LP then fixes ``x(E) = K``. A matching polytope's neighbouring vertices
differ by one alternating path or cycle (cardinality ±1 at most), so its section at
an integer ``K`` has integral vertices and the LP bound is a bound over matchings
of exactly ``K`` pairs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from .arrays import row_pointer
from .blossom import warm_blossom
from .duals import assignment_duals
from .errors import MatchingError
from .flow import EXACT_LIMIT, min_cost_assignment

_TOP_K = 6
# candidates also take each member's best partners after a price of 3/4 of the
# partner's own k-th best weight (2k/3 of them; measured at 10,000 members:
# 1/2 and 0.85 cost a round more or more pairs)
_ADJ_PRICE = 0.75
_BLOCK_ROWS = 512
_TILE = 256  # symmetry check
_MAX_ROUNDS = 40  # LP solves (cuts and pricing) before giving up on a proof
_ADD_PER_MEMBER = 3  # improving pairs a member brings in per pricing round
# known pairs whose reduced weight is below -_KEEP × the weight span leave the
# next LP (pricing brings any back that could pay): the LP stays near 2 pairs a
# member instead of growing with every round
_KEEP = 0.25
_INT_TOL = 1e-6
_PRICE_TOL = 1e-7
_ADD_TOL = 1e-6


@dataclass
class PairingResult:
    """Outcome of :func:`solve_pairing`."""

    pairs: np.ndarray  # int64 (k, 2), i < j in each row, rows sorted
    objective: float  # sum of the weights of ``pairs`` (locked pairs included)
    optimal: bool  # proved: most pairs first, then most weight
    gap: float  # upper bound − objective in weight units (0.0 when proved)
    upper_bound: float  # bound on the weight of any matching with as many pairs
    cardinality_proved: bool  # no matching of the full problem has more pairs
    stats: dict[str, Any] = field(default_factory=dict)


# -- input -----------------------------------------------------------------------
class _Graph:
    """The allowed pairs of the full problem, read densely in blocks or from CSR."""

    def __init__(self, weights: Any, min_score: float | None, active: np.ndarray):
        self.min_score = min_score
        self.active = active
        self.range = (math.inf, -math.inf)  # smallest and largest allowed weight
        if sp.issparse(weights):
            w = sp.csr_matrix(weights, dtype=np.float64)
            if w.ndim != 2 or w.shape[0] != w.shape[1]:
                raise MatchingError(f"weights must be square, got {w.shape}")
            w.sum_duplicates()
            w = _drop_diagonal(w)  # the diagonal is ignored
            if not np.all(np.isfinite(w.data)):
                raise MatchingError("sparse weights must be finite (leave a pair out)")
            pattern = w.copy()
            pattern.data = np.ones_like(pattern.data)
            if (pattern != pattern.T).nnz or (w != w.T).nnz:
                raise MatchingError("weights must be symmetric")
            self.sparse = w
            self.dense = None
            self.n = w.shape[0]
        else:
            d = np.asarray(weights)
            if d.ndim != 2 or d.shape[0] != d.shape[1]:
                raise MatchingError(f"weights must be a square matrix, got {d.shape}")
            if not np.issubdtype(d.dtype, np.number) or np.issubdtype(
                d.dtype, np.complexfloating
            ):
                raise MatchingError("weights must be real numbers")
            self.dense = d
            self.sparse = None
            self.n = d.shape[0]
            for a in range(0, self.n, _BLOCK_ROWS):
                blk = np.asarray(d[a : a + _BLOCK_ROWS], dtype=np.float64)
                # one reduction: the largest is NaN when any is, +inf when any is
                if not blk.max(initial=-np.inf) < np.inf:
                    raise MatchingError("weights must not contain NaN or +inf")
            # square tiles against their mirror images: a column block read whole
            # strides over every row (five times slower at 10,000 members)
            t = _TILE
            for a in range(0, self.n, t):
                for c in range(a, self.n, t):
                    upper = np.asarray(d[a : a + t, c : c + t], np.float64)
                    lower = np.asarray(d[c : c + t, a : a + t], np.float64)
                    if not np.array_equal(upper, lower.T):
                        raise MatchingError("weights must be symmetric")

    def blocks(self, raw: bool = False):
        """(first row, rows' weights, allowed mask) per row block, active rows only.

        With ``raw``, dense blocks come without the mask (None): forbidden entries
        are -inf there, and the caller checks the diagonal, ``min_score`` and
        active members itself.
        """
        n = self.n
        for a in range(0, n, _BLOCK_ROWS):
            b = min(a + _BLOCK_ROWS, n)
            if self.dense is not None:
                blk = np.asarray(self.dense[a:b], dtype=np.float64)
                if raw:
                    yield a, blk, None
                    continue
                ok = np.isfinite(blk)
            else:
                sub = self.sparse[a:b]
                blk = np.full((b - a, n), -np.inf)
                ok = np.zeros((b - a, n), bool)
                r = np.repeat(np.arange(b - a), np.diff(sub.indptr))
                blk[r, sub.indices] = sub.data
                ok[r, sub.indices] = True
            if self.min_score is not None:
                ok &= blk >= self.min_score
            ok[np.arange(b - a), np.arange(a, b)] = False
            ok &= self.active[a:b, None]
            ok &= self.active[None, :]
            yield a, blk, ok

    def value(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Weights of pairs (i, j), -inf where forbidden."""
        if self.dense is not None:
            v = np.asarray(self.dense[i, j], dtype=np.float64)
        else:
            v = np.asarray(self.sparse[i, j], dtype=np.float64).ravel()
            # a stored 0 is an allowed pair of weight 0: look the pattern up
            v = np.where(_stored(self.sparse, i, j), v, -np.inf)
        if self.min_score is not None:
            v = np.where(v >= self.min_score, v, -np.inf)
        return np.where(i == j, -np.inf, v)


def _drop_diagonal(w: sp.csr_matrix) -> sp.csr_matrix:
    coo = w.tocoo()
    keep = coo.row != coo.col
    return sp.csr_matrix(
        (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=w.shape
    )


def _stored(w: sp.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Whether entries (i, j) are stored in a CSR matrix with sorted indices."""
    w.sort_indices()
    i = np.asarray(i, np.int64)
    j = np.asarray(j, np.int64)
    if not i.size:
        return np.zeros(0, bool)
    # global positions: row offset + column, searchable in one sorted key array
    n = w.shape[1]
    rows = np.repeat(np.arange(w.shape[0], dtype=np.int64), np.diff(w.indptr))
    keys = rows * n + w.indices
    want = i * n + j
    p = np.minimum(np.searchsorted(keys, want), max(keys.size - 1, 0))
    if not keys.size:
        return np.zeros(i.size, bool)
    return keys[p] == want


def _pairs(x: Iterable, n: int, name: str) -> np.ndarray:
    arr = np.asarray(list(x), dtype=np.int64).reshape(-1, 2)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise MatchingError(f"{name} pairs must be member indices below {n}")
    if np.any(arr[:, 0] == arr[:, 1]):
        raise MatchingError(f"a member cannot be paired with themself in {name}")
    return np.sort(arr, axis=1)


# -- candidates --------------------------------------------------------------------
def _candidates(graph: _Graph, k: int) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Each active member's ``k`` best allowed partners (i < j, unique), and its
    ``2k/3`` best once each partner costs ``_ADJ_PRICE`` of its own k-th best.

    Also counts the members with any allowed partner (for the trivial cardinality
    bound) and whether every allowed weight is a whole number (exact proofs).
    """
    ii, jj = [], []
    has_partner = np.zeros(graph.n, bool)
    integral = True
    lo, hi = math.inf, -math.inf
    n = graph.n
    kk = min(k, n - 1)
    # each member's k-th best weight: a rough price of what it can get elsewhere
    kth = np.full(n, -np.inf)
    for a, blk, ok in graph.blocks(raw=True):
        rows = blk.shape[0]
        score = _allowed(graph, a, blk, ok)
        top = score.max(axis=1, initial=-np.inf)
        has_partner[a : a + rows] = top > -np.inf
        if has_partner[a : a + rows].any():
            hi = max(hi, float(top.max()))
            free = np.where(score == -np.inf, np.inf, score)
            lo = min(lo, float(free.min()))
            if integral:
                integral = bool(np.array_equal(np.rint(score, out=free), score))
        if kk <= 0:
            continue
        part = np.argpartition(score, n - kk, axis=1)[:, n - kk :]
        r = np.repeat(np.arange(rows), kk)
        c = part.ravel()
        got = score[r, c]
        good = got > -np.inf
        ii.append(r[good] + a)
        jj.append(c[good])
        kth[a : a + rows] = np.where(np.isfinite(top), got.reshape(rows, kk).min(1), 0)
    # plus each member's best partners after that price: a popular member is in
    # everyone's top list but can pair with one of them only; the degree LP's
    # duals do the same, and starting nearer them saves two of its rounds (and
    # two passes over every pair) at 10,000 members
    k_adj = (2 * kk) // 3
    if k_adj > 0:
        price = _ADJ_PRICE * np.where(np.isfinite(kth), kth, 0.0)
        for a, blk, ok in graph.blocks(raw=True):
            rows = blk.shape[0]
            score = _allowed(graph, a, blk, ok)
            np.subtract(score, price[None, :], out=score)
            part = np.argpartition(score, n - k_adj, axis=1)[:, n - k_adj :]
            r = np.repeat(np.arange(rows), k_adj)
            c = part.ravel()
            good = score[r, c] > -np.inf
            ii.append(r[good] + a)
            jj.append(c[good])
    i = np.concatenate(ii) if ii else np.zeros(0, np.int64)
    j = np.concatenate(jj) if jj else np.zeros(0, np.int64)
    e = _unique_edges(i, j, graph.n)
    graph.range = (lo, hi)
    return e, has_partner, int(has_partner.sum()), integral


def _allowed(graph: _Graph, a: int, blk: np.ndarray, ok: np.ndarray | None):
    """A block's allowed weights, -inf elsewhere (a new array).

    Dense blocks come raw: forbidden pairs are -inf already, only the diagonal
    and the other rules are applied.
    """
    if ok is not None:
        return np.where(ok, blk, -np.inf)
    rows = blk.shape[0]
    score = np.array(blk)
    if graph.min_score is not None:
        score[score < graph.min_score] = -np.inf
    score[np.arange(rows), np.arange(a, a + rows)] = -np.inf
    score[~graph.active[a : a + rows]] = -np.inf
    score[:, ~graph.active] = -np.inf
    return score


def _unique_edges(i: np.ndarray, j: np.ndarray, n: int) -> np.ndarray:
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    key = np.unique(lo.astype(np.int64) * n + hi)
    return np.stack([key // n, key % n], axis=1)


# -- the LP ------------------------------------------------------------------------
@dataclass
class _LPAnswer:
    x: np.ndarray
    y: np.ndarray  # member prices (>= 0)
    z: np.ndarray  # odd-set duals (>= 0)
    lam: float  # cardinality multiplier (free)
    value: float
    status: int


def _solve_lp(
    n: int,
    edges: np.ndarray,
    cost: np.ndarray,
    sets: list[np.ndarray],
    cardinality: int | None,
) -> _LPAnswer | None:
    m = edges.shape[0]
    cols = np.arange(m)
    deg = sp.csr_matrix(
        (
            np.ones(2 * m),
            (np.concatenate([edges[:, 0], edges[:, 1]]), np.tile(cols, 2)),
        ),
        shape=(n, m),
    )
    blocks = [deg]
    rhs = [np.ones(n)]
    if sets:
        inside = []
        member = np.zeros(n, bool)
        for s in sets:
            member[:] = False
            member[s] = True
            inside.append(member[edges[:, 0]] & member[edges[:, 1]])
        blocks.append(sp.csr_matrix(np.array(inside, dtype=np.float64)))
        rhs.append(np.array([(len(s) - 1) // 2 for s in sets], dtype=np.float64))
    a_ub = sp.vstack(blocks, format="csr")
    b_ub = np.concatenate(rhs)
    kw: dict[str, Any] = {}
    if cardinality is not None:
        kw["A_eq"] = sp.csr_matrix(np.ones((1, m)))
        kw["b_eq"] = np.array([float(cardinality)])
    res = linprog(
        -cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs-ipm", **kw
    )
    if res.status != 0:
        return None
    duals = -np.asarray(res.ineqlin.marginals)
    lam = float(-res.eqlin.marginals[0]) if cardinality is not None else 0.0
    return _LPAnswer(
        x=np.asarray(res.x),
        y=np.maximum(duals[:n], 0.0),
        z=np.maximum(duals[n:], 0.0),
        lam=lam,
        value=float(-res.fun),
        status=int(res.status),
    )


def _member_of(edges: np.ndarray, among: np.ndarray, n: int) -> np.ndarray:
    if not among.size:
        return np.zeros(edges.shape[0], bool)
    key = edges[:, 0] * n + edges[:, 1]
    return np.isin(key, among[:, 0] * n + among[:, 1])


def _merge(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    e = np.concatenate([a, b])
    return _unique_edges(e[:, 0], e[:, 1], n)


def _odd_set_cuts(n: int, edges: np.ndarray, x: np.ndarray) -> list[np.ndarray]:
    """Vertex sets of odd fractional components whose blossom row is violated."""
    frac = (x > _INT_TOL) & (x < 1 - _INT_TOL)
    if not frac.any():
        return []
    fe = edges[frac]
    g = sp.csr_matrix((np.ones(fe.shape[0]), (fe[:, 0], fe[:, 1])), shape=(n, n))
    _, label = connected_components(g, directed=False)
    touched = np.unique(fe.ravel())
    out = []
    for lab in np.unique(label[touched]):
        s = np.flatnonzero(label == lab)
        if s.size < 3 or s.size % 2 == 0:
            continue
        member = np.zeros(n, bool)
        member[s] = True
        inside = member[edges[:, 0]] & member[edges[:, 1]]
        if x[inside].sum() > (s.size - 1) / 2 + _INT_TOL:
            out.append(s)
    return out


def _set_dual_of_pairs(
    sets: list[np.ndarray], z: np.ndarray, n: int, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Σ z_S over the odd sets containing both ends of each pair."""
    out = np.zeros(i.size)
    member = np.zeros(n, bool)
    for s, zs in zip(sets, z, strict=True):
        if zs <= 0:
            continue
        member[:] = False
        member[s] = True
        out += zs * (member[i] & member[j])
    return out


@dataclass
class _Phase:
    pairs: np.ndarray  # (k, 2) matched candidate edges
    upper_bound: float  # valid for every matching of the full problem (with K pairs)
    integral_lp: bool
    rounds: int
    edges: np.ndarray
    cuts: int


def _phase(
    graph: _Graph,
    edges: np.ndarray,
    cost_of: Any,
    cardinality: int | None,
    max_rounds: int,
) -> _Phase | None:
    """Cutting planes and pricing until the LP matching is proved or rounds run out.

    ``cost_of`` maps weights to the LP's costs (the weights themselves, or the
    unit costs of the cardinality phase); ``cardinality`` fixes the number of pairs.
    None when the LP is infeasible on the candidates (too few pairs).
    """
    n = graph.n
    sets: list[np.ndarray] = []
    rounds = 0
    lp = None
    priced = np.zeros((0, 2), np.int64)
    # every pair the LP has seen: pruning may drop pairs a matching of exactly
    # ``cardinality`` pairs needs once a cut removes the fractional answer (the
    # pruned LP is then infeasible although the candidates hold such a matching)
    seen = edges
    pruned = False
    prune = True
    while True:
        rounds += 1
        cost = cost_of(graph.value(edges[:, 0], edges[:, 1]))
        lp = _solve_lp(n, edges, cost, sets, cardinality)
        if lp is None:
            if pruned:
                # infeasible only because of pruning: bring every pair back and
                # stop pruning (the odd-set rows hold for every matching)
                edges, pruned = seen, False
                prune = False
                continue
            return None
        cuts = _odd_set_cuts(n, edges, lp.x) if rounds < max_rounds else []
        sets_solved = list(sets)
        sets.extend(cuts)
        # price every allowed pair of the full problem; a pair joins when it pays
        # more than the LP's own accuracy (smaller violations are repaired in the
        # bound instead of chasing floating-point noise round after round)
        add_tol = _ADD_TOL * max(1.0, float(np.abs(cost).max(initial=0.0)))
        viol_i, viol_j, viol_rc = [], [], []
        repair = np.zeros(n)
        for a, blk, ok in graph.blocks():
            rows = np.arange(a, a + blk.shape[0])
            w = np.where(ok, cost_of(blk), -np.inf)
            rc = w - lp.y[rows, None] - lp.y[None, :] - lp.lam
            r, c = _nonzero(rc > _PRICE_TOL)
            if r.size and sets_solved:
                # blossom duals lower the reduced weight of pairs inside a set
                rc[r, c] -= _set_dual_of_pairs(sets_solved, lp.z, n, r + a, c)
            b = a + blk.shape[0]
            np.maximum(repair[a:b], rc.max(axis=1, initial=0.0), out=repair[a:b])
            hit = rc[r, c] > add_tol
            viol_i.append(r[hit] + a)
            viol_j.append(c[hit])
            viol_rc.append(rc[r[hit], c[hit]])
        vi = np.concatenate(viol_i)
        vj = np.concatenate(viol_j)
        vr = np.concatenate(viol_rc)
        integral = not ((lp.x > _INT_TOL) & (lp.x < 1 - _INT_TOL)).any()
        rc_known = (
            cost
            - lp.y[edges[:, 0]]
            - lp.y[edges[:, 1]]
            - lp.lam
            - _set_dual_of_pairs(sets_solved, lp.z, n, edges[:, 0], edges[:, 1])
        )
        span = float(np.ptp(cost)) if cost.size else 0.0
        # a pair pricing brought in stays (dropping it again could cycle): only
        # first candidates are dropped, each at most once
        live = (rc_known > -_KEEP * max(span, 1.0)) | (lp.x > _INT_TOL)
        live |= _member_of(edges, priced, n)
        if not prune:
            live[:] = True
        if vi.size and rounds < max_rounds:
            # each member brings in its best improving pairs
            order = np.lexsort((-vr, vi))
            vi, vj = vi[order], vj[order]
            first = np.searchsorted(vi, vi, side="left")
            keep = (np.arange(vi.size) - first) < _ADD_PER_MEMBER
            new = _unique_edges(vi[keep], vj[keep], n)
            before = edges.shape[0]
            grown = _unique_edges(
                np.concatenate([edges[:, 0], new[:, 0]]),
                np.concatenate([edges[:, 1], new[:, 1]]),
                n,
            )
            if grown.shape[0] > before:
                priced = _merge(priced, new, n)
                seen = _merge(seen, new, n)
                pruned |= not live.all()
                edges = _merge(edges[live], new, n)
                continue
        if cuts:
            pruned |= not live.all()
            edges = edges[live]
            continue  # the bound of a fractional answer is not the last word
        # repaired duals are feasible for every pair: a valid bound
        bound = (
            math.fsum(lp.y)
            + math.fsum(repair)
            + math.fsum(
                float(zs) * ((len(s) - 1) // 2)
                for s, zs in zip(sets_solved, lp.z, strict=True)
            )
            + (lp.lam * cardinality if cardinality is not None else 0.0)
        )
        if integral:
            chosen = edges[lp.x > 0.5]
        else:
            chosen = _round(n, edges, lp.x, cost)
        return _Phase(chosen, bound, integral, rounds, edges, len(sets_solved))


def _complete(graph: _Graph, edges: np.ndarray) -> np.ndarray:
    """Candidates plus pairs among the members a greedy matching leaves alone.

    Popular members are in everyone's top partners, so the best pairs alone often
    hold no matching of every member; pairing the left-over members with each
    other (best allowed partner first) gives the LP a full matching to start from.
    """
    n = graph.n
    matched = _round(n, edges, np.zeros(edges.shape[0]), _weights(graph, edges))
    free = np.ones(n, bool)
    free[matched.ravel()] = False
    free &= graph.active
    left = np.flatnonzero(free)
    if left.size < 2:
        return edges
    extra = []
    taken = np.zeros(n, bool)
    for i in left.tolist():
        if taken[i]:
            continue
        others = left[(left != i) & ~taken[left]]
        if not others.size:
            break
        w = graph.value(np.full(others.size, i), others)
        best = int(np.argmax(w))
        if np.isfinite(w[best]):
            j = int(others[best])
            taken[i] = taken[j] = True
            extra.append((i, j))
    if not extra:
        return edges
    e = np.concatenate([edges, np.array(extra, np.int64)])
    return _unique_edges(e[:, 0], e[:, 1], n)


def _weights(graph: _Graph, edges: np.ndarray) -> np.ndarray:
    if not edges.size:
        return np.zeros(0)
    return graph.value(edges[:, 0], edges[:, 1])


def _identity(w: np.ndarray) -> np.ndarray:
    return w


def _greedy(graph: _Graph, edges: np.ndarray) -> int:
    """Size of a greedy matching of the candidates (heaviest pairs first)."""
    if not edges.size:
        return 0
    w = graph.value(edges[:, 0], edges[:, 1])
    return _round(graph.n, edges, np.zeros(edges.shape[0]), w).shape[0]


def _better(graph: _Graph, a: np.ndarray, b: np.ndarray) -> bool:
    """Whether matching ``a`` has more pairs than ``b``, or as many and more weight."""
    if a.shape[0] != b.shape[0]:
        return a.shape[0] > b.shape[0]
    return math.fsum(_weights(graph, a).tolist()) > math.fsum(
        _weights(graph, b).tolist()
    )


def _round(n: int, edges: np.ndarray, x: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """A matching from a fractional LP answer: its whole pairs, then greedy."""
    used = np.zeros(n, bool)
    out = []
    order = np.lexsort((-cost, -np.round(x, 6)))
    for e in order.tolist():
        i, j = int(edges[e, 0]), int(edges[e, 1])
        if not used[i] and not used[j]:
            used[i] = used[j] = True
            out.append((i, j))
    return np.array(out, dtype=np.int64).reshape(-1, 2)


# -- exact path for whole-number weights ----------------------------------------------
_EXACT_ROUNDS = 30  # candidate growth rounds before handing over to the LP path
_ADD_EXACT = 4  # violating pairs a member brings in per round
# the degree LP hands over to the blossom run once fewer than n / HANDOVER
# pairs break its duals (0: only when none does)
HANDOVER = 200
# pairs within _NEAR (doubled benefit units) of tight under the degree LP's last
# duals join the blossom run's pairs, each member's _NEAR_PER_MEMBER closest: the
# blossom run lowers duals by a few units, and the pairs that then break its
# duals (found by a proof's pass over every pair, each costing another run) are
# nearly all among them
_NEAR = 32
_NEAR_PER_MEMBER = 10
_NEAR_GATE = 4  # ... from the round after one with fewer than n / _NEAR_GATE


@dataclass
class _Exact:
    pairs: np.ndarray
    rounds: int
    stages: int
    candidate_pairs: int
    blossoms: int
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by step
    handed_over: int = 0  # pairs the degree LP left to the blossom run


def _benefit(graph: _Graph, n_active: int) -> tuple[float, int] | None:
    """(lowest weight, per-pair constant): ``w - lo + big`` ranks pairs first.

    One more pair is worth more than any change of weight among ``n_active / 2``
    pairs, so the heaviest matching of the benefits has the most pairs and, among
    those, the most weight. None when the sums would not stay exact in float64.
    """
    lo, hi = graph.range
    if not math.isfinite(lo):
        return None
    span = int(hi - lo)
    big = (n_active // 2 + 1) * span + 1
    if 4 * (span + big) * max(n_active, 1) >= EXACT_LIMIT:
        return None
    return lo, big


def _violations(
    graph: _Graph,
    dv: np.ndarray,
    lo: float,
    big: int,
    per_member: int,
    near: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs whose doubled benefit exceeds ``dv_i + dv_j``: (i, j, excess), each
    member's ``per_member`` largest (all when ``per_member`` is 0).

    With ``near``, the same pass also appends the pairs within ``_NEAR`` of
    tight (each member's ``_NEAR_PER_MEMBER`` closest) to it, as an (k, 2) array.
    """
    vi, vj, vx = [], [], []
    dvf = dv.astype(np.float64)
    # 2 (w - lo + big) - dv_i - dv_j > 0.5  <=>  w > dv_i/2 + dv_j/2 + lo - big + 1/4
    # (exact in float64: whole numbers and halves far below 2^52); forbidden dense
    # entries are -inf and never pass, the other rules are checked on the few that do
    half = dvf / 2.0
    reach = _NEAR / 2.0 if near is not None else 0.0
    row_thr = half + (lo - big + 0.25 - reach)
    # one threshold buffer and one mask for every block: a fresh 40 MB array
    # per block costs as much as the comparison itself (page faults)
    rows = min(_BLOCK_ROWS, graph.n)
    buf = np.empty((rows, graph.n))
    hit = np.empty((rows, graph.n), bool)
    for a, blk, ok in graph.blocks(raw=True):
        b = a + blk.shape[0]
        t, m = buf[: b - a], hit[: b - a]
        np.add(row_thr[a:b, None], half[None, :], out=t)
        np.greater(blk, t, out=m)
        if not m.any():
            continue
        r, c = _nonzero(m)
        if ok is None:
            v = blk[r, c]
            keep = (r + a != c) & graph.active[r + a] & graph.active[c]
            if graph.min_score is not None:
                keep &= v >= graph.min_score
            r, c = r[keep], c[keep]
        else:
            keep = ok[r, c]
            r, c = r[keep], c[keep]
        if not r.size:
            continue
        x = 2.0 * (blk[r, c] - lo + big) - dvf[r + a] - dvf[c]
        if near is not None:
            close = x <= 0.5
            if close.any():
                near.append(_per_member(r[close] + a, c[close], x[close]))
            r, c, x = r[~close], c[~close], x[~close]
            if not r.size:
                continue
        if per_member:
            order = _row_order(r, x)
            r, c, x = r[order], c[order], x[order]
            first = np.searchsorted(r, r, side="left")
            keep = (np.arange(r.size) - first) < per_member
            r, c, x = r[keep], c[keep], x[keep]
        vi.append(r + a)
        vj.append(c)
        vx.append(x)
    if not vi:
        z = np.zeros(0, np.int64)
        return z, z, np.zeros(0)
    return np.concatenate(vi), np.concatenate(vj), np.concatenate(vx)


def _nonzero(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of a 2-d mask through its flat positions: 2-d nonzero is
    about 15 times slower on a block of 5 million entries with few hits."""
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


def _row_order(r: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``np.lexsort((-x, r))`` (by row, then largest ``x`` first, ties in place)
    as one stable sort of a single whole-number key: 3 times faster."""
    if r.size:
        xi = x.astype(np.int64)
        top = int(xi.max())
        span = top - int(xi.min()) + 1
        if int(r.max()) * span < 2**62 and np.array_equal(xi, x):
            return np.argsort(r * span + (top - xi), kind="stable")
    return np.lexsort((-x, r))


def _per_member(r: np.ndarray, c: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Pairs (r, c) keeping each row's ``_NEAR_PER_MEMBER`` largest ``x``."""
    order = _row_order(r, x)
    r, c = r[order], c[order]
    first = np.searchsorted(r, r, side="left")
    keep = (np.arange(r.size) - first) < _NEAR_PER_MEMBER
    return np.stack([r[keep], c[keep]], axis=1)


def _degree_lp(
    graph: _Graph, edges: np.ndarray, lo: float, big: int, price: np.ndarray | None
):
    """Half-integral optimum of the degree LP on ``edges`` (the double cover).

    Returns (used arcs as (tail, head) pairs, doubled member duals, mentor prices)
    or None when the flow's answer cannot be proved.
    """
    n = graph.n
    ben = (np.rint(_weights(graph, edges) - lo) + big).astype(np.int64)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    bb = np.concatenate([ben, ben])
    order = np.lexsort((cols, rows))
    rows, cols, bb = rows[order], cols[order], bb[order]
    cap = np.ones(n, np.int64)
    used, _ = min_cost_assignment(rows, cols, bb, n, n, cap, cap, price=price)
    duals = assignment_duals(rows, cols, bb, used, n, n, cap, cap)
    if duals is None:
        return None
    dv = duals.row_value.astype(np.int64) + duals.price.astype(np.int64)
    return np.stack([rows[used], cols[used]], axis=1), dv, duals.price


def _start_matching(
    n: int, arcs: np.ndarray, dv: np.ndarray, weight: dict[int, int]
) -> dict[int, int]:
    """Tight pairs of the double-cover answer as a matching (alternate arcs)."""
    succ = np.full(n, -1, np.int64)
    pred = np.full(n, -1, np.int64)
    succ[arcs[:, 0]] = arcs[:, 1]
    pred[arcs[:, 1]] = arcs[:, 0]
    mate: dict[int, int] = {}
    s_l, p_l, dv_l = succ.tolist(), pred.tolist(), dv.tolist()

    def tight(i: int, j: int) -> bool:
        return dv_l[i] + dv_l[j] == 2 * weight.get(i * n + j, -1)

    def take(i: int, j: int) -> None:
        if i not in mate and j not in mate and i != j and tight(i, j):
            mate[i] = j
            mate[j] = i

    for i in range(n):  # two-cycles: pairs already
        j = s_l[i]
        if j > i and s_l[j] == i:
            take(i, j)
    seen = [False] * n
    starts = [i for i in range(n) if p_l[i] == -1 and s_l[i] != -1]
    starts += list(range(n))  # then what is left: cycles
    for i0 in starts:
        if seen[i0] or s_l[i0] == -1:
            continue
        i, odd = i0, False
        while i != -1 and not seen[i]:
            seen[i] = True
            j = s_l[i]
            if j != -1 and not odd:
                take(i, j)
            odd = not odd
            i = j
    return mate


def _exact_integer(
    graph: _Graph, edges: np.ndarray, n_active: int, max_rounds: int
) -> _Exact | None:
    """Proved optimum for whole-number weights, or None (the LP path takes over).

    The degree LP of the candidates (on the double cover: an assignment, solved
    and priced exactly) is grown until its duals hold for nearly every pair of the
    full problem (the last few pairs go to the blossom run, see ``HANDOVER``); the
    blossom algorithm then starts from its matching and duals, and
    its answer is proved against every pair with its own duals (member and
    blossom); pairs that break them join the candidates and the loop repeats.
    """
    bench = _benefit(graph, n_active)
    if bench is None:
        return None
    lo, big = bench
    n = graph.n
    price = None
    stages = 0
    few = False
    cpu = dict.fromkeys(("degree_lp", "pricing", "blossom", "proof"), 0.0)
    clock = time.process_time
    for rounds in range(1, max(2, max_rounds) + 1):
        c0 = clock()
        lp = _degree_lp(graph, edges, lo, big, price)
        cpu["degree_lp"] += clock() - c0
        if lp is None:
            return None
        arcs, dv, price = lp
        c0 = clock()
        # near-tight pairs only once the rounds are close to the hand-over:
        # early duals leave many pairs near tight, and that round goes on anyway
        near: list[np.ndarray] | None = [] if few else None
        vi, vj, _ = _violations(graph, dv, lo, big, _ADD_EXACT, near)
        few = vi.size * _NEAR_GATE <= n
        cpu["pricing"] += clock() - c0
        late = np.zeros((0, 2), np.int64)
        if vi.size:
            late = _unique_edges(vi, vj, n)
            if not HANDOVER or late.shape[0] * HANDOVER > n or rounds == 1:
                edges = _merge(edges, late, n)
                continue
        if near:
            # feasible for the degree LP's duals, so no restart needed
            close = np.concatenate(near)
            edges = _merge(edges, _unique_edges(close[:, 0], close[:, 1], n), n)
        ben = (np.rint(_weights(graph, edges) - lo) + big).astype(np.int64)
        weight: dict[int, int] = {}
        nbrs: list[list[int]] = [[] for _ in range(n)]
        _add_pairs(n, edges, ben, weight, nbrs)
        mate = _start_matching(n, arcs, dv, weight)
        dual = dv.tolist()
        # the blossoms, kept from run to run
        state: dict[str, Any] = {
            "inblossom": list(range(n)),
            "blossomparent": {},
            "blossombase": {},
            "blossomdual": {},
        }
        if late.size:
            # the last few pairs the degree LP's duals miss go straight to the
            # blossom run, as its own proof's would: one LP solve and one pass
            # over every pair less per round saved
            late_ben = (np.rint(_weights(graph, late) - lo) + big).astype(np.int64)
            _add_pairs(n, late, late_ben, weight, nbrs)
            edges = _merge(edges, late, n)
            mate, dual = _warm_restart(n, mate, dual, state, late, late_ben)
        handed = int(late.shape[0])
        # later runs continue from the last matching and duals (see _warm_restart)
        for _ in range(rounds, max(2, max_rounds) + 1):
            c0 = clock()
            mate, dual, blossoms = warm_blossom(n, nbrs, weight, mate, dual, state)
            cpu["blossom"] += clock() - c0
            stages += 1
            dvb = np.asarray(dual, np.int64)
            pairs = np.array(
                sorted((i, j) for i, j in mate.items() if i < j), np.int64
            ).reshape(-1, 2)
            c0 = clock()
            bad = _check_proof(graph, pairs, dvb, blossoms, lo, big)
            cpu["proof"] += clock() - c0
            if bad is None:
                return None
            if not bad.size:
                return _Exact(
                    pairs,
                    rounds,
                    stages,
                    int(edges.shape[0]),
                    len(blossoms),
                    cpu,
                    handed,
                )
            rounds += 1
            bad_ben = (np.rint(_weights(graph, bad) - lo) + big).astype(np.int64)
            _add_pairs(n, bad, bad_ben, weight, nbrs)
            edges = _merge(edges, bad, n)
            mate, dual = _warm_restart(n, mate, dual, state, bad, bad_ben)
        return None
    return None


def _add_pairs(
    n: int,
    edges: np.ndarray,
    ben: np.ndarray,
    weight: dict[int, int],
    nbrs: list[list[int]],
) -> None:
    if not weight and edges.size:
        # the first (large) set at once, in the same order as one by one: each
        # member's partners by edge index
        i, j = edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64)
        b = ben.tolist()
        weight.update(zip((i * n + j).tolist(), b, strict=True))
        weight.update(zip((j * n + i).tolist(), b, strict=True))
        src = np.concatenate([i, j])
        order = np.lexsort((np.tile(np.arange(i.size), 2), src))
        dst = np.concatenate([j, i])[order].tolist()
        p = row_pointer(src, n).tolist()
        for v in range(n):
            nbrs[v].extend(dst[p[v] : p[v + 1]])
        return
    for i, j, b in zip(
        edges[:, 0].tolist(), edges[:, 1].tolist(), ben.tolist(), strict=True
    ):
        if i * n + j not in weight:
            nbrs[i].append(j)
            nbrs[j].append(i)
        weight[i * n + j] = weight[j * n + i] = b


def _warm_restart(
    n: int,
    mate: dict[int, int],
    dual: list[int],
    state: dict[str, Any],
    bad: np.ndarray,
    bad_ben: np.ndarray,
) -> tuple[dict[int, int], list[int]]:
    """A feasible, tight start for the next blossom run after ``bad`` pairs joined.

    Each new pair still above its members' duals raises one member's dual by the
    difference, and that member leaves its pair. A member inside blossoms first
    leaves them: the outermost blossom holding it dissolves into its sub-blossoms
    (its dual folded into its members' duals, so a pair inside keeps its slack and
    only the base's pair, which leaves it, loses tightness and is dropped), until
    the member stands alone. The other blossoms stay as they are. The members left
    unmatched with a positive dual are the next run's roots; every listed pair is
    feasible and every matched pair tight, as the blossom algorithm needs.
    """
    dv = list(dual)
    mate = dict(mate)
    inblossom = state["inblossom"]
    parent = state["blossomparent"]
    base = state["blossombase"]
    zdual = state["blossomdual"]

    def drop(v: int) -> None:
        u = mate.pop(v, None)
        if u is not None:
            mate.pop(u, None)

    def alone(v: int) -> None:
        while not isinstance(inblossom[v], int):
            b = inblossom[v]
            z = zdual.pop(b)
            for x in b.leafs:
                dv[x] += z
            if z:
                drop(base[b])
            del base[b]
            del parent[b]
            for c in b.childs:
                parent[c] = None
                if isinstance(c, int):
                    inblossom[c] = c
                else:
                    for x in c.leafs:
                        inblossom[x] = c

    for i, j, b in zip(
        bad[:, 0].tolist(), bad[:, 1].tolist(), bad_ben.tolist(), strict=True
    ):
        # raise a member outside blossoms, unmatched if there is one
        rank_i = (not isinstance(inblossom[i], int), i in mate)
        rank_j = (not isinstance(inblossom[j], int), j in mate)
        v = j if rank_j < rank_i else i
        alone(v)
        other = j if v == i else i
        d = 2 * b - dv[v] - dv[other]  # no blossom holds v now
        if d <= 0:
            continue
        dv[v] += d
        drop(v)
    return mate, dv


def _check_proof(
    graph: _Graph,
    pairs: np.ndarray,
    dv: np.ndarray,
    blossoms: list[tuple[list[int], int]],
    lo: float,
    big: int,
) -> np.ndarray | None:
    """Pairs breaking the duals (empty: the matching is proved), None if unsound.

    Proof: ``y = dv / 2 >= 0``, blossom duals ``z >= 0`` on odd sets, every pair
    of the full problem has ``y_i + y_j + z(sets holding both) >= benefit``, and
    ``Σ y + Σ z_S (|S| - 1) / 2`` equals the matching's benefit (all in exact
    integers, doubled). Weak duality then bounds every matching.
    """
    n = graph.n
    if np.any(dv < 0) or any(z < 0 or len(m) % 2 == 0 for m, z in blossoms):
        return None
    vi, vj, vx = _violations(graph, dv, lo, big, 0)
    if vi.size:
        # pairs inside a blossom also have its dual: only the rest break the proof
        inside = np.zeros(vi.size, np.int64)
        member = np.zeros(n, bool)
        for mem, z in blossoms:
            member[:] = False
            member[mem] = True
            inside += 2 * z * (member[vi] & member[vj])
        still = vx - inside > 0.5
        if still.any():
            return _unique_edges(vi[still], vj[still], n)
    ben = (np.rint(_weights(graph, pairs) - lo) + big).astype(np.int64)
    primal = 2 * sum(ben.tolist())
    dual = sum(dv.tolist()) + sum(z * (len(m) - 1) for m, z in blossoms)
    if dual != primal:
        return None
    return np.zeros((0, 2), np.int64)


# -- public ------------------------------------------------------------------------
def solve_pairing(
    weights: Any,
    locked: Iterable = (),
    min_score: float | None = None,
    *,
    top_k: int = _TOP_K,
    max_rounds: int = _MAX_ROUNDS,
) -> PairingResult:
    """Pair members with each other: most pairs first, then most total weight.

    ``weights`` is ``n × n`` and symmetric, dense (``-inf`` forbids a pair) or scipy
    sparse (a missing entry forbids it, a stored 0 is allowed); the diagonal is
    ignored. ``locked`` pairs are in the result whatever they weigh (they must be
    allowed and share no member); pairs below ``min_score`` are forbidden. Each
    member's ``top_k`` best partners are solved first; the proof then checks every
    other pair. ``optimal`` is True only when proved against the full problem;
    otherwise ``gap`` says how far the answer may be from the best.

    Raises :class:`MatchingError` for malformed input or impossible locks.
    """
    t0 = time.perf_counter()
    n_hint = weights.shape[0] if hasattr(weights, "shape") and weights.ndim == 2 else 0
    lock = _pairs(locked, n_hint, "locked")
    if lock.size and np.unique(lock.ravel()).size != lock.size:
        raise MatchingError("a member is in two locked pairs")
    active = np.ones(n_hint, bool)
    active[lock.ravel()] = False
    graph = _Graph(weights, min_score, np.ones(n_hint, bool))
    lock_w = graph.value(lock[:, 0], lock[:, 1]) if lock.size else np.zeros(0)
    if np.isneginf(lock_w).any():
        i, j = lock[np.argmax(np.isneginf(lock_w))]
        raise MatchingError(
            f"locked pair ({i}, {j}) is forbidden (-inf, missing or below min_score)"
        )
    graph.active = active
    n = graph.n
    edges, _, with_partner, integral = _candidates(graph, max(1, int(top_k)))
    t_cand = time.perf_counter() - t0
    stats: dict[str, Any] = {"members": n, "candidate_pairs": int(edges.shape[0])}

    trivial = with_partner // 2
    weight = _identity
    edges = _complete(graph, edges)
    exact = (
        _exact_integer(graph, edges, int(active.sum()), max_rounds)
        if integral
        else None
    )
    if exact is not None:
        chosen = exact.pairs
        free_w = _weights(graph, chosen)
        pairs = np.concatenate([lock, chosen]).astype(np.int64).reshape(-1, 2)
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if pairs.size else pairs
        objective = math.fsum(lock_w.tolist()) + math.fsum(free_w.tolist())
        stats.update(
            method="blossom",
            candidate_pairs=exact.candidate_pairs,
            rounds=exact.rounds,
            blossom_runs=exact.stages,
            blossoms=exact.blossoms,
            cpu_seconds={k: round(v, 3) for k, v in exact.cpu.items()},
            handed_over=exact.handed_over,
            seconds=time.perf_counter() - t0,
            candidate_seconds=t_cand,
            integer_weights=True,
        )
        return PairingResult(
            pairs=pairs,
            objective=float(objective),
            optimal=True,
            gap=0.0,
            upper_bound=float(objective),
            cardinality_proved=True,
            stats=stats,
        )
    stats["method"] = "lp"
    # most pairs first: half the members who have any allowed partner, unless the
    # candidates cannot reach it; then the LP of unit costs finds (and proves) the
    # most, with the weights as a tie-break too small to buy a pair
    ph = _phase(graph, edges, weight, trivial, max_rounds) if trivial else None
    fallbacks: list[np.ndarray] = []
    k_pairs, card_proved, card_rounds = trivial, ph is not None or not trivial, 0
    if ph is None and trivial:
        cand_w = graph.value(edges[:, 0], edges[:, 1])
        lo, span = float(cand_w.min()), float(np.ptp(cand_w)) or 1.0

        def unit(w: np.ndarray) -> np.ndarray:
            return 1.0 + np.clip((w - lo) / span, 0.0, 1.0) / (n + 1)

        card = _phase(graph, edges, unit, None, max_rounds)
        assert card is not None  # without a cardinality row the LP is feasible
        k_pairs = card.pairs.shape[0]
        # every allowed pair costs at least 1: a bound below k + 1 proves that no
        # matching has more pairs, whether or not the last LP was integral
        card_proved = card.upper_bound < k_pairs + 1 - 1e-6
        card_rounds = card.rounds
        edges = card.edges
        ph = _phase(graph, edges, weight, k_pairs, max_rounds) if k_pairs else None
        fallbacks.append(card.pairs)
    stats["cardinality_rounds"] = card_rounds
    if ph is None:
        chosen = np.zeros((0, 2), np.int64)
        bound = 0.0 if not k_pairs else math.inf
        lp_integral = not k_pairs
        stats["weight_rounds"] = 0
    else:
        chosen, bound, lp_integral = ph.pairs, ph.upper_bound, ph.integral_lp
        stats.update(
            weight_rounds=ph.rounds,
            odd_sets=ph.cuts,
            candidate_pairs=int(ph.edges.shape[0]),
        )
    # never worse than a plain greedy matching (or the cardinality phase's): a
    # rounded fractional answer may lose pairs; most pairs first, then weight
    known = ph.edges if ph is not None else edges
    fallbacks.append(_round(n, known, np.zeros(known.shape[0]), _weights(graph, known)))
    for alt in fallbacks:
        if _better(graph, alt, chosen):
            chosen = alt
    if chosen.shape[0] < k_pairs:
        card_proved = False  # no answer with the proved number of pairs: say so
    free_w = graph.value(chosen[:, 0], chosen[:, 1]) if chosen.size else np.zeros(0)
    primal = math.fsum(free_w.tolist())
    gap = max(0.0, bound - primal)
    if integral:
        proved_weight = bound < primal + 1 - 1e-6
    else:
        proved_weight = gap <= 1e-9 * max(1.0, abs(primal))
    optimal = bool(card_proved and proved_weight and chosen.shape[0] == k_pairs)
    pairs = np.concatenate([lock, np.sort(chosen, axis=1)]).astype(np.int64)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if pairs.size else pairs
    objective = math.fsum(lock_w.tolist()) + primal
    stats.update(
        seconds=time.perf_counter() - t0,
        candidate_seconds=t_cand,
        integral_lp=lp_integral,
        integer_weights=integral,
    )
    return PairingResult(
        pairs=pairs.reshape(-1, 2),
        objective=float(objective),
        optimal=optimal,
        gap=0.0 if optimal else float(gap),
        upper_bound=float(bound + math.fsum(lock_w.tolist())),
        cardinality_proved=bool(card_proved),
        stats=stats,
    )
