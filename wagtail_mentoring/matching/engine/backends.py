"""Exact solvers of the sparse capacitated assignment (the candidate graph).

Each backend returns which arcs are used in an assignment with the most matched
slots and, among those, the most total ``gain``. None of them is trusted on its own:
:mod:`.duals` derives dual prices from the answer and proves it optimal, so a
backend only has to be fast and usually right.

* ``ortools``: OR-tools' cost-scaling min-cost flow (``max flow with min cost``).
  Fastest (~0.1 s for 85,000 arcs, ~4 s for 900,000), but an optional extra:
  OR-tools pins protobuf and pulls in pandas, which host sites may not accept.
* ``scipy``: the engine's own min-cost flow (:mod:`.flow`: a short auction for
  prices, then primal-dual phases of scipy's Dijkstra and maximum flow), which also
  repairs earlier answers. Always available. On a solve from nothing it takes
  about 2.5 times OR-tools' time (0.18 s against 0.07 s for 33,000 arcs), but
  through ``match()``, which starts it from an auction's prices and repairs the
  certification rounds, a whole run takes 1.04–1.17 times as long (docs/matching.md).
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


def for_repair(name: str | None) -> str | None:
    """The backend that re-solves after an admin edit, from the last answer.

    ``auto`` takes the engine's own flow: it moves only the units the edit
    displaced, where OR-tools can only solve the whole problem afresh (measured
    in docs/matching.md: 0.08–0.10 s against 0.11–0.12 s at 10,000 mentees,
    1.4–1.9 s against 2.7–3.3 s at 100,000). A backend named explicitly is kept.
    """
    return "scipy" if (name or "auto") == "auto" else name


def gain_limit(backend: str, n: int, m: int) -> int:
    """Largest arc gain the backend solves exactly (the tie-break must fit)."""
    if backend == "ortools":  # cost scaling multiplies costs by the node count
        return 2**61 // (n + m + 3)
    if backend == "scipy":  # float64 path lengths, see flow.EXACT_LIMIT
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
    if backend == "scipy":
        umax = int(min(row_cap.sum(), col_cap.sum()))
        ben = gain + (int(gain.max()) + 1) * (umax + 1) + 1  # cardinality first
        return min_cost_assignment(rows, cols, ben, n, m, row_cap, col_cap)[0]
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
