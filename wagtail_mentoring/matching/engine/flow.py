"""Exact min-cost flow for the capacitated assignment that repairs an earlier answer.

The assignment is a flow: each mentee ``i`` sends ``row_cap[i]`` units, one per pair
arc ``i → j`` (cost ``-ben``) or through its "unmatched" arc ``i → t`` (cost 0);
each mentor forwards at most ``col_cap[j]`` units to the sink ``t``. ``ben`` carries
the cardinality constant, so the cheapest flow matches the most slots first.

The state is a flow and node potentials ``π`` with every residual arc's reduced cost
``cost + π(tail) − π(head) >= 0`` (that makes a balanced flow optimal). It starts
from mentor prices (an earlier answer's duals, or a short auction's): every mentee
unmatched, valued at its best arc, and the arcs that then break the condition
saturated, which leaves units to move. Phases of primal-dual successive shortest
paths move them: one Dijkstra (scipy, from the side with fewer unbalanced nodes)
gives distances that, added to the potentials, keep every reduced cost
non-negative and make a shortest path from every reached unbalanced node tight, and
one maximum flow (scipy) over the tight arcs moves as many units as they carry. At
an earlier answer's prices the first phase puts most mentees back on their tight
arcs; a repair after a few admin edits takes about ten phases, a solve from
auction prices about 20 at 10,000 mentees and about 60 at 100,000.

Costs are integers below 2⁵² (the caller checks), so the float64 distances of
scipy's Dijkstra are exact.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra, maximum_flow

from .arrays import pair_keys
from .errors import MatchingError

EXACT_LIMIT = 2**50  # largest |benefit| whose path sums stay exact in float64
# the auction that prices a solve from nothing stops when this share of mentees is
# left without a mentor, or after this many rounds: its last rounds move few bids
_AUCTION_LEFT = 0.002
_AUCTION_ROUNDS = 1000
# with at most this many units out of place, each is moved by its own search
_LOCAL_UNITS = 16


def min_cost_assignment(
    rows: np.ndarray,
    cols: np.ndarray,
    ben: np.ndarray,
    n: int,
    m: int,
    row_cap: np.ndarray,
    col_cap: np.ndarray,
    price: np.ndarray | None = None,
    used: np.ndarray | None = None,
    stats: dict | None = None,
) -> tuple[np.ndarray, int]:
    """(Mask of the arcs used, phases): most slots first, then most ``ben``.

    Arcs are in CSR order (sorted by mentee). ``ben`` are positive integers that
    already rank cardinality first (see :mod:`.solver`). ``price`` (per mentor, in
    the same units) is where to start: an earlier answer's dual prices repair it
    in a few phases (the mentees of its pairs are at their best, tight, arcs). Any
    prices are correct, poor ones only cost phases; without them a short auction
    finds some. ``used`` (a mask of arcs, e.g. an earlier answer's pairs that are
    still arcs) is a starting flow: only the units it leaves out of place at these
    prices move, so a repair after k edits moves about k units. Any mask is
    correct. ``stats`` (a dict) receives the units out of place at the start, the
    global phases, the single searches, the paths they found and the final prices
    (the potentials: optimal duals).
    """
    net = _Network(rows, cols, ben, n, m, row_cap, col_cap)
    if price is None and int(row_cap.max(initial=0)) <= 1:
        price = auction_prices(rows, cols, ben, n, m, col_cap)
    net.start(price, used)
    out_of_place = int(net.bal[net.bal > 0].sum())
    phases = 0
    # global phases while they move many units (thousands at once at first); when
    # few are left and a phase moves only one or two, each goes by its own search
    moved = None
    while True:
        units = int(net.bal[net.bal > 0].sum())
        if units == 0:
            break
        if units <= _LOCAL_UNITS and moved is not None and moved <= 2:
            net.settle()
            break
        net.phase()
        phases += 1
        moved = units - int(net.bal[net.bal > 0].sum())
    if stats is not None:
        stats.update(
            units=out_of_place,
            phases=phases,
            paths=net.paths,
            searches=net.searches,
            # the mentor prices the potentials prove the answer optimal with
            price=net.pi[net.t] - net.pi[n : n + m],
        )
    return net.x[: rows.size] > 0, phases + net.searches


class _Network:
    """The residual graph in CSR form, rebuilt from the arcs with room for every
    search.

    Each node's row lists every arc at that node (the residual graph has the same
    pattern as its transpose): mentee i its pair arcs then its unmatched arc; mentor
    j its pair arcs (by mentee) then its seat arc; the sink all unmatched arcs then
    all seat arcs. ``at_tail[a]``/``at_head[a]`` are where arc ``a`` sits in the row
    of its tail/head: searching from the excess, arc a's reduced cost goes at
    ``at_tail`` and its reverse's at ``at_head``; searching towards the deficit,
    the other way round. Through the sink every mentor is a price away, so a search
    reaches nearly everything: there is nothing local to gain, and whole-array
    steps are the fastest.
    """

    def __init__(self, rows, cols, ben, n, m, row_cap, col_cap):
        k = rows.size
        self.n, self.m, self.k = n, m, k
        t = self.t = n + m
        nodes = self.nodes = n + m + 1
        self.tail = np.concatenate([rows, np.arange(n), n + np.arange(m)])
        self.head = np.concatenate([n + cols, np.full(n, t), np.full(m, t)])
        self.cap = np.concatenate([np.ones(k, np.int64), row_cap, col_cap])
        self.cap = self.cap.astype(np.int64)
        self.cost = np.concatenate([-ben.astype(np.int64), np.zeros(n + m, np.int64)])
        self.supply = np.zeros(nodes, np.int64)
        self.supply[:n] = row_cap
        self.supply[t] = -int(row_cap.sum())
        rdeg = np.bincount(rows, minlength=n)
        cdeg = np.bincount(cols, minlength=m)
        ptr = np.zeros(nodes + 1, np.int64)
        np.cumsum(np.concatenate([rdeg + 1, cdeg + 1, [n + m]]), out=ptr[1:])
        by_col = np.argsort(cols, kind="stable")
        colrank = np.empty(k, np.int64)
        colrank[by_col] = np.arange(k) - np.repeat(np.cumsum(cdeg) - cdeg, cdeg)
        first_arc = np.cumsum(rdeg) - rdeg
        at_tail = np.concatenate(
            [
                ptr[rows] + np.arange(k) - first_arc[rows],
                ptr[:n] + rdeg,
                ptr[n:t] + cdeg,
            ]
        )
        at_head = np.concatenate(
            [ptr[n + cols] + colrank, ptr[t] + np.arange(n), ptr[t] + n + np.arange(m)]
        )
        arcs = self.tail.size
        idx = np.empty(2 * arcs, np.int32)
        idx[at_tail] = self.head
        idx[at_head] = self.tail
        # position -> entry (a: arc a forwards, arcs + a: backwards), per direction
        self.entry = []
        for fwd_at, bwd_at in ((at_tail, at_head), (at_head, at_tail)):
            e = np.empty(2 * arcs, np.int64)
            e[fwd_at] = np.arange(arcs)
            e[bwd_at] = arcs + np.arange(arcs)
            self.entry.append(e)
        self.idx = idx
        self.ptr = ptr
        self.at_tail, self.at_head = at_tail, at_head
        self.searches = self.paths = 0  # Dijkstra runs, and paths they found
        self.pi = np.zeros(nodes, np.int64)
        self.x = np.zeros(arcs, np.int64)

    def start(self, price, used=None) -> None:
        n, m, k, t = self.n, self.m, self.k, self.t
        rows, cols, cap, x = self.tail[:k], self.head[:k] - n, self.cap, self.x
        p = np.zeros(m, np.int64) if price is None else np.asarray(price, np.int64)
        self.pi[n:t] = -p
        if used is None:
            # at these prices each mentee's best arcs are tight; all start unmatched
            best = np.zeros(n, np.int64)
            np.maximum.at(best, rows, -self.cost[:k] - p[cols])
            self.pi[:n] = best
            x[k : k + n] = cap[k : k + n]
        else:
            self._keep(used, p)
        # saturate every arc whose reduced cost is negative, empty every positive one
        rc = self.cost + self.pi[self.tail] - self.pi[self.head]
        x[:] = np.where(rc < 0, cap, np.where(rc > 0, 0, x))
        tail, head, nodes = self.tail, self.head, self.nodes
        out = np.bincount(tail, weights=x, minlength=nodes).astype(np.int64)
        self.bal = self.supply - out
        self.bal += np.bincount(head, weights=x, minlength=nodes).astype(np.int64)

    def _keep(self, used, p) -> None:
        """Start from an earlier answer's pairs: each mentee valued at the lowest
        value its pairs allow, so only the pairs an edit made wrong are undone."""
        n, m, k = self.n, self.m, self.k
        rows, cols, cap, x = self.tail[:k], self.head[:k] - n, self.cap, self.x
        x[:k] = used
        got = np.bincount(rows[used], minlength=n)
        free = np.maximum(cap[k : k + n] - got, 0)
        x[k : k + n] = free
        inflow = np.bincount(cols[used], minlength=m)
        x[k + n :] = np.minimum(inflow, cap[k + n :])
        slack = -self.cost[:k] - p[cols]
        low = np.full(n, np.iinfo(np.int64).min)
        np.maximum.at(low, rows[~used], slack[~used])
        # a mentee with a pair may also stay unmatched: its value is at least 0
        low[got > 0] = np.maximum(low[got > 0], 0)
        high = np.where(free > 0, 0, np.iinfo(np.int64).max)
        np.minimum.at(high, rows[used], slack[used])
        unset = low == np.iinfo(np.int64).min
        low[unset] = np.where(high[unset] < np.iinfo(np.int64).max, high[unset], 0)
        self.pi[:n] = low

    def _weights(self, arcs: np.ndarray) -> None:
        """Search weights of ``arcs`` (both directions) from the potentials: the
        reduced cost where the arc has room that way, no edge (inf) where not."""
        rc = self.cost[arcs] + self.pi[self.tail[arcs]] - self.pi[self.head[arcs]]
        rc = rc.astype(np.float64)
        x, cap = self.x[arcs], self.cap[arcs]
        self.w[self.at_tail[arcs]] = np.where(x < cap, rc, np.inf)
        self.w[self.at_head[arcs]] = np.where(x > 0, -rc, np.inf)

    def settle(self) -> None:
        """Move the units still out of place one shortest path each.

        Each search starts at one excess and stops at the nearest deficit: scipy's
        Dijkstra with a distance limit settles only the nodes closer than that, so
        an edit's repair stays near the people it moved, and only those nodes'
        potentials and arcs change. The limit starts at twice the last path's length
        and grows fourfold until a deficit is in reach.
        """
        bal = self.bal
        if not (bal > 0).any():
            return
        arcs = self.x.size
        self.w = np.empty(2 * arcs, np.float64)
        self._weights(np.arange(arcs))
        g = sp.csr_matrix(
            (self.w, self.idx, self.ptr.astype(np.int32)),
            shape=(self.nodes, self.nodes),
        )
        self.w = g.data  # the matrix's own array: edits below reach the search
        entry = self.entry[0]
        span = float(-self.cost[: self.k].min(initial=-1))
        limit = np.inf  # the first search has no earlier path to go by
        while True:
            excess = np.flatnonzero(bal > 0)
            if excess.size == 0:
                return
            s = int(excess[0])
            while True:
                self.searches += 1
                d, pred = dijkstra(g, indices=s, limit=limit, return_predecessors=True)
                goals = np.flatnonzero((bal < 0) & np.isfinite(d))
                if goals.size:
                    break
                if limit == np.inf:
                    raise MatchingError(
                        "the assignment flow has units with nowhere to go"
                    )
                limit = limit * 4 if limit < span * 4 else np.inf
            self.paths += 1
            goal = int(goals[np.argmin(d[goals])])
            top = float(d[goal])
            # the next unit's path is likely about as long (a short one, e.g. a
            # mentee's next best mentor, should not make the next search start
            # far too small)
            limit = max(1.0, 2 * top, limit / 4 if limit < np.inf else 0.0)
            near = np.flatnonzero(d < top)
            self.pi[near] += np.rint(d[near] - top).astype(np.int64)
            pa, pf = self._path(pred, s, goal)
            room = np.where(pf, self.cap[pa] - self.x[pa], self.x[pa])
            amount = int(min(bal[s], -bal[goal], room.min()))
            self.x[pa] += np.where(pf, amount, -amount)
            bal[s] -= amount
            bal[goal] += amount
            # weights that changed: of the arcs at the nodes whose potential moved
            # (each arc sits in the rows of both its ends: both are rewritten), and
            # along the path
            if near.size > self.nodes // 4:
                self._weights(np.arange(arcs))
                continue
            cnt = self.ptr[near + 1] - self.ptr[near]
            at = np.repeat(self.ptr[near] - np.cumsum(cnt) + cnt, cnt)
            at += np.arange(at.size)
            self._weights(np.concatenate([entry[at] % arcs, pa]))

    def _path(self, pred, s, goal):
        """(arcs, forwards?) of the search tree's path from ``s`` to ``goal``."""
        nodes = [goal]
        v = goal
        while v != s:
            v = int(pred[v])
            nodes.append(v)
        path = np.array(nodes[::-1], np.int64)
        u, v = path[:-1], path[1:]
        n, k, t = self.n, self.k, self.t
        # a step mentee → mentor uses a pair arc, mentor → mentee one backwards;
        # steps through the sink use a mentee's unmatched or a mentor's seat arc
        fwd = (u < n) | ((u < t) & (v == t))
        lo, hi = np.where(fwd, u, v), np.where(fwd, v, u)
        arc = np.empty(u.size, np.int64)
        pair = hi < t
        if pair.any():
            key = pair_keys(self.tail[:k], self.head[:k] - n, self.m)
            order = None if np.all(key[1:] > key[:-1]) else np.argsort(key)
            want = pair_keys(lo[pair], hi[pair] - n, self.m)
            at = np.searchsorted(key, want, sorter=order)
            arc[pair] = at if order is None else order[at]
        arc[~pair] = k + lo[~pair]  # unmatched arcs are k + i, seat arcs k + n + j
        return arc, fwd

    def phase(self) -> bool:
        """One primal-dual phase; False when every node is balanced."""
        bal, pi, x, cap = self.bal, self.pi, self.x, self.cap
        tail, head = self.tail, self.head
        excess = np.flatnonzero(bal > 0)
        if excess.size == 0:
            return False
        deficit = np.flatnonzero(bal < 0)
        # from the side with fewer nodes; at a tie (e.g. an edit's ten displaced
        # units and the ten seats they left) from the deficits: the units then
        # spread over several search trees instead of one excess taking them all
        forward = excess.size < deficit.size
        origin, goals = (excess, deficit) if forward else (deficit, excess)
        rc = self.cost + pi[tail] - pi[head]
        room_f, room_b = x < cap, x > 0
        # the search graph keeps only entries with room (about half of them)
        entry = self.entry[0 if forward else 1]
        live = np.concatenate([room_f, room_b])[entry]
        # an entry's reduced cost: the arc's forwards, its negation backwards
        rcf = rc.astype(np.float64)
        w = np.concatenate([rcf, -rcf])[entry[live]]
        ptr = np.zeros(self.nodes + 1, np.int32)
        np.cumsum(np.add.reduceat(live, self.ptr[:-1]), out=ptr[1:])
        g = sp.csr_matrix((w, self.idx[live], ptr), shape=(self.nodes, self.nodes))
        d = dijkstra(g, directed=True, indices=origin, min_only=True)
        ends = d[goals]
        ends = ends[np.isfinite(ends)]
        if ends.size == 0:
            raise MatchingError("the assignment flow has units with nowhere to go")
        top = ends.max()
        inside = d <= top
        # distances added to the potentials (less the cap, a shift that changes no
        # reduced cost): from the excess forwards, to the deficit backwards
        step = np.rint(np.minimum(d, top) - top).astype(np.int64)
        pi += step if forward else -step
        rc = self.cost + pi[tail] - pi[head]
        tight = (rc == 0) & inside[tail] & inside[head]
        fw = np.flatnonzero(tight & room_f)
        bw = np.flatnonzero(tight & room_b)
        s_node, t_node = self.nodes, self.nodes + 1
        fr = np.concatenate([tail[fw], head[bw], np.full(excess.size, s_node), deficit])
        to = np.concatenate([head[fw], tail[bw], excess, np.full(deficit.size, t_node)])
        room = np.concatenate([cap[fw] - x[fw], x[bw], bal[excess], -bal[deficit]])
        if room.max(initial=0) >= 2**31:
            raise MatchingError("capacities too large for the flow solver")
        g = sp.csr_matrix(
            (room.astype(np.int32), (fr, to)), shape=(self.nodes + 2, self.nodes + 2)
        )
        flow = maximum_flow(g, s_node, t_node, method="dinic").flow
        a = np.flatnonzero(tight & (room_f | room_b))
        delta = np.asarray(flow[tail[a], head[a]]).ravel().astype(np.int64)
        go = delta != 0
        if not go.any():
            raise MatchingError("the assignment flow made no progress")
        a, delta = a[go], delta[go]
        x[a] += delta
        np.subtract.at(bal, tail[a], delta)
        np.add.at(bal, head[a], delta)
        return True


