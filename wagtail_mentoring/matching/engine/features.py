"""Feature matrices: every factor as one bilinear block of a single matrix product.

Score of a pair = ``left[i] · right[:, j]`` where ``left`` (mentees) carries weights and
normalisations and ``right`` (mentors) is 0/1 or a unit vector. Multi-hot factors
(skills, goals, languages, availability) and the hashed tf-idf text vectors are
bilinear already. Categorical factors (level gap, department, place/time zone,
language set) become bilinear through one-hot columns on the mentor side and a lookup
table row on the mentee side; the same tables carry the hard rules as a large
negative value, so one ``sgemm`` per block yields scores *and* categorical masks.

Every entry is an integer (rounded) in units of ``1 / (SCORE_SCALE · SUB)``, so an
allowed pair's product is a sum of non-negative integers below 2^24: float32
computes it *exactly*, in any order, for any subset of rows and columns. A score
never depends on how a block was cut, which lets certification re-score just the
rows and mentors it needs. ``score = min(floor(product / SUB), SCORE_SCALE)``.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .problem import MatchingConfig, MatchingProblem

SCORE_SCALE = 10_000  # integer score steps between 0 and 1 (fits int16)
SUB = 1024  # sub-steps per score step inside the product (a power of two: exact)
UNIT = SCORE_SCALE * SUB  # a product of 1.0; UNIT < 2^24 keeps float32 exact
FORBID = -float(2**26)  # a categorical rule: any product below 0 broke one
_TOKEN = re.compile(r"[a-z0-9]{3,}")
# Words that say nothing about what a person is into; without them "both mention
# how, learn, like" or "other and work" stops being a reason. The second
# half are words every workplace goal uses. English only: other languages keep all.
# fmt: off
STOP_WORDS = frozenset([
    "about", "after", "again", "also", "and", "any", "are", "been", "being", "but",
    "can", "could", "did", "does", "doing", "for", "from", "get", "got", "had", "has",
    "have", "her", "him", "his", "how", "into", "its", "just", "learn", "learning",
    "like", "more", "most", "much", "not", "now", "off", "our", "out", "over", "own",
    "really", "same", "she", "should", "some", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "too",
    "under", "very", "want", "was", "way", "well", "were", "what", "when", "where",
    "which", "while", "who", "why", "will", "with", "would", "you", "your",
    "all", "become", "better", "each", "every", "good", "great", "grow", "growing",
    "help", "improve", "improving", "lot", "make", "many", "new", "next", "one",
    "other", "others", "people", "prepare", "preparing", "role",
    "thing", "things", "time", "work", "working", "year", "years",
])
# fmt: on

#: A shared word is named as a reason only when at most this share of the pool
#: wrote it (and more than two people did): a word everyone uses explains nothing.
COMMON_TERM_SHARE = 0.5


def words(text: str | None) -> list[str]:
    """The words of ``text`` the text factors compare (lower case, no stop words)."""
    return [w for w in _TOKEN.findall((text or "").lower()) if w not in STOP_WORDS]


def hashed_tfidf(texts: list[str], dim: int) -> tuple[np.ndarray, list[list[str]]]:
    """L2-normalised hashed tf-idf vectors (no model download) and the tokens."""
    toks = [words(t) for t in texts]
    n = len(texts)
    # hash each distinct word once: people repeat the same few hundred words
    vocab: dict[str, int] = {}
    ids = [vocab.setdefault(t, len(vocab)) for ts in toks for t in ts]
    buckets = np.fromiter(
        (zlib.crc32(t.encode()) % dim for t in vocab), np.int64, len(vocab)
    )
    rows = np.repeat(np.arange(n), [len(ts) for ts in toks])
    cols = buckets[np.asarray(ids, np.int64)]
    # duplicate (row, bucket) entries are summed: term counts
    tf = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, dim))
    df = np.bincount(tf.indices, minlength=dim)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    x = np.asarray(tf.multiply(idf[None, :]).todense(), np.float64)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)
    return x.astype(np.float32), toks


@dataclass
class FeatureSpace:
    """Mentee-side ``left`` (n × K) and mentor-side ``right`` (K × m) float32."""

    left: np.ndarray
    right: np.ndarray
    blocks: dict[str, slice]
    total_weight: float
    text_tokens: list[list[str]] | None
    text_vectors: np.ndarray | None = None  # per person, for explanations
    topic: TopicSpace | None = None


@dataclass
class TopicSpace:
    """The ``topic`` factor's words and vectors per person (for explanations) and
    which mentors (positions) named a topic, and their person rows."""

    tokens: list[list[str]]
    vectors: np.ndarray
    mentors: np.ndarray
    rows: np.ndarray


def topic_mentors(problem: MatchingProblem) -> np.ndarray:
    """Per mentor position: named a topic the factor can compare (some words that
    are not stop words)."""
    if problem.topic_text is None:
        return np.zeros(problem.n_mentors, bool)
    texts = problem.topic_text
    return np.array([bool(words(texts[p])) for p in problem.mentors], bool)


def effective_weights(
    problem: MatchingProblem, config: MatchingConfig
) -> dict[str, float]:
    """The positive weights that count in this run.

    ``topic`` counts only when some mentor named a topic: a run without topics
    scores exactly as if the factor did not exist (its weight would otherwise
    shrink every other factor's share).
    """
    w = {k: float(v) for k, v in config.weights.items() if v > 0}
    if "topic" in w and len(w) > 1 and not topic_mentors(problem).any():
        del w["topic"]
    return w


def _row_normalised(mat: sp.csr_matrix) -> sp.csr_matrix:
    cnt = np.asarray(mat.sum(axis=1)).ravel()
    inv = np.divide(1.0, cnt, out=np.zeros_like(cnt, dtype=np.float64), where=cnt > 0)
    return sp.csr_matrix(sp.diags(inv) @ mat)


def seniority_value(gap: np.ndarray, ideal: int) -> np.ndarray:
    """1 at the ideal gap, falling linearly to 0 three levels away."""
    return np.clip(1.0 - np.abs(gap - ideal) / 3.0, 0.0, 1.0)


def place_value(
    same_location: np.ndarray,
    tz_diff_minutes: np.ndarray,
    tz_known: np.ndarray | bool = True,
) -> np.ndarray:
    """1 in the same location, else falls with the time-zone difference (0 at 12 h);
    nothing for a time zone someone did not give (an empty field is not "UTC")."""
    tz = np.clip(1.0 - np.abs(tz_diff_minutes) / 720.0, 0.0, 1.0)
    return np.where(same_location, 1.0, np.where(tz_known, 0.75 * tz, 0.0))


def same_place(loc_i: np.ndarray, loc_j: np.ndarray) -> np.ndarray:
    """Same location code, where one was given (negative codes are "not given")."""
    return (loc_i == loc_j) & (loc_i >= 0)


def level_gap(problem: MatchingProblem, config: MatchingConfig, li, lj):
    """Signed gap in the direction of the program (mentor senior unless reverse)."""
    return (li - lj) if config.reverse else (lj - li)


def build_features(problem: MatchingProblem, config: MatchingConfig) -> FeatureSpace:
    """Assemble ``left``/``right`` for all factors and categorical rules."""
    w = effective_weights(problem, config)
    total = sum(w.values())
    me, mo = problem.mentees, problem.mentors
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    blocks: dict[str, slice] = {}
    k = 0

    def add(name: str, left, right) -> None:
        """``left`` in shares of the total score (or FORBID), ``right`` 0/1 integers."""
        nonlocal k
        left = np.asarray(left.todense() if sp.issparse(left) else left, np.float64)
        right = np.asarray(right.todense() if sp.issparse(right) else right, np.float32)
        left = np.where(left < 0, FORBID, np.rint(left * UNIT)).astype(np.float32)
        lefts.append(left)
        rights.append(right)
        blocks[name] = slice(k, k + left.shape[1])
        k += left.shape[1]

    def onehot(codes: np.ndarray, size: int) -> np.ndarray:
        out = np.zeros((size, codes.size), np.float32)
        out[codes, np.arange(codes.size)] = 1.0
        return out

    for name, lmat, rmat in (
        ("skills", problem.skills_wanted, problem.skills_offered),
        ("goals", problem.goals, problem.goals),
        ("availability", problem.availability, problem.availability),
    ):
        if name in w and lmat is not None:
            add(name, _row_normalised(lmat[me]) * (w[name] / total), rmat[mo].T)
    tokens = vec = None
    if "interests" in w and problem.interests_text is not None:
        vec, tokens = hashed_tfidf(list(problem.interests_text), config.text_dim)
        # both sides rounded to integers; √(share · UNIT) steps on each side balance
        # their rounding errors (a few score steps in 10,000 at most)
        share = w["interests"] / total
        steps = max(1.0, float(np.rint(np.sqrt(share * UNIT))))
        add(
            "interests",
            vec[me].astype(np.float64) * (share / steps),
            np.rint(vec[mo].T.astype(np.float64) * steps),
        )
    topic = None
    if "topic" in w and problem.topic_text is not None:
        topic = _add_topic(problem, config, w["topic"] / total, add)

    # level: table over (mentee level, mentor level code)
    lv_i, lv_j = problem.level[me], problem.level[mo]
    ulv, lv_code = np.unique(lv_j, return_inverse=True)
    gap = level_gap(problem, config, lv_i[:, None], ulv[None, :])
    tab = seniority_value(gap, config.ideal_level_gap) * (w.get("seniority", 0) / total)
    if config.min_seniority is not None:
        tab = np.where(gap < config.min_seniority, FORBID, tab)
    add("seniority", tab, onehot(lv_code, ulv.size))

    # department: cross-department bonus and same/different rule
    dep_i, dep_j = problem.department[me], problem.department[mo]
    udep, dep_code = np.unique(dep_j, return_inverse=True)
    same = dep_i[:, None] == udep[None, :]
    # a negative code is "not given": no cross-department credit, no rule verdict
    known = (dep_i[:, None] >= 0) & (udep[None, :] >= 0)
    tab = (~same & known) * (w.get("cross_department", 0) / total)
    if config.department_rule == "same":
        tab = np.where(same | ~known, tab, FORBID)
    elif config.department_rule == "different":
        tab = np.where(same & known, FORBID, tab)
    add("cross_department", tab, onehot(dep_code, udep.size))

    # place: location + time zone, with the time-zone window rule
    known = problem.timezone_known.astype(np.int64)
    loc_j, tz_j, known_j = problem.location[mo], problem.utc_offset[mo], known[mo]
    places, place_code = np.unique(
        np.column_stack([loc_j, tz_j, known_j]), axis=0, return_inverse=True
    )
    place_code = place_code.ravel()
    loc_i, tz_i = problem.location[me], problem.utc_offset[me]
    same_loc = same_place(loc_i[:, None], places[None, :, 0])
    dtz = tz_i[:, None] - places[None, :, 1]
    tz_known = (known[me][:, None] > 0) & (places[None, :, 2] > 0)
    tab = place_value(same_loc, dtz, tz_known) * (w.get("location", 0) / total)
    if config.max_timezone_hours is not None:
        outside = tz_known & (np.abs(dtz) > config.max_timezone_hours * 60)
        tab = np.where(outside, FORBID, tab)
    add("location", tab, onehot(place_code, len(places)))

    # languages: shared fraction, and the shared-language rule, over distinct sets
    lang = problem.languages
    lang_j = lang[mo]
    keys = [
        tuple(lang_j.indices[lang_j.indptr[j] : lang_j.indptr[j + 1]])
        for j in range(lang_j.shape[0])
    ]
    uniq: dict[tuple, int] = {}
    set_code = np.array([uniq.setdefault(t, len(uniq)) for t in keys], np.int64)
    nl = lang.shape[1]
    sets = np.zeros((max(1, nl), len(uniq)), np.float32)
    for t, c in uniq.items():
        sets[list(t), c] = 1.0
    lang_i = _row_normalised(lang[me])
    frac = np.asarray((lang_i @ sets[:nl]) if nl else np.zeros((len(me), len(uniq))))
    shared = np.asarray((lang[me] @ sets[:nl]) if nl else frac) > 0
    tab = frac * (w.get("languages", 0) / total)
    if config.require_shared_language:
        tab = np.where(shared, tab, FORBID)
    add("languages", tab, onehot(set_code, len(uniq)))

    left = np.ascontiguousarray(np.hstack(lefts), np.float32)
    right = np.ascontiguousarray(np.vstack(rights), np.float32)
    return FeatureSpace(left, right, blocks, total, tokens, vec, topic)


def _add_topic(problem, config, share: float, add) -> TopicSpace:
    """The ``topic`` block: a mentee's words against the topic of a mentor's circle.

    With a topic, the hashed tf-idf cosine of the two texts, rounded like
    ``interests``. Without one, the mentee's *mean* fit with the topics on offer
    (one more column, 1 for topic-less mentors): a topic-less circle is never
    behind the average topic circle for anyone, so naming a topic draws the
    mentees it fits and leaves the others to circles that named none, instead of
    docking every topic-less mentor the whole weight. The mean is rounded once,
    per mentee, to an integer: products stay exact whatever blocks compute them.
    """
    me, mo = problem.mentees, problem.mentors
    has = topic_mentors(problem)
    vec, tokens = hashed_tfidf(list(problem.topic_text), config.text_dim)
    steps = max(1.0, float(np.rint(np.sqrt(share * UNIT))))
    left = np.rint(vec[me].astype(np.float64) * (share / steps) * UNIT)
    right = np.rint(vec[mo].T.astype(np.float64) * steps) * has[None, :]
    neutral = np.zeros(len(me))
    if has.any():
        neutral = np.rint(left @ right[:, has].mean(axis=1))
    add(
        "topic",
        np.column_stack([left, neutral]) / UNIT,
        np.vstack([right, (~has)[None, :].astype(np.float64)]),
    )
    return TopicSpace(tokens, vec, has, mo[has])
