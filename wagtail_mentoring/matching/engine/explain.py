"""Explanations: per-pair factor breakdown and reasons, and "why not" for mentees.

Reasons are ``Reason(code, params, text)``: the glue translates from ``code`` and
``params``; ``text`` is a plain English fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .features import (
    COMMON_TERM_SHARE,
    FORBID,
    TopicSpace,
    effective_weights,
    level_gap,
    place_value,
    same_place,
    seniority_value,
)
from .problem import FACTORS, MatchingConfig, MatchingProblem
from .rules import PAIR_RULES, PairRules


@dataclass
class Reason:
    """One explanation item: a stable code, its parameters and English text."""

    code: str
    params: dict[str, Any]
    text: str

    def as_tuple(self) -> tuple[str, dict[str, Any]]:
        """``(code, params)`` for translation by the glue."""
        return self.code, self.params


@dataclass
class PairExplanation:
    """Why a proposed pair fits: contribution of each factor and the top reasons."""

    mentee: int
    mentor: int
    score: float
    factors: dict[str, float]
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class UnmatchedExplanation:
    """Why a mentee got fewer mentors than wanted."""

    mentee: int
    missing: int
    reasons: list[Reason]


def _names(idx, labels) -> list[str]:
    return [str(labels[i]) if i < len(labels) else f"#{i}" for i in idx]


def _row_set(mat, i) -> np.ndarray:
    if mat is None:
        return np.zeros(0, np.int64)
    return mat.indices[mat.indptr[i] : mat.indptr[i + 1]]


def _overlap(left, right, rows_l, rows_r):
    """Per pair: |L ∩ R| / |L| and the shared indices (CSR rows of the product)."""
    a = left[rows_l]
    prod = a.multiply(right[rows_r]).tocsr()
    prod.sort_indices()
    size = np.diff(a.indptr)
    cnt = np.diff(prod.indptr)
    value = np.divide(cnt, size, out=np.zeros(len(size)), where=size > 0)
    return value, prod


def _shared(prod, k: int) -> list[int]:
    return prod.indices[prod.indptr[k] : prod.indptr[k + 1]].tolist()


def explain_pairs(
    problem: MatchingProblem,
    config: MatchingConfig,
    pairs: np.ndarray,
    text_tokens: list[list[str]] | None,
    text_vectors: np.ndarray | None,
    informative: Informative | None = None,
    topic: TopicSpace | None = None,
) -> list[PairExplanation]:
    """Factor contributions (weight share × factor value) and reasons per pair.

    Factor values are computed for all pairs at once (sparse products); only the
    few reasons shown per pair are built one by one. ``informative``: the words of
    ``text_tokens`` worth naming, when the caller keeps them between runs.
    ``topic`` is the feature space's (:class:`.features.TopicSpace`); without it
    the topic factor is 0.
    """
    w = effective_weights(problem, config)
    total = sum(w.values())
    lab = problem.labels
    k = len(pairs)
    if k == 0:
        return []
    pi = problem.mentees[pairs[:, 0]]
    pj = problem.mentors[pairs[:, 1]]
    values: dict[str, np.ndarray] = {}
    shared: dict[str, object] = {}
    values["skills"], shared["skills"] = _overlap(
        problem.skills_wanted, problem.skills_offered, pi, pj
    )
    values["goals"], shared["goals"] = _overlap(problem.goals, problem.goals, pi, pj)
    values["languages"], shared["languages"] = _overlap(
        problem.languages, problem.languages, pi, pj
    )
    if problem.availability is not None:
        values["availability"], shared["availability"] = _overlap(
            problem.availability, problem.availability, pi, pj
        )
    else:
        values["availability"] = np.zeros(k)
    if text_vectors is not None:
        values["interests"] = np.maximum(
            (text_vectors[pi] * text_vectors[pj]).sum(axis=1), 0.0
        )
    else:
        values["interests"] = np.zeros(k)
    values["topic"] = _topic_values(topic, pairs, pi, pj)
    gap = level_gap(problem, config, problem.level[pi], problem.level[pj])
    values["seniority"] = seniority_value(gap, config.ideal_level_gap)
    dep_i, dep_j = problem.department[pi], problem.department[pj]
    values["cross_department"] = (
        (dep_i != dep_j) & (dep_i >= 0) & (dep_j >= 0)
    ).astype(np.float64)
    same = same_place(problem.location[pi], problem.location[pj])
    dtz = problem.utc_offset[pi] - problem.utc_offset[pj]
    tz_known = problem.timezone_known[pi] & problem.timezone_known[pj]
    values["location"] = place_value(same, dtz, tz_known)
    share = np.array([w.get(f, 0.0) / total for f in FACTORS])
    contrib = np.column_stack([values[f] for f in FACTORS]) * share[None, :]
    order = np.argsort(-contrib, axis=1, kind="stable")[:, : config.explain_top]
    # what each reason's text depends on, per pair, as plain lists: many pairs share
    # a reason (same skills, same gap, same department), built once each
    keys = _reason_keys(problem, shared, gap, same, dtz, pj)
    tokens = informative if informative is not None else Informative(text_tokens)
    memo: dict[tuple, Reason] = {}
    out = []
    contrib_l, order_l = contrib.tolist(), order.tolist()
    for q, (i, j) in enumerate(pairs.tolist()):
        row = contrib_l[q]
        reasons = []
        for f in order_l[q]:
            if row[f] <= 0:
                break
            name = FACTORS[f]
            if name == "topic":
                # a circle without a topic gets the mentee's mean fit: no reason
                if topic is not None and topic.mentors[j]:
                    reasons.append(_topic_reason(topic, pi[q], pj[q]))
                continue
            key = keys[name](q) if name in keys else None
            reason = memo.get(key) if key is not None else None
            if reason is None:
                reason = _reason(
                    name, q, problem, lab, shared, gap, same, dtz, pi, pj, tokens
                )
                if key is not None:
                    memo[key] = reason
            reasons.append(reason)
        out.append(
            PairExplanation(
                mentee=i,
                mentor=j,
                score=sum(row),
                factors=dict(zip(FACTORS, row, strict=True)),
                reasons=reasons,
            )
        )
    return out


class Informative:
    """Each person's words without those most of the pool wrote, rarest first.

    The pool's counts are taken once; a person's words are sorted when first asked
    for. A re-solve passes the last run's copy: it explains a few new pairs, and
    counting every person's words again was most of its explanation time.
    """

    def __init__(self, text_tokens: list[list[str]] | None):
        self.tokens = text_tokens or []
        df: dict[str, int] = {}
        for words in self.tokens:
            for word in set(words):
                df[word] = df.get(word, 0) + 1
        self.df = df
        self.limit = max(2, COMMON_TERM_SHARE * len(self.tokens))
        self.memo: dict[int, list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.tokens)

    def __getitem__(self, person: int) -> list[str]:
        words = self.memo.get(person)
        if words is None:
            df, limit = self.df, self.limit
            words = sorted(
                {w for w in self.tokens[person] if df[w] <= limit},
                key=lambda w: (df[w], w),
            )
            self.memo[person] = words
        return words


def _topic_values(topic: TopicSpace | None, pairs, pi, pj) -> np.ndarray:
    """The topic factor's value per pair (see :func:`.features._add_topic`)."""
    if topic is None or not topic.mentors.any():
        return np.zeros(len(pairs))
    vec = topic.vectors
    fit = np.maximum((vec[pi] * vec[pj]).sum(axis=1), 0.0)
    mean = vec[topic.rows].mean(axis=0)
    return np.where(topic.mentors[pairs[:, 1]], fit, vec[pi] @ mean)


