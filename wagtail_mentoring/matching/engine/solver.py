"""``solve_assignment``: exact, certified capacitated assignment.

Pipeline: validate → quantise weights to integers (one code path, so a pair's score
never changes between rounds) → put a cardinality constant ``P`` into every benefit so
that more matched slots always win → keep the best candidates of each mentee when the
matrix is large → solve the sparse problem with the auction → check every pair left
out against the auction's prices, add the ones that could improve the result, repeat
→ report the certificate.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from .auction import AuctionGraph, auction_solve
from .certify import _cardinality_prices, _highs_fallback
from .errors import MatchingError

_DENSE_PRUNE_ABOVE = 4_000_000  # allowed entries above which dense input is pruned
_TOP_K = 24
_FLOAT_RESOLUTION = 2**20  # integer steps across the weight range for float weights


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
    method: str
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
    prices: np.ndarray  # float mentor prices (dual values) in weight units
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


def _allowed_arcs(
    weights: Any, min_score: float | None
) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """(n, m, rows, cols, values, dense) of allowed pairs, CSR order."""
    if sp.issparse(weights):
        if weights.ndim != 2:
            raise MatchingError("weights must be a 2-D matrix")
        coo = weights.tocoo()
        n, m = coo.shape
        rows, cols, vals = (
            coo.row.astype(np.int64),
            coo.col.astype(np.int64),
            coo.data.astype(np.float64),
        )
        key = rows * m + cols
        order = np.argsort(key, kind="stable")
        key, rows, cols, vals = key[order], rows[order], cols[order], vals[order]
        if key.size > 1 and np.any(key[1:] == key[:-1]):
            raise MatchingError("weights contain the same pair twice")
        dense = None
    else:
        dense = np.asarray(weights)
        if dense.ndim != 2:
            raise MatchingError(
                f"weights must be a 2-D matrix (mentees × mentors), got {dense.ndim}-D"
            )
        if not np.issubdtype(dense.dtype, np.number) or np.issubdtype(
            dense.dtype, np.complexfloating
        ):
            raise MatchingError("weights must be real numbers")
        n, m = dense.shape
        vals_all = dense.astype(np.float64, copy=False)
        rows, cols = np.nonzero(vals_all != -np.inf)
        rows, cols = rows.astype(np.int64), cols.astype(np.int64)
        vals = vals_all[rows, cols]
    if np.any(np.isnan(vals)):
        i = int(np.argmax(np.isnan(vals)))
        raise MatchingError(f"weight of pair ({rows[i]}, {cols[i]}) is NaN")
    if np.any(vals == np.inf):
        raise MatchingError("weights must not be +inf")
    keep = vals != -np.inf
    if min_score is not None:
        keep &= vals >= float(min_score)
    return n, m, rows[keep], cols[keep], vals[keep], dense


# -- quantisation -------------------------------------------------------------------
@dataclass
class _Quant:
    step: float  # weight units per integer step
    offset: float  # weight subtracted before dividing
    penalty: int  # cardinality constant P
    tie: int  # multiplier making room for the stickiness tie-break (1 = none)

    def benefit(self, q: np.ndarray, sticky: np.ndarray | None) -> np.ndarray:
        b = (q + self.penalty) * self.tie
        if sticky is not None and self.tie > 1:
            b = b + sticky
        return b


def _quantise(vals: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Integers for the weights: exact for whole numbers, 2^-k steps otherwise."""
    if vals.size == 0:
        return np.zeros(0, np.int64), 1.0, 0.0
    lo, hi = float(vals.min()), float(vals.max())
    if np.all(vals == np.round(vals)) and hi - min(lo, 0.0) <= 2**31:
        # offset 0 for non-negative integers keeps benefits (and so prices) the
        # same when an admin edit removes the lowest pair: warm starts stay valid
        lo = min(lo, 0.0)
        return (vals - lo).astype(np.int64), 1.0, lo
    span = max(hi - lo, 1e-300)
    # power-of-two steps keep quantisation exact for binary fractions
    step = 2.0 ** np.floor(np.log2(span / _FLOAT_RESOLUTION))
    return np.rint((vals - lo) / step).astype(np.int64), float(step), lo


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
    coarse: bool = False,
) -> AssignmentResult:
    """Match mentees to mentors exactly: most matched slots first, then most weight.

    ``weights`` is ``n_mentees × n_mentors``, dense (``-inf`` = forbidden) or scipy
    sparse (a missing entry = forbidden, a stored 0 = allowed with weight 0). Pairs in
    ``locked`` are always in the result; pairs in ``rejected`` never; pairs weighing
    less than ``min_score`` are forbidden. ``previous`` pairs win ties (low churn);
    ``warm_start`` (an earlier result) reuses its prices and pairs. ``priority`` is a
    per-mentee multiplier of that mentee's weights (e.g. 1.25 for a group to favour).
    With more than ``prune_above`` allowed pairs only each mentee's ``top_k`` best
    are solved first; the certificate then checks every other pair. ``coarse=True``
    stops at integer precision without certifying (a cheap first pass whose prices
    tell which left-out pairs matter; pass it as ``warm_start`` to finish).

    Raises :class:`MatchingError` for malformed input or impossible locks.
    """
    t0 = time.perf_counter()
    n, m, rows, cols, vals, dense = _allowed_arcs(weights, min_score)
    col_cap = _as_int_vector(mentor_capacity, m, "mentor_capacity")
    row_cap = _as_int_vector(mentee_capacity, n, "mentee_capacity")
    locked_arr = _pairs_array(locked, "locked", n, m)
    rejected_arr = _pairs_array(rejected, "rejected", n, m)
    previous_arr = _pairs_array(previous, "previous", n, m)
    prio = None
    if priority is not None:
        prio = np.asarray(priority, np.float64)
        if prio.ndim == 0:
            prio = np.full(n, float(prio))
        if prio.shape != (n,) or not np.all(np.isfinite(prio)) or np.any(prio <= 0):
            raise MatchingError("priority must be positive numbers, one per mentee")

    key = rows * m + cols
    # the cardinality constant depends on the capacities *before* locks, so that it
    # (and every price built on it) survives admin edits between warm re-solves
    umax_all = int(min(row_cap.sum(), col_cap.sum()))
    # locks: validate, then take them out of the problem
    locked_w = 0.0
    if locked_arr.size:
        lkey = locked_arr[:, 0] * m + locked_arr[:, 1]
        if np.unique(lkey).size != lkey.size:
            raise MatchingError("the same pair is locked twice")
        rej_key = rejected_arr[:, 0] * m + rejected_arr[:, 1]
        both = np.isin(lkey, rej_key)
        if both.any():
            i, j = locked_arr[np.argmax(both)]
            raise MatchingError(f"pair ({i}, {j}) is both locked and rejected")
        pos = np.searchsorted(key, lkey)
        found = (pos < key.size) & (key[np.minimum(pos, key.size - 1)] == lkey)
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
        locked_w = float(vals[pos].sum())
        col_cap = col_cap - np.bincount(locked_arr[:, 1], minlength=m)
        row_cap = row_cap - np.bincount(locked_arr[:, 0], minlength=n)
    drop = np.zeros(key.size, bool)
    for arr in (locked_arr, rejected_arr):
        if arr.size:
            drop |= np.isin(key, arr[:, 0] * m + arr[:, 1])
    # pairs that can never be used make the graph smaller for nothing
    drop |= (col_cap[cols] == 0) | (row_cap[rows] == 0)
    keep = ~drop
    rows, cols, vals, key = rows[keep], cols[keep], vals[keep], key[keep]

    eff = vals if prio is None else vals * prio[rows]
    q, step, offset = _quantise(eff)
    umax = umax_all
    span = int(q.max()) + 1 if q.size else 1
    # P beats any score difference between solutions: cardinality comes first
    penalty = span * (umax + 1) + 1
    tie = 1
    sticky = None
    if previous_arr.size:
        pkey = previous_arr[:, 0] * m + previous_arr[:, 1]
        sticky = np.isin(key, pkey).astype(np.int64)
        # lexicographic tie-break only while it keeps the auction inside int64
        room = (np.iinfo(np.int64).max // 64) // max(1, 8 * (row_cap.sum() + 2) ** 2)
        if (penalty + span) * (umax + 1) < room:
            tie = umax + 1
    quant = _Quant(step=step, offset=offset, penalty=penalty, tie=tie)
    ben = quant.benefit(q, sticky)

    stats: dict[str, Any] = {
        "n_mentees": n,
        "n_mentors": m,
        "allowed_pairs": int(key.size),
        "stickiness": "tie-break"
        if tie > 1
        else ("warm start" if sticky is not None else "off"),
    }
    if key.size == 0:
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

    # candidate graph: everything, or the best few per mentee when it is large
    k = top_k or _TOP_K
    if key.size > (prune_above if prune_above is not None else _DENSE_PRUNE_ABOVE):
        cand = _top_candidates(rows, ben, n, k * max(1, int(row_cap.max())))
        if sticky is not None:
            cand = np.union1d(cand, np.flatnonzero(sticky))
    else:
        cand = np.arange(key.size)
    init_price = init_arcs_pairs = None
    init_scale = None
    resume = False
    if warm_start is not None and warm_start._warm is not None:
        wm = warm_start._warm
        if wm["m"] == m:
            ratio = (quant.step and wm["step"] / quant.step) * tie / wm["tie"]
            init_price = np.rint(wm["price"] * ratio).astype(np.int64)
            init_scale = wm["scale"]
            init_arcs_pairs = wm["pairs"]
            # a coarse pass is continued where it stopped, not restarted
            resume = bool(wm.get("coarse")) and ratio == 1
    if init_arcs_pairs is None and previous_arr.size:
        init_arcs_pairs = previous_arr
    result, cand, cert_rounds, checked, added = _solve_with_certificate(
        rows,
        cols,
        ben,
        key,
        cand,
        n,
        m,
        row_cap,
        col_cap,
        init_price,
        init_scale,
        init_arcs_pairs,
        coarse=coarse,
        resume=resume,
    )
    used = cand[result.arc_used]
    pairs = np.vstack([locked_arr, np.column_stack([rows[used], cols[used]])])
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    objective = float(vals[used].sum()) + locked_w
    # bound on the score part: remove the cardinality constant and the tie-break
    optimal = result.upper_bound <= result.primal and not coarse
    price_units = result.col_price.astype(np.float64) / (result.scale * tie) * step
    cert = Certificate(
        primal=int(result.primal),
        upper_bound=int(result.upper_bound),
        gap=int(result.upper_bound - result.primal),
        quantum=step,
        method=result.stats.get("method", "auction"),
        rounds=cert_rounds,
        candidate_pairs=int(cand.size),
        checked_pairs=int(checked),
        added_pairs=int(added),
    )
    stats |= {
        "auction_rounds": result.rounds,
        "auction_phases": result.phases,
        "seconds": time.perf_counter() - t0,
    }
    warm = {
        "m": m,
        "price": result.col_price,
        "row_value": result.row_value,
        "scale": result.scale,
        "step": step,
        "offset": offset,
        "penalty": penalty,
        "tie": tie,
        "prio": prio,
        "row_cap": row_cap,
        "col_cap": col_cap,
        "pairs": pairs,
        "coarse": coarse,
    }
    return AssignmentResult(
        pairs=pairs,
        objective=objective,
        optimal=bool(optimal),
        certificate=cert,
        prices=price_units,
        matched_slots=int(len(pairs)),
        stats=stats,
        _warm=warm,
    )


def _top_candidates(rows: np.ndarray, ben: np.ndarray, n: int, k: int) -> np.ndarray:
    """Indices of each row's ``k`` best arcs (rows are sorted)."""
    order = np.lexsort((-ben, rows))
    r = rows[order]
    start = np.searchsorted(r, np.arange(n))
    rank = np.arange(r.size) - start[r]
    return np.sort(order[rank < k])


def _solve_with_certificate(
    rows,
    cols,
    ben,
    key,
    cand,
    n,
    m,
    row_cap,
    col_cap,
    init_price,
    init_scale,
    init_pairs,
    coarse=False,
    resume=False,
):
    """Solve on candidates, add every pair the prices cannot exclude, repeat."""
    rounds = 0
    checked = 0
    added = 0
    price = init_price
    scale = init_scale
    pairs = init_pairs
    while True:
        rounds += 1
        r, c, b = rows[cand], cols[cand], ben[cand]
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
        g = AuctionGraph(n, m, indptr, c, b, row_cap, col_cap)
        init_arcs = None
        if pairs is not None and len(pairs):
            pk = pairs[:, 0] * m + pairs[:, 1]
            ck = key[cand]
            pos = np.searchsorted(ck, pk)
            ok = (pos < ck.size) & (ck[np.minimum(pos, ck.size - 1)] == pk)
            init_arcs = pos[ok]
        if price is None:
            price, scale = _cardinality_prices(g, b), 1
        res = auction_solve(
            g,
            init_col_price=price,
            init_arcs=init_arcs,
            init_scale=scale,
            # even good prices meet new arcs: a few coarse phases avoid ε=1 wars,
            # unless this continues a coarse pass of the same graph
            cold_prices=not resume,
            max_scale=1 if coarse else None,
        )
        resume = False
        if coarse:
            return res, cand, rounds, checked, added
        if res.upper_bound > res.primal:
            res = _highs_fallback(g, res)
        if cand.size == key.size:
            return res, cand, rounds, checked, added
        # every pair outside the candidates must have reduced profit <= 0
        w = res.col_price
        out = np.ones(key.size, bool)
        out[cand] = False
        idx = np.flatnonzero(out)
        checked += idx.size
        rp = ben[idx] * res.scale - w[cols[idx]] - res.row_value[rows[idx]]
        viol = idx[rp > 0]
        if viol.size == 0:
            return res, cand, rounds, checked, added
        added += viol.size
        cand = np.union1d(cand, viol)
        price, scale = w, res.scale
        pairs = np.column_stack([r[res.arc_used], c[res.arc_used]])
