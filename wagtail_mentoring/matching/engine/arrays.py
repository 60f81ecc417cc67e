"""Small array helpers shared by the engine's modules."""

from __future__ import annotations

import numpy as np


def member(x: np.ndarray, of: np.ndarray) -> np.ndarray:
    """``np.isin(x, of)`` by binary search: no hashing of the (large) ``x``.

    Pair-key lookups here test hundreds of thousands of keys against a sorted or
    small set; ``np.isin`` hashes both sides every time and was the slowest step.
    """
    x = np.asarray(x)
    of = np.asarray(of)
    if of.size == 0 or x.size == 0:
        return np.zeros(x.shape, bool)
    if of.size > 1 and np.any(of[1:] < of[:-1]):
        of = np.sort(of)
    pos = np.searchsorted(of, x)
    return of[np.minimum(pos, of.size - 1)] == x
