"""Exact solvers of the sparse capacitated assignment (the candidate graph).

Each backend returns which arcs are used in an assignment with the most matched
slots and, among those, the most total ``gain``. None of them is trusted on its own:
:mod:`.duals` derives dual prices from the answer and proves it optimal, so a
backend only has to be fast and usually right.

* ``ortools``: OR-tools' cost-scaling min-cost flow (``max flow with min cost``).
  Fastest (~0.1 s for 85,000 arcs, ~4 s for 900,000), but an optional extra:
  OR-tools pins protobuf and pulls in pandas, which host sites may not accept.
* ``scipy``: LAPJVsp (``min_weight_full_bipartite_matching``) on the graph with each
  mentor expanded into capacity seats (and one "unmatched" seat per mentee when not
  every mentee can be matched at once). Always available; ~0.4 s for 85,000 arcs,
  ~3–4× OR-tools. Seat expansion of mentees could pair the same two people twice,
  so mentees wanting several mentors get the engine's own min-cost flow
  (:mod:`.flow`) instead, which is also what repairs an earlier answer.
* ``highs``: the LP relaxation with HiGHS (scipy). The constraint matrix is a
  bipartite incidence matrix (totally unimodular) and the cardinality is fixed to
  its maximum, a face of the polytope, so the simplex vertex is integral. Slowest;
  the fallback when another backend's answer cannot be proven.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import scipy.sparse as sp

from .errors import MatchingError
from .flow import min_cost_assignment

BACKENDS = ("auto", "ortools", "scipy", "highs")


def available(name: str) -> bool:
    """Whether a backend can run here (``ortools`` is an optional extra)."""
    if name == "ortools":
        return importlib.util.find_spec("ortools") is not None
    return name in BACKENDS


def pick(name: str | None) -> str:
    """The backend to use for ``name`` (``auto``/None: the fastest available)."""
    name = name or "auto"
    if name not in BACKENDS:
        raise MatchingError(
            f"unknown solver {name!r}; choose one of {', '.join(BACKENDS)}"
        )
    if name == "ortools" and not available("ortools"):
        raise MatchingError(
            "the ortools solver is not installed: pip install 'wagtail-mentoring[fast]'"
        )
    if name == "auto":
        name = "ortools" if available("ortools") else "scipy"
    return name


def gain_limit(backend: str, n: int, m: int) -> int:
    """Largest arc gain the backend solves exactly (the tie-break must fit)."""
    if backend == "ortools":  # cost scaling multiplies costs by the node count
        return 2**61 // (n + m + 3)
    if backend == "scipy":  # float64 costs, see _lapjvsp
        return 2**48 // (2 * n + 3)
    return 2**30  # HiGHS' tolerances are relative to the objective's size


def solve_graph(
    backend: str,
    rows: np.ndarray,
    cols: np.ndarray,
    gain: np.ndarray,
    n: int,
    m: int,
    row_cap: np.ndarray,
    col_cap: np.ndarray,
) -> np.ndarray:
    """Boolean mask of the arcs used: max cardinality first, then max ``gain``.

    ``gain`` are non-negative integers (scores, tie-break included); arcs are in CSR
    order (sorted by row, then column) and never repeat a pair.
    """
    if rows.size == 0:
        return np.zeros(0, bool)
    if backend == "ortools":
        return _ortools(rows, cols, gain, n, m, row_cap, col_cap)
    if backend == "scipy" and int(row_cap.max(initial=1)) > 1:
        umax = int(min(row_cap.sum(), col_cap.sum()))
        ben = gain + (int(gain.max()) + 1) * (umax + 1) + 1  # cardinality first
        return min_cost_assignment(rows, cols, ben, n, m, row_cap, col_cap)[0]
    if backend == "scipy":
        return _lapjvsp(rows, cols, gain, n, m, col_cap)
    return _highs(rows, cols, gain, n, m, row_cap, col_cap)


def _ortools(rows, cols, gain, n, m, row_cap, col_cap) -> np.ndarray:
    from ortools.graph.python import min_cost_flow

    f = min_cost_flow.SimpleMinCostFlow()
    src, snk = n + m, n + m + 1
    k = rows.size
    tails = np.concatenate([np.full(n, src), rows, n + np.arange(m)])
    heads = np.concatenate([np.arange(n), n + cols, np.full(m, snk)])
    caps = np.concatenate([row_cap, np.ones(k, np.int64), col_cap])
    # every solution has the same (maximum) flow, so shifting all arc costs by one
    # constant changes nothing; non-negative costs solved ~20 % faster at 100,000
    top = int(gain.max())
    costs = np.concatenate([np.zeros(n, np.int64), top - gain, np.zeros(m, np.int64)])
    f.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        caps.astype(np.int64),
        costs.astype(np.int64),
    )
    total = int(row_cap.sum())
    supplies = np.zeros(n + m + 2, np.int64)
    supplies[src], supplies[snk] = total, -total
    f.set_nodes_supplies(np.arange(n + m + 2), supplies)
    status = f.solve_max_flow_with_min_cost()
    if status != f.OPTIMAL:
        raise MatchingError(f"OR-tools min-cost flow failed: {status}")
    return f.flows(np.arange(n, n + k)) > 0


def _lapjvsp(rows, cols, gain, n, m, col_cap) -> np.ndarray:
    """Min-weight full matching of mentees into mentor seats (LAPJVsp).

    When every mentee with an arc can be matched at once (the usual case), seats ×
    mentees is solved as it is: all those mentees are matched, so maximising the gain
    is all that is left. Otherwise each mentee also gets its own "unmatched" seat,
    costly enough that cardinality comes first; LAPJVsp is 2–3× slower on that shape.
    """
    from scipy.sparse.csgraph import (
        maximum_bipartite_matching,
        min_weight_full_bipartite_matching,
    )

    cap = col_cap.astype(np.int64)
    slot0 = np.concatenate([[0], np.cumsum(cap)])
    slots = int(slot0[-1])
    reps = cap[cols]
    arc = np.repeat(np.arange(rows.size), reps)
    slot = np.arange(arc.size) - np.repeat(np.cumsum(reps) - reps, reps)
    seat = slot0[cols[arc]] + slot
    live, row_of = np.unique(rows, return_inverse=True)
    span = int(gain.max()) + 1
    shape = (slots, live.size)
    seats = sp.csr_matrix((np.ones(arc.size), (seat, row_of[arc])), shape=shape)
    if (maximum_bipartite_matching(seats, "row") >= 0).sum() == live.size:
        cost = (span - gain[arc]).astype(np.float64)  # > 0: stored entries
        g = sp.csr_matrix((cost, (seat, row_of[arc])), shape=shape)
        ci, ri = min_weight_full_bipartite_matching(g)
        ri = live[ri]
    else:
        # every real arc beats the dummy by more than any score difference along an
        # augmenting path (at most 2n arcs): cardinality first, exactly, in float64
        big = span * (2 * n + 2)
        if 4 * (big + span) >= 2**50:
            raise MatchingError("scores too fine for the scipy solver; install ortools")
        cost = (big + span - gain[arc]).astype(np.float64)
        r = np.concatenate([rows[arc], np.arange(n)])
        c = np.concatenate([seat, slots + np.arange(n)])
        w = np.concatenate([cost, np.full(n, float(big + span) * 2)])
        g = sp.csr_matrix((w, (r, c)), shape=(n, slots + n))
        ri, ci = min_weight_full_bipartite_matching(g)
    real = ci < slots
    mentor = np.searchsorted(slot0, ci[real], "right") - 1
    key = rows * m + cols
    pos = np.searchsorted(key, ri[real] * m + mentor)
    used = np.zeros(rows.size, bool)
    used[pos] = True
    return used


def _highs(rows, cols, gain, n, m, row_cap, col_cap) -> np.ndarray:
    from scipy.optimize import linprog

    from .fairness import max_cardinality

    flow, _ = max_cardinality(rows, cols, n, m, row_cap, col_cap)
    k = rows.size
    idx = np.arange(k)
    a_ub = sp.vstack(
        [
            sp.csr_matrix((np.ones(k), (rows, idx)), shape=(n, k)),
            sp.csr_matrix((np.ones(k), (cols, idx)), shape=(m, k)),
        ]
    ).tocsr()
    b_ub = np.concatenate([row_cap, col_cap]).astype(np.float64)
    lp = linprog(
        -gain.astype(np.float64),
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=sp.csr_matrix(np.ones((1, k))),
        b_eq=[float(flow)],
        bounds=(0, 1),
        method="highs-ds",
    )
    if lp.status != 0:
        raise MatchingError(f"HiGHS could not solve the assignment: {lp.message}")
    return lp.x > 0.5
