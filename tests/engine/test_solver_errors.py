"""Infeasible and degenerate inputs: clear errors or empty, explained results."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from wagtail_mentoring.matching.engine import MatchingError, solve_assignment

W = np.array([[5.0, 1.0], [3.0, -np.inf]])


def test_no_mentors_gives_empty_certified_result():
    res = solve_assignment(np.zeros((3, 0)), np.zeros(0, int))
    assert res.pairs.shape == (0, 2) and res.objective == 0 and res.optimal


def test_no_mentees():
    res = solve_assignment(np.zeros((0, 2)), [1, 1])
    assert len(res.pairs) == 0 and res.optimal


def test_zero_capacity_and_everything_forbidden():
    assert len(solve_assignment(W, [0, 0]).pairs) == 0
    res = solve_assignment(np.full((2, 2), -np.inf), [1, 1])
    assert len(res.pairs) == 0 and res.optimal


def test_cardinality_beats_weight():
    # (0,0) alone weighs 100, but two pairs beat one pair whatever the weights
    w = np.array([[100.0, 1.0], [1.0, -np.inf]])
    res = solve_assignment(w, [1, 1])
    assert {tuple(p) for p in res.pairs.tolist()} == {(0, 1), (1, 0)}
    assert res.objective == 2.0


def test_sparse_explicit_zero_is_allowed_and_missing_is_forbidden():
    s = sp.csr_matrix((np.array([0.0]), (np.array([0]), np.array([1]))), shape=(1, 2))
    res = solve_assignment(s, [1, 1])
    assert res.pairs.tolist() == [[0, 1]] and res.objective == 0.0


def test_min_score_forbids_low_pairs():
    res = solve_assignment(W, [1, 1], min_score=2)
    assert {tuple(p) for p in res.pairs.tolist()} == {(0, 0)}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(weights=np.array([[np.nan]]), mentor_capacity=[1]), "NaN"),
        (dict(weights=np.array([[np.inf]]), mentor_capacity=[1]), r"\+inf"),
        (dict(weights=np.zeros(3), mentor_capacity=[1]), "2-D"),
        (dict(weights=W, mentor_capacity=[1]), "mentor_capacity"),
        (dict(weights=W, mentor_capacity=[1, -1]), "negative"),
        (dict(weights=W, mentor_capacity=[1.5, 1]), "whole"),
        (
            dict(weights=W, mentor_capacity=[1, 1], mentee_capacity=[1]),
            "mentee_capacity",
        ),
        (dict(weights=W, mentor_capacity=[1, 1], locked=[(1, 1)]), "forbidden"),
        (dict(weights=W, mentor_capacity=[1, 1], locked=[(0, 0), (1, 0)]), "capacity"),
        (dict(weights=W, mentor_capacity=[2, 1], locked=[(0, 0), (0, 1)]), "mentee 0"),
        (dict(weights=W, mentor_capacity=[1, 1], locked=[(5, 0)]), "outside"),
        (dict(weights=W, mentor_capacity=[1, 1], locked=[(0, 0), (0, 0)]), "twice"),
        (
            dict(weights=W, mentor_capacity=[1, 1], locked=[(0, 0)], rejected=[(0, 0)]),
            "both locked and rejected",
        ),
        (
            dict(weights=W, mentor_capacity=[1, 1], min_score=4, locked=[(1, 0)]),
            "minimum score",
        ),
        (dict(weights=W, mentor_capacity=[1, 1], priority=[1, -1]), "priority"),
        (dict(weights=W, mentor_capacity=[1, 1], prices=[1.0]), "one per mentor"),
        (dict(weights=W, mentor_capacity=[1, 1], prices=[0, np.nan]), "finite"),
    ],
)
def test_bad_input_raises_matching_error(kwargs, message):
    with pytest.raises(MatchingError, match=message):
        solve_assignment(**kwargs)


def test_matching_error_is_a_value_error():
    assert issubclass(MatchingError, ValueError)


def test_duplicate_sparse_entries_are_rejected():
    s = sp.coo_matrix(
        (np.array([1.0, 2.0]), (np.array([0, 0]), np.array([0, 0]))), shape=(1, 1)
    )
    with pytest.raises(MatchingError, match="twice"):
        solve_assignment(s, [1])


@pytest.mark.parametrize("sorted_indices", [True, False])
def test_a_pair_stored_twice_in_csr_read_in_blocks_is_refused(sorted_indices):
    # CSR that is not canonical: no sum of the two weights, a refusal
    ind = np.array([0, 1, 1] if sorted_indices else [1, 0, 1])
    s = sp.csr_matrix((np.ones(3), ind, np.array([0, 0, 3])), shape=(2, 2))
    with pytest.raises(MatchingError, match="twice"):
        solve_assignment(s, [1, 1], prune_above=0)
    # the same mentor at the end of one row and the start of the next is no repeat
    s = sp.csr_matrix((np.ones(3), np.array([1, 1, 0]), [0, 1, 3]), shape=(2, 2))
    assert solve_assignment(s, [1, 1], prune_above=0).matched_slots == 2


@pytest.mark.parametrize(
    "bad, message", [(np.nan, "pair \\(2, 1\\) is NaN"), (np.inf, "\\+inf")]
)
@pytest.mark.parametrize("sparse", [False, True])
def test_bad_weights_of_a_large_matrix_read_in_blocks_are_refused(bad, message, sparse):
    w = np.arange(12, dtype=float).reshape(4, 3)
    w[2, 1] = bad
    weights = sp.csr_matrix(w) if sparse else w
    with pytest.raises(MatchingError, match=message):
        solve_assignment(weights, [2, 2, 2], prune_above=0)


def test_locked_pairs_are_kept_and_capacity_is_shared():
    w = np.array([[1.0, 9.0], [9.0, 1.0], [5.0, 5.0]])
    res = solve_assignment(w, [1, 2], locked=[(0, 0)])
    got = {tuple(p) for p in res.pairs.tolist()}
    assert (0, 0) in got and len(got) == 3
    assert res.objective == pytest.approx(1 + 1 + 5)
    assert res.optimal


def test_warm_start_and_previous_pairs_reuse_the_solution():
    rng = np.random.default_rng(0)
    w = rng.integers(0, 3, (30, 10)).astype(float)  # many ties
    first = solve_assignment(w, np.full(10, 3))
    again = solve_assignment(w, np.full(10, 3), previous=first.pairs, warm_start=first)
    assert again.objective == first.objective and again.optimal
    assert np.array_equal(again.pairs, first.pairs)


def test_previous_pairs_win_ties():
    w = np.ones((2, 2))
    res = solve_assignment(w, [1, 1], previous=[(0, 1), (1, 0)])
    assert {tuple(p) for p in res.pairs.tolist()} == {(0, 1), (1, 0)}
    res = solve_assignment(w, [1, 1], previous=[(0, 0), (1, 1)])
    assert {tuple(p) for p in res.pairs.tolist()} == {(0, 0), (1, 1)}


def test_priority_changes_who_gets_the_last_seat():
    w = np.array([[0.6], [0.5]])
    assert solve_assignment(w, [1]).pairs.tolist() == [[0, 0]]
    res = solve_assignment(w, [1], priority=[1.0, 1.5])
    assert res.pairs.tolist() == [[1, 0]]
    assert res.objective == pytest.approx(0.5)  # reported in original weights
