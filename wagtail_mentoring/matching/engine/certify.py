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


def left_out_profit(
    result: AssignmentResult, rows: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Reduced profit of every pair of ``rows`` (a 2-D block; > 0 = could help).

    ``weights[a, j]`` is the weight of pair (``rows[a]``, ``j``) on the scale of the
    solve. A pair with reduced profit <= 0 cannot improve the result; the result is
    optimal for the full problem when no pair has a positive one. Pairs of the
    solved graph never do (the duals prove it), so only left-out pairs can show up.
    """
    wm = result._warm
    if wm is None:
        raise MatchingError("result carries no prices (empty problem)")
    neg = np.iinfo(np.int64).min // 4
    if wm["prio"] is None and wm["step"] == 1.0 and wm["offset"] == 0.0:
        q = weights.astype(np.int64)  # integer scores: no rounding needed
    else:
        eff = weights.astype(np.float64)
        if wm["prio"] is not None:
            eff *= wm["prio"][rows][:, None]
        q = np.rint((eff - wm["offset"]) / wm["step"]).astype(np.int64)
    q += wm["penalty"]
    q *= wm["tie"]
    q -= wm["price"][None, :]
    q -= wm["row_value"][rows][:, None]
    q[wm["row_cap"][rows] == 0, :] = neg
    q[:, wm["col_cap"] == 0] = neg
    return q


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
            if wm["prio"] is None and wm["step"] == 1.0 and wm["offset"] == 0.0:
                q = gm.copy()
            else:
                eff = gm.astype(np.float64)
                if wm["prio"] is not None:
                    eff *= wm["prio"][rows][:, None]
                q = np.ceil((eff - wm["offset"]) / wm["step"]).astype(np.int64)
            # +1: a left-out previous pair may carry the stickiness tie-break
            ben = (q + wm["penalty"]) * wm["tie"] + 1
            ok = (gm >= max(threshold, 0)) & (min_price < big)[None, :]
            best = np.where(ok, ben - min_price[None, :], neg).max(axis=1)
            rp = best - wm["row_value"][rows]
            out[rows] = np.where((wm["row_cap"][rows] == 0) | (best == neg), neg, rp)
    return out
