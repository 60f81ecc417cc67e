"""The engine's array helpers against numpy's own."""

import numpy as np
import pytest

from wagtail_mentoring.matching.engine.arrays import member, pair_keys


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint32, np.float64])
@pytest.mark.parametrize("distinct", [True, False])
def test_member_agrees_with_isin_on_sorted_and_unsorted_keys(distinct, dtype):
    rng = np.random.default_rng(7)
    for _ in range(500):
        x = rng.choice(rng.integers(5, 400), rng.integers(0, 200)).astype(dtype)
        # sorted (distinct or with repeats) takes the searches' paths, the rest
        # the general one
        x = np.unique(x) if distinct else np.sort(x)
        if rng.random() < 0.2:
            x = rng.permutation(x)
        of = rng.integers(-5, 405, rng.integers(0, 30))
        assert np.array_equal(member(x, of), np.isin(x, of))


def test_pair_keys_pass_int32s_range_in_int64():
    rows = np.array([0, 99_999], np.int32)
    cols = np.array([1, 19_999], np.int32)
    keys = pair_keys(rows, cols, 20_000)
    assert keys.dtype == np.int64
    assert keys.tolist() == [1, 99_999 * 20_000 + 19_999]
    assert np.divmod(keys, 20_000)[0].tolist() == [0, 99_999]


def test_member_takes_the_callers_word_that_keys_are_sorted():
    rng = np.random.default_rng(11)
    for _ in range(500):
        x = np.unique(rng.integers(0, 2_000, rng.integers(0, 400)))
        of = rng.integers(-5, 2_005, rng.integers(0, 60))
        expected = np.isin(x, of)
        assert np.array_equal(member(x, of, x_distinct_sorted=True), expected)
        assert np.array_equal(
            member(x, np.sort(of), x_distinct_sorted=True, of_sorted=True), expected
        )
        # ... and the other way round: a few keys looked up in the sorted many
        assert np.array_equal(member(of, x, of_sorted=True), np.isin(of, x))


def _candidates(rng, m=50, n=200):
    from wagtail_mentoring.matching.engine.scoring import Candidates

    keys = np.unique(rng.integers(0, n * m, 5_000))
    rows, cols = np.divmod(keys, m)
    return keys, Candidates(
        rows=rows,
        cols=cols,
        score=rng.integers(0, 10_000, keys.size),
        group_max=np.zeros((n, 1), np.int16),
        groupings=np.zeros((1, m), np.int64),
        row_grouping=np.zeros(n, np.int8),
    )


@pytest.mark.parametrize("asked", [0, 1, 30, 3_000])
def test_candidates_locate_and_rescore_pairs(asked):
    m = 50
    rng = np.random.default_rng(asked)
    keys, c = _candidates(rng, m)
    wanted = rng.integers(0, keys.max() + 2, asked)  # candidates or not
    at = c.locate(wanted, m)
    assert np.array_equal(at >= 0, np.isin(wanted, keys))
    assert np.array_equal(keys[at[at >= 0]], wanted[at >= 0])
    found = np.unique(at[at >= 0])
    out = c.rescored(found, -1)
    assert np.array_equal(out.score[found], np.full(found.size, -1))
    others = np.setdiff1d(np.arange(keys.size), found)
    assert np.array_equal(out.score[others], c.score[others])
    assert out.keys(m) is c.keys(m) and out.rows is c.rows and out.cols is c.cols
    assert not np.any(c.score[found] == -1)  # the original keeps its scores


@pytest.mark.parametrize("asked", [0, 1, 30, 3_000])
def test_candidates_among_and_hold_agree_with_isin(asked):
    rng = np.random.default_rng(asked)
    m = 50
    keys, c = _candidates(rng, m)
    # some candidates' keys, some not, repeats and out of order
    others = rng.integers(0, 200 * m, asked)
    ask = np.concatenate([rng.choice(keys, asked // 2), others])
    rng.shuffle(ask)
    assert np.array_equal(c.among(ask, m), np.isin(keys, ask))
    assert np.array_equal(
        c.among(np.unique(ask), m, keys_sorted=True), np.isin(keys, ask)
    )
    assert np.array_equal(c.hold(ask, m), np.isin(ask, keys))


def test_row_pointer_is_the_csr_matrixs():
    import scipy.sparse as sp

    from wagtail_mentoring.matching.engine.arrays import row_pointer

    rng = np.random.default_rng(3)
    rows, cols = np.divmod(np.unique(rng.integers(0, 40 * 7, 150)), 7)
    expected = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(45, 7)).indptr
    assert np.array_equal(row_pointer(rows, 45), expected)
    assert np.array_equal(row_pointer(np.zeros(0, np.int64), 3), [0, 0, 0, 0])
