"""Small array helpers shared by the engine's modules."""

from __future__ import annotations

import numpy as np


def pair_keys(rows: np.ndarray, cols: np.ndarray, m: int) -> np.ndarray:
    """One int64 per (mentee, mentor) pair, ``row * m + col``: in CSR order,
    sorting them sorts the pairs by mentee, then mentor. In int64 whatever the
    indices' type: 100,000 × 20,000 keys pass int32's range."""
    return np.asarray(rows, dtype=np.int64) * m + cols


def row_pointer(rows: np.ndarray, n: int) -> np.ndarray:
    """The CSR row pointer (``n + 1`` offsets) of entries sorted by ``rows``."""
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    return ptr


def member(
    x: np.ndarray, of: np.ndarray, *, x_distinct_sorted=False, of_sorted=False
) -> np.ndarray:
    """``np.isin(x, of)`` by binary search: no hashing of the (large) ``x``.

    Pair-key lookups here test hundreds of thousands of keys against a sorted or
    small set; ``np.isin`` hashes both sides every time and was the slowest step.
    A caller that knows ``x`` strictly increasing or ``of`` sorted (a
    candidate set's keys, millions of them) says so: checking costs a pass over
    the array each call.
    """
    x = np.asarray(x)
    of = np.asarray(of)
    if of.size == 0 or x.size == 0:
        return np.zeros(x.shape, bool)
    if not of_sorted and of.size > 1 and np.any(of[1:] < of[:-1]):
        of = np.sort(of)
    # the order of x (keys: signed integers), read once: 1 strictly increasing,
    # 0 sorted with repeats, -1 unsorted or not worth knowing
    order = -1
    if 8 * of.size < x.size and x.ndim == 1 and x.dtype.kind == "i":
        order = 1 if x_distinct_sorted else int(np.sign(np.diff(x).min(initial=1)))
    if order == 1:
        # a few keys against many distinct sorted ones (pair keys): search the
        # few in the many, and mark where they are
        pos = np.searchsorted(x, of)
        inside = pos < x.size
        pos = pos[inside]
        out = np.zeros(x.shape, bool)
        out[pos[x[pos] == of[inside]]] = True
        return out
    if order == 0:
        # ... and against many sorted ones with repeats: mark the runs they hit
        lo = np.searchsorted(x, of, "left")
        hi = np.searchsorted(x, of, "right")
        hit = hi > lo
        mark = np.zeros(x.size + 1, np.int64)
        np.add.at(mark, lo[hit], 1)
        np.add.at(mark, hi[hit], -1)
        return np.cumsum(mark[:-1]) > 0
    pos = np.searchsorted(of, x)
    return of[np.minimum(pos, of.size - 1)] == x
