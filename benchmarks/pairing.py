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
prints networkx's time over ours. The 10,000-member size prints ours only with
networkx's extrapolated time (its cubic growth from the largest size it ran).
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


def networkx_matching(w: np.ndarray) -> tuple[int, float, float]:
    import networkx as nx

    n = w.shape[0]
    t0 = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(range(n))
    i, j = np.nonzero(np.triu(np.isfinite(w), 1))
    g.add_weighted_edges_from(
        zip(i.tolist(), j.tolist(), w[i, j].tolist(), strict=True)
    )
    m = nx.max_weight_matching(g, maxcardinality=True)
    secs = time.perf_counter() - t0
    return len(m), float(sum(w[a, b] for a, b in m)), secs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[300, 500, 2000, 10000])
    ap.add_argument("--nx-limit", type=int, default=600)
    args = ap.parse_args()
    nx_largest: tuple[int, float] | None = None
    for n in args.sizes:
        w = instance(n)
        t0 = time.perf_counter()
        r = solve_pairing(w)
        ours = time.perf_counter() - t0
        st = r.stats
        print(
            f"n={n:>6}  ours {ours:8.2f} s  pairs {len(r.pairs):>5}  "
            f"objective {r.objective:.0f}  optimal={r.optimal} gap={r.gap:g}  "
            f"candidates {st['candidate_pairs']}  LP rounds "
            f"{st.get('cardinality_rounds', 0)}+{st.get('weight_rounds', 0)}  "
            f"odd sets {st.get('odd_sets', 0)}"
        )
        if n <= args.nx_limit:
            k, obj, secs = networkx_matching(w)
            assert k == len(r.pairs), (k, len(r.pairs))
            assert abs(obj - r.objective) < 1e-6, (obj, r.objective)
            nx_largest = (n, secs)
            print(
                f"          networkx {secs:8.2f} s  same pairs and objective  "
                f"networkx/ours = {secs / ours:6.1f}x"
            )
        elif nx_largest is not None:
            m, secs = nx_largest
            est = secs * (n / m) ** 3
            print(
                f"          networkx not run (> {args.nx_limit} members); "
                f"cubic estimate from n={m}: {est:,.0f} s = {est / ours:,.0f}x ours"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
