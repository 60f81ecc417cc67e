"""Exact capacitated assignment by a vectorised ε-scaling forward/reverse auction.

The problem solved here is already integral and sparse:

* ``n`` mentee rows, row ``i`` wants up to ``row_cap[i]`` mentors, each at most once;
* ``m`` mentors, mentor ``j`` takes up to ``col_cap[j]`` mentees;
* arcs ``(i, j)`` with integer benefit ``ben >= 1``; leaving a mentee slot empty is
  worth 0 (a private "unmatched" option with a fixed price of 0).

We maximise the total benefit. Callers put a large constant into every benefit so that
cardinality comes first.

Why an auction: its prices are the dual variables we need for the certificate anyway,
they survive edits of the graph (warm starts for certification rounds and admin
re-solves), and one bidding round is a handful of whole-array numpy operations.

Forward rounds let unassigned mentee units bid for mentors (Jacobi: all at once).
ε-scaling restarts leave some mentor seats free at a positive price, which would spoil
the dual bound, so every phase ends with *reverse* rounds in which such seats lower
their price or pull a mentee over (Bertsekas & Castañon's forward/reverse auction for
asymmetric problems). Mentor prices are then valid duals of the original problem and
``upper_bound`` is a proof of optimality when it equals ``primal``.
"""

from __future__ import annotations

import numpy as np

from .auction_bidding import _forward, _reverse, _violators
from .auction_state import (
    _DEBUG,
    _THETA,
    AuctionGraph,
    AuctionResult,
    _rank_in_groups,
    _State,
)

__all__ = ["AuctionGraph", "AuctionResult", "auction_solve", "row_duals"]


def row_duals(
    indptr_rows: np.ndarray, vals: np.ndarray, row_cap: np.ndarray, n: int
) -> np.ndarray:
    """π_i = max(0, row_cap_i-th largest value): the cheapest dual given mentor prices.

    ``indptr_rows`` holds the row of each value in ``vals`` (value = ben - w).
    """
    pi = np.zeros(n, np.int64)
    if vals.size == 0:
        return pi
    rows = indptr_rows
    one = row_cap[rows] == 1
    if one.any():
        np.maximum.at(pi, rows[one], vals[one])
    multi = ~one
    if multi.any():
        r, v = rows[multi], vals[multi]
        order = np.lexsort((-v, r))
        r, v = r[order], v[order]
        ur, start, cnt = np.unique(r, return_index=True, return_counts=True)
        okp = row_cap[ur] <= cnt
        pi[ur[okp]] = v[start[okp] + row_cap[ur[okp]] - 1]
    return np.maximum(pi, 0)


