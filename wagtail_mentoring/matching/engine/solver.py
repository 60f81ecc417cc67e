"""``solve_assignment``: exact, certified capacitated assignment.

Pipeline: validate → quantise weights to integers (one code path, so a pair's score
never changes between rounds) → keep the best candidates of each mentee when the
matrix is large (a large matrix is read in row blocks, never copied whole) → solve
the sparse problem with a backend (:mod:`.backends`), or repair an earlier answer
from its prices (:mod:`.flow`) → derive dual prices from the answer
(:mod:`.duals`), which proves it optimal on the candidates → check every pair left
out against those prices, add the ones that could improve the result, repeat →
report the certificate.

For the duals every benefit carries a cardinality constant ``P`` larger than any
score difference between solutions, so that more matched slots always win; the
backends get plain scores and maximise cardinality themselves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import backends
from .arrays import member, pair_keys
from .duals import assignment_duals
from .errors import MatchingError
from .flow import EXACT_LIMIT, min_cost_assignment

_DENSE_PRUNE_ABOVE = 4_000_000  # allowed entries above which dense input is pruned
_TOP_K = 24
# a large matrix read in blocks first solves fewer pairs: a cold solve of many pairs
# costs more than the certificate's checks and repairs that bring in the rest
_BLOCK_TOP_K = 8
_FLOAT_RESOLUTION = 2**20  # integer steps across the weight range for float weights
# sparse input at least this dense is read in blocks like a dense matrix
_BLOCK_DENSITY = 0.05
_BLOCK_WEIGHTS = 2_000_000
# a repair starts from the earlier answer's pairs, not only from its prices, and
# its duals from the flow's own prices (the benchmark turns this off to time the
# older repair next to it)
_REPAIR_FROM_PAIRS = True


@dataclass
class Certificate:
    """Proof of optimality: a dual bound on every pair of the full problem.

    ``upper_bound`` and ``primal`` are in integer solver units (see ``quantum``);
    ``gap == 0`` means no assignment of the full problem is better.
    """

    primal: int
    upper_bound: int
    gap: int
    quantum: float  # weight units per integer step (1.0 for integer weights)
    method: str  # the backend that solved the candidate graph
    rounds: int  # certification rounds (solve → check all pairs → add → solve)
    candidate_pairs: int
    checked_pairs: int
    added_pairs: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe representation for run records."""
        return dict(self.__dict__)


@dataclass
class AssignmentResult:
    """Outcome of :func:`solve_assignment`."""

    pairs: np.ndarray  # int64 (k, 2) of (mentee, mentor), sorted
    objective: float  # sum of the original weights of ``pairs``
    optimal: bool  # certified: max cardinality first, then max (weighted) score
    certificate: Certificate | None
    prices: np.ndarray  # mentor prices (duals) in weight units, cardinality included
    matched_slots: int
    stats: dict[str, Any] = field(default_factory=dict)
    _warm: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def upper_bound(self) -> float | None:
        """Dual bound on the score part, in weight units (None when not solved)."""
        c = self.certificate
        return None if c is None else c.upper_bound * c.quantum

    @property
    def gap(self) -> int | None:
        """Integer gap between bound and solution; 0 means certified optimal."""
        return None if self.certificate is None else self.certificate.gap


# -- validation ------------------------------------------------------------------
def _as_int_vector(x: Any, n: int, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise MatchingError(f"{name} must have shape ({n},), got {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(
        arr.dtype, np.complexfloating
    ):
        raise MatchingError(f"{name} must be integers")
    if np.issubdtype(arr.dtype, np.floating) and (
        not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr))
    ):
        raise MatchingError(f"{name} must be whole numbers")
    arr = arr.astype(np.int64)
    if np.any(arr < 0):
        raise MatchingError(f"{name} must not be negative")
    return arr


