"""Peer matching benchmark: ``solve_pairing`` against networkx, in the same process.

Usage::

    python benchmarks/pairing.py                       # 300, 500, 2000, 10000 members
    python benchmarks/pairing.py --sizes 500 --nx-limit 600
    python benchmarks/pairing.py --sizes 10000 --nx-limit 0   # ours only

Instances are deterministic: each member has a random profile of 16 interests, a
pair's score is the rounded dot product of two profiles (0..~800, whole numbers, so
objectives compare exactly), members of the same one of 12 departments may not be
paired (about 8 % of pairs forbidden), and the diagonal is ignored.

The baseline is ``networkx.max_weight_matching(G, maxcardinality=True)`` on every
allowed pair (pure Python, O(n³)); it runs only up to ``--nx-limit`` members. Where
both run, the script asserts the same number of pairs and the same objective and
prints networkx's time over ours, wall and CPU (process time: steadier when the
machine is shared). Sizes above ``--nx-limit`` print ours only with networkx's
extrapolated CPU time (its cubic growth from the largest size it ran).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from wagtail_mentoring.matching.engine import solve_pairing  # noqa: E402


def instance(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    profile = rng.random((n, 16), dtype=np.float32)
    w = np.rint(profile @ profile.T * 100).astype(np.float64)
    dept = rng.integers(0, 12, n)
    w[dept[:, None] == dept[None, :]] = -np.inf
    return w


def networkx_matching(w: np.ndarray) -> tuple[int, float, float, float]:
    """(pairs, objective, wall seconds, CPU seconds) of networkx on every pair."""
    import networkx as nx

    n = w.shape[0]
    t0, c0 = time.perf_counter(), time.process_time()
    g = nx.Graph()
    g.add_nodes_from(range(n))
    i, j = np.nonzero(np.triu(np.isfinite(w), 1))
    g.add_weighted_edges_from(
        zip(i.tolist(), j.tolist(), w[i, j].tolist(), strict=True)
    )
    m = nx.max_weight_matching(g, maxcardinality=True)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    return len(m), float(sum(w[a, b] for a, b in m)), secs, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[300, 500, 2000, 10000])
    ap.add_argument("--nx-limit", type=int, default=600)
    args = ap.parse_args()
    print(
        "wall and CPU seconds (process time) are both shown: on a shared machine "
        "the CPU ratio is the steadier one"
    )
    nx_largest: tuple[int, float] | None = None
    for n in args.sizes:
        w = instance(n)
        t0, c0 = time.perf_counter(), time.process_time()
        r = solve_pairing(w)
        ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        st = r.stats
        print(
            f"n={n:>6}  ours {ours:8.2f} s (CPU {ours_cpu:.2f} s)  pairs "
            f"{len(r.pairs):>5}  objective {r.objective:.0f}  optimal={r.optimal} "
            f"gap={r.gap:g}  method {st.get('method')}  candidates "
            f"{st['candidate_pairs']}  rounds {st.get('rounds', 0)}  blossom runs "
            f"{st.get('blossom_runs', 0)}  blossoms {st.get('blossoms', 0)}"
        )
        if n <= args.nx_limit:
            k, obj, secs, cpu = networkx_matching(w)
            assert k == len(r.pairs), (k, len(r.pairs))
            assert abs(obj - r.objective) < 1e-6, (obj, r.objective)
            nx_largest = (n, cpu)
            print(
                f"          networkx {secs:8.2f} s (CPU {cpu:.2f} s)  same pairs and "
                f"objective  networkx/ours = {secs / ours:6.1f}x wall, "
                f"{cpu / ours_cpu:6.1f}x CPU"
            )
        elif nx_largest is not None:
            m, cpu = nx_largest
            est = cpu * (n / m) ** 3
            print(
                f"          networkx not run (> {args.nx_limit} members); "
                f"cubic estimate from n={m}: {est:,.0f} CPU s = "
                f"{est / ours_cpu:,.0f}x ours"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
