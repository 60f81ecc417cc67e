"""``match(problem)``: score, apply rules, solve exactly, certify, explain, report.

Flow: features and pair rules → block-wise integer scores, keeping each mentee's best
candidates and a bound per mentor group on everything left out →
:func:`solve_assignment` on the best few candidates → certification against all
pairs (the (mentee, mentor group) pairs whose bound cannot exclude an improvement
are scored exactly; pairs that pay or nearly pay join the candidates and the problem
is re-solved) → optional fairness re-solve → reasons.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import backends
from .arrays import member, pair_keys, row_pointer
from .certify import flagged_groups, left_out_violations, profit_above
from .errors import MatchingError
from .explain import (
    Informative,
    PairExplanation,
    UnmatchedExplanation,
    explain_pairs,
    rule_breakdown,
    unmatched_reason,
)
from .fairness import GroupStats, group_report, max_cardinality
from .features import build_features
from .flow import auction_prices
from .problem import MatchingConfig, MatchingProblem
from .rules import PAIR_RULES, PairRules, build_pair_rules
from .scoring import NOT_ALLOWED, SCORE_SCALE, Candidates, Scorer
from .solver import AssignmentResult, solve_assignment


@dataclass
class MatchResult:
    """Everything a matching run produces, ready to be stored as proposals.

    ``pairs`` are (mentee position, mentor position); ``scores`` in [0, 1];
    ``fairness_cost`` is the total score given up for the fairness options (0 when
    none are active); ``certificate`` proves optimality of the solved objective.
    """

    pairs: np.ndarray
    scores: np.ndarray
    explanations: list[PairExplanation]
    unmatched: list[UnmatchedExplanation]
    fairness: list[GroupStats]
    fairness_baseline: list[GroupStats] | None
    fairness_cost: float
    floor: float | None
    optimal: bool
    certificate: dict[str, Any]
    timings: dict[str, float]
    assignment: AssignmentResult
    stats: dict[str, Any] = field(default_factory=dict)
    _cache: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def total_score(self) -> float:
        """Sum of the scores of all pairs."""
        return float(self.scores.sum())


def _priority(problem: MatchingProblem, config: MatchingConfig) -> np.ndarray | None:
    n = problem.n_mentees
    prio = np.ones(n)
    if problem.priority is not None:
        prio = prio * np.asarray(problem.priority, np.float64)
    for g, f in config.group_priority.items():
        prio[problem.group == g] *= f
    return None if np.all(prio == 1.0) else prio


# pairs whose reduced profit is this far below zero (in score units) are left out
# of a re-solve; prices rarely move that much, and the certificate checks them all
_MARGIN = SCORE_SCALE // 20
# right after an admin's edit the prices move only around the people it touched,
# whose pairs are solved whole: a third of the margin keeps one round in nearly
# every case (measured at 10,000 and 100,000), on a graph a third the size
_EDIT_MARGIN = _MARGIN // 3
# left-out pairs this close to paying join the candidates when some pair pays
_SLACK = SCORE_SCALE // 20
# the first solve: every candidate this close to paying at an auction's prices;
# for mentees wanting several mentors, each one's best few and each mentor's
_AUCTION_MARGIN = SCORE_SCALE * 3 // 100
_SEED_K = 8
_NO_PRUNING = np.iinfo(np.int64).max


def _rules_changed(
    cands: Candidates, scorer: Scorer, before: PairRules, now: PairRules, m: int
) -> Candidates:
    """The candidates of an earlier run under its people's pair rules of now.

    The earlier candidates and their bounds left out every pair its rules
    forbade: a pair forbidden since (a rejection) is marked not allowed, and a
    pair allowed again (a rejection taken back) is scored and kept, as no bound
    covers it. Both key sets are sorted and distinct.
    """
    kept = member(now.keys, before.keys, x_distinct_sorted=True, of_sorted=True)
    still = member(before.keys, now.keys, x_distinct_sorted=True, of_sorted=True)
    forbidden, allowed = now.keys[~kept], before.keys[~still]
    if forbidden.size == 0 and allowed.size == 0:
        return cands
    keys = np.concatenate([forbidden, allowed])
    # a pair allowed again is scored under today's rules: another may forbid it
    score = np.concatenate(
        [
            np.full(forbidden.size, NOT_ALLOWED, np.int64),
            scorer.pair_scores(*np.divmod(allowed, m)),
        ]
    )
    at = cands.locate(keys, m)
    here = at >= 0
    if here.any():
        cands = cands.rescored(at[here], score[here])
    new = ~here & (score >= 0)
    if new.any():
        cands = cands.inserted(*np.divmod(keys[new], m), score[new], m)
    return cands


def _scores_of(c: Candidates, scorer: Scorer, pairs: np.ndarray, m: int) -> np.ndarray:
    """Integer scores of result pairs: every solved pair is a candidate."""
    at = c.locate(pair_keys(pairs[:, 0], pairs[:, 1], m), m)
    miss = at < 0
    out = np.zeros(at.size, np.int64)
    out[~miss] = c.score[at[~miss]]
    if miss.any():  # not expected; stay correct anyway
        out[miss] = scorer.pair_scores(pairs[miss, 0], pairs[miss, 1])
    return out


def _csr(c: Candidates, solve: np.ndarray, n: int, m: int) -> sp.csr_matrix:
    """The ``solve`` candidates' scores as a CSR matrix, built from their order
    (by mentee, then mentor, no repeats) rather than sorted again."""
    at = np.flatnonzero(solve)
    indptr = row_pointer(c.rows[at], n)
    w = sp.csr_matrix(
        (c.score[at].astype(np.float64), c.cols[at], indptr), shape=(n, m)
    )
    w.has_sorted_indices = True
    return w


class _Run:
    """State shared by the solves of one ``match`` call."""

    def __init__(self, problem, config, scorer, cands):
        self.p = problem
        self.c = config
        self.scorer = scorer
        self.cands = cands
        self.n, self.m = problem.n_mentees, problem.n_mentors
        self.row_cap = np.broadcast_to(
            np.asarray(problem.mentee_capacity, np.int64), (self.n,)
        )
        self.cert_rounds = 0
        self.rescored_rows = 0
        self.rescored_pairs = 0
        self.added = 0
        self.solved_pairs = 0

    def solve(
        self, prio, threshold: int, warm, *, after_edit: bool = False
    ) -> AssignmentResult:
        """Exact solve over *all* pairs scoring >= threshold (plus locks).

        ``after_edit``: ``warm`` is the answer before an admin's locks or
        rejections, which every round repairs (:func:`.backends.for_repair`), the
        first on the pairs within :data:`_EDIT_MARGIN`.
        """
        p, n, m = self.p, self.n, self.m
        locked = p.locked
        lkey = (
            pair_keys(locked[:, 0], locked[:, 1], m)
            if len(locked)
            else np.zeros(0, np.int64)
        )
        previous = () if self.c.fresh else p.previous_proposals
        pkey = (
            pair_keys(previous[:, 0], previous[:, 1], m)
            if len(previous)
            else np.zeros(0, np.int64)
        )
        duals = warm if warm is not None and warm._warm is not None else None
        solved_keys = np.zeros(0, np.int64)
        rounds = 0
        while True:
            rounds += 1
            c = self.cands
            key_c = c.keys(m)
            keep = c.score >= threshold
            if lkey.size:
                keep |= c.among(lkey, m)
            solve = keep
            start_prices = None
            if duals is None:
                start_prices, first = self._auction(c, keep, locked, prio)
                if first is None:
                    first = self._seed(c)
                # locked and previous pairs are always solved
                first |= c.among(lkey, m) | c.among(pkey, m)
                solve = keep & first
            else:
                # with prices at hand only pairs near the margin can matter: solve
                # those (plus pairs in use, locked or previous); the rest are
                # checked against the new prices. After a few rounds every pair
                # solved before stays in, so the rounds only grow and must end.
                if rounds < 4:
                    solved_keys = np.zeros(0, np.int64)
                # one lookup of the candidates in all the pairs that must stay
                must = np.concatenate(
                    [
                        pair_keys(duals.pairs[:, 0], duals.pairs[:, 1], m),
                        lkey,
                        pkey,
                        solved_keys,
                    ]
                )
                margin = _EDIT_MARGIN if after_edit and rounds == 1 else _MARGIN
                near = profit_above(
                    duals, c.rows, c.cols, c.score, -margin * duals._warm["tie"]
                )
                held = c.among(np.unique(must), m, keys_sorted=True)
                solve = keep & (near | held)
                if rounds == 1:
                    solve |= keep & self._touched(c, duals.pairs)
            solved_keys = (
                np.union1d(solved_keys, key_c[solve]) if rounds >= 4 else key_c[solve]
            )
            w = _csr(c, solve, n, m)
            res = solve_assignment(
                w,
                p.mentor_capacity,
                p.mentee_capacity,
                locked=locked,
                previous=previous,
                priority=prio,
                warm_start=warm,
                start=duals,  # repair the last answer from its prices
                prices=start_prices,
                # after an edit, the repair of the few displaced units (and of
                # the few pairs a later round adds) is faster than any backend's
                # solve afresh
                backend=(
                    backends.for_repair(self.c.solver)
                    if after_edit and duals is not None
                    else self.c.solver
                ),
                prune_above=_NO_PRUNING,  # this loop picks the pairs to solve
            )
            self.cert_rounds += 1
            self.solved_pairs = int(solve.sum())
            if res._warm is None:
                return res
            # candidates left out of this solve: the next round takes any that pay
            pending = bool(
                np.any(profit_above(res, c.rows, c.cols, c.score)[keep & ~solve])
            )
            duals = res
            # pairs left out of the candidates that might still pay: score them
            add_r, add_c, add_s, add_p = [], [], [], []
            slack = _SLACK * res._warm["tie"]
            for rows, cols, q in self._to_check(res, threshold):
                r, cc, rp = left_out_violations(res, rows, q, threshold, cols, slack)
                add_r.append(rows[r])
                add_c.append(cc)
                add_s.append(q[r, np.searchsorted(cols, cc)])
                add_p.append(rp)
            ar = np.concatenate(add_r) if add_r else np.zeros(0, np.int64)
            ac = np.concatenate(add_c) if add_c else np.zeros(0, np.int64)
            ap = np.concatenate(add_p) if add_p else np.zeros(0, np.int64)
            akey = pair_keys(ar, ac, m)
            new = ~c.hold(akey, m)
            # candidates outside this solve that pay: another round. Solved pairs
            # may show a profit (a mentee with several mentors values them
            # unequally: the duals' slack), and locked pairs hold their own seats.
            outside = ~new & ~member(akey, solved_keys) & ~member(akey, lkey)
            pending |= bool((outside & (ap > 0)).any())
            # pairs that nearly pay join the candidates with those that do: the
            # next solve moves prices, and they would be the next to pay
            if not pending and not np.any(new & (ap > 0)):
                return res
            ar, ac = ar[new], ac[new]
            self.added += ar.size
            if ar.size:
                self.cands = c.inserted(ar, ac, np.concatenate(add_s)[new], m)

    def _touched(self, c: Candidates, before: np.ndarray) -> np.ndarray:
        """Candidates of the people an admin edit moved: the mentees and mentors of
        locked or rejected pairs and their partners in ``before``. Their prices are
        the ones that jump, so a re-solve from old prices would miss their pairs.
        """
        edits = [a for a in (self.p.locked, self.p.rejected) if len(a)]
        if not edits or not len(before):
            return np.zeros(c.rows.size, bool)
        e = np.vstack(edits)
        rows = np.zeros(self.n, bool)
        cols = np.zeros(self.m, bool)
        rows[e[:, 0]] = True
        cols[e[:, 1]] = True
        # their partners: read before either mask grows
        partner_rows = before[cols[before[:, 1]], 0]
        partner_cols = before[rows[before[:, 0]], 1]
        rows[partner_rows] = True
        cols[partner_cols] = True
        return rows[c.rows] | cols[c.cols]

    def _seed(self, c: Candidates) -> np.ndarray:
        """Pairs of the first solve without an auction: each mentee's ``_SEED_K``
        best candidates and each mentor's best 2 × capacity. The certificate then
        brings in whatever else pays, and is what makes the result exact.
        """
        top = SCORE_SCALE + 2  # scores from NOT_ALLOWED (-1) up
        seed = np.zeros(c.rows.size, bool)
        for major, n_major, want in (
            (c.rows, self.n, _SEED_K * self.row_cap),
            (c.cols, self.m, 2 * self.p.mentor_capacity),
        ):
            order = np.argsort(major * top + (SCORE_SCALE - c.score), kind="stable")
            sm = major[order]
            rank = np.arange(sm.size) - np.searchsorted(sm, np.arange(n_major))[sm]
            seed[order[rank < want[sm]]] = True
        return seed

    def _auction(self, c: Candidates, keep: np.ndarray, locked, prio):
        """(Mentor prices, candidates near paying at them) from a short auction on
        the ``keep`` candidates; (None, None) for mentees wanting several mentors,
        which the auction does not handle.

        The pairs a first solve needs are the ones that pay at the optimal prices,
        not each mentee's best few by score: popular mentors are full at any
        price a mentee would pay. The auction's prices are close, and solving the
        pairs within :data:`_AUCTION_MARGIN` of paying at them (about 3 a mentee)
        leaves the certificate few pairs to add: one solve and a short repair
        instead of three solves (measured in docs/matching.md). The engine's flow
        also starts from these prices.
        """
        n, m = self.n, self.m
        if self.row_cap.max(initial=0) > 1:
            return None, None
        col_cap = np.asarray(self.p.mentor_capacity, np.int64).copy()
        busy = self.row_cap == 0
        if len(locked):  # locks hold their seats and their mentees
            col_cap -= np.bincount(locked[:, 1], minlength=m)
            busy = busy | (np.bincount(locked[:, 0], minlength=n) > 0)
        eff = c.score.astype(np.float64)
        if prio is not None:
            eff *= prio[c.rows]
        # every pair beats staying unmatched, as cardinality comes first
        ben = np.rint(eff).astype(np.int64) + SCORE_SCALE
        use = keep & ~busy[c.rows] & (col_cap[c.cols] > 0)
        price = auction_prices(c.rows[use], c.cols[use], ben[use], n, m, col_cap)
        value = np.zeros(n, np.int64)
        np.maximum.at(value, c.rows[use], ben[use] - price[c.cols[use]])
        near = ben - price[c.cols] - value[c.rows] > -_AUCTION_MARGIN
        return price, near & use

    def _to_check(self, res, threshold):
        """Yield (mentees, mentors, exact scores) of blocks whose pairs need a check.

        The stored bounds name the (mentee, mentor group) pairs that might pay;
        only those are scored (read from the cache when there is one).
        """
        rows, gi, g = flagged_groups(res, self.cands, threshold)
        if rows.size == 0:
            return
        groups = self.cands.group_max.shape[1]
        combo = gi * groups + g
        order = np.lexsort((rows, combo))
        rows, combo = rows[order], combo[order]
        starts = np.flatnonzero(np.diff(combo, prepend=-1))
        ends = np.append(starts[1:], rows.size)
        members = {}  # per grouping: mentors sorted by group, and where each starts
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            grouping, group = divmod(int(combo[a]), groups)
            if grouping not in members:
                grp = self.cands.groupings[grouping]
                o = np.argsort(grp, kind="stable")
                members[grouping] = (o, np.searchsorted(grp[o], np.arange(groups + 1)))
            o, at = members[grouping]
            cols = np.sort(o[at[group] : at[group + 1]])
            sel = rows[a:b]
            self.rescored_rows += sel.size
            self.rescored_pairs += sel.size * cols.size
            yield sel, cols, self.scorer.scores(sel, cols)

    def floor(self, base: AssignmentResult, prio) -> int:
        """Largest score t such that matching only pairs >= t keeps as many slots."""
        p, n, m = self.p, self.n, self.m
        wm = base._warm
        if wm is None:
            return 0
        row_cap, col_cap = wm["row_cap"], wm["col_cap"]
        locked = p.locked
        target = base.matched_slots - len(locked)
        while True:
            c = self.cands
            lkey = pair_keys(locked[:, 0], locked[:, 1], m) if len(locked) else None
            free = c.score >= 0
            if lkey is not None:
                free &= ~c.among(lkey, m)
            levels = np.unique(c.score[free])
            lo, hi = 0, levels.size - 1  # levels[lo] feasible
            while lo < hi:
                mid = (lo + hi + 1) // 2
                sel = free & (c.score >= levels[mid])
                flow, _ = max_cardinality(
                    c.rows[sel], c.cols[sel], n, m, row_cap, col_cap
                )
                if flow >= target:
                    lo = mid
                else:
                    hi = mid - 1
            t = int(levels[lo]) if levels.size else 0
            if lo + 1 >= levels.size:
                return t
            # prove t+1 infeasible on the full problem: nothing may cross the min cut
            nxt = int(levels[lo + 1])
            sel = free & (c.score >= nxt)
            _, side = max_cardinality(c.rows[sel], c.cols[sel], n, m, row_cap, col_cap)
            src_rows = np.flatnonzero(side[:n] & (row_cap > 0))
            sink_cols = ~side[n : n + m] & (col_cap > 0)
            add = []
            for rows, q in self.scorer.rows_scores(src_rows):
                ok = (q >= t + 1) & sink_cols[None, :]
                r, cc = np.nonzero(ok)
                rr = rows[r]
                new = ~c.hold(pair_keys(rr, cc, m), m)
                if new.any():
                    add.append((rr[new], cc[new], q[r[new], cc[new]].astype(np.int64)))
            if not add:
                return t
            self.cands = c.inserted(
                *(np.concatenate([a[k] for a in add]) for k in range(3)), m
            )


def match(
    problem: MatchingProblem,
    config: MatchingConfig | None = None,
    *,
    previous: MatchResult | None = None,
) -> MatchResult:
    """Score, rule, solve (certified exact), explain and report one matching run.

    Pass ``previous`` (the last result of the *same* people and settings) after an
    admin locked or rejected pairs: scores are reused, the solve starts from the
    previous prices and pairs, and previous proposals win ties unless
    ``config.fresh``.
    """
    t0 = time.perf_counter()
    config = config or MatchingConfig()
    config.validate()
    problem.validate()
    n, m = problem.n_mentees, problem.n_mentors
    timings: dict[str, float] = {}
    reuse = (
        previous is not None
        and not config.fresh
        and previous._cache is not None
        and previous._cache["shape"] == (n, m)
        and previous._cache["config"] == _config_key(config)
    )
    if reuse:
        space, scorer = previous._cache["space"], previous._cache["scorer"]
        rules = build_pair_rules(problem, config)
        scorer.rules = rules
        cands: Candidates = previous._cache["cands"]
        cands = _rules_changed(cands, scorer, previous._cache["rules"], rules, m)
    else:
        space = build_features(problem, config)
        rules = build_pair_rules(problem, config)
        scorer = Scorer(space, rules, config.block_rows)
        cands = None
    timings["features"] = time.perf_counter() - t0

    # locked pairs must pass the hard rules
    locked = problem.locked
    if len(locked):
        ls = scorer.pair_scores(locked[:, 0], locked[:, 1])
        if np.any(ls < 0):
            i, j = locked[int(np.argmax(ls < 0))]
            code = rules.lookup(np.array([i * m + j]))[0]
            why = PAIR_RULES[code] if code >= 0 else "a program rule"
            raise MatchingError(
                f"locked pair (mentee {i}, mentor {j}) breaks a hard rule: {why}"
            )
    t1 = time.perf_counter()
    extra = [a for a in (locked, problem.previous_proposals) if len(a)]
    extra_pairs = np.vstack(extra) if extra else None
    if cands is None:
        cap = np.asarray(problem.mentor_capacity)
        cands = scorer.candidates(
            config.top_k, extra_pairs, guard=2 * cap, capacity=cap
        )
    elif extra_pairs is not None:
        ek = np.unique(pair_keys(extra_pairs[:, 0], extra_pairs[:, 1], m))
        ek = ek[~cands.hold(ek, m)]
        if ek.size:  # locked or previous pairs that are not candidates yet
            er, ec = np.divmod(ek, m)
            es = scorer.pair_scores(er, ec)
            ok = es >= 0
            cands = cands.inserted(er[ok], ec[ok], es[ok], m)
    timings["scoring"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    run = _Run(problem, config, scorer, cands)
    # never below 0: candidates scored NOT_ALLOWED are never solved
    min_int = (
        max(0, int(np.ceil(config.min_score * SCORE_SCALE - 1e-9)))
        if config.min_score is not None
        else 0
    )
    prio = _priority(problem, config)
    warm = previous.assignment if reuse else None
    fair = config.floor_first or prio is not None
    base = run.solve(None, min_int, warm, after_edit=warm is not None)
    floor_int = None
    final = base
    if fair:
        threshold = min_int
        if config.floor_first:
            floor_int = max(run.floor(base, prio), min_int)
            threshold = floor_int
        final = run.solve(prio, threshold, base)
    timings["solve"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    pairs = final.pairs
    pair_score = _scores_of(run.cands, scorer, pairs, m).astype(np.float64)
    scores = pair_score / SCORE_SCALE
    base_scores = (
        _scores_of(run.cands, scorer, base.pairs, m) / SCORE_SCALE if fair else scores
    )
    # a re-solve keeps most pairs: their explanations (same scores, same settings)
    # are reused and only new pairs are explained
    kept = np.zeros(len(pairs), bool)
    at = np.zeros(len(pairs), np.int64)
    if reuse and len(previous.pairs) and len(pairs):
        # both pair lists are sorted by key, and explanations follow their pairs
        before = pair_keys(previous.pairs[:, 0], previous.pairs[:, 1], m)
        now = pair_keys(pairs[:, 0], pairs[:, 1], m)
        at = np.minimum(np.searchsorted(before, now), before.size - 1)
        kept = before[at] == now
    expl_arr = np.empty(len(pairs), object)
    if kept.any():
        old = np.empty(len(previous.explanations), object)
        old[:] = previous.explanations
        expl_arr[kept] = old[at[kept]]
    new = np.empty(int((~kept).sum()), object)
    # the pool's word counts are the same people's as last time
    informative = (
        previous._cache["informative"] if reuse else Informative(space.text_tokens)
    )
    new[:] = explain_pairs(
        problem,
        config,
        pairs[~kept],
        space.text_tokens,
        space.text_vectors,
        informative,
        topic=space.topic,
    )
    for e, s in zip(new, scores[~kept].tolist(), strict=True):
        e.score = s  # a kept pair's explanation has its score already
    expl_arr[~kept] = new
    expl = expl_arr.tolist()
    unmatched = _unmatched(problem, config, scorer, rules, pairs, min_int)
    timings["explain"] = time.perf_counter() - t3
    timings["total"] = time.perf_counter() - t0

    cert = final.certificate.as_dict() if final.certificate else {}
    cert |= {
        "optimal": final.optimal,
        "certification_rounds": run.cert_rounds,
        "rescored_mentees": run.rescored_rows,
        "rescored_pairs": run.rescored_pairs,
        "added_pairs": run.added,
        "candidate_pairs": int(np.count_nonzero(run.cands.score >= 0)),
        "solved_pairs": run.solved_pairs,
        "all_pairs": int(n) * int(m),
        "floor_certified": floor_int is not None,
    }
    return MatchResult(
        pairs=pairs,
        scores=scores,
        explanations=expl,
        unmatched=unmatched,
        fairness=group_report(problem.group, pairs, scores),
        fairness_baseline=group_report(problem.group, base.pairs, base_scores)
        if fair
        else None,
        fairness_cost=float(base_scores.sum() - scores.sum()) if fair else 0.0,
        floor=None if floor_int is None else floor_int / SCORE_SCALE,
        optimal=bool(final.optimal and base.optimal),
        certificate=cert,
        timings=timings,
        assignment=final,
        stats={"matched_slots": final.matched_slots, **final.stats},
        _cache={
            "shape": (n, m),
            "config": _config_key(config),
            "space": space,
            "scorer": scorer,
            "cands": run.cands,
            "informative": informative,
            # the rules the candidates obey: the shared scorer's are those of
            # whichever run last started from this result
            "rules": rules,
        },
    )


def _config_key(config: MatchingConfig) -> tuple:
    """Settings that change scores or rules (fairness and stickiness do not)."""
    return (
        tuple(sorted(config.weights.items())),
        config.ideal_level_gap,
        config.reporting_line_depth,
        config.exclude_same_manager,
        config.min_seniority,
        config.reverse,
        config.department_rule,
        config.require_shared_language,
        config.max_timezone_hours,
        config.top_k,
        config.block_rows,
        config.text_dim,
    )


def _unmatched(
    problem, config, scorer, rules, pairs, min_int
) -> list[UnmatchedExplanation]:
    n, m = problem.n_mentees, problem.n_mentors
    cap = np.broadcast_to(np.asarray(problem.mentee_capacity, np.int64), (n,))
    got = np.bincount(pairs[:, 0], minlength=n) if len(pairs) else np.zeros(n, np.int64)
    missing = cap - got
    rows = np.flatnonzero(missing > 0)
    out = []
    if rows.size == 0:
        return out
    if m == 0:
        return [
            UnmatchedExplanation(
                int(i), int(missing[i]), unmatched_reason({}, 0, int(missing[i]))
            )
            for i in rows
        ]
    space = scorer.space
    for sel, q in scorer.rows_scores(rows):
        raw = space.left[sel] @ space.right
        for k, i in enumerate(sel.tolist()):
            counts = rule_breakdown(
                problem,
                config,
                rules,
                raw[k],
                i,
                min_int if config.min_score is not None else None,
                q[k],
            )
            out.append(
                UnmatchedExplanation(
                    i, int(missing[i]), unmatched_reason(counts, m, int(missing[i]))
                )
            )
    return out


__all__ = ["MatchResult", "match", "NOT_ALLOWED"]
