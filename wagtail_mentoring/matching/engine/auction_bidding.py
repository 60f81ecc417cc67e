"""Bidding steps of the auction: forward (mentees bid), reverse (free seats pull).

Split from :mod:`.auction`, which holds the state, the ε-scaling loop and the duals.
"""

from __future__ import annotations

import numpy as np

from .auction_state import (
    _NEG,
    _POS,
    _SEQUENTIAL_BELOW,
    _ranges,
    _seg_starts,
    _State,
)


def _best_two(
    st: _State, rows: np.ndarray, eps: int, bigstep: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best arc, its value and the bid increment for each of ``rows``."""
    starts = st.indptr[rows]
    lens = st.indptr[rows + 1] - starts
    idx = _ranges(starts, lens)
    o = st.obj[idx]
    v = st.ben[idx] - st.pmin[o]
    v[st.arc_held[idx] >= st.arc_cap[idx]] = _NEG
    seg = _seg_starts(lens)
    v1 = np.maximum.reduceat(v, seg)
    pos = np.arange(idx.size, dtype=np.int64)
    # lowest position among the maxima: a deterministic tie-break by mentor index
    first = np.minimum.reduceat(np.where(v == np.repeat(v1, lens), pos, idx.size), seg)
    v[first] = _NEG
    v2 = np.maximum.reduceat(v, seg)
    e1 = idx[first]
    o1 = st.obj[e1]
    # the same mentor's second-cheapest seat is an alternative as well
    alt = np.where(o1 < st.m, st.ben[e1] - st.p2[o1], _NEG)
    v2 = np.maximum(np.maximum(v2, alt), v1 - bigstep)
    return e1, v1, v1 - v2 + eps


def _forward(st: _State, eps: int, bigstep: int, max_rounds: int) -> int:
    """Bidding until every unit is placed; returns the number of rounds/bids.

    Jacobi rounds (all unassigned units at once) while many units bid; the long tail
    of short eviction chains is cheaper one bid at a time in plain Python, where a
    bid costs microseconds instead of a round of array operations.
    """
    rounds = 0
    while True:
        free = np.flatnonzero(st.unit_arc < 0)
        if free.size == 0:
            return rounds
        if free.size <= _SEQUENTIAL_BELOW:
            return rounds + _forward_sequential(st, free, eps, bigstep, max_rounds)
        rounds += 1
        if rounds > max_rounds:
            raise RuntimeError("auction did not converge")
        frow = st.unit_row[free]
        keep = np.ones(free.size, bool)
        keep[1:] = frow[1:] != frow[:-1]
        bidders, rows = free[keep], frow[keep]
        e1, _v1, inc = _best_two(st, rows, eps, bigstep)
        o1 = st.obj[e1]
        to_d = o1 == st.d
        if to_d.any():
            u = bidders[to_d]
            st.assign(
                u, np.full(u.size, -1, np.int64), e1[to_d], np.zeros(u.size, np.int64)
            )
        seat = ~to_d
        if seat.any():
            o = o1[seat]
            _resolve_bids(st, bidders[seat], e1[seat], o, st.pmin[o] + inc[seat])


def _forward_sequential(
    st: _State, free: np.ndarray, eps: int, bigstep: int, max_bids: int
) -> int:
    """Gauss–Seidel bidding on Python lists (same rules as the Jacobi rounds)."""
    indptr = st.indptr.tolist()
    obj = st.obj_list
    ben = st.ben_list
    arc_cap = st.arc_cap_list
    held = st.arc_held.tolist()
    unit_row = st.unit_row_list
    unit_arc = st.unit_arc.tolist()
    unit_slot = st.unit_slot.tolist()
    unit_price = st.unit_price.tolist()
    slot_price = st.slot_price.tolist()
    slot_unit = st.slot_unit.tolist()
    obj_start = st.obj_start.tolist()
    pmin = st.pmin.tolist()
    p2 = st.p2.tolist()
    d = st.d
    neg, pos = int(_NEG), int(_POS)
    scale = st.scale
    base = st.base_ben
    live = st.arc_cap
    row_cap = st.row_cap
    cache = st.row_lists
    look: dict[int, tuple] = {}
    touched: set[int] = set()
    queue = list(reversed(free.tolist()))
    # one unit per row at a time keeps the rules of multi-slot rows intact
    bids = 0
    while queue:
        u = queue.pop()
        bids += 1
        if bids > max_bids:
            raise RuntimeError("auction did not converge")
        r = unit_row[u]
        if row_cap[r] == 1:
            # single-slot rows never hold one of their own arcs while bidding, so
            # only dead arcs need skipping: cache each row's live arcs as lists
            lists = cache.get(r)
            if lists is None:
                a0, a1 = indptr[r], indptr[r + 1]
                ok = live[a0:a1] > 0
                arcs_r = (np.flatnonzero(ok) + a0).tolist()
                lists = (arcs_r, st.obj[arcs_r].tolist(), base[arcs_r].tolist())
                cache[r] = lists
            arcs_r, objs_r, bens_r = lists
            # Prices only rise during forward bidding, so values only fall: the
            # best few arcs of the last scan, re-valued, are exact as long as they
            # still beat the bound left by the rest (Bertsekas' "look-back").
            top = look.get(r)
            if top is not None:
                t_arcs, t_objs, t_bens, bound = top
                tv = [b * scale - pmin[o] for o, b in zip(t_objs, t_bens, strict=True)]
                if tv[0] >= tv[1]:
                    k1, k2 = 0, 1
                else:
                    k1, k2 = 1, 0
                for k in range(2, len(tv)):
                    if tv[k] > tv[k1]:
                        k1, k2 = k, k1
                    elif tv[k] > tv[k2]:
                        k2 = k
                if tv[k2] >= bound:
                    best, second, e1 = tv[k1], tv[k2], t_arcs[k1]
                    top = True
                else:
                    top = None
            if top is None:
                vals = [
                    b * scale - pmin[o] for o, b in zip(objs_r, bens_r, strict=True)
                ]
                if len(vals) > 4:
                    order = sorted(range(len(vals)), key=vals.__getitem__, reverse=True)
                    keep = order[:3]
                    look[r] = (
                        [arcs_r[k] for k in keep],
                        [objs_r[k] for k in keep],
                        [bens_r[k] for k in keep],
                        vals[order[3]],
                    )
                    best, second, e1 = vals[order[0]], vals[order[1]], arcs_r[order[0]]
                else:
                    best = max(vals)
                    i1 = vals.index(best)
                    vals[i1] = neg
                    second = max(vals) if len(vals) > 1 else neg
                    e1 = arcs_r[i1]
        else:
            best = second = neg
            e1 = -1
            for e in range(indptr[r], indptr[r + 1]):
                if held[e] >= arc_cap[e]:
                    continue
                v = ben[e] - pmin[obj[e]]
                if v > best:
                    second = best
                    best = v
                    e1 = e
                elif v > second:
                    second = v
        o1 = obj[e1]
        if o1 == d:
            unit_arc[u] = e1
            unit_slot[u] = -1
            unit_price[u] = 0
            held[e1] += 1
            continue
        alt = ben[e1] - p2[o1]
        if alt > second:
            second = alt
        if best - bigstep > second:
            second = best - bigstep
        bid = pmin[o1] + best - second + eps
        a, b = obj_start[o1], obj_start[o1 + 1]
        # cheapest seat, free seats first on equal price
        s_best = a
        p_best = slot_price[a]
        for s in range(a + 1, b):
            p = slot_price[s]
            if p < p_best or (p == p_best and slot_unit[s_best] >= 0 > slot_unit[s]):
                p_best = p
                s_best = s
        ev = slot_unit[s_best]
        if ev >= 0:
            held[unit_arc[ev]] -= 1
            unit_arc[ev] = -1
            unit_slot[ev] = -1
            unit_price[ev] = 0
            queue.append(ev)
        slot_unit[s_best] = u
        slot_price[s_best] = bid
        unit_arc[u] = e1
        unit_slot[u] = s_best
        unit_price[u] = bid
        held[e1] += 1
        lo = lo2 = pos
        for s in range(a, b):
            p = slot_price[s]
            if p < lo:
                lo2 = lo
                lo = p
            elif p < lo2:
                lo2 = p
        pmin[o1] = lo
        p2[o1] = lo2
        touched.add(o1)
    st.arc_held[:] = held
    st.unit_arc[:] = unit_arc
    st.unit_slot[:] = unit_slot
    st.unit_price[:] = unit_price
    st.slot_price[:] = slot_price
    st.slot_unit[:] = slot_unit
    st.pmin[:] = pmin
    st.p2[:] = p2
    return bids


def _resolve_bids(
    st: _State, units: np.ndarray, arcs: np.ndarray, objs: np.ndarray, bids: np.ndarray
) -> None:
    """Each mentor keeps its highest prices; outbid holders become unassigned."""
    order = np.lexsort((units, -bids, objs))
    units, arcs, objs, bids = units[order], arcs[order], objs[order], bids[order]
    touched, bstart, bcount = np.unique(objs, return_index=True, return_counts=True)
    brank = np.arange(objs.size) - np.repeat(bstart, bcount)
    # the rank-r bid competes with the rank-r cheapest seat (free seats first on equal
    # price, so that ties never evict a holder)
    slot_for_bid = np.full(objs.size, -1, np.int64)
    small = ~st.is_large[touched]
    if small.any():
        tobj = touched[small]
        caps = st.obj_cap[tobj]
        sidx = _ranges(st.obj_start[tobj], caps)
        occupied = st.slot_unit[sidx] >= 0
        sidx = sidx[
            np.lexsort((sidx, occupied, st.slot_price[sidx], st.slot_obj[sidx]))
        ]
        pos_of_obj = np.zeros(st.m + 1, np.int64)
        pos_of_obj[tobj] = _seg_starts(caps)
        ok = ~st.is_large[objs] & (brank < st.obj_cap[objs])
        slot_for_bid[ok] = sidx[pos_of_obj[objs[ok]] + brank[ok]]
    for o in touched[~small]:
        sel = np.flatnonzero(objs == o)
        s, e = st.obj_start[o], st.obj_start[o + 1]
        cap = int(e - s)
        kk = min(sel.size, cap)
        pr = st.slot_price[s:e]
        if kk < cap:
            thr = pr[np.argpartition(pr, kk - 1)[:kk]].max()
            cand = np.flatnonzero(pr <= thr)
        else:
            cand = np.arange(cap)
        occ = st.slot_unit[s + cand] >= 0
        cand = cand[np.lexsort((cand, occ, pr[cand]))][:kk]
        slot_for_bid[sel[:kk]] = s + cand
    win = slot_for_bid >= 0
    win[win] = bids[win] > st.slot_price[slot_for_bid[win]]
    wslots = slot_for_bid[win]
    evicted = st.slot_unit[wslots]
    st.unassign(evicted[evicted >= 0])
    st.assign(units[win], wslots, arcs[win], bids[win])
    st.refresh_prices(touched)


def _reverse(st: _State, eps: int, max_rounds: int) -> int:
    """Lower the price of free seats to 0, pulling mentees over where it pays.

    A mentor with a free seat at a positive price overstates the dual bound. Its
    cheapest free seat either drops to ``max(0, β1 - ε)`` (nobody gains more than ε
    from it) or is taken by the mentee that gains most, at ``max(0, β2 - ε)``; that
    mentee's old seat may become the next free one.
    """
    rounds = 0
    while True:
        load = np.bincount(st.slot_obj[st.slot_unit >= 0], minlength=st.m).astype(
            np.int64
        )
        js = np.flatnonzero((load < st.col_cap) & (st.pmin[: st.m] > 0))
        if js.size == 0:
            return rounds
        rounds += 1
        if rounds > max_rounds:
            raise RuntimeError("reverse auction did not converge")
        # cheapest free seat of each such mentor
        caps = st.obj_cap[js]
        sidx = _ranges(st.obj_start[js], caps)
        pr = np.where(st.slot_unit[sidx] < 0, st.slot_price[sidx], _POS)
        seg = _seg_starts(caps)
        mn = np.minimum.reduceat(pr, seg)
        pos = np.arange(sidx.size)
        fslot = sidx[
            np.minimum.reduceat(
                np.where(pr == np.repeat(mn, caps), pos, sidx.size), seg
            )
        ]
        # β_e = ben_e - value of the row's weakest unit, over arcs into each mentor
        starts = st.col_ptr[js]
        lens = st.col_ptr[js + 1] - starts
        aidx = st.col_arcs[_ranges(starts, lens)]
        rows = st.arc_row[aidx]
        weakest = _row_weakest(st, rows)
        # a holder overpaying its own mentor could switch to that mentor's cheapest
        # seat, so measure it by what it could get there
        own = st.unit_arc[weakest]
        eff = np.maximum(st.unit_value(weakest), st.ben[own] - st.pmin[st.obj[own]])
        beta = st.ben[aidx] - eff
        beta[st.arc_held[aidx] >= st.arc_cap[aidx]] = _NEG
        has = lens > 0
        b1 = np.full(js.size, _NEG, np.int64)
        b2 = np.full(js.size, _NEG, np.int64)
        e1 = np.full(js.size, -1, np.int64)
        if has.any():
            hl = lens[has]
            hseg = _seg_starts(hl)
            hb1 = np.maximum.reduceat(beta, hseg)
            apos = np.arange(aidx.size)
            first = np.minimum.reduceat(
                np.where(beta == np.repeat(hb1, hl), apos, aidx.size), hseg
            )
            bb = beta.copy()
            bb[first] = _NEG
            b1[has] = hb1
            b2[has] = np.maximum.reduceat(bb, hseg)
            e1[has] = aidx[first]
        lower = b1 <= eps
        # nobody gains more than ε from these seats: the price can go down
        st.slot_price[fslot[lower]] = np.maximum(b1[lower] - eps, 0)
        move = ~lower
        if move.any():
            mj, mslot, me = js[move], fslot[move], e1[move]
            newp = np.maximum(b2[move] - eps, 0)
            mrow = st.arc_row[me]
            gain = st.ben[me] - newp
            # a row pulled by several mentors goes to the best offer only
            order = np.lexsort((mj, -gain, mrow))
            keep = np.ones(order.size, bool)
            keep[1:] = mrow[order][1:] != mrow[order][:-1]
            sel = order[keep]
            units = _row_weakest(st, mrow[sel])
            old = st.unit_slot[units]
            # a row leaving a mentor that also changes its prices this round could
            # end up preferring that mentor's new price: defer such pulls
            src = np.where(old >= 0, st.slot_obj[np.maximum(old, 0)], -1)
            free_src = ~np.isin(src, js)
            if not free_src.any() and not lower.any():
                free_src[0] = True
            sel, units, old = sel[free_src], units[free_src], old[free_src]
            st.unassign(units)
            st.assign(units, mslot[sel], me[sel], newp[sel])
            st.refresh_prices(
                np.unique(np.concatenate([mj, st.slot_obj[old[old >= 0]]]))
            )
        st.refresh_prices(js[lower])


def _row_weakest(st: _State, rows: np.ndarray) -> np.ndarray:
    """The assigned unit with the lowest value in each row (rows may repeat)."""
    first = st.unit_first[rows]
    multi = st.row_cap[rows] > 1
    if not multi.any():
        return first
    out = first.copy()
    ur = np.unique(rows[multi])
    caps = st.row_cap[ur]
    units = _ranges(st.unit_first[ur], caps)
    vals = st.unit_value(units)
    seg = _seg_starts(caps)
    mn = np.minimum.reduceat(vals, seg)
    pos = np.arange(units.size)
    pick = units[
        np.minimum.reduceat(np.where(vals == np.repeat(mn, caps), pos, units.size), seg)
    ]
    lut = dict(zip(ur.tolist(), pick.tolist(), strict=True))
    out[multi] = [lut[r] for r in rows[multi].tolist()]
    return out


def _violators(st: _State, eps: int, bigstep: int) -> np.ndarray:
    """Assigned units whose seat is more than ε worse than their best alternative."""
    held = np.flatnonzero(st.unit_arc >= 0)
    if held.size == 0:
        return held
    rows = st.unit_row[held]
    urows, inv = np.unique(rows, return_inverse=True)
    saved = st.arc_held.copy()
    # a unit may always keep its own arc; for rows holding several arcs this check is
    # pessimistic (a sibling's arc counts as an alternative), which is merely safe
    np.subtract.at(st.arc_held, st.unit_arc[held], 1)
    _e1, v1, _inc = _best_two(st, urows, eps, bigstep)
    st.arc_held[:] = saved
    return held[st.unit_value(held) < v1[inv] - eps]
