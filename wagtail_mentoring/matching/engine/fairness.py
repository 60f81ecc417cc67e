"""Fairness: per-group outcomes and the max–min "floor first" threshold.

The engine only sees opaque group ids; what a group means (and small-group
suppression) is the analytics layer's business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow


@dataclass
class GroupStats:
    """Outcome for one group of mentees."""

    group: int
    count: int
    matched: int
    match_rate: float
    mean_score: float | None
    p10_score: float | None


def group_report(
    groups: np.ndarray, pairs: np.ndarray, scores: np.ndarray
) -> list[GroupStats]:
    """Count, matched mentees, match rate, mean and 10th percentile of pair scores."""
    out = []
    matched_mentee = np.zeros(groups.size, bool)
    if len(pairs):
        matched_mentee[pairs[:, 0]] = True
    pair_group = groups[pairs[:, 0]] if len(pairs) else np.zeros(0, np.int64)
    for g in np.unique(groups):
        members = groups == g
        cnt = int(members.sum())
        mt = int(matched_mentee[members].sum())
        sc = scores[pair_group == g]
        out.append(
            GroupStats(
                group=int(g),
                count=cnt,
                matched=mt,
                match_rate=mt / cnt if cnt else 0.0,
                mean_score=float(sc.mean()) if sc.size else None,
                p10_score=float(np.percentile(sc, 10)) if sc.size else None,
            )
        )
    return out


def max_cardinality(
    rows: np.ndarray,
    cols: np.ndarray,
    n: int,
    m: int,
    row_cap: np.ndarray,
    col_cap: np.ndarray,
) -> tuple[int, np.ndarray]:
    """Max number of matched slots (scipy max-flow) and mentee rows on the source side.

    The second value is the set of mentees still reachable from the source in the
    residual graph; a pair from such a mentee to an unreachable mentor would cross
    the minimum cut, i.e. could increase the flow.
    """
    s, t = n + m, n + m + 1
    k = rows.size
    r = np.concatenate([np.full(n, s), rows, n + np.arange(m)])
    c = np.concatenate([np.arange(n), n + cols, np.full(m, t)])
    cap = np.concatenate([row_cap, np.ones(k, np.int64), col_cap]).astype(np.int32)
    g = sp.csr_matrix((cap, (r, c)), shape=(n + m + 2, n + m + 2))
    res = maximum_flow(g, s, t, method="dinic")
    flow = res.flow.tocsr()
    resid = (g - flow).tocsr()
    resid.data = np.maximum(resid.data, 0)
    back = flow.T.tocsr()
    back.data = np.maximum(back.data, 0)
    reach_graph = (resid + back).tocsr()
    reach_graph.eliminate_zeros()
    from scipy.sparse.csgraph import breadth_first_order

    order = breadth_first_order(
        reach_graph, s, directed=True, return_predecessors=False
    )
    side = np.zeros(n + m + 2, bool)
    side[order] = True
    return int(res.flow_value), side