def _bound(st: _State) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Mentor duals, mentee duals, primal and dual objective (current scale)."""
    w = st.pmin[: st.m].copy()
    w[st.col_cap == 0] = 0
    live = st.real_pos[st.arc_cap[st.real_pos] > 0]
    vals = st.ben[live] - w[st.obj[live]]
    rows = st.arc_row[live]
    pi = row_duals(rows, vals, st.row_cap, st.n)
    extra = int(np.maximum(vals - pi[rows], 0).sum())
    ub = int((pi * st.row_cap).sum()) + int((w * st.col_cap).sum()) + extra
    used = st.unit_arc[st.unit_arc >= 0]
    primal = int(st.ben[used].sum())
    return w, pi, primal, ub


def auction_solve(
    g: AuctionGraph,
    *,
    init_col_price: np.ndarray | None = None,
    init_arcs: np.ndarray | None = None,
    init_scale: int | None = None,
    cold_prices: bool = False,
    max_scale: int | None = None,
    max_rounds: int = 5_000_000,
) -> AuctionResult:
    """Solve the capacitated assignment exactly and certify it with the dual bound.

    ``init_col_price`` (mentor prices in benefit units times ``init_scale``) and
    ``init_arcs`` (indices into ``g.cols`` of a previous solution) warm-start the
    search: any values are safe, good ones save rounds.
    """
    st = _State(g)
    bmax = int(g.ben.max()) if g.ben.size else 1
    bmin = int(g.ben.min()) if g.ben.size else 0
    limit = np.iinfo(np.int64).max // 16
    scale = 1
    # ε starts at the spread of the benefits, not their size: the cardinality constant
    # shared by every benefit only shifts prices, and phases far above the spread are
    # price wars.
    eps = max(1, (bmax - bmin + 1) // _THETA)
    if init_col_price is not None and init_scale and bmax * init_scale * 4 < limit:
        scale = int(init_scale)
        # prices of a previous optimum are accurate: continue at the finest ε; rough
        # prices (``cold_prices``) still go through the ε-scaling phases
        eps = max(1, (bmax - bmin + 1) * scale // _THETA) if cold_prices else 1
        st.set_scale(scale)
        p = np.clip(np.asarray(init_col_price, np.int64), 0, bmax * scale)
        st.slot_price[:] = np.repeat(p, st.col_cap)
        st.refresh_prices(np.arange(st.m, dtype=np.int64))
    bigstep = bmax * scale + 1
    if init_arcs is not None and len(init_arcs):
        _seed(st, np.asarray(init_arcs, np.int64))
    rounds = phases = 0
    # the dual gap is below ε·(units + seats); beyond that scale nothing can change
    scale_cap = 4 * (st.n_units + st.n_slots + 2)
    while True:
        phases += 1
        st.unassign(_violators(st, eps, bigstep))
        fr = _forward(st, eps, bigstep, max_rounds)
        rr = _reverse(st, eps, max_rounds)
        rounds += fr + rr
        w, pi, primal, ub = _bound(st)
        if _DEBUG:  # AUCTION_DEBUG=1 prints one line per phase (profiling aid)
            print(
                f"phase {phases} eps {eps} scale {scale} fwd {fr} rev {rr} "
                f"gap {(ub - primal) / scale:.3f}"
            )
        if ub // scale <= primal // scale:
            break
        if eps > 1:
            eps = max(1, eps // _THETA)
            continue
        if scale >= scale_cap or bmax * scale * _THETA * 4 > limit:
            break
        if max_scale is not None and scale * _THETA > max_scale:
            break
        scale *= _THETA
        st.set_scale(scale)
        st.slot_price *= _THETA
        st.unit_price *= _THETA
        st.refresh_prices(np.arange(st.m, dtype=np.int64))
        bigstep = bmax * scale + 1
    arc_used = np.zeros(g.cols.size, bool)
    inv = np.full(st.obj.size, -1, np.int64)
    inv[st.real_pos] = np.arange(g.cols.size)
    ua = inv[st.unit_arc[st.unit_arc >= 0]]
    arc_used[ua[ua >= 0]] = True
    return AuctionResult(
        arc_used=arc_used,
        col_price=w,
        row_value=pi,
        primal=primal // scale,
        upper_bound=ub // scale,
        scale=scale,
        rounds=rounds,
        phases=phases,
        stats={"units": st.n_units, "seats": st.n_slots},
    )


def _seed(st: _State, init_arcs: np.ndarray) -> None:
    """Place the units of a previous solution (as far as capacities allow)."""
    init_arcs = np.unique(init_arcs[(init_arcs >= 0) & (init_arcs < st.real_pos.size)])
    arcs = st.real_pos[init_arcs]
    arcs = arcs[st.arc_cap[arcs] > 0]
    o = st.obj[arcs]
    order = np.argsort(o, kind="stable")
    arcs, o = arcs[order], o[order]
    rank = _rank_in_groups(o)
    ok = rank < st.obj_cap[o]
    arcs, o, rank = arcs[ok], o[ok], rank[ok]
    r = st.arc_row[arcs]
    order = np.argsort(r, kind="stable")
    rr = np.empty(r.size, np.int64)
    rr[order] = _rank_in_groups(r[order])
    okr = rr < st.row_cap[r]
    arcs, o, rank, r, rr = arcs[okr], o[okr], rank[okr], r[okr], rr[okr]
    slots = st.obj_start[o] + rank
    st.assign(st.unit_first[r] + rr, slots, arcs, st.slot_price[slots])
