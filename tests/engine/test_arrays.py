"""The engine's array helpers against numpy's own."""

import numpy as np
import pytest

from wagtail_mentoring.matching.engine.arrays import member


@pytest.mark.parametrize("distinct", [True, False])
def test_member_agrees_with_isin_on_sorted_and_unsorted_keys(distinct):
    rng = np.random.default_rng(7)
    for _ in range(500):
        x = rng.choice(rng.integers(5, 400), rng.integers(0, 200))
        # sorted (distinct or with repeats) takes the searches' paths, the rest
        # the general one
        x = np.unique(x) if distinct else np.sort(x)
        if rng.random() < 0.2:
            x = rng.permutation(x)
        of = rng.integers(-5, 405, rng.integers(0, 30))
        assert np.array_equal(member(x, of), np.isin(x, of))
