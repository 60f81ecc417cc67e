"""Dual prices that prove an assignment optimal (or show that it is not).

The LP of the capacitated assignment (maximise Σ ben·x; each mentee ``i`` at most
``row_cap[i]`` mentors, each mentor ``j`` at most ``col_cap[j]`` mentees, each pair at
most once) has duals ``v_i, p_j, z_ij >= 0`` with ``v_i + p_j + z_ij >= ben_ij``. An
assignment is optimal exactly when duals exist that meet it with equality
(complementary slackness). Given the assignment, those conditions are difference
constraints on the mentor prices ``p``:

* a mentee with all its slots used, matched to ``μ`` and able to take ``j``:
  ``p_j >= p_μ + ben_ij - ben_iμ`` (it must not prefer ``j`` at these prices);
* a mentee with a free slot: ``p_j >= ben_ij`` for every mentor it could still take.

The smallest such prices are longest paths from a root (Bellman–Ford, vectorised
over the mentors whose price moved last sweep); a positive cycle means a better
assignment exists. The remaining conditions (a mentor with a free seat has price 0,
no matched pair has negative ``z``) are then checked, and the dual objective is
computed in exact integers: ``dual == primal`` is the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from .arrays import row_pointer


@dataclass
class Duals:
    """Mentor prices, mentee values and the two objectives (exact integers)."""

    price: np.ndarray  # int64 per mentor
    row_value: np.ndarray  # int64 per mentee
    primal: int
    dual: int
    sweeps: int


def _exact_sum(x: np.ndarray) -> int:
    """Sum without int64 overflow (prices can be ~1e14 and there are 1e5 of them):
    the high and low 32 bits summed apart, each sum far inside int64."""
    if not x.size:
        return 0
    x = x.astype(np.int64, copy=False)
    return (int(np.sum(x >> 32)) << 32) + int(np.sum(x & 0xFFFFFFFF))


def assignment_duals(
    rows: np.ndarray,
    cols: np.ndarray,
    ben: np.ndarray,
    used: np.ndarray,
    n: int,
    m: int,
    row_cap: np.ndarray,
    col_cap: np.ndarray,
    hint: np.ndarray | None = None,
) -> Duals | None:
    """Smallest prices proving ``used`` optimal for ``ben``; None if it is not optimal.

    Arcs are in CSR order (sorted by row). ``ben`` are integers. ``hint``: any
    prices that meet every condition (e.g. the flow solver's own potentials);
    with them one Dijkstra finds the smallest prices instead of Bellman–Ford's
    sweeps. Prices that do not are ignored.
    """
    row_cnt = np.bincount(rows[used], minlength=n)
    col_cnt = np.bincount(cols[used], minlength=m)
    if np.any(row_cnt > row_cap) or np.any(col_cnt > col_cap):
        return None
    full_row = row_cnt >= row_cap
    price = np.zeros(m, np.int64)
    free_arc = ~used & ~full_row[rows]
    if free_arc.any():
        np.maximum.at(price, cols[free_arc], ben[free_arc])
    # arcs μ -> j of full mentees: one per (matched arc, other arc) of the mentee
    other = ~used & full_row[rows]
    m_idx = np.flatnonzero(used)
    first = np.searchsorted(rows[m_idx], np.arange(n))  # first matched arc per row
    o_idx = np.flatnonzero(other)
    k = row_cnt[rows[o_idx]]
    o_rep = np.repeat(o_idx, k)
    offs = np.arange(o_rep.size) - np.repeat(np.cumsum(k) - k, k)
    mu = m_idx[first[rows[o_rep]] + offs]
    src, dst = cols[mu], cols[o_rep]
    length = ben[o_rep] - ben[mu]
    order = np.argsort(src, kind="stable")
    src, dst, length = src[order], dst[order], length[order]
    indptr = row_pointer(src, m)

    active = np.arange(m)
    moved = np.zeros(m, bool)
    sweeps = 0
    if hint is not None:
        smallest = _smallest_from(hint, price, src, dst, length, m)
        if smallest is not None:
            price, active = smallest, active[:0]
    while active.size:
        sweeps += 1
        if sweeps > m + 1:
            return None  # a positive cycle: some exchange would improve the result
        start, cnt = indptr[active], indptr[active + 1] - indptr[active]
        idx = np.repeat(start - (np.cumsum(cnt) - cnt), cnt) + np.arange(cnt.sum())
        val = price[src[idx]] + length[idx]
        d = dst[idx]
        better = val > price[d]
        if not better.any():
            break
        d = d[better]
        np.maximum.at(price, d, val[better])
        moved[d] = True
        active = np.flatnonzero(moved)
        moved[active] = False

    if np.any((price > 0) & (col_cnt < col_cap)):
        return None  # a seat left empty although a mentee would pay for it
    slack = ben - price[cols]
    # a full mentee's value is its cheapest matched slack (the largest valid value:
    # pairs outside the solved graph are then bounded as tightly as possible, and
    # with one mentor per mentee every matched pair has reduced profit exactly 0)
    big = np.iinfo(np.int64).max
    value = np.full(n, big, np.int64)
    mu_full = m_idx[full_row[rows[m_idx]]]
    np.minimum.at(value, rows[mu_full], slack[mu_full])
    value[~full_row] = 0
    value[value == big] = 0  # full with zero capacity: no pairs at all
    z = slack[used] - value[rows[used]]
    if np.any(value < 0) or np.any(z < 0):
        return None
    if np.any(slack[~used] - value[rows[~used]] > 0):
        return None
    primal = _exact_sum(ben[used])
    dual = (
        _exact_sum(value * row_cap.astype(np.int64))
        + _exact_sum(price * col_cap.astype(np.int64))
        + _exact_sum(z)
    )
    return Duals(price, value, primal, dual, sweeps)


def _smallest_from(hint, base, src, dst, length, m) -> np.ndarray | None:
    """The smallest prices, by one Dijkstra, from prices ``hint`` that meet every
    condition ``p[dst] >= p[src] + length`` and ``p >= base``; None if they do not.

    The smallest prices are longest paths from a root with an arc of length
    ``base[j]`` to each mentor. Measured from the hint, every arc's length
    ``hint[dst] - hint[src] - length`` (root arcs: ``hint[j] - base[j]``) is
    non-negative, so shortest paths there are exact, and ``hint[j]`` less the
    distance of ``j`` is its smallest price (no positive cycle can exist).
    Integers below 2^53 stay exact in float64.
    """
    hint = np.maximum(np.asarray(hint, np.int64), 0)
    if hint.shape != (m,) or np.any(hint < base):
        return None
    w = hint[dst] - hint[src] - length
    if np.any(w < 0) or int(hint.max(initial=0)) >= 2**52:
        return None
    # several arcs between two mentors: only the shortest counts (a sparse matrix
    # would add them up)
    key = src * m + dst
    order = np.argsort(key, kind="stable")
    key, w = key[order], w[order]
    first = np.ones(key.size, bool)
    first[1:] = key[1:] != key[:-1]
    at = np.flatnonzero(first)
    a, b = np.divmod(key[at], m)
    shortest = np.minimum.reduceat(w, at) if at.size else w[:0]
    g = sp.csr_matrix(
        (
            np.concatenate([shortest, hint - base]).astype(np.float64),
            (np.concatenate([a, np.full(m, m)]), np.concatenate([b, np.arange(m)])),
        ),
        shape=(m + 1, m + 1),
    )
    d = dijkstra(g, directed=True, indices=m)[:m]
    return hint - np.rint(d).astype(np.int64)
