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


def _benefit(wm: dict, rows: np.ndarray, weights: np.ndarray, up: bool = False):
    """Integer benefits (cardinality constant and tie factor included) of weights.

    ``rows`` are the mentees of ``weights`` (same shape, or a column for a 2-D
    block). ``up`` rounds up instead of to nearest: for upper bounds.
    """
    if wm["prio"] is None and wm["step"] == 1.0 and wm["offset"] == 0.0:
        q = weights.astype(np.int64)  # integer scores: no rounding needed
    else:
        eff = weights.astype(np.float64)
        if wm["prio"] is not None:
            eff *= wm["prio"][rows]
        eff = (eff - wm["offset"]) / wm["step"]
        q = (np.ceil(eff) if up else np.rint(eff)).astype(np.int64)
    return (q + wm["penalty"]) * wm["tie"]


def reduced_profit(
    result: AssignmentResult, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Benefit − mentor price − mentee value of pairs (> 0: the pair could help)."""
    wm = result._warm
    ben = _benefit(wm, rows, weights)
    return ben - wm["price"][cols] - wm["row_value"][rows]


def left_out_violations(
    result: AssignmentResult,
    rows: np.ndarray,
    weights: np.ndarray,
    threshold: int,
    cols: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(row positions, mentors) of pairs in a block with positive reduced profit.

    ``weights[a, b]`` is the integer score of pair (``rows[a]``, ``cols[b]``; all
    mentors by default), -1 where not allowed; pairs below ``threshold`` do not
    count. Pairs of the solved graph never
    show up (the duals prove it), so these are left-out pairs that could improve the
    result; none at all, over every block, makes the result optimal for the full
    problem. A cheap int32 screen runs first where the numbers allow it (it may
    over-report, never under-report); what it finds is confirmed in exact int64.
    """
    wm = result._warm
    if wm is None:
        raise MatchingError("result carries no prices (empty problem)")
    cols = np.arange(weights.shape[1]) if cols is None else cols
    price = wm["price"][cols]
    live_row = wm["row_cap"][rows] > 0
    live_col = wm["col_cap"][cols] > 0
    plain = wm["prio"] is None and wm["step"] == 1.0 and wm["offset"] == 0.0
    if plain:
        # q·T > p_j + (v_i − P·T) implies q > ⌊p_j / T⌋ + ⌊(v_i − P·T) / T⌋, in
        # int32. Column terms are clipped down (only adds false alarms); row terms
        # beyond ±2^30 are decided by sign alone. ">=" with a tie factor: a left-out
        # pair could carry the +1 of a previous proposal.
        tie = int(wm["tie"])
        lim = 2**29
        col = np.clip(price // tie, -lim, lim).astype(np.int32)
        row = (wm["row_value"][rows] - wm["penalty"] * tie) // tie
        row = np.clip(row, -2 * lim, 2 * lim).astype(np.int32)
        lhs = weights.astype(np.int32)
        lhs -= col[None, :]
        hit = lhs >= row[:, None] if tie > 1 else lhs > row[:, None]
    else:
        hit = np.ones(weights.shape, bool)
    hit &= weights >= max(threshold, 0)
    hit &= live_row[:, None]
    hit &= live_col[None, :]
    r, c = np.nonzero(hit)
    if r.size:
        ok = reduced_profit(result, rows[r], cols[c], weights[r, c]) > 0
        r, c = r[ok], c[ok]
    return r, cols[c]


def row_profit_bound(
    result: AssignmentResult, cands: Candidates, threshold: int = 0
) -> np.ndarray:
    """Per mentee, an upper bound on the reduced profit of any of its left-out pairs.

    A left-out pair (i, j) with j in group g scores at most ``group_max[i, g]`` and j
    costs at least the cheapest live mentor of g. Pairs scoring below ``threshold``
    do not count. Rows whose bound is <= 0 need no exact check for the certificate.
    """
    wm = result._warm
    neg = np.iinfo(np.int64).min // 4
    if cands.group_max is None:  # every score is cached: check every row exactly
        return np.where(wm["row_cap"] == 0, neg, 1)
    n = cands.group_max.shape[0]
    out = np.full(n, neg, np.int64)
    live = wm["col_cap"] > 0
    if not live.any() or cands.group_max.shape[1] == 0:
        return out
    price = wm["price"]
    big = np.iinfo(np.int64).max // 4
    for gi in np.unique(cands.row_grouping):
        grp = cands.groupings[gi]
        min_price = np.full(cands.group_max.shape[1], big, np.int64)
        np.minimum.at(min_price, grp[live], price[live])
        rows_all = np.flatnonzero(cands.row_grouping == gi)
        for a in range(0, rows_all.size, 16_384):
            rows = rows_all[a : a + 16_384]
            gm = cands.group_max[rows].astype(np.int64)
            # +1: a left-out previous pair may carry the stickiness tie-break
            ben = _benefit(wm, rows[:, None], gm, up=True) + 1
            ok = (gm >= max(threshold, 0)) & (min_price < big)[None, :]
            best = np.where(ok, ben - min_price[None, :], neg).max(axis=1)
            rp = best - wm["row_value"][rows]
            out[rows] = np.where((wm["row_cap"][rows] == 0) | (best == neg), neg, rp)
    return out
