"""One mentee against many mentors: the scores, hard rules and text vectors of
self-select suggestions, without building a whole :class:`MatchingProblem`.

``match()`` scores every mentee against every mentor with one matrix product
(:mod:`.features`); for a single mentee most of that work is the mentor side,
which does not change between requests. Here the mentor side is a
:class:`People` table the glue builds once (and caches), and
:func:`score_one` computes, for one mentee and any rows of that table, exactly
the integer scores ``match()`` would: every factor is rounded to the same
integer units with the same floating-point operations, and the sum of those
integers is exact, so a pair scores the same here as in a matching run (a test
checks this against :class:`.scoring.Scorer`).

Pure numpy/scipy, like the rest of the engine.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .explain import Reason
from .features import (
    _TOKEN,
    COMMON_TERM_SHARE,
    SCORE_SCALE,
    STOP_WORDS,
    SUB,
    UNIT,
    _row_normalised,
    level_gap,
    place_value,
    same_place,
    seniority_value,
)
from .problem import MatchingConfig
from .rules import PAIR_RULES

#: Rule codes of :func:`score_one`, in the order "why not" counts them (the
#: first rule a pair breaks is the one it is counted under).
RULES = (*PAIR_RULES, "seniority", "department", "time_zone", "language")
BELOW_MIN_SCORE = "below_min_score"


@dataclass
class People:
    """Features of k people, indexed by row (a mentee is a table of one).

    Codes as in :class:`MatchingProblem`: negative department/location codes
    are "not given"; ``text_tf`` holds the hashed term counts of each person's
    free text (see :func:`text_counts`).
    """

    level: np.ndarray
    department: np.ndarray
    location: np.ndarray
    utc_offset: np.ndarray
    timezone_known: np.ndarray
    languages: sp.csr_matrix
    skills_offered: sp.csr_matrix
    skills_wanted: sp.csr_matrix
    goals: sp.csr_matrix
    availability: sp.csr_matrix
    text_tf: np.ndarray  # float64 (k × dim) term counts per hashed bucket


def tokens_of(text: str) -> list[str]:
    """The words of a text that the interests factor compares."""
    return [w for w in _TOKEN.findall((text or "").lower()) if w not in STOP_WORDS]


def text_counts(tokens: list[list[str]], dim: int) -> np.ndarray:
    """Dense term counts per hashed bucket, as :func:`.features.hashed_tfidf`
    counts them (float64, one row per person)."""
    out = np.zeros((len(tokens), dim), np.float64)
    for r, words in enumerate(tokens):
        for w in words:
            out[r, zlib.crc32(w.encode()) % dim] += 1.0
    return out


def tfidf_rows(tf: np.ndarray, df: np.ndarray, n: int) -> np.ndarray:
    """L2-normalised tf-idf vectors of some rows of a population of ``n`` people
    whose document frequencies per bucket are ``df``: the same numbers
    :func:`.features.hashed_tfidf` gives those rows over the whole population."""
    idf = np.log((1.0 + n) / (1.0 + df.astype(np.int64))) + 1.0
    x = np.ascontiguousarray(tf * idf[None, :], np.float64)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)
    return x.astype(np.float32)


@dataclass
class TextIndex:
    """The non-zero term counts of a :class:`People` table, laid out so that the
    length of each person's tf-idf vector can be summed in exactly the order
    numpy sums a dense row (eight interleaved partial sums, then a tree), on the
    few non-zero entries only."""

    row: np.ndarray
    col: np.ndarray
    count: np.ndarray
    lane: np.ndarray  # row * 8 + col % 8: the partial sum an entry goes to
    by_rank: list[np.ndarray]  # entries that are the 1st, 2nd… of their lane
    n_rows: int


def text_index(tf: np.ndarray) -> TextIndex:
    """Index the dense term counts ``tf`` (people × dim, dim a multiple of 8)."""
    if tf.shape[1] % 8:
        raise ValueError("text dimension must be a multiple of 8")
    row, col = np.nonzero(tf)  # row-major: columns ascending within a row
    lane = row * 8 + col % 8
    order = np.argsort(lane, kind="stable")
    first = np.searchsorted(lane[order], lane[order])
    rank = np.empty(row.size, np.int64)
    rank[order] = np.arange(row.size) - first
    by_rank = [np.flatnonzero(rank == r) for r in range(int(rank.max(initial=-1)) + 1)]
    return TextIndex(row, col, tf[row, col], lane, by_rank, tf.shape[0])


def _sparse_interests(index: TextIndex, idf, left, steps, wanted) -> np.ndarray:
    """Interests units of every person of ``index`` (0 where not ``wanted``)."""
    x = index.count * idf[index.col]
    sq = x * x
    lanes = np.zeros(index.n_rows * 8, np.float64)
    for at in index.by_rank:  # the numpy row sum, lane by lane, in column order
        lanes[index.lane[at]] += sq[at]
    r = lanes.reshape(index.n_rows, 8)
    norm = np.sqrt(
        ((r[:, 0] + r[:, 1]) + (r[:, 2] + r[:, 3]))
        + ((r[:, 4] + r[:, 5]) + (r[:, 6] + r[:, 7]))
    )
    use = (left[index.col] != 0) & wanted[index.row]
    rows = index.row[use]
    v = (x[use] / norm[rows]).astype(np.float32)
    units = np.rint(v.astype(np.float64) * steps) * left[index.col[use]]
    return np.bincount(rows, weights=units, minlength=index.n_rows)


@dataclass
class OneToMany:
    """Scores of one mentee against some mentors (in the order asked for).

    ``score`` is the integer score (0..SCORE_SCALE, -1 = not allowed);
    ``rule`` the first rule that rules a mentor out (index into :data:`RULES`,
    ``len(RULES)`` = below the minimum score, -1 = allowed); ``mentee_vector``
    and ``vectors`` the interests vectors, for explanations.
    """

    score: np.ndarray
    rule: np.ndarray
    mentee_vector: np.ndarray
    vectors: np.ndarray | None


def _units(x) -> np.ndarray:
    # the rounding of .features.build_features: shares of the score → integers
    return np.rint(np.asarray(x, np.float64) * UNIT)


def _multi_hot_units(left: sp.csr_matrix, share: float) -> tuple[float, np.ndarray]:
    """(integer units per shared item, the mentee's items as a 0/1 vector)."""
    row = sp.csr_matrix(left, dtype=np.float32)
    ind = np.zeros(row.shape[1], np.float32)
    ind[row.indices] = 1.0
    if row.nnz == 0:
        return 0.0, ind
    value = _row_normalised(row).data[0] * share
    return float(_units(value)), ind


def _overlap(mat: sp.csr_matrix, rows: np.ndarray, ind: np.ndarray) -> np.ndarray:
    width = mat.shape[1]
    if ind.size < width:
        ind = np.concatenate([ind, np.zeros(width - ind.size, np.float32)])
    counts = mat @ ind[:width]
    return np.rint(counts[rows]).astype(np.int64)


def score_one(
    mentee: People,
    table: People,
    rows: np.ndarray,
    config: MatchingConfig,
    *,
    pair_rule: np.ndarray,
    text_df: np.ndarray,
    text_n: int,
    text: TextIndex | None = None,
) -> OneToMany:
    """Score ``mentee`` (a table of one) against ``table[rows]``.

    ``pair_rule`` holds, per row asked for, the code (index into
    :data:`.rules.PAIR_RULES`) of a pair rule such as the reporting line, or -1.
    ``text_df``/``text_n`` are the document frequencies of the text buckets and
    the size of the population the matching run would see (mentee, mentors and
    their managers): tf-idf depends on them. With ``text`` (the table's
    :func:`text_index`), the interests factor is computed on non-zero entries
    only and no ``vectors`` are returned (:func:`tfidf_rows` gives those an
    explanation needs).
    """
    config.validate()
    rows = np.asarray(rows, np.int64)
    k = rows.size
    w = {f: float(v) for f, v in config.weights.items() if v > 0}
    # the table holds no circle topics: scored as a run where no mentor named one
    # (see .features.effective_weights)
    if len(w) > 1:
        w.pop("topic", None)
    total = sum(w.values())
    units = np.zeros(k, np.float64)
    for name, left, right in (
        ("skills", mentee.skills_wanted, table.skills_offered),
        ("goals", mentee.goals, table.goals),
        ("availability", mentee.availability, table.availability),
    ):
        if name in w:
            per, ind = _multi_hot_units(left, w[name] / total)
            if per:
                units += per * _overlap(right, rows, ind)

    rule = np.full(k, -1, np.int64)
    rule[pair_rule >= 0] = pair_rule[pair_rule >= 0]
    base = len(PAIR_RULES)

    def forbid(code: int, bad: np.ndarray) -> None:
        rule[(rule < 0) & bad] = base + code

    # seniority
    gap = level_gap(None, config, mentee.level[0], table.level[rows])
    tab = seniority_value(gap, config.ideal_level_gap) * (w.get("seniority", 0) / total)
    units += _units(tab)
    if config.min_seniority is not None:
        forbid(0, gap < config.min_seniority)
    # department
    dep_i, dep_j = mentee.department[0], table.department[rows]
    same = dep_i == dep_j
    known = (dep_i >= 0) & (dep_j >= 0)
    units += _units((~same & known) * (w.get("cross_department", 0) / total))
    if config.department_rule == "same":
        forbid(1, ~(same | ~known))
    elif config.department_rule == "different":
        forbid(1, same & known)
    # place and time-zone window
    same_loc = same_place(mentee.location[0], table.location[rows])
    dtz = mentee.utc_offset[0] - table.utc_offset[rows]
    tz_known = bool(mentee.timezone_known[0]) & table.timezone_known[rows]
    units += _units(
        place_value(same_loc, dtz, tz_known) * (w.get("location", 0) / total)
    )
    if config.max_timezone_hours is not None:
        forbid(2, tz_known & (np.abs(dtz) > config.max_timezone_hours * 60))
    # languages: the share of the mentee's languages the mentor speaks
    lang = sp.csr_matrix(mentee.languages, dtype=np.float32)
    inv = _row_normalised(lang).data[0] if lang.nnz else 0.0
    ind = np.zeros(lang.shape[1], np.float32)
    ind[lang.indices] = 1.0
    shared = _overlap(table.languages, rows, ind)
    # the run adds 1/|languages| once per shared language, in this order
    frac = np.concatenate([[0.0], np.cumsum(np.full(lang.nnz, inv))])
    units += _units(frac[shared] * (w.get("languages", 0) / total))
    if config.require_shared_language:
        forbid(3, shared == 0)

    allowed = rule < 0
    dim = table.text_tf.shape[1]
    vectors = np.zeros((0 if text is not None else k, dim), np.float32)
    mentee_vector = tfidf_rows(mentee.text_tf, text_df, text_n)[0]
    if "interests" in w:
        share = w["interests"] / total
        steps = max(1.0, float(np.rint(np.sqrt(share * UNIT))))
        left = _units(mentee_vector.astype(np.float64) * (share / steps))
        at = np.flatnonzero(allowed)
        if text is None:
            vectors[at] = tfidf_rows(table.text_tf[rows[at]], text_df, text_n)
            right = np.rint(vectors[at].astype(np.float64) * steps)
            units[at] += right @ left
        else:
            idf = np.log((1.0 + text_n) / (1.0 + text_df.astype(np.int64))) + 1.0
            wanted = np.zeros(text.n_rows, bool)
            wanted[rows[at]] = True
            units[at] += _sparse_interests(text, idf, left, steps, wanted)[rows[at]]
    if text is not None:
        vectors = None
    score = np.minimum(np.floor(units / SUB), SCORE_SCALE).astype(np.int64)
    score[~allowed] = -1
    if config.min_score is not None:
        min_int = int(np.ceil(config.min_score * SCORE_SCALE - 1e-9))
        below = allowed & (score < min_int)
        rule[below] = len(RULES)
        score[below] = -1
    return OneToMany(score, rule, mentee_vector, vectors)


def rule_counts(rule: np.ndarray) -> dict[str, int]:
    """How many mentors each rule rules out (first rule wins), as in a run's
    "why not" breakdown."""
    counts = np.bincount(rule[rule >= 0], minlength=len(RULES) + 1)
    names = (*RULES, BELOW_MIN_SCORE)
    return {names[c]: int(n) for c, n in enumerate(counts) if n}


def informative_terms(
    mentee_words: list[str], word_df: dict[str, int], n: int
) -> list[str]:
    """The mentee's words that say something, rarest first (as explanations
    rank them): words at most :data:`.features.COMMON_TERM_SHARE` of the
    ``n`` people wrote, or two."""
    limit = max(2, COMMON_TERM_SHARE * n)
    return sorted(
        {w for w in mentee_words if word_df.get(w, 0) <= limit},
        key=lambda w: (word_df.get(w, 0), w),
    )


def shared_terms(ranked_mentee_words: list[str], mentor_words: set[str]) -> list[str]:
    """At most three of the mentee's rarest words the mentor also wrote."""
    return sorted([w for w in ranked_mentee_words if w in mentor_words][:3])


def damped_rank_keys(
    score: np.ndarray, load: np.ndarray, remaining: np.ndarray, per_place: int
) -> tuple[np.ndarray, np.ndarray]:
    """(damped score, hundredths) per mentor: a score damped by the share of the
    mentor's exposure budget in use, and that damped score rounded to two
    decimals the way Python's ``round(x, 2)`` does (exact decimal rounding,
    half to even), as an integer number of hundredths."""
    base = score.astype(np.float64) / SCORE_SCALE
    # the same operations, in the same order, as the sort key it replaces
    damped = base * (1 - 0.5 * load / (remaining * per_place))
    x = damped * 100
    hundredths = np.rint(x)
    # where x lies within rounding error of a half, decide as Python does
    near = np.abs(np.abs(x - np.floor(x)) - 0.5) < 1e-9
    for i in np.flatnonzero(near).tolist():
        hundredths[i] = round(round(float(damped[i]), 2) * 100)
    return damped, hundredths.astype(np.int64)


def interests_reason(terms: list[str]):
    """The interests reason of an explanation, naming ``terms`` (as
    :func:`.explain.explain_pairs` words it)."""
    text = "both mention " + ", ".join(terms) if terms else "similar interests"
    return Reason("shared_interests", {"terms": terms}, text)
