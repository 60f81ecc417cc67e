"""Memory of matching runs: peak RSS of one run, and growth across consecutive runs.

Usage::

    python benchmarks/memory.py          # peak at 100,000, 20 runs at 2,000
    python benchmarks/memory.py --peak 10000 --runs 20 --runs-size 1000

1. ``--peak N``: one ``match()`` at N mentees × N/5 mentors (the instance of
   ``benchmarks/matching.py``) in a fresh subprocess (``python -c``, not a fork,
   so nothing of this process counts); printed: the subprocess's peak resident
   set (``resource.getrusage(RUSAGE_SELF).ru_maxrss``), its RSS after building the
   problem (inputs) and the run's CPU and wall time. Target: ≤ 1.5 GB at 100,000.
2. ``--runs K``: K consecutive runs in one process, as a long-lived Celery worker
   executes them (a new problem object each time, results dropped), printing the
   RSS after each run and the Python heap (``tracemalloc``) still held after the
   first, second and last run. A worker that does not grow holds the same memory
   after the last run as after the second.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

_PEAK_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from matching import CONFIG, make_problem, _rss_kib
from wagtail_mentoring.matching.engine import match
problem = make_problem({n})
inputs = _rss_kib()
c, t = time.process_time(), time.perf_counter()
res = match(problem, CONFIG)
cpu, wall = time.process_time() - c, time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(peak_kib=peak, inputs_kib=inputs, cpu=cpu, wall=wall,
                      optimal=bool(res.optimal), pairs=len(res.pairs))))
"""


def peak(n: int) -> None:
    code = _PEAK_CHILD.format(root=ROOT, bench=os.path.join(ROOT, "benchmarks"), n=n)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    r = json.loads(out.stdout.strip().splitlines()[-1])
    mib = r["peak_kib"] / 1024
    print(
        f"peak RSS of one match() at {n:,} mentees × {n // 5:,} mentors: "
        f"{mib:,.0f} MiB = {mib * 1.048576 / 1000:.2f} GB (target ≤ 1.5 GB); "
        f"inputs alone {r['inputs_kib'] / 1024:,.0f} MiB; CPU {r['cpu']:.1f} s, "
        f"wall {r['wall']:.1f} s; {r['pairs']:,} pairs, certified={r['optimal']}"
    )


def runs(k: int, n: int) -> None:
    import tracemalloc

    sys.path.insert(0, ROOT)
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    from matching import CONFIG, _rss_kib, make_problem

    from wagtail_mentoring.matching.engine import match

    tracemalloc.start()
    held = []
    for i in range(k):
        t = time.perf_counter()
        res = match(make_problem(n, seed=i), CONFIG)
        assert res.optimal
        del res
        gc.collect()
        held.append(tracemalloc.get_traced_memory()[0])
        print(
            f"run {i + 1:>2}: {time.perf_counter() - t:5.2f} s  RSS "
            f"{_rss_kib() / 1024:7.1f} MiB  Python heap held "
            f"{held[-1] / 1024:8.1f} KiB",
            flush=True,
        )
    tracemalloc.stop()
    print(
        f"{k} runs at {n:,} mentees: heap held after run 1 {held[0] / 1024:.0f} KiB, "
        f"run 2 {held[1] / 1024:.0f} KiB, run {k} {held[-1] / 1024:.0f} KiB "
        f"(growth from run 2 to {k}: {(held[-1] - held[1]) / 1024:+.0f} KiB)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peak", type=int, default=100_000, help="0: skip")
    ap.add_argument("--runs", type=int, default=20, help="0: skip")
    ap.add_argument("--runs-size", type=int, default=2000)
    args = ap.parse_args()
    if args.runs:
        runs(args.runs, args.runs_size)
    if args.peak:
        peak(args.peak)


if __name__ == "__main__":
    main()