def _topic_reason(topic: TopicSpace, i: int, j: int) -> Reason:
    """ "fits the circle's topic": the mentee's words the topic uses, in its order."""
    mine = set(topic.tokens[i])
    terms = list(dict.fromkeys(w for w in topic.tokens[j] if w in mine))[:3]
    text = "fits the circle's topic" + (": " + ", ".join(terms) if terms else "")
    return Reason("circle_topic", {"terms": terms}, text)


def _reason_keys(problem, shared, gap, same, dtz, pj) -> dict:
    """Per factor, pair number → what its reason's text depends on."""
    keys = {}
    for name in ("skills", "goals", "languages", "availability"):
        if name in shared:
            prod = shared[name]
            ptr, idx = prod.indptr.tolist(), prod.indices.tolist()

            def key(q, name=name, ptr=ptr, idx=idx):
                return (name, *idx[ptr[q] : ptr[q + 1]])

            keys[name] = key
    gap_l = gap.tolist()
    keys["seniority"] = lambda q: ("seniority", gap_l[q])
    dep_l = problem.department[pj].tolist()
    keys["cross_department"] = lambda q: ("cross_department", dep_l[q])
    same_l, loc_l = same.tolist(), problem.location[pj].tolist()
    tz_l = np.abs(dtz).tolist()
    keys["location"] = lambda q: (
        ("location", True, loc_l[q]) if same_l[q] else ("location", False, tz_l[q])
    )
    return keys