def auction_prices(rows, cols, ben, n, m, col_cap) -> np.ndarray:
    """Mentor prices from a short auction (mentees wanting one mentor each).

    Every round, each mentee without a mentor bids for its best mentor at today's
    prices, raising that mentor's price by what it prefers it over its second best
    (plus a step of 1/64 of the benefit range, so that the auction moves). A mentor
    keeps its ``col_cap`` highest bids; its price is the lowest bid it keeps once
    full. Prices near the end of an auction are close to the optimal prices, so the
    flow phases that follow only fix what is left; exactness comes from them.

    The bids a mentor holds sit in its row of a (mentors × seats) table, so a round
    touches only the mentors bid for: the last of some 300 to 400 rounds have a few
    dozen bidders.
    """
    k = rows.size
    starts = np.searchsorted(rows, np.arange(n + 1))
    price = np.zeros(m, np.int64)
    if k == 0:
        return price
    col_cap = np.asarray(col_cap, np.int64)
    eps = max(1, (int(ben.max()) - int(ben.min())) // 64)
    never = 4 * int(ben.max()) + 4 * eps  # the price of a mentor with no seat
    seats = max(1, int(col_cap.max(initial=1)))
    seat_who = np.full((m, seats), -1, np.int64)
    seat_arc = np.zeros((m, seats), np.int64)
    seat_bid = np.zeros((m, seats), np.int64)
    free = np.flatnonzero(np.diff(starts) > 0)
    for _ in range(_AUCTION_ROUNDS):
        if free.size <= _AUCTION_LEFT * n:
            break
        cnt = starts[free + 1] - starts[free]
        seg_start = np.cumsum(cnt) - cnt
        idx = np.repeat(starts[free] - seg_start, cnt) + np.arange(int(cnt.sum()))
        seg = np.repeat(np.arange(free.size), cnt)
        v = ben[idx] - price[cols[idx]]
        w1 = np.maximum.reduceat(v, seg_start)
        best = np.flatnonzero(v == w1[seg])
        first = best[np.concatenate([[True], seg[best][1:] != seg[best][:-1]])]
        v[first] = -never
        # a mentee with one mentor compares it with staying unmatched (worth 0)
        w2 = np.maximum(np.maximum.reduceat(v, seg_start), 0)
        arc = idx[first]
        bid = price[cols[arc]] + (w1 - w2) + eps
        # each mentor bid for keeps its best bids among its holders and bidders
        hit = np.unique(cols[arc])
        held = seat_who[hit].ravel() >= 0
        who = np.concatenate([seat_who[hit].ravel()[held], free])
        what = np.concatenate([seat_arc[hit].ravel()[held], arc])
        amount = np.concatenate([seat_bid[hit].ravel()[held], bid])
        mentor = np.concatenate([np.repeat(hit, seats)[held], cols[arc]])
        order = _by_mentor_then_bid(mentor, amount, m)
        who, what, amount, mentor = (
            who[order],
            what[order],
            amount[order],
            mentor[order],
        )
        rank = np.arange(mentor.size) - np.searchsorted(mentor, mentor)
        keep = rank < col_cap[mentor]
        seat_who[hit] = -1
        seat_who[mentor[keep], rank[keep]] = who[keep]
        seat_arc[mentor[keep], rank[keep]] = what[keep]
        seat_bid[mentor[keep], rank[keep]] = amount[keep]
        # a full mentor's price is its lowest bid kept (sorted last)
        cap = col_cap[hit]
        full = np.bincount(mentor[keep], minlength=m)[hit] >= cap
        low = seat_bid[hit, np.maximum(cap - 1, 0)]
        price[hit] = np.where(cap == 0, never, np.where(full, low, 0))
        # the mentees without a mentor now: bidders refused and holders outbid
        free = np.sort(who[~keep])
    return price


def _by_mentor_then_bid(mentor, amount, m):
    """Stable order by mentor, highest amount first: one integer sort where the
    two keys fit in one int64, else a two-key ``lexsort``."""
    lo, hi = int(amount.min(initial=0)), int(amount.max(initial=0))
    span = hi - lo + 1
    if m * span < 2**62:
        return np.argsort(mentor * span + (hi - amount), kind="stable")
    return np.lexsort((-amount, mentor))
