"""The ``topic`` factor: a mentee's words against the topic of a mentor's circle."""

from __future__ import annotations

import numpy as np
import pytest

from wagtail_mentoring.matching.engine import (
    MatchingConfig,
    MatchingError,
    MatchingProblem,
    match,
    multi_hot,
)
from wagtail_mentoring.matching.engine.features import build_features
from wagtail_mentoring.matching.engine.rules import build_pair_rules
from wagtail_mentoring.matching.engine.scoring import SCORE_SCALE, Scorer

# no hard rule and no factor but skills and topic: only they decide
RULES_OFF = dict(
    min_seniority=None,
    reporting_line_depth=0,
    require_shared_language=False,
    text_dim=256,
)


def _circles(mentee_words, mentee_wants, mentor_topics, mentor_offers, capacity):
    n, m = len(mentee_words), len(mentor_topics)
    p = n + m
    return MatchingProblem(
        person_ids=np.arange(p),
        level=np.zeros(p, np.int64),
        department=np.zeros(p, np.int64),
        location=np.zeros(p, np.int64),
        utc_offset=np.zeros(p, np.int64),
        manager=np.full(p, -1),
        languages=multi_hot([[0]] * p, 1),
        skills_offered=multi_hot([[]] * n + mentor_offers, 2),
        skills_wanted=multi_hot(mentee_wants + [[]] * m, 2),
        goals=multi_hot([[]] * p, 1),
        topic_text=list(mentee_words) + list(mentor_topics),
        mentees=np.arange(n),
        mentors=np.arange(n, p),
        mentor_capacity=np.array(capacity),
    )


def _assignment(result) -> dict[int, int]:
    return {int(i): int(j) for i, j in result.pairs}


def test_the_topic_moves_mentees_to_the_circle_whose_topic_they_wrote_about():
    # Circle 0 is about managing engineering teams, circle 1 about data science;
    # each seats two. Skills pull the other way: mentees 0 and 1 want what the
    # data-science mentor offers, mentees 2 and 3 what the manager offers.
    problem = _circles(
        [
            "managing engineering teams",
            "managing engineering teams hiring",
            "data science statistics",
            "statistics data science pipelines",
        ],
        [[1], [1], [0], [0]],
        ["Managing engineering teams", "Data science & statistics"],
        [[0], [1]],
        [2, 2],
    )
    # Without the topic: a skill fit is worth 1, so the skills assignment
    # (0, 1 → circle 1; 2, 3 → circle 0) scores 4 × 1 = 4 and wins.
    skills_only = match(problem, MatchingConfig(weights={"skills": 1.0}, **RULES_OFF))
    assert _assignment(skills_only) == {0: 1, 1: 1, 2: 0, 3: 0}
    # With topic weight 2 (score = (skills + 2·topic) / 3): mentees 0 and 2 wrote
    # their circle's topic word for word (fit 1), mentees 1 and 3 all its words
    # and one more (tf-idf cosine ≈ 0.8). Topic assignment: (2/3)(1+0.8+1+0.8)
    # ≈ 2.4; skills assignment: 4 × 1/3 ≈ 1.33; any mix of the two ≤ 2.0.
    config = MatchingConfig(weights={"skills": 1.0, "topic": 2.0}, **RULES_OFF)
    with_topic = match(problem, config)
    assert _assignment(with_topic) == {0: 0, 1: 0, 2: 1, 3: 1}
    exact = with_topic.scores[np.argsort(with_topic.pairs[:, 0])]
    assert exact[0] == exact[2] == pytest.approx(2 / 3, abs=5 / SCORE_SCALE)
    assert 0.5 < exact[1] < 2 / 3 and 0.5 < exact[3] < 2 / 3
    # the explanation names the topic and the words it shares with the mentee
    reasons = {
        e.mentee: [(r.code, r.params) for r in e.reasons]
        for e in with_topic.explanations
    }
    assert ("circle_topic", {"terms": ["managing", "engineering", "teams"]}) in (
        reasons[0]
    )
    assert ("circle_topic", {"terms": ["data", "science", "statistics"]}) in (
        reasons[3]
    )