def _reason(name, q, problem, lab, shared, gap, same, dtz, pi, pj, tokens) -> Reason:
    """The reason text for factor ``name`` of pair number ``q``."""
    if name in ("skills", "goals"):
        nm = _names(
            _shared(shared[name], q), lab.skills if name == "skills" else lab.goals
        )
        word = "shares" if name == "skills" else "common goals:"
        return Reason(f"shared_{name}", {"names": nm}, f"{word} {', '.join(nm)}")
    if name == "languages":
        nm = _names(_shared(shared[name], q), lab.languages)
        return Reason("shared_languages", {"names": nm}, f"speaks {', '.join(nm)}")
    if name == "availability":
        idx = _shared(shared[name], q)
        return Reason(
            "availability",
            {"count": len(idx), "slots": _names(idx, lab.availability)},
            f"{len(idx)} shared time slot(s)",
        )
    if name == "interests":
        # the rarest shared words say the most; at most three, in plain order
        theirs = set(tokens[pj[q]]) if tokens else set()
        terms = sorted([w for w in tokens[pi[q]] if w in theirs][:3]) if tokens else []
        text = "both mention " + ", ".join(terms) if terms else "similar interests"
        return Reason("shared_interests", {"terms": terms}, text)
    if name == "seniority":
        g = int(gap[q])
        return Reason(
            "seniority_gap",
            {"levels": g},
            f"{abs(g)} level{'s' if abs(g) != 1 else ''} "
            f"{'senior' if g >= 0 else 'junior'}",
        )
    if name == "cross_department":
        dname = _names([int(problem.department[pj[q]])], lab.departments)[0]
        return Reason(
            "cross_department",
            {"mentor_department": dname},
            f"from another department ({dname})",
        )
    if same[q]:
        loc = _names([int(problem.location[pj[q]])], lab.locations)[0]
        return Reason("same_location", {"location": loc}, f"same location ({loc})")
    hours = abs(int(dtz[q])) / 60
    return Reason("time_zone", {"hours": hours}, f"{hours:g} h time difference")


_RULE_WORDS = {
    "same_person": "is the same person",
    "reporting_line": "in reporting line",
    "same_manager": "same manager",
    "previous_partner": "previous partner",
    "opted_out": "opted out",
    "rejected": "rejected by an admin",
    "seniority": "not senior enough",
    "department": "department rule",
    "time_zone": "outside the time-zone window",
    "language": "no shared language",
    "below_min_score": "below the minimum score",
}


def rule_breakdown(
    problem: MatchingProblem,
    config: MatchingConfig,
    rules: PairRules,
    cat_scores: np.ndarray,
    i: int,
    min_score: float | None,
    raw_scores: np.ndarray,
) -> dict[str, int]:
    """How many mentors each rule excludes for mentee ``i`` (first rule wins).

    ``cat_scores`` are the mentee's raw float scores against all mentors (categorical
    rules show as large negatives), ``raw_scores`` their integer scores.
    """
    m = problem.n_mentors
    pi = int(problem.mentees[i])
    counts: dict[str, int] = {}
    remaining = np.ones(m, bool)
    remaining &= problem.mentor_capacity > 0
    codes = rules.lookup(i * m + np.arange(m))
    for c, name in enumerate(PAIR_RULES):
        hit = remaining & (codes == c)
        if hit.any():
            counts[name] = int(hit.sum())
            remaining &= ~hit
    mo = problem.mentors
    checks = []
    if config.min_seniority is not None:
        gap = level_gap(problem, config, problem.level[pi], problem.level[mo])
        checks.append(("seniority", gap < config.min_seniority))
    if config.department_rule != "any":
        same = problem.department[mo] == problem.department[pi]
        known = (problem.department[mo] >= 0) & (problem.department[pi] >= 0)
        checks.append(
            (
                "department",
                known & (~same if config.department_rule == "same" else same),
            )
        )
    if config.max_timezone_hours is not None:
        dtz = np.abs(problem.utc_offset[mo] - problem.utc_offset[pi])
        known = problem.timezone_known[mo] & problem.timezone_known[pi]
        checks.append(("time_zone", known & (dtz > config.max_timezone_hours * 60)))
    if config.require_shared_language:
        lang = problem.languages
        shared = np.asarray((lang[mo] @ lang[pi].T).todense()).ravel() > 0
        checks.append(("language", ~shared))
    for name, bad in checks:
        hit = remaining & bad
        if hit.any():
            counts[name] = int(hit.sum())
            remaining &= ~hit
    if min_score is not None:
        hit = remaining & (raw_scores < min_score) & (cat_scores > FORBID / 2)
        if hit.any():
            counts["below_min_score"] = int(hit.sum())
            remaining &= ~hit
    counts["compatible"] = int(remaining.sum())
    return counts


def unmatched_reason(
    counts: dict[str, int], n_mentors: int, missing: int
) -> list[Reason]:
    """Turn a rule breakdown into reasons for an unmatched mentee."""
    if n_mentors == 0:
        return [Reason("no_mentors", {}, "there are no mentors in this program")]
    compatible = counts.get("compatible", 0)
    parts = {k: v for k, v in counts.items() if k != "compatible"}
    if compatible == 0:
        detail = ", ".join(f"{v} {_RULE_WORDS.get(k, k)}" for k, v in parts.items())
        return [
            Reason(
                "no_mentor_passes_rules",
                {"counts": parts},
                "no mentor passes the rules" + (f": {detail}" if detail else ""),
            )
        ]
    return [
        Reason(
            "all_compatible_full",
            {"compatible": compatible, "counts": parts},
            f"all {compatible} compatible mentors are full (their places "
            "were worth more to other mentees)",
        )
    ]