def _pairs_array(pairs: Iterable, name: str, n: int, m: int) -> np.ndarray:
    arr = np.asarray(list(pairs) if not isinstance(pairs, np.ndarray) else pairs)
    if arr.size == 0:
        return np.zeros((0, 2), np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise MatchingError(f"{name} must be (mentee, mentor) pairs")
    arr = arr.astype(np.int64)
    bad = (arr[:, 0] < 0) | (arr[:, 0] >= n) | (arr[:, 1] < 0) | (arr[:, 1] >= m)
    if bad.any():
        i, j = arr[np.argmax(bad)]
        raise MatchingError(f"{name} pair ({i}, {j}) is outside the {n}×{m} problem")
    return arr


def _real_matrix(weights: Any) -> np.ndarray:
    dense = np.asarray(weights)
    if dense.ndim != 2:
        raise MatchingError(
            f"weights must be a 2-D matrix (mentees × mentors), got {dense.ndim}-D"
        )
    if not np.issubdtype(dense.dtype, np.number) or np.issubdtype(
        dense.dtype, np.complexfloating
    ):
        raise MatchingError("weights must be real numbers")
    return dense


def _check_values(vals: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
    if np.any(np.isnan(vals)):
        i = int(np.argmax(np.isnan(vals)))
        raise MatchingError(f"weight of pair ({rows[i]}, {cols[i]}) is NaN")
    if np.any(vals == np.inf):
        raise MatchingError("weights must not be +inf")


def _sparse_arcs(weights: Any) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """(n, m, rows, cols, values) of the stored entries, CSR order."""
    if weights.ndim != 2:
        raise MatchingError("weights must be a 2-D matrix")
    n, m = weights.shape
    if weights.format != "csr" or not weights.has_canonical_format:
        # sorting tells duplicates apart; canonical CSR has none by definition
        coo = weights.tocoo()
        key = pair_keys(coo.row, coo.col, m)
        order = np.argsort(key, kind="stable")
        key = key[order]
        if key.size > 1 and np.any(key[1:] == key[:-1]):
            raise MatchingError("weights contain the same pair twice")
        rows, cols = np.divmod(key, m)
        return n, m, rows, cols, coo.data[order].astype(np.float64)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(weights.indptr))
    cols = weights.indices.astype(np.int64)
    return n, m, rows, cols, weights.data.astype(np.float64)


def _allowed_arcs(
    weights: Any, min_score: float | None
) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """(n, m, rows, cols, values) of allowed pairs, CSR order."""
    if sp.issparse(weights):
        n, m, rows, cols, vals = _sparse_arcs(weights)
    else:
        dense = _real_matrix(weights)
        n, m = dense.shape
        vals_all = dense.astype(np.float64, copy=False)
        rows, cols = np.nonzero(vals_all != -np.inf)
        rows, cols = rows.astype(np.int64), cols.astype(np.int64)
        vals = vals_all[rows, cols]
    _check_values(vals, rows, cols)
    keep = vals != -np.inf
    if min_score is not None:
        keep &= vals >= float(min_score)
    return n, m, rows[keep], cols[keep], vals[keep]


class _Blocks:
    """A large weight matrix read in blocks of rows, forbidden pairs as ``-inf``.

    Dense input is read in place and sparse input scattered block by block, so no
    whole-matrix copy or list of all pairs is ever made.
    """

    def __init__(self, weights: Any, min_score: float | None):
        if sp.issparse(weights):
            self.csr = _sorted_csr(weights)
            data = self.csr.data
            # one reduction finds NaN (it propagates) and +inf alike
            if data.size and not float(np.max(data)) < np.inf:
                bad = np.isnan(data) | (data == np.inf)
                e = int(np.argmax(bad))
                i = int(np.searchsorted(self.csr.indptr, e, "right") - 1)
                j = self.csr.indices[e : e + 1]
                _check_values(data[e : e + 1], np.array([i]), j)
            self.dense = None
        else:
            self.dense = _real_matrix(weights)
            self.csr = None
        self.n, self.m = (self.csr if self.dense is None else self.dense).shape
        self.min_score = min_score
        # about 2 million weights (16 MB) a block
        self.rows = max(1, _BLOCK_WEIGHTS // max(self.m, 1))

    def raw(self, a: int, b: int) -> np.ndarray:
        """Rows ``a:b`` of dense input as float64 (a view of float64 input)."""
        return self.dense[a:b].astype(np.float64, copy=False)

    def stored(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row pointers from 0, mentors, weights) of rows ``a:b`` of sparse input:
        views of the stored pairs, no copy."""
        ptr = self.csr.indptr[a : b + 1]
        lo, hi = int(ptr[0]), int(ptr[-1])
        data = self.csr.data[lo:hi].astype(np.float64, copy=False)
        return ptr - lo, self.csr.indices[lo:hi], data

    def find(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Positions of pairs among the stored ones of sparse input, -1 if absent:
        a binary search within each row's sorted mentors, all pairs at once."""
        ptr, ind = self.csr.indptr, self.csr.indices
        lo = ptr[rows].astype(np.int64)
        hi = ptr[rows + 1].astype(np.int64)
        end = hi.copy()
        while True:  # lowest position in [lo, hi) whose mentor is >= col
            live = lo < hi
            if not live.any():
                break
            mid = (lo + hi) // 2
            go = live & (ind[np.minimum(mid, max(ind.size - 1, 0))] < cols)
            lo = np.where(go, mid + 1, lo)
            hi = np.where(live & ~go, mid, hi)
        ok = lo < end
        ok[ok] = ind[lo[ok]] == cols[ok]
        return np.where(ok, lo, -1)

    def value(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Weights of single pairs (-inf where forbidden)."""
        if self.dense is not None:
            vals = self.dense[rows, cols].astype(np.float64)
        else:
            pos = self.find(rows, cols)
            vals = np.full(pos.size, -np.inf)
            vals[pos >= 0] = self.csr.data[pos[pos >= 0]]
        if self.min_score is not None:
            vals[vals < float(self.min_score)] = -np.inf
        return vals

    def __iter__(self):
        for a in range(0, self.n, self.rows):
            yield a, min(a + self.rows, self.n)


# -- quantisation -------------------------------------------------------------------
def _quant_params(lo: float, hi: float, integral: bool) -> tuple[float, float]:
    """(step, offset): exact for whole numbers, 2^-k steps otherwise."""
    if integral and hi - min(lo, 0.0) <= 2**31:
        # offset 0 for non-negative integers keeps scores as given
        return 1.0, min(lo, 0.0)
    span = max(hi - lo, 1e-300)
    # power-of-two steps keep quantisation exact for binary fractions
    return float(2.0 ** np.floor(np.log2(span / _FLOAT_RESOLUTION))), lo


def _quant(eff: np.ndarray, step: float, offset: float) -> np.ndarray:
    return np.rint((eff - offset) / step).astype(np.int64)


def _quantise(vals: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Integers for the weights, with their step and offset."""
    if vals.size == 0:
        return np.zeros(0, np.int64), 1.0, 0.0
    integral = bool(np.all(vals == np.round(vals)))
    step, offset = _quant_params(float(vals.min()), float(vals.max()), integral)
    return _quant(vals, step, offset), step, offset


def _keys(pairs: np.ndarray, m: int) -> np.ndarray:
    return pair_keys(pairs[:, 0], pairs[:, 1], m)


# -- main entry point ---------------------------------------------------------------
def solve_assignment(
    weights: Any,
    mentor_capacity: Any,
    mentee_capacity: Any = 1,
    locked: Iterable = (),
    min_score: float | None = None,
    *,
    rejected: Iterable = (),
    previous: Iterable = (),
    priority: Any = None,
    warm_start: AssignmentResult | None = None,
    top_k: int | None = None,
    prune_above: int | None = None,
    backend: str | None = None,
    start: AssignmentResult | None = None,
    prices: Any = None,
) -> AssignmentResult:
    """Match mentees to mentors exactly: most matched slots first, then most weight.

    ``weights`` is ``n_mentees × n_mentors``, dense (``-inf`` = forbidden) or scipy
    sparse (a missing entry = forbidden, a stored 0 = allowed with weight 0). Pairs in
    ``locked`` are always in the result; pairs in ``rejected`` never; pairs weighing
    less than ``min_score`` are forbidden. ``previous`` pairs win ties (low churn);
    ``warm_start`` (an earlier result of the same problem) lends its pairs to the
    tie-break when ``previous`` is not given, its candidate pairs to the first solve,
    and its prices to start from. ``start`` (an earlier result of the same people,
    e.g. before an admin edit) is only a starting point: with the ``scipy`` and
    ``highs`` backends its answer is repaired from its prices instead of solved
    afresh. ``prices`` (per mentor, in weight units: a pair's profit is its
    weight less its mentor's price), e.g. an auction's on fewer pairs, are where the
    ``scipy`` backend's first solve starts instead of its own auction's; any prices
    give the same answer, good ones save time. ``priority`` is a per-mentee
    multiplier of that mentee's weights (e.g. 1.25 for a group to favour). With
    more than ``prune_above`` allowed pairs only each mentee's ``top_k`` best are
    solved first; the certificate then checks every other pair. ``backend`` picks
    the solver (``auto``, ``ortools``, ``scipy``, ``highs``; see :mod:`.backends`).

    Raises :class:`MatchingError` for malformed input or impossible locks.
    """
    t0 = time.perf_counter()
    limit = prune_above if prune_above is not None else _DENSE_PRUNE_ABOVE
    blocks = None
    if sp.issparse(weights):
        n_all = int(np.prod(weights.shape)) if weights.ndim == 2 else 0
        if weights.nnz > limit and weights.nnz >= _BLOCK_DENSITY * n_all:
            blocks = _Blocks(weights, min_score)
    elif _real_matrix(weights).size > limit:
        blocks = _Blocks(weights, min_score)
    if blocks is None:
        n, m, rows, cols, vals = _allowed_arcs(weights, min_score)
    else:
        n, m = blocks.n, blocks.m
    col_cap = _as_int_vector(mentor_capacity, m, "mentor_capacity")
    row_cap = _as_int_vector(mentee_capacity, n, "mentee_capacity")
    locked_arr = _pairs_array(locked, "locked", n, m)
    rejected_arr = _pairs_array(rejected, "rejected", n, m)
    previous_arr = _pairs_array(previous, "previous", n, m)
    wm = warm_start._warm if warm_start is not None else None
    if wm is not None and wm["shape"] != (n, m):
        wm = None
    if not previous_arr.size and wm is not None:
        previous_arr = wm["pairs"]
    if start is None and wm is not None:
        start = warm_start
    if start is not None and (start._warm is None or start._warm["shape"] != (n, m)):
        start = None
    if prices is not None:
        prices = np.asarray(prices, np.float64)
        if prices.shape != (m,) or not np.all(np.isfinite(prices)):
            raise MatchingError("prices must be finite numbers, one per mentor")
    prio = None
    if priority is not None:
        prio = np.asarray(priority, np.float64)
        if prio.ndim == 0:
            prio = np.full(n, float(prio))
        if prio.shape != (n,) or not np.all(np.isfinite(prio)) or np.any(prio <= 0):
            raise MatchingError("priority must be positive numbers, one per mentee")

    locked_w = 0.0
    lkey = _keys(locked_arr, m)
    rej_key = _keys(rejected_arr, m)
    if locked_arr.size:
        if np.unique(lkey).size != lkey.size:
            raise MatchingError("the same pair is locked twice")
        both = member(lkey, rej_key)
        if both.any():
            i, j = locked_arr[np.argmax(both)]
            raise MatchingError(f"pair ({i}, {j}) is both locked and rejected")
        if blocks is None:
            key = pair_keys(rows, cols, m)
            pos = np.searchsorted(key, lkey)
            found = (pos < key.size) & (key[np.minimum(pos, key.size - 1)] == lkey)
            lvals = np.where(found, vals[np.minimum(pos, max(key.size - 1, 0))], 0.0)
        else:
            lvals = blocks.value(locked_arr[:, 0], locked_arr[:, 1])
            _check_values(lvals, locked_arr[:, 0], locked_arr[:, 1])
            found = lvals != -np.inf
        if not found.all():
            i, j = locked_arr[np.argmin(found)]
            raise MatchingError(
                f"locked pair ({i}, {j}) is forbidden (rule, -inf weight or below "
                "the minimum score)"
            )
        over_c = np.bincount(locked_arr[:, 1], minlength=m) > col_cap
        if over_c.any():
            j = int(np.argmax(over_c))
            raise MatchingError(f"mentor {j} has more locked pairs than capacity")
        over_r = np.bincount(locked_arr[:, 0], minlength=n) > row_cap
        if over_r.any():
            i = int(np.argmax(over_r))
            raise MatchingError(f"mentee {i} has more locked pairs than capacity")
        locked_w = float(lvals.sum())
        # locks are taken out of the problem: their seats are used up
        col_cap = col_cap - np.bincount(locked_arr[:, 1], minlength=m)
        row_cap = row_cap - np.bincount(locked_arr[:, 0], minlength=n)
    out_keys = np.union1d(lkey, rej_key)  # pairs that are no arcs of the problem
    k = (top_k or (_TOP_K if blocks is None else _BLOCK_TOP_K)) * max(
        1, int(row_cap.max(initial=1))
    )
    prune = True
    if blocks is None:
        key = pair_keys(rows, cols, m)
        drop = member(key, out_keys)
        # pairs that can never be used make the graph smaller for nothing
        drop |= (col_cap[cols] == 0) | (row_cap[rows] == 0)
        keep = ~drop
        rows, cols, vals, key = rows[keep], cols[keep], vals[keep], key[keep]
        eff = vals if prio is None else vals * prio[rows]
        q, step, offset = _quantise(eff)
        allowed = int(key.size)
        prune = key.size > limit
        top = int(q.max()) if q.size else 0
    else:
        scan = _scan_blocks(blocks, prio, row_cap, col_cap, out_keys, k)
        allowed = scan["allowed"]
        step, offset = _quant_params(scan["lo"], scan["hi"], scan["integral"])
        top = int(_quant(np.array([scan["hi"]]), step, offset)[0]) if allowed else 0
    name = backends.pick(backend)
    umax = int(min(row_cap.sum(), col_cap.sum()))
    span = top + 1
    # P beats any score difference between solutions: cardinality comes first
    penalty = span * (umax + 1) + 1
    pkey = np.unique(_keys(previous_arr, m))
    if blocks is not None:
        # previous pairs that are still arcs (allowed, free seats, not edited)
        pv = (
            blocks.value(previous_arr[:, 0], previous_arr[:, 1])
            if previous_arr.size
            else np.zeros(0)
        )
        ok = (pv != -np.inf) & ~member(_keys(previous_arr, m), out_keys)
        ok &= (row_cap[previous_arr[:, 0]] > 0) & (col_cap[previous_arr[:, 1]] > 0)
        n_sticky = int(np.unique(_keys(previous_arr[ok], m)).size)
    else:
        n_sticky = int(member(key, pkey).sum()) if pkey.size else 0
    tie = 1
    if previous_arr.size:
        # exact lexicographic tie-break: one score step outweighs all previous pairs
        t = n_sticky + 1
        if span * t <= backends.gain_limit(name, n, m):
            tie = t

    def gains(r, c, v):
        """(gain, ben) of arcs: integer score, tie-break and cardinality constant."""
        q = _quant(v if prio is None else v * prio[r], step, offset)
        g = q * tie
        if tie > 1:
            g += member(pair_keys(r, c, m), pkey)
        return g, g + penalty * tie

    stats: dict[str, Any] = {
        "n_mentees": n,
        "n_mentors": m,
        "allowed_pairs": allowed,
        "backend": name,
        "stickiness": "tie-break"
        if tie > 1
        else ("too fine" if previous_arr.size else "off"),
    }
    if allowed == 0:
        pairs = locked_arr[np.lexsort((locked_arr[:, 1], locked_arr[:, 0]))]
        cert = Certificate(0, 0, 0, step, "empty", 0, 0, 0, 0)
        return AssignmentResult(
            pairs=pairs,
            objective=locked_w,
            optimal=True,
            certificate=cert,
            prices=np.zeros(m),
            matched_slots=len(pairs),
            stats=stats | {"seconds": time.perf_counter() - t0},
        )

    # the candidate graph: everything, or the best few per mentee when it is large
    extra = [pkey]
    if prune and wm is not None:
        extra.append(wm["cand_keys"])
    if prune and start is not None:
        extra.append(_keys(start.pairs, m))
    extra_keys = np.unique(np.concatenate(extra)) if prune else pkey
    if blocks is None:
        gain_all, ben_all = gains(rows, cols, vals)
        if prune:
            cand = _top_candidates(rows, gain_all, n, k)
            cand = np.union1d(cand, np.flatnonzero(member(key, extra_keys)))
        else:
            cand = np.arange(key.size)
        c_rows, c_cols, c_vals = rows[cand], cols[cand], vals[cand]
    else:
        er, ec = np.divmod(extra_keys, m)
        ev = blocks.value(er, ec) if er.size else np.zeros(0)
        ok = (ev != -np.inf) & ~member(extra_keys, out_keys)
        ok &= (row_cap[er] > 0) & (col_cap[ec] > 0)
        c_rows = np.concatenate([scan["rows"], er[ok]])
        c_cols = np.concatenate([scan["cols"], ec[ok]])
        c_vals = np.concatenate([scan["vals"], ev[ok]])
        ck, first = np.unique(pair_keys(c_rows, c_cols, m), return_index=True)
        c_rows, c_cols, c_vals = c_rows[first], c_cols[first], c_vals[first]
    c_gain, c_ben = gains(c_rows, c_cols, c_vals)
    exact = int(c_ben.max()) < EXACT_LIMIT and penalty * tie * 2 < EXACT_LIMIT

    def check(duals) -> tuple[int, int]:
        """Add the pairs outside the candidates whose reduced profit is positive;
        (how many, how many pairs were checked)."""
        nonlocal c_rows, c_cols, c_vals, c_gain, c_ben
        ck = pair_keys(c_rows, c_cols, m)
        if blocks is None:
            idx = np.flatnonzero(~member(key, ck))
            rp = ben_all[idx] - duals.price[cols[idx]] - duals.row_value[rows[idx]]
            viol = idx[rp > 0]
            nr, nc, nv = rows[viol], cols[viol], vals[viol]
            checked = idx.size
        else:
            nr, nc, nv = _block_violations(
                blocks, duals, prio, row_cap, col_cap, step, offset, penalty, tie
            )
            nk = pair_keys(nr, nc, m)
            bad = member(nk, ck) | member(nk, out_keys)
            nr, nc, nv = nr[~bad], nc[~bad], nv[~bad]
            checked = allowed - ck.size
        if nr.size:
            g, b = gains(nr, nc, nv)
            order = np.argsort(
                np.concatenate([ck, pair_keys(nr, nc, m)]), kind="stable"
            )
            c_rows = np.concatenate([c_rows, nr])[order]
            c_cols = np.concatenate([c_cols, nc])[order]
            c_vals = np.concatenate([c_vals, nv])[order]
            c_gain = np.concatenate([c_gain, g])[order]
            c_ben = np.concatenate([c_ben, b])[order]
        return nr.size, checked

    rounds = checked = added = phases = 0
    duals = before = None
    repair: dict[str, int] = {}
    method = name
    while True:
        rounds += 1
        try:
            # OR-tools has no warm start: it solves afresh (faster than the flow
            # repairs a certification round; after an admin's edit match() asks
            # for the flow instead, see backends.for_repair); the others repair
            if (
                exact
                and name != "ortools"
                and (
                    duals is not None
                    or start is not None
                    or (prices is not None and name == "scipy")
                )
            ):
                used, ph = _repair(
                    c_rows,
                    c_cols,
                    c_ben,
                    n,
                    m,
                    row_cap,
                    col_cap,
                    duals=duals,
                    start=start,
                    prices=prices,
                    units=(step, tie, offset),
                    before=before,
                    stats=repair,
                )
                if not _REPAIR_FROM_PAIRS:
                    repair.pop("price", None)
                phases += ph
                if rounds == 1 and duals is None and start is not None:
                    method = name + "+repair"
            else:
                used = backends.solve_graph(
                    name, c_rows, c_cols, c_gain, n, m, row_cap, col_cap
                )
            duals = assignment_duals(
                c_rows,
                c_cols,
                c_ben,
                used,
                n,
                m,
                row_cap,
                col_cap,
                repair.pop("price", None),
            )
        except MatchingError:
            duals = None  # a solver that gave up is replaced like a wrong one
        if duals is None and name != "highs":
            # a backend's answer is checked, never trusted: fall back to the LP
            name = method = "highs"
            used = backends.solve_graph(
                name, c_rows, c_cols, c_gain, n, m, row_cap, col_cap
            )
            duals = assignment_duals(
                c_rows, c_cols, c_ben, used, n, m, row_cap, col_cap
            )
        if duals is None:
            raise MatchingError(
                "the solver returned an assignment it cannot prove optimal"
            )
        if not prune:
            break
        before = pair_keys(c_rows[used], c_cols[used], m)
        new, seen = check(duals)
        checked += seen
        if new == 0:
            break
        added += new

    pairs = np.vstack([locked_arr, np.column_stack([c_rows[used], c_cols[used]])])
    pairs = pairs[np.argsort(_keys(pairs, m), kind="stable")]  # one key: faster
    objective = float(c_vals[used].sum()) + locked_w
    price_units = duals.price * (step / tie)
    cert = Certificate(
        primal=duals.primal,
        upper_bound=duals.dual,
        gap=duals.dual - duals.primal,
        quantum=step / tie,
        method=method,
        rounds=rounds,
        candidate_pairs=int(c_rows.size),
        checked_pairs=int(checked),
        added_pairs=int(added),
    )
    stats |= {"backend": name, "dual_sweeps": duals.sweeps, "repair_phases": phases}
    if repair:  # the last repair's work: units out of place, phases, searches
        stats["repair"] = repair
    stats["seconds"] = time.perf_counter() - t0
    warm = {
        "shape": (n, m),
        "price": duals.price,
        "row_value": duals.row_value,
        "step": step,
        "offset": offset,
        "penalty": penalty,
        "tie": tie,
        "prio": prio,
        "row_cap": row_cap,
        "col_cap": col_cap,
        "pairs": pairs,
        "cand_keys": pair_keys(c_rows, c_cols, m),
    }
    return AssignmentResult(
        pairs=pairs,
        objective=objective,
        optimal=cert.gap == 0,
        certificate=cert,
        prices=price_units,
        matched_slots=int(len(pairs)),
        stats=stats,
        _warm=warm,
    )


def _repair(
    rows,
    cols,
    ben,
    n,
    m,
    row_cap,
    col_cap,
    *,
    duals,
    start,
    prices,
    units,
    before,
    stats,
):
    """(used arcs, phases) from the flow solver started at the last round's prices,
    or at ``start``'s carried over to this problem's units, and from the pairs of
    that answer (keys ``before``): only what an edit displaced moves. Without
    either, from ``prices`` in weight units and no pairs."""
    step, tie, offset = units
    if duals is not None:
        price = duals.price
    elif start is None:
        p = (np.asarray(prices, np.float64) - offset) * (tie / step)
        price = np.maximum(np.rint(p), 0).astype(np.int64)
    else:
        w = start._warm
        # the earlier prices in weight units, carried over to this problem's units
        f = (w["step"] / w["tie"]) / (step / tie)
        price = np.maximum(np.rint(w["price"] * f), 0).astype(np.int64)
        if before is None:
            before = _keys(w["pairs"], m)
    used = None
    if before is not None and _REPAIR_FROM_PAIRS:
        used = member(pair_keys(rows, cols, m), before)
    return min_cost_assignment(
        rows, cols, ben, n, m, row_cap, col_cap, price=price, used=used, stats=stats
    )


def _top_candidates(rows: np.ndarray, gain: np.ndarray, n: int, k: int) -> np.ndarray:
    """Indices of each row's ``k`` best arcs (rows are sorted)."""
    top = int(gain.max()) + 1
    if n * top < 2**62:  # one integer sort instead of a two-key lexsort
        order = np.argsort(rows * top + (top - 1 - gain), kind="stable")
    else:
        order = np.lexsort((-gain, rows))
    r = rows[order]
    start = np.searchsorted(r, np.arange(n))
    rank = np.arange(r.size) - start[r]
    return np.sort(order[rank < k])


def _cat(parts: list, dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


def _sorted_csr(weights: Any) -> sp.csr_matrix:
    """Sparse weights as CSR with each row's mentors sorted; a pair stored twice is
    refused. Canonical CSR is used as it is: no copy of millions of pairs."""
    if weights.ndim != 2:
        raise MatchingError("weights must be a 2-D matrix")
    if weights.format != "csr":
        n, m, r, c, v = _sparse_arcs(weights)  # refuses duplicates
        return sp.csr_matrix((v, (r, c)), shape=(n, m))
    if weights.has_canonical_format:
        return weights
    # sorting within rows is scipy's C loop; a full sort of the pair keys is not
    csr = weights if weights.has_sorted_indices else weights.sorted_indices()
    ind, ptr = csr.indices, csr.indptr
    same = np.flatnonzero(ind[1:] == ind[:-1]) + 1  # a mentor equal to the one before
    if same.size and not member(same, ptr).all():  # ... within the same row
        raise MatchingError("weights contain the same pair twice")
    return csr


def _effective(blocks: _Blocks, a: int, b: int, prio) -> tuple[np.ndarray, np.ndarray]:
    """(raw, effective) weights of rows ``a:b`` of dense input; NaN and +inf are
    refused. Masked pairs are ``-inf`` in ``effective`` (and may be in ``raw``)."""
    raw = blocks.raw(a, b)
    bad = np.isnan(raw) | (raw == np.inf)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        _check_values(raw[i : i + 1, j], np.array([a + i]), np.array([j]))
    eff = raw * prio[a:b, None] if prio is not None else raw.copy()
    if blocks.min_score is not None:
        eff[raw < float(blocks.min_score)] = -np.inf
    return raw, eff


def _stored_effective(blocks, a, b, prio, row_cap, dead_col, out_pos):
    """(row pointers, mentors, raw, effective) of the stored pairs of rows ``a:b``;
    pairs that cannot be used are ``-inf`` in ``effective``. ``out_pos``: positions
    of the edited pairs among the stored ones."""
    ptr, cols, raw = blocks.stored(a, b)
    dead_row = row_cap[a:b] == 0
    first, end = blocks.csr.indptr[a], blocks.csr.indptr[b]
    edits = out_pos[(out_pos >= first) & (out_pos < end)]
    masked = blocks.min_score is not None or dead_row.any() or edits.size > 0
    if prio is not None:
        eff = raw * np.repeat(prio[a:b], np.diff(ptr))
    elif masked or dead_col is not None:
        eff = raw.copy()
    else:
        return ptr, cols, raw, raw  # nothing to mask: read in place
    if blocks.min_score is not None:
        eff[raw < float(blocks.min_score)] = -np.inf
    if dead_col is not None:
        eff[dead_col[cols]] = -np.inf
    if dead_row.any():
        eff[np.repeat(dead_row, np.diff(ptr))] = -np.inf
    eff[edits - first] = -np.inf
    return ptr, cols, raw, eff


def _row_of(ptr: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """The row of each position, given row pointers (empty rows allowed)."""
    return np.searchsorted(ptr, pos, "right") - 1


def _segment_top(eff: np.ndarray, ptr: np.ndarray, fin: np.ndarray, k: int):
    """(row, position) of each row's ``k`` largest finite values, row ``i`` being
    ``eff[ptr[i]:ptr[i + 1]]``.

    No sort or dense copy of the block: a threshold taken from a sample keeps a few
    values a row; a row left with fewer than it needs above it (weights on another
    scale, e.g. by priority) is searched again among such rows with their own
    threshold, and the last few rows are sorted whole. Exact either way: a row is
    only settled by a threshold when its ``k`` best are all above it.
    """
    nrow = ptr.size - 1
    cnt = np.diff(ptr)
    if fin.all():
        finite = cnt
    else:
        finite = cnt - np.bincount(_row_of(ptr, np.flatnonzero(~fin)), minlength=nrow)
    need = np.minimum(finite, k)
    todo = need > 0
    found = []
    pos = None  # positions of the rows still to settle (None: all of them)
    for _ in range(4):
        n_todo = int(np.count_nonzero(todo))
        n_fin = int(finite[todo].sum())
        if n_todo == 0 or n_fin <= 4 * k * n_todo:
            break  # few values a row: sorting them all is as cheap
        vals = eff if pos is None else eff[pos]
        sample = vals[:: max(1, vals.size // 16384)]
        sample = sample[sample != -np.inf]
        if sample.size == 0:
            break  # the few allowed pairs fell between the samples: sort them
        # about twice what the rows need lies above the threshold
        above = min(sample.size, max(1, int(sample.size * 2 * k * n_todo / n_fin)))
        t = np.partition(sample, sample.size - above)[sample.size - above]
        hit = np.flatnonzero(vals >= t)
        if pos is not None:
            hit = pos[hit]
        r = _row_of(ptr, hit)
        done = todo & (np.bincount(r, minlength=nrow) >= need)
        keep = done[r]
        found.append(hit[keep])
        todo &= ~done
        if not todo.any():
            break
        rows = np.flatnonzero(todo)
        pos = _ranges(ptr[rows], cnt[rows])
    if todo.any():
        rows = np.flatnonzero(todo)
        rest = _ranges(ptr[rows], cnt[rows])
        found.append(rest[fin[rest]])
    cand = _cat(found, np.int64)
    r = _row_of(ptr, cand)
    # ties go by a scramble of the position, not by mentor order: with many equal
    # weights every mentee would otherwise name the same first mentors, and the
    # certificate would have to bring in the rest
    scramble = (cand * 2654435761) & 0xFFFFFFFF
    order = np.lexsort((scramble, -eff[cand], r))
    cand, r = cand[order], r[order]
    rank = np.arange(r.size) - np.searchsorted(r, r)
    return r[rank < k], cand[rank < k]


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s + l)`` for each start and length."""
    total = int(lengths.sum())
    shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return shift + np.arange(total)


def _spread_ties(eff: np.ndarray, row_frac, col_frac) -> np.ndarray:
    """Whole-number weights plus a fraction below their gap of 1 that differs from
    mentee to mentee: the same order, ties broken. Whole numbers tie often, and
    tied mentees would otherwise all name the same first mentors as candidates.
    (Only the choice of candidates reads these; ``-inf`` stays ``-inf``.)"""
    frac = row_frac + col_frac
    frac -= np.floor(frac)
    frac *= 0.5
    frac += eff
    return frac


def _scan_blocks(blocks, prio, row_cap, col_cap, out_keys, k) -> dict[str, Any]:
    """One pass over a large matrix: how many pairs are allowed, the range of their
    (priority-weighted) weights, whether those are whole numbers, and each mentee's
    ``k`` best pairs (by argpartition on dense rows, on the stored pairs themselves
    for sparse input), row block by row block."""
    m = blocks.m
    lo, hi, integral, allowed = np.inf, -np.inf, True, 0
    out_r, out_c, out_v = [], [], []
    dead_col = col_cap == 0
    kr, kc = np.divmod(out_keys, m)
    kk = min(k, m)
    spread = None
    if blocks.csr is not None:
        out_pos = blocks.find(kr, kc) if kr.size else np.zeros(0, np.int64)
        out_pos = out_pos[out_pos >= 0]
        dead = dead_col if dead_col.any() else None
    for a, b in blocks:
        if blocks.csr is not None:
            ptr, cols, raw, eff = _stored_effective(
                blocks, a, b, prio, row_cap, dead, out_pos
            )
        else:
            raw, eff = _effective(blocks, a, b, prio)
            eff[:, dead_col] = -np.inf
            eff[row_cap[a:b] == 0] = -np.inf
            sel = (kr >= a) & (kr < b)
            eff[kr[sel] - a, kc[sel]] = -np.inf
        fin = eff != -np.inf
        cnt = int(np.count_nonzero(fin))
        if cnt == 0:
            continue
        allowed += cnt
        # a masked min is fast on the flat stored pairs, slow on a 2-D block
        low = (
            np.min(eff, where=fin, initial=np.inf)
            if blocks.csr is not None
            else np.where(fin, eff, np.inf).min()
        )
        lo = min(lo, float(low))
        hi = max(hi, float(eff.max()))
        if integral:
            integral = bool(np.all(eff == np.round(eff)))
        if integral and spread is None:
            gen = np.random.default_rng(0)
            spread = (gen.random(m), gen.random(blocks.n))
        if blocks.csr is not None:
            if integral:  # distinct keys also keep the threshold's picks few
                eff = _spread_ties(
                    eff, np.repeat(spread[1][a:b], np.diff(ptr)), spread[0][cols]
                )
            r, p = _segment_top(eff, ptr, fin, kk)
            out_r.append(r + a)
            out_c.append(cols[p])
            out_v.append(raw[p])
            continue
        if integral:
            eff = _spread_ties(eff, spread[1][a:b, None], spread[0][None, :])
        idx = np.argpartition(eff, m - kk, axis=1)[:, m - kk :]
        best = np.take_along_axis(eff, idx, axis=1)
        r, j = np.nonzero(best != -np.inf)
        c = idx[r, j]
        out_r.append(r + a)
        out_c.append(c)
        out_v.append(raw[r, c])
    return {
        "allowed": allowed,
        "lo": lo,
        "hi": hi,
        "integral": integral,
        "rows": _cat(out_r, np.int64),
        "cols": _cat(out_c, np.int64),
        "vals": _cat(out_v, np.float64),
    }


def _block_violations(
    blocks, duals, prio, row_cap, col_cap, step, offset, penalty, tie
):
    """(rows, cols, weights) of pairs whose reduced profit is positive (candidates and
    edited pairs included; the caller drops those). A float screen over each block
    finds every such pair (its margin is half a step); exact integers confirm."""
    price, value = duals.price, duals.row_value
    # rp > 0  ⟺  q > p/tie + (v − P·tie)/tie, and q ≤ (w − offset)/step + ½
    col_t = step * (price / tie)
    col_t[col_cap == 0] = np.inf
    row_t = offset + step * ((value - penalty * tie) / tie - 1.0)
    row_t[row_cap == 0] = np.inf
    low = float(col_t.min(initial=np.inf))
    out_r, out_c, out_v = [], [], []
    for a, b in blocks:
        if blocks.dense is not None:
            raw = blocks.raw(a, b)
            eff = raw * prio[a:b, None] if prio is not None else raw
            r, c = np.nonzero(np.subtract(eff, col_t[None, :]) > row_t[a:b, None])
            v = raw[r, c]
        else:  # stored pairs only: no dense block needed
            ptr, c, v = blocks.stored(a, b)
            cnt = np.diff(ptr)
            e = v * np.repeat(prio[a:b], cnt) if prio is not None else v
            # no pair beats its row's threshold plus the lowest mentor price unless
            # it is a hit: the prices are gathered only for the pairs that pass
            hit = np.flatnonzero(e > np.repeat(row_t[a:b] + low, cnt))
            r = _row_of(ptr, hit)
            ok = e[hit] - np.take(col_t, c[hit]) > row_t[r + a]
            r, hit = r[ok], hit[ok]
            c, v = c[hit], v[hit]
        if r.size == 0:
            continue
        if blocks.min_score is not None:
            ok = v >= float(blocks.min_score)
            r, c, v = r[ok], c[ok], v[ok]
        rr = r + a
        e = v if prio is None else v * prio[rr]
        rp = (_quant(e, step, offset) + penalty) * tie - price[c] - value[rr]
        ok = rp > 0
        out_r.append(rr[ok])
        out_c.append(c[ok])
        out_v.append(v[ok])
    return _cat(out_r, np.int64), _cat(out_c, np.int64), _cat(out_v, np.float64)
