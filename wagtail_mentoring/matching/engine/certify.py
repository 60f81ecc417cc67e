"""Certificates: start prices, exact fallback, and checks of pairs left out.

Optimality is proven with duals: mentor prices ``w`` and mentee values ``pi`` bound
every assignment of the *full* problem (all pairs, pruned or not); a pair left out of
the solved graph can only improve the result if its reduced profit is positive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from .auction import AuctionGraph, row_duals
from .errors import MatchingError

if TYPE_CHECKING:
    from .solver import AssignmentResult


def _cardinality_prices(g: AuctionGraph, ben: np.ndarray) -> np.ndarray:
    """Start prices from the max-cardinality dual (scipy max-flow, min cut).

    Mentors on the source side of a minimum cut are full in *every* maximum
    assignment; their price must rise to about the cardinality constant before the
    mentees that cannot all be matched give up. An auction gets there by tiny steps
    (a price war); the min cut gives the level at once.
    """
    from .fairness import max_cardinality

    flow, side = max_cardinality(
        np.repeat(np.arange(g.n_rows), np.diff(g.indptr)),
        g.cols,
        g.n_rows,
        g.n_cols,
        g.row_cap,
        g.col_cap,
    )
    if flow >= int(g.row_cap.sum()) or ben.size == 0:
        return np.zeros(g.n_cols, np.int64)
    level = int(ben.min())  # the cardinality constant (plus the lowest score)
    on_source = side[g.n_rows : g.n_rows + g.n_cols]
    return np.where(on_source, level, 0).astype(np.int64)


def _highs_fallback(g: AuctionGraph, res):
    """Exact LP (integral for this network matrix) when the auction did not certify.

    Used for rare cases (rows wanting several mentors); HiGHS returns a vertex.
    """
    from scipy.optimize import linprog

    k = g.cols.size
    r = np.repeat(np.arange(g.n_rows), np.diff(g.indptr))
    a = sp.vstack(
        [
            sp.csr_matrix((np.ones(k), (r, np.arange(k))), shape=(g.n_rows, k)),
            sp.csr_matrix((np.ones(k), (g.cols, np.arange(k))), shape=(g.n_cols, k)),
        ]
    ).tocsr()
    bub = np.concatenate([g.row_cap, g.col_cap]).astype(np.float64)
    lp = linprog(
        -g.ben.astype(np.float64), A_ub=a, b_ub=bub, bounds=(0, 1), method="highs-ds"
    )
    if lp.status != 0:
        return res
    x = np.rint(lp.x).astype(bool)
    if np.abs(lp.x - x).max() > 1e-6:
        return res
    primal = int(g.ben[x].sum())
    # the LP optimum bounds every integer assignment of this graph
    ub = int(np.floor(-lp.fun + 1e-6 * max(1.0, abs(lp.fun))))
    # rounding prices up keeps them dual-feasible for the checks of left-out pairs
    w = np.maximum(np.ceil(-np.asarray(lp.ineqlin.marginals)[g.n_rows :] - 1e-9), 0)
    w = w.astype(np.int64)
    vals = g.ben - w[g.cols]
    pi = row_duals(r, vals, g.row_cap.astype(np.int64), g.n_rows)
    res.arc_used = x
    res.primal = primal
    res.upper_bound = max(ub, primal)
    res.col_price = w
    res.row_value = pi
    res.scale = 1
    res.stats["method"] = "highs"
    return res


def left_out_reduced_profit(
    result: AssignmentResult, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Reduced profit of pairs that were not in the solved graph (> 0 = could help).

    ``weights`` are the pairs' original weights on the same scale as the solve. A
    pair with reduced profit <= 0 cannot improve the result; the result is optimal for
    the full problem when no pair has a positive one.
    """
    wm = result._warm
    if wm is None:
        raise MatchingError("result carries no prices (empty problem)")
    eff = np.asarray(weights, np.float64)
    if wm["prio"] is not None:
        eff = eff * wm["prio"][rows]
    q = np.rint((eff - wm["offset"]) / wm["step"]).astype(np.int64)
    ben = (q + wm["penalty"]) * wm["tie"] * wm["scale"]
    rp = ben - wm["price"][cols] - wm["row_value"][rows]
    dead = (wm["row_cap"][rows] == 0) | (wm["col_cap"][cols] == 0)
    return np.where(dead, np.iinfo(np.int64).min // 4, rp)


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
        return ((q + wm["penalty"]) * wm["tie"] + 1) * wm["scale"]

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
