"""Certificates for pairs that were never scored into the solved graph.

Optimality is proven with duals: mentor prices ``w`` and mentee values ``pi`` bound
every assignment of the *full* problem (all pairs, pruned or not); a pair left out of
the solved graph can only improve the result if its reduced profit is positive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .errors import MatchingError

if TYPE_CHECKING:
    from .scoring import Candidates
    from .solver import AssignmentResult


def _plain(wm: dict) -> bool:
    """Whether benefits are the integer scores (no priority weights, no rescaling)."""
    return wm["prio"] is None and wm["step"] == 1.0 and wm["offset"] == 0.0


def _benefit(wm: dict, rows: np.ndarray, weights: np.ndarray, up: bool = False):
    """Integer benefits (cardinality constant and tie factor included) of weights.

    ``rows`` are the mentees of ``weights`` (same shape, or a column for a 2-D
    block). ``up`` rounds up instead of to nearest: for upper bounds.
    """
    if _plain(wm):
        q = weights.astype(np.int64)  # integer scores: no rounding needed
    else:
        eff = weights.astype(np.float64)
        if wm["prio"] is not None:
            eff *= wm["prio"][rows]
        eff = (eff - wm["offset"]) / wm["step"]
        q = (np.ceil(eff) if up else np.rint(eff)).astype(np.int64)
    q += wm["penalty"]  # in place: blocks of bounds are large
    q *= wm["tie"]
    return q


def reduced_profit(
    result: AssignmentResult, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Benefit − mentor price − mentee value of pairs (> 0: the pair could help)."""
    wm = result._warm
    ben = _benefit(wm, rows, weights)
    return ben - wm["price"][cols] - wm["row_value"][rows]


# pairs per slice of :func:`profit_above`: its temporaries stay small enough to be
# reused from the heap instead of being mapped (and page-faulted) afresh each time
_SLICE = 1 << 15


def profit_above(
    result: AssignmentResult,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    above: int = 0,
) -> np.ndarray:
    """Mask of the pairs whose reduced profit exceeds ``above``, a slice at a time
    (for millions of candidates: one int64 array of them costs more in fresh
    memory than in arithmetic)."""
    out = np.empty(rows.size, bool)
    for a in range(0, rows.size, _SLICE):
        s = slice(a, a + _SLICE)
        np.greater(
            reduced_profit(result, rows[s], cols[s], weights[s]), above, out=out[s]
        )
    return out


