"""Exact min-cost flow for the capacitated assignment that repairs an earlier answer.

The assignment is a flow: each mentee ``i`` sends ``row_cap[i]`` units, one per pair
arc ``i → j`` (cost ``-ben``) or through its "unmatched" arc ``i → t`` (cost 0);
each mentor forwards at most ``col_cap[j]`` units to the sink ``t``. ``ben`` carries
the cardinality constant, so the cheapest flow matches the most slots first.

The state is a flow and node potentials ``π`` with every residual arc's reduced cost
``cost + π(tail) − π(head) >= 0`` (that makes a balanced flow optimal). From any
start (an earlier answer with its dual prices, or nothing) the arcs that break this
are saturated, which leaves some nodes with units too many or too few; then phases
of primal-dual successive shortest paths move them: one Dijkstra (scipy, from the
side with fewer unbalanced nodes) gives distances that, added to the potentials,
keep every reduced cost non-negative and make a shortest path from every reached
unbalanced node tight, and one maximum flow (scipy) over the tight arcs moves as
many units as they carry. A repair after a few edits needs a few phases; a solve
from nothing needs about a hundred at 10,000 mentees.

Costs are integers below 2⁵² (the caller checks), so the float64 distances of
scipy's Dijkstra are exact.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra, maximum_flow

from .errors import MatchingError

EXACT_LIMIT = 2**50  # largest |benefit| whose path sums stay exact in float64


def _trim(owner: np.ndarray, keep: np.ndarray, ben: np.ndarray, cap: np.ndarray):
    """Drop the lowest-benefit arcs of owners holding more than ``cap`` of them."""
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return keep
    o = owner[idx]
    if np.all(np.bincount(o, minlength=cap.size) <= cap):
        return keep
    order = np.lexsort((-ben[idx], o))
    so = o[order]
    rank = np.arange(so.size) - np.searchsorted(so, so)
    keep = keep.copy()
    keep[idx[order[rank >= cap[so]]]] = False
    return keep


def min_cost_assignment(
    rows: np.ndarray,
    cols: np.ndarray,
    ben: np.ndarray,
    n: int,
    m: int,
    row_cap: np.ndarray,
    col_cap: np.ndarray,
    used: np.ndarray | None = None,
    price: np.ndarray | None = None,
    row_value: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """(Mask of the arcs used, phases): most slots first, then most ``ben``.

    ``ben`` are positive integers that already rank cardinality first (see
    :mod:`.solver`). ``used``, ``price`` (per mentor) and ``row_value`` (per mentee)
    are an earlier answer and its duals in the same units, to repair from; any of
    them may be wrong or missing, that only costs phases.
    """
    k = rows.size
    t = n + m
    nodes = n + m + 1
    tail = np.concatenate([rows, np.arange(n), n + np.arange(m)]).astype(np.int64)
    head = np.concatenate([n + cols, np.full(n, t), np.full(m, t)]).astype(np.int64)
    cap = np.concatenate([np.ones(k, np.int64), row_cap, col_cap]).astype(np.int64)
    cost = np.concatenate([-ben.astype(np.int64), np.zeros(n + m, np.int64)])
    supply = np.zeros(nodes, np.int64)
    supply[:n] = row_cap
    supply[t] = -int(row_cap.sum())

    pi = np.zeros(nodes, np.int64)
    x = np.zeros(cost.size, np.int64)
    if used is not None and price is not None and row_value is not None:
        pi[:n] = row_value
        pi[n:t] = -np.asarray(price, np.int64)
        keep = _trim(rows, used.astype(bool), ben, row_cap)
        keep = _trim(cols, keep, ben, col_cap)
        x[:k] = keep
        x[k : k + n] = row_cap - np.bincount(rows[keep], minlength=n)
        x[k + n :] = np.bincount(cols[keep], minlength=m)
    else:
        # each mentee's best arc is tight; everyone starts unmatched
        best = np.zeros(n, np.int64)
        np.maximum.at(best, rows, ben)
        pi[:n] = best
        x[k : k + n] = row_cap
    # saturate every residual arc whose reduced cost is negative
    rc = cost + pi[tail] - pi[head]
    x = np.where(rc < 0, cap, np.where(rc > 0, 0, x))

    # residual graph: entry e < A is arc e forwards, e >= A arc e - A backwards
    arcs = cost.size
    src = np.concatenate([tail, head])
    dst = np.concatenate([head, tail])
    fwd_order = np.argsort(src, kind="stable")
    fwd_ptr = np.zeros(nodes + 1, np.int32)
    np.cumsum(np.bincount(src, minlength=nodes), out=fwd_ptr[1:])
    fwd_idx = dst[fwd_order].astype(np.int32)
    rev_order = np.argsort(dst, kind="stable")
    rev_ptr = np.zeros(nodes + 1, np.int32)
    np.cumsum(np.bincount(dst, minlength=nodes), out=rev_ptr[1:])
    rev_idx = src[rev_order].astype(np.int32)

    phases = 0
    while True:
        out = np.bincount(tail, weights=x, minlength=nodes)
        inn = np.bincount(head, weights=x, minlength=nodes)
        bal = supply - out.astype(np.int64) + inn.astype(np.int64)
        excess = np.flatnonzero(bal > 0)
        if excess.size == 0:
            break
        deficit = np.flatnonzero(bal < 0)
        phases += 1
        rc = cost + pi[tail] - pi[head]
        live = np.concatenate([x < cap, x > 0])
        w = np.where(live, np.concatenate([rc, -rc]).astype(np.float64), np.inf)
        forward = excess.size <= deficit.size
        if forward:
            g = sp.csr_matrix((w[fwd_order], fwd_idx, fwd_ptr), shape=(nodes, nodes))
            d = dijkstra(g, directed=True, indices=excess, min_only=True)
            ends = d[deficit]
        else:
            g = sp.csr_matrix((w[rev_order], rev_idx, rev_ptr), shape=(nodes, nodes))
            d = dijkstra(g, directed=True, indices=deficit, min_only=True)
            ends = d[excess]
        ends = ends[np.isfinite(ends)]
        if ends.size == 0:
            raise MatchingError("the assignment flow has units with nowhere to go")
        top = ends.max()
        reach = d <= top
        step = np.rint(np.minimum(d, top)).astype(np.int64)
        # forward: distances from the excess; backward: distances to the deficit
        pi = pi + step if forward else pi - step
        rc = cost + pi[tail] - pi[head]
        tight = np.concatenate([rc == 0, rc == 0]) & live
        tight &= reach[src] & reach[dst]
        e = np.flatnonzero(tight)
        arc = e % arcs
        room = np.where(e < arcs, cap[arc] - x[arc], x[arc])
        s_node, t_node = nodes, nodes + 1
        fr = np.concatenate([src[e], np.full(excess.size, s_node), deficit])
        to = np.concatenate([dst[e], excess, np.full(deficit.size, t_node)])
        capacity = np.concatenate([room, bal[excess], -bal[deficit]])
        if capacity.max(initial=0) >= 2**31:
            raise MatchingError("capacities too large for the flow solver")
        net = sp.csr_matrix(
            (capacity.astype(np.int32), (fr, to)), shape=(nodes + 2, nodes + 2)
        )
        flow = maximum_flow(net, s_node, t_node, method="dinic").flow
        if flow.nnz == 0:
            raise MatchingError("the assignment flow made no progress")
        mark = np.zeros(arcs, bool)
        mark[arc] = True
        moved = np.flatnonzero(mark)
        delta = np.asarray(flow[tail[moved], head[moved]]).ravel().astype(np.int64)
        x[moved] += delta
    return x[:k] > 0, phases