def test_a_circle_without_topic_gets_the_mentees_mean_fit_not_zero():
    # Circles 0 and 1 have topics, circle 2 none; nothing else differs.
    problem = _circles(
        ["managing engineering teams", "data science", "gardening", ""],
        [[0]] * 4,
        ["managing engineering teams", "data science statistics", ""],
        [[0]] * 3,
        [4, 4, 4],
    )
    config = MatchingConfig(weights={"skills": 1.0, "topic": 2.0}, **RULES_OFF)
    problem.validate()
    space = build_features(problem, config)
    scorer = Scorer(space, build_pair_rules(problem, config), 2, cache_pairs=0)
    q = scorer.scores(np.arange(4))
    # skills give everyone 1/3; the topic-less circle gets the mean of the two
    # topic circles' (one rounding step apart at most)
    assert np.all(np.abs(q[:, 2] - (q[:, 0] + q[:, 1]) / 2) <= 1)
    assert q[0, 0] > q[0, 2] > q[0, 1]  # a topic draws the mentees it fits...
    assert q[1, 1] > q[1, 2] > q[1, 0]  # ...and costs the ones it does not
    # words that fit no topic, or no words: no circle is ahead of another
    assert q[2, 0] == q[2, 1] == q[2, 2] == round(SCORE_SCALE / 3 - 0.5)
    assert q[3, 0] == q[3, 1] == q[3, 2]


def test_without_any_topic_the_factor_does_not_count():
    # its weight would otherwise shrink every other factor's share of the score
    problem = _circles(
        ["data", "science"], [[0], [1]], ["", "the of"], [[0], [1]], [1, 1]
    )
    with_weight = match(
        problem, MatchingConfig(weights={"skills": 1.0, "topic": 2.0}, **RULES_OFF)
    )
    without = match(problem, MatchingConfig(weights={"skills": 1.0}, **RULES_OFF))
    assert np.array_equal(with_weight.pairs, without.pairs)
    assert np.array_equal(with_weight.scores, without.scores)
    assert with_weight.scores.tolist() == [1.0, 1.0]


WORDS = ["data", "cloud", "python", "design", "sales", "finance", "coaching", "ux"]


@pytest.mark.parametrize("seed", [0, 1])
def test_topic_scores_are_the_same_integers_whichever_blocks_compute_them(seed):
    rng = np.random.default_rng(seed)
    n, m = 70, 20
    topics = [" ".join(rng.choice(WORDS, 2)) if j % 3 else "" for j in range(m)]
    problem = _circles(
        [" ".join(rng.choice(WORDS, 4)) for _ in range(n)],
        [list(rng.choice(2, 1)) for _ in range(n)],
        topics,
        [list(rng.choice(2, 1)) for _ in range(m)],
        list(rng.integers(2, 6, m)),
    )
    problem.interests_text = [" ".join(rng.choice(WORDS, 3)) for _ in range(n + m)]
    config = MatchingConfig(
        weights={"skills": 1.0, "interests": 1.0, "topic": 2.0}, **RULES_OFF
    )
    problem.validate()
    space = build_features(problem, config)
    scorer = Scorer(space, build_pair_rules(problem, config), 16, cache_pairs=0)
    full = np.vstack([q for _, q in scorer.rows_scores(np.arange(n))])
    assert np.array_equal(full, np.floor(full))
    assert full.min() >= 0 and full.max() <= SCORE_SCALE
    for _ in range(5):
        rows = np.sort(rng.choice(n, rng.integers(1, n), replace=False))
        cols = np.sort(rng.choice(m, rng.integers(1, m), replace=False))
        assert np.array_equal(scorer.scores(rows, cols), full[np.ix_(rows, cols)])
        assert np.array_equal(scorer.column_scores(cols).T, full[:, cols])
        r, c = rng.integers(0, n, 40), rng.integers(0, m, 40)
        assert np.array_equal(scorer.pair_scores(r, c), full[r, c].astype(np.int64))
    # the integer scores are the weighted factor values (explanations) within
    # the rounding of the text factors
    result = match(problem, config)
    for e, s in zip(result.explanations, result.scores, strict=True):
        assert abs(sum(e.factors.values()) - s) <= 5 / SCORE_SCALE
        if not topics[e.mentor]:  # a topic-less circle is never given a reason
            assert all(r.code != "circle_topic" for r in e.reasons)


def test_topic_text_needs_one_entry_per_person():
    problem = _circles(["a"], [[0]], ["b"], [[0]], [1])
    problem.topic_text = ["only one"]
    with pytest.raises(MatchingError, match="topic_text"):
        problem.validate()