def left_out_violations(
    result: AssignmentResult,
    rows: np.ndarray,
    weights: np.ndarray,
    threshold: int,
    cols: np.ndarray | None = None,
    slack: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row positions, mentors, reduced profits) of pairs above ``-slack`` in a block.

    ``weights[a, b]`` is the integer score of pair (``rows[a]``, ``cols[b]``; all
    mentors by default), -1 where not allowed; pairs below ``threshold`` do not
    count. Pairs of the solved graph never show a positive profit (the duals prove
    it), so those with one are left-out pairs that could improve the result; none at
    all, over every block, makes the result optimal for the full problem. With
    ``slack`` the pairs that nearly pay come too (a re-solve may need them). A
    float32 screen runs first where the numbers allow it (it may over-report, never
    under-report); what it finds is confirmed in exact int64.
    """
    wm = result._warm
    if wm is None:
        raise MatchingError("result carries no prices (empty problem)")
    cols = np.arange(weights.shape[1]) if cols is None else cols
    plain = _plain(wm)
    if plain:
        # (q + P)·T − p_j − v_i > −slack implies q > ⌊p_j / T⌋ + ⌊(v_i − P·T − slack)
        # / T⌋, exact in float32: column terms are clipped down to 2^22 (that only
        # adds false alarms), row terms to ±2^23, beyond which the sign decides
        # (q − column term lies within ±(2^22 + SCORE_SCALE)). ">=" with a tie
        # factor: a left-out pair could carry the +1 of a previous proposal.
        tie = int(wm["tie"])
        lim = 2**22
        col = np.clip(wm["price"][cols] // tie, -lim, lim).astype(np.float32)
        row = (wm["row_value"][rows] - wm["penalty"] * tie - slack) // tie
        row = np.clip(row, -2 * lim, 2 * lim).astype(np.float32)
        lhs = np.subtract(weights, col[None, :], dtype=np.float32)
        hit = lhs >= row[:, None] if tie > 1 else lhs > row[:, None]
        r, c = np.nonzero(hit)
    else:
        r, c = np.nonzero(weights >= 0)
    w = weights[r, c]
    ok = (w >= max(threshold, 0)) & (wm["row_cap"][rows[r]] > 0)
    ok &= wm["col_cap"][cols[c]] > 0
    r, c, w = r[ok], c[ok], w[ok]
    rp = reduced_profit(result, rows[r], cols[c], w)
    ok = rp > -slack
    return r[ok], cols[c[ok]], rp[ok]


def flagged_groups(
    result: AssignmentResult, cands: Candidates, threshold: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mentees, groupings, groups) whose left-out pairs might pay.

    A left-out pair (i, j) with j in group g scores at most ``group_max[i, g]`` and j
    costs at least the cheapest live mentor of g: where that bound is <= 0, no pair
    of mentee i and group g can improve the result, so only the flagged (mentee,
    group) pairs need exact scores. Pairs scoring below ``threshold`` do not count.
    """
    wm = result._warm
    z = np.zeros(0, np.int64)
    out_r, out_gi, out_g = [z], [z], [z]
    live = wm["col_cap"] > 0
    if not live.any() or cands.group_max.shape[1] == 0:
        return z, z, z
    price = wm["price"]
    big = np.iinfo(np.int64).max // 4
    for gi in np.unique(cands.row_grouping):
        grp = cands.groupings[gi]
        min_price = np.full(cands.group_max.shape[1], big, np.int64)
        np.minimum.at(min_price, grp[live], price[live])
        rows_all = np.flatnonzero((cands.row_grouping == gi) & (wm["row_cap"] > 0))
        screen = _plain(wm) and min_price.min(initial=0) >= 0
        if screen:
            # (q + P)·T + 1 − v_i − p_g > 0 implies q > ⌊(v_i − 1 − P·T) / T⌋ +
            # ⌊p_g / T⌋: an int32 screen (terms clipped where the sign is already
            # decided: q is at most SCORE_SCALE) over the whole block, and the
            # exact check only where it fires
            tie, lim = int(wm["tie"]), 2**22
            col = np.minimum(min_price // tie, lim).astype(np.int32)
            row_term = (wm["row_value"] - 1 - wm["penalty"] * tie) // tie
            row_term = np.clip(row_term, -2 * lim, 2 * lim).astype(np.int32)
        for a in range(0, rows_all.size, 16_384):
            rows = rows_all[a : a + 16_384]
            gm = cands.group_max[rows]
            if screen:
                hit = np.subtract(gm, col[None, :], dtype=np.int32)
                r, g = np.nonzero(hit > row_term[rows][:, None])
                ok = _bound_pays(wm, rows[r], gm[r, g], min_price[g], threshold)
                r, g = r[ok], g[ok]
            else:
                r, g = np.nonzero(
                    _bound_pays(wm, rows[:, None], gm, min_price[None, :], threshold)
                )
            out_r.append(rows[r])
            out_gi.append(np.full(r.size, gi, np.int64))
            out_g.append(g)
    return np.concatenate(out_r), np.concatenate(out_gi), np.concatenate(out_g)


def _bound_pays(wm: dict, rows, bound, min_price, threshold: int) -> np.ndarray:
    """Where a (mentee, group) bound might pay: exact, in int64 (arguments
    broadcast: pairs, or a block of mentees × groups)."""
    # +1: a left-out previous pair may carry the stickiness tie-break
    rp = _benefit(wm, rows, bound, up=True)
    rp += 1 - wm["row_value"][rows]
    rp -= min_price  # big where a group has no live mentor
    return (rp > 0) & (bound >= max(threshold, 0))
