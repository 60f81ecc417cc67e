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
    result: AssignmentResult, max_weight: np.ndarray, col_max: np.ndarray | None = None
) -> np.ndarray:
    """Per mentee, an upper bound on the reduced profit of any of its left-out pairs.

    ``max_weight[i]`` bounds the weight of every left-out pair of mentee ``i``;
    ``col_max[j]`` (optional) bounds every pair of mentor ``j``. A pair's weight is
    at most ``min(max_weight[i], col_max[j])``, so popular (expensive) mentors and
    unpopular (cheap, low-scoring) ones are both bounded well. Rows whose bound is
    <= 0 need no re-scoring for the certificate.
    """
    wm = result._warm
    neg = np.iinfo(np.int64).min // 4
    live = wm["col_cap"] > 0
    if not live.any():
        return np.full(max_weight.size, neg)

    def ben(weight: np.ndarray) -> np.ndarray:
        q = np.ceil((weight - wm["offset"]) / wm["step"]).astype(np.int64)
        # +1: a left-out previous pair may carry the stickiness tie-break
        return (q + wm["penalty"]) * wm["tie"] + 1

    eff = np.asarray(max_weight, np.float64)
    if wm["prio"] is not None:
        eff = eff * wm["prio"]
    bt = ben(eff)
    price = wm["price"][live]
    if col_max is None or wm["prio"] is not None:
        best = bt - int(price.min())
    else:
        bu = ben(np.maximum(col_max[live], 0).astype(np.float64))
        order = np.argsort(bu, kind="stable")
        bu, w = bu[order], price[order]
        suffix_min = np.minimum.accumulate(w[::-1])[::-1]
        prefix_max = np.concatenate([[neg], np.maximum.accumulate(bu - w)])
        k = np.searchsorted(bu, bt, "left")  # mentors [0, k) score below bt
        part1 = np.where(k < bu.size, bt - suffix_min[np.minimum(k, bu.size - 1)], neg)
        best = np.maximum(part1, prefix_max[k])
    rp = best - wm["row_value"]
    return np.where(wm["row_cap"] == 0, neg, rp)
