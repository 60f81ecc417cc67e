"""``solve_assignment``: exact, certified capacitated assignment.

Pipeline: validate → quantise weights to integers (one code path, so a pair's score
never changes between rounds) → keep the best candidates of each mentee when the
matrix is large → solve the sparse problem with a backend (:mod:`.backends`) →
derive dual prices from its answer (:mod:`.duals`), which proves it optimal on the
candidates → check every pair left out against those prices, add the ones that
could improve the result, repeat → report the certificate.

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
from .arrays import member
from .duals import assignment_duals
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


def _allowed_arcs(
    weights: Any, min_score: float | None
) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """(n, m, rows, cols, values) of allowed pairs, CSR order."""
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
    return n, m, rows[keep], cols[keep], vals[keep]


# -- quantisation -------------------------------------------------------------------
def _quantise(vals: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Integers for the weights: exact for whole numbers, 2^-k steps otherwise."""
    if vals.size == 0:
        return np.zeros(0, np.int64), 1.0, 0.0
    lo, hi = float(vals.min()), float(vals.max())
    if np.all(vals == np.round(vals)) and hi - min(lo, 0.0) <= 2**31:
        # offset 0 for non-negative integers keeps scores as given
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
    backend: str | None = None,
) -> AssignmentResult:
    """Match mentees to mentors exactly: most matched slots first, then most weight.

    ``weights`` is ``n_mentees × n_mentors``, dense (``-inf`` = forbidden) or scipy
    sparse (a missing entry = forbidden, a stored 0 = allowed with weight 0). Pairs in
    ``locked`` are always in the result; pairs in ``rejected`` never; pairs weighing
    less than ``min_score`` are forbidden. ``previous`` pairs win ties (low churn);
    ``warm_start`` (an earlier result of the same problem) lends its pairs to the
    tie-break when ``previous`` is not given and its candidate pairs to the first
    solve, which saves certification rounds. ``priority`` is a per-mentee multiplier
    of that mentee's weights (e.g. 1.25 for a group to favour). With more than
    ``prune_above`` allowed pairs only each mentee's ``top_k`` best are solved first;
    the certificate then checks every other pair. ``backend`` picks the solver
    (``auto``, ``ortools``, ``scipy``, ``highs``; see :mod:`.backends`).

    Raises :class:`MatchingError` for malformed input or impossible locks.
    """
    t0 = time.perf_counter()
    n, m, rows, cols, vals = _allowed_arcs(weights, min_score)
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
    prio = None
    if priority is not None:
        prio = np.asarray(priority, np.float64)
        if prio.ndim == 0:
            prio = np.full(n, float(prio))
        if prio.shape != (n,) or not np.all(np.isfinite(prio)) or np.any(prio <= 0):
            raise MatchingError("priority must be positive numbers, one per mentee")

    key = rows * m + cols
    locked_w = 0.0
    if locked_arr.size:
        lkey = locked_arr[:, 0] * m + locked_arr[:, 1]
        if np.unique(lkey).size != lkey.size:
            raise MatchingError("the same pair is locked twice")
        rej_key = rejected_arr[:, 0] * m + rejected_arr[:, 1]
        both = member(lkey, rej_key)
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
        # locks are taken out of the problem: their seats are used up
        col_cap = col_cap - np.bincount(locked_arr[:, 1], minlength=m)
        row_cap = row_cap - np.bincount(locked_arr[:, 0], minlength=n)
    drop = np.zeros(key.size, bool)
    for arr in (locked_arr, rejected_arr):
        if arr.size:
            drop |= member(key, arr[:, 0] * m + arr[:, 1])
    # pairs that can never be used make the graph smaller for nothing
    drop |= (col_cap[cols] == 0) | (row_cap[rows] == 0)
    keep = ~drop
    rows, cols, vals, key = rows[keep], cols[keep], vals[keep], key[keep]

    eff = vals if prio is None else vals * prio[rows]
    q, step, offset = _quantise(eff)
    name = backends.pick(backend, row_cap)
    umax = int(min(row_cap.sum(), col_cap.sum()))
    span = int(q.max()) + 1 if q.size else 1
    # P beats any score difference between solutions: cardinality comes first
    penalty = span * (umax + 1) + 1
    sticky = None
    tie = 1
    if previous_arr.size:
        sticky = member(key, previous_arr[:, 0] * m + previous_arr[:, 1])
        # exact lexicographic tie-break: one score step outweighs all previous pairs
        t = int(sticky.sum()) + 1
        if span * t <= backends.gain_limit(name, n, m):
            tie = t
    gain = q * tie + (sticky.astype(np.int64) if tie > 1 else 0)
    ben = gain + penalty * tie  # for the duals: cardinality first

    stats: dict[str, Any] = {
        "n_mentees": n,
        "n_mentors": m,
        "allowed_pairs": int(key.size),
        "backend": name,
        "stickiness": "tie-break"
        if tie > 1
        else ("too fine" if sticky is not None else "off"),
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
        cand = _top_candidates(rows, gain, n, k * max(1, int(row_cap.max())))
        if sticky is not None:
            cand = np.union1d(cand, np.flatnonzero(sticky))
        if wm is not None:
            cand = np.union1d(cand, np.flatnonzero(member(key, wm["cand_keys"])))
    else:
        cand = np.arange(key.size)
    rounds = checked = added = 0
    while True:
        rounds += 1
        r, c = rows[cand], cols[cand]
        used = backends.solve_graph(name, r, c, gain[cand], n, m, row_cap, col_cap)
        duals = assignment_duals(r, c, ben[cand], used, n, m, row_cap, col_cap)
        if duals is None and name != "highs":
            # a backend's answer is checked, never trusted: fall back to the LP
            name = "highs"
            used = backends.solve_graph(name, r, c, gain[cand], n, m, row_cap, col_cap)
            duals = assignment_duals(r, c, ben[cand], used, n, m, row_cap, col_cap)
        if duals is None:
            raise MatchingError(
                "the solver returned an assignment it cannot prove optimal"
            )
        if cand.size == key.size:
            break
        # every pair outside the candidates must have reduced profit <= 0
        out = np.ones(key.size, bool)
        out[cand] = False
        idx = np.flatnonzero(out)
        checked += idx.size
        rp = ben[idx] - duals.price[cols[idx]] - duals.row_value[rows[idx]]
        viol = idx[rp > 0]
        if viol.size == 0:
            break
        added += viol.size
        cand = np.union1d(cand, viol)

    used_idx = cand[used]
    pairs = np.vstack([locked_arr, np.column_stack([rows[used_idx], cols[used_idx]])])
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    objective = float(vals[used_idx].sum()) + locked_w
    price_units = duals.price * (step / tie)
    cert = Certificate(
        primal=duals.primal,
        upper_bound=duals.dual,
        gap=duals.dual - duals.primal,
        quantum=step / tie,
        method=name,
        rounds=rounds,
        candidate_pairs=int(cand.size),
        checked_pairs=int(checked),
        added_pairs=int(added),
    )
    stats |= {"backend": name, "dual_sweeps": duals.sweeps}
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
        "cand_keys": key[cand],
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


def _top_candidates(rows: np.ndarray, gain: np.ndarray, n: int, k: int) -> np.ndarray:
    """Indices of each row's ``k`` best arcs (rows are sorted)."""
    order = np.lexsort((-gain, rows))
    r = rows[order]
    start = np.searchsorted(r, np.arange(n))
    rank = np.arange(r.size) - start[r]
    return np.sort(order[rank < k])
