"""One mentee against many mentors scores exactly as a matching run does."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from wagtail_mentoring.matching.engine import MatchingConfig, MatchingProblem, multi_hot
from wagtail_mentoring.matching.engine.features import build_features, hashed_tfidf
from wagtail_mentoring.matching.engine.rules import build_pair_rules
from wagtail_mentoring.matching.engine.scoring import Scorer
from wagtail_mentoring.matching.engine.suggest import (
    RULES,
    People,
    _sparse_interests,
    damped_rank_keys,
    rule_counts,
    score_one,
    text_counts,
    text_index,
    tfidf_rows,
    tokens_of,
)

WORDS = [
    "data",
    "cloud",
    "python",
    "design",
    "sales",
    "finance",
    "coaching",
    "ux",
    "hiring",
    "writing",
]


def _problem(m: int, seed: int) -> MatchingProblem:
    """Row 0 is the mentee, rows 1..m the mentors."""
    rng = np.random.default_rng(seed)
    p = m + 1

    def hot(k, size):
        return multi_hot(
            [rng.choice(size, rng.integers(0, k + 1), replace=False) for _ in range(p)],
            size,
        )

    return MatchingProblem(
        person_ids=np.arange(p),
        level=rng.integers(0, 9, p),
        department=rng.integers(-1, 4, p),
        location=rng.integers(-1, 3, p),
        utc_offset=rng.choice([-480, -300, 0, 60, 330, 480], p),
        timezone_known=rng.random(p) > 0.2,
        manager=np.full(p, -1),
        languages=hot(3, 4),
        skills_offered=hot(4, 9),
        skills_wanted=hot(4, 9),
        goals=hot(3, 6),
        availability=hot(4, 10),
        interests_text=[
            " ".join(rng.choice(WORDS, rng.integers(0, 6))) for _ in range(p)
        ],
        mentees=np.array([0]),
        mentors=np.arange(1, p),
        mentor_capacity=np.ones(m, np.int64),
    )


def _people(problem: MatchingProblem, rows, tf) -> People:
    rows = np.asarray(rows)
    return People(
        level=problem.level[rows],
        department=problem.department[rows],
        location=problem.location[rows],
        utc_offset=problem.utc_offset[rows],
        timezone_known=problem.timezone_known[rows],
        languages=problem.languages[rows],
        skills_offered=problem.skills_offered[rows],
        skills_wanted=problem.skills_wanted[rows],
        goals=problem.goals[rows],
        availability=problem.availability[rows],
        text_tf=tf[rows],
    )


CONFIGS = [
    MatchingConfig(),
    MatchingConfig(
        min_seniority=None,
        department_rule="different",
        max_timezone_hours=5,
        require_shared_language=False,
        weights={"skills": 1.0, "interests": 4.0, "location": 0.7},
    ),
    MatchingConfig(reverse=True, department_rule="same", min_seniority=0),
]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("config", CONFIGS)
def test_scores_and_rules_are_those_of_a_run(seed, config):
    problem = _problem(300, seed)
    problem.validate()
    space = build_features(problem, config)
    rules = build_pair_rules(problem, config)
    expected = Scorer(space, rules, 64).scores(np.array([0]))[0].astype(np.int64)

    tokens = [tokens_of(t) for t in problem.interests_text]
    tf = text_counts(tokens, config.text_dim)
    df = (tf > 0).sum(axis=0)
    # mentors asked for in any order, some left out: scores do not move
    rows = np.random.default_rng(seed).permutation(np.arange(1, 301))[:250]
    got = score_one(
        _people(problem, [0], tf),
        _people(problem, np.arange(301), tf),
        rows,
        config,
        pair_rule=np.full(rows.size, -1),
        text_df=df,
        text_n=len(tokens),
    )
    assert np.array_equal(got.score, expected[rows - 1])
    assert ((got.rule >= 0) == (got.score < 0)).all()
    # the same on non-zero text entries only
    sparse = score_one(
        _people(problem, [0], tf),
        _people(problem, np.arange(301), tf),
        rows,
        config,
        pair_rule=np.full(rows.size, -1),
        text_df=df,
        text_n=len(tokens),
        text=text_index(tf),
    )
    assert np.array_equal(sparse.score, got.score)
    # not a trivial case: some pairs allowed (unless the mentee speaks nothing)
    assert (expected >= 0).any() or not problem.languages[0].nnz


def test_text_vectors_are_those_of_the_whole_population():
    texts = ["data cloud data", "", "python design sales", "ux ux ux data", "hiring"]
    vec, _tokens = hashed_tfidf(texts, 16)
    tf = text_counts([tokens_of(t) for t in texts], 16)
    assert np.array_equal(tfidf_rows(tf[[3, 0]], (tf > 0).sum(axis=0), 5), vec[[3, 0]])


def test_first_rule_wins_and_pair_rules_come_first():
    problem = _problem(40, 7)
    problem.validate()
    config = MatchingConfig(min_seniority=3)
    tf = np.zeros((41, config.text_dim))
    pair_rule = np.full(40, -1)
    pair_rule[:5] = 1  # reporting line
    got = score_one(
        _people(problem, [0], tf),
        _people(problem, np.arange(41), tf),
        np.arange(1, 41),
        config,
        pair_rule=pair_rule,
        text_df=np.zeros(config.text_dim, np.int64),
        text_n=41,
    )
    counts = rule_counts(got.rule)
    assert counts["reporting_line"] == 5
    gap = problem.level[1:] - problem.level[0]
    assert counts.get("seniority", 0) == int((gap[5:] < 3).sum())
    assert set(counts) <= {*RULES, "below_min_score"}
    assert (got.score[:5] == -1).all()


def test_vector_lengths_on_non_zero_entries_are_numpys_to_the_last_bit():
    rng = np.random.default_rng(5)
    tf = np.zeros((3000, 64))
    for j in range(3000):
        k = rng.integers(0, 25)
        np.add.at(tf[j], rng.integers(0, 64, k), rng.integers(1, 4, k))
    df = rng.integers(0, 3000, 64)
    left = np.rint(rng.random(64) * 900) * (rng.random(64) < 0.5)
    dense = tfidf_rows(tf, df, 3000).astype(np.float64)
    expected = np.rint(dense * 77.0) @ left
    idf = np.log((1.0 + 3000) / (1.0 + df)) + 1.0
    got = _sparse_interests(text_index(tf), idf, left, 77.0, np.ones(3000, bool))
    assert np.array_equal(got, expected)


def test_damped_keys_round_like_python():
    score = np.array([6250, 3750, 10000, 1, 4999, 5050], np.int64)
    load = np.array([1, 0, 2, 0, 3, 1])
    remaining = np.array([2, 1, 1, 3, 2, 1])
    damped, hundredths = damped_rank_keys(score, load, remaining, 3)
    for d, h, s, lo, r in zip(damped, hundredths, score, load, remaining, strict=True):
        base = s / 10_000
        assert d == base * (1 - 0.5 * lo / (r * 3))
        assert h == round(round(d, 2) * 100)


def test_an_empty_mentee_is_ruled_out_by_language():
    problem = _problem(10, 1)
    problem.validate()
    problem.languages = sp.csr_matrix(
        (np.ones(3, np.float32), ([1, 2, 3], [0, 1, 2])), shape=(11, 4)
    )
    config = MatchingConfig()
    tf = np.zeros((11, config.text_dim))
    got = score_one(
        _people(problem, [0], tf),
        _people(problem, np.arange(11), tf),
        np.arange(1, 11),
        config,
        pair_rule=np.full(10, -1),
        text_df=np.zeros(config.text_dim, np.int64),
        text_n=11,
    )
    assert (got.score == -1).all()
    assert (
        rule_counts(got.rule).get("language", 0)
        + rule_counts(got.rule).get("seniority", 0)
        == 10
    )
