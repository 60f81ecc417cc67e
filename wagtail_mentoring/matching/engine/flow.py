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

    arcs = cost.size
    # residual graph: entry e < A is arc e forwards, e >= A is arc e - A backwards;
    # two CSR layouts (by tail for distances from the excess, by head for distances
    # to the deficit) whose weights are kept up to date arc by arc
    src = np.concatenate([tail, head])
    dst = np.concatenate([head, tail])
    graphs, pos, orders = [], [], []
    for by, to in ((src, dst), (dst, src)):
        order = np.argsort(by, kind="stable")
        orders.append(order)
        ptr = np.zeros(nodes + 1, np.int32)
        np.cumsum(np.bincount(by, minlength=nodes), out=ptr[1:])
        g = sp.csr_matrix(
            (np.zeros(2 * arcs), to[order].astype(np.int32), ptr), shape=(nodes, nodes)
        )
        at = np.empty(2 * arcs, np.int64)
        at[order] = np.arange(2 * arcs)
        graphs.append(g)
        pos.append(at)
    by_tail_order = orders[0] % arcs  # the arcs at each node
    by_tail_ptr = graphs[0].indptr

    def refresh(a: np.ndarray) -> np.ndarray:
        """Reduced costs of arcs ``a``, written into both layouts (inf: no room)."""
        rc = cost[a] + pi[tail[a]] - pi[head[a]]
        f = np.where(x[a] < cap[a], rc.astype(np.float64), np.inf)
        b = np.where(x[a] > 0, (-rc).astype(np.float64), np.inf)
        for g, at in zip(graphs, pos, strict=True):
            g.data[at[a]] = f
            g.data[at[a + arcs]] = b
        return rc

    refresh(np.arange(arcs))
    bal = supply - np.bincount(tail, weights=x, minlength=nodes).astype(np.int64)
    bal += np.bincount(head, weights=x, minlength=nodes).astype(np.int64)
    scale = float(max(int(ben.max(initial=1)) - int(ben.min(initial=0)), 1))
    reach_mask = np.zeros(nodes, bool)
    phases = 0
    while True:
        excess = np.flatnonzero(bal > 0)
        if excess.size == 0:
            break
        deficit = np.flatnonzero(bal < 0)
        phases += 1
        forward = excess.size <= deficit.size
        starts, goals = (excess, deficit) if forward else (deficit, excess)
        # few units: search near them first (the rest of the graph is untouched)
        limit = scale / 64 if forward else np.inf
        while True:
            d = dijkstra(
                graphs[0 if forward else 1],
                directed=True,
                indices=starts,
                min_only=True,
                limit=limit,
            )
            ends = d[goals]
            ends = ends[np.isfinite(ends)]
            if ends.size or limit == np.inf:
                break
            limit = limit * 8 if limit * 8 < 2**53 else np.inf
        if ends.size == 0:
            raise MatchingError("the assignment flow has units with nowhere to go")
        top = ends.max()
        reach = np.flatnonzero(d <= top)
        # distances added to the potentials (minus the cap, which changes no reduced
        # cost): from the excess forwards, to the deficit backwards
        step = np.rint(d[reach] - top).astype(np.int64)
        pi[reach] += step if forward else -step
        reach_mask[reach] = True
        cnt = by_tail_ptr[reach + 1] - by_tail_ptr[reach]
        first = np.repeat(by_tail_ptr[reach] - (np.cumsum(cnt) - cnt), cnt)
        touched = np.zeros(arcs, bool)
        touched[by_tail_order[first + np.arange(cnt.sum())]] = True
        a = np.flatnonzero(touched)
        rc = refresh(a)
        inside = (rc == 0) & reach_mask[tail[a]] & reach_mask[head[a]]
        reach_mask[reach] = False
        a = a[inside]
        fw, bw = a[x[a] < cap[a]], a[x[a] > 0]
        s_node, t_node = nodes, nodes + 1
        fr = np.concatenate([tail[fw], head[bw], np.full(excess.size, s_node), deficit])
        to = np.concatenate([head[fw], tail[bw], excess, np.full(deficit.size, t_node)])
        room = np.concatenate([cap[fw] - x[fw], x[bw], bal[excess], -bal[deficit]])
        if room.max(initial=0) >= 2**31:
            raise MatchingError("capacities too large for the flow solver")
        net = sp.csr_matrix(
            (room.astype(np.int32), (fr, to)), shape=(nodes + 2, nodes + 2)
        )
        flow = maximum_flow(net, s_node, t_node, method="dinic").flow
        delta = np.asarray(flow[tail[a], head[a]]).ravel().astype(np.int64)
        moved = delta != 0
        if not moved.any():
            raise MatchingError("the assignment flow made no progress")
        a, delta = a[moved], delta[moved]
        x[a] += delta
        np.subtract.at(bal, tail[a], delta)
        np.add.at(bal, head[a], delta)
        refresh(a)
    return x[:k] > 0, phases
