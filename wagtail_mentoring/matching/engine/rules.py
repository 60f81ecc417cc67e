"""Hard rules that are pair lists rather than categories (org chart, history).

They are kept as sorted integer keys ``mentee * n_mentors + mentor`` with a reason code
each, so scoring can knock them out of a block with one ``searchsorted`` and "why not"
explanations can name the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import pair_keys
from .problem import MatchingConfig, MatchingProblem

# reason codes (index = code)
PAIR_RULES = (
    "same_person",
    "reporting_line",
    "same_manager",
    "previous_partner",
    "opted_out",
    "rejected",
)


@dataclass
class PairRules:
    """Forbidden pairs: sorted unique ``keys`` and the first rule code of each."""

    keys: np.ndarray
    codes: np.ndarray
    n_mentors: int

    def in_rows(self, r0: int, r1: int) -> np.ndarray:
        """Keys of forbidden pairs whose mentee is in ``[r0, r1)``."""
        a = np.searchsorted(self.keys, r0 * self.n_mentors)
        b = np.searchsorted(self.keys, r1 * self.n_mentors)
        return self.keys[a:b]

    def in_row_set(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``rows``, mentor) of forbidden pairs of sorted ``rows``."""
        a = np.searchsorted(self.keys, rows * self.n_mentors)
        b = np.searchsorted(self.keys, (rows + 1) * self.n_mentors)
        cnt = b - a
        pos = np.repeat(np.arange(rows.size), cnt)
        first = np.repeat(a - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt)
        keys = self.keys[first + np.arange(pos.size)]
        return pos, keys % self.n_mentors

    def in_col_set(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mentee, position in ``cols``) of forbidden pairs of mentors ``cols``."""
        if self.keys.size == 0 or cols.size == 0:
            z = np.zeros(0, np.int64)
            return z, z
        where = np.full(self.n_mentors, -1, np.int64)
        where[cols] = np.arange(cols.size)
        at = where[self.keys % self.n_mentors]
        ok = at >= 0
        return self.keys[ok] // self.n_mentors, at[ok]

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Rule code per key, -1 when the pair is not forbidden by a pair rule."""
        pos = np.searchsorted(self.keys, keys)
        pos = np.minimum(pos, max(0, self.keys.size - 1))
        hit = (
            (self.keys.size > 0) & (self.keys[pos] == keys)
            if self.keys.size
            else (np.zeros(keys.shape, bool))
        )
        return np.where(hit, self.codes[pos] if self.keys.size else -1, -1)


def _ancestors(manager: np.ndarray, people: np.ndarray, depth: int) -> np.ndarray:
    """(len(people), depth) manager chain, -1 past the top."""
    out = np.full((people.size, depth), -1, np.int64)
    cur = people.copy()
    for d in range(depth):
        nxt = np.where(cur >= 0, manager[np.maximum(cur, 0)], -1)
        out[:, d] = nxt
        cur = nxt
    return out


def build_pair_rules(problem: MatchingProblem, config: MatchingConfig) -> PairRules:
    """Collect every forbidden (mentee, mentor) pair that is not categorical."""
    n, m = problem.n_mentees, problem.n_mentors
    p = len(problem.person_ids)
    me, mo = problem.mentees, problem.mentors
    mentor_of = np.full(p, -1, np.int64)
    mentor_of[mo] = np.arange(m)
    mentee_of = np.full(p, -1, np.int64)
    mentee_of[me] = np.arange(n)
    keys: list[np.ndarray] = []
    codes: list[np.ndarray] = []

    def add(i: np.ndarray, j: np.ndarray, code: int) -> None:
        ok = (i >= 0) & (j >= 0)
        keys.append(pair_keys(i[ok], j[ok], m))
        codes.append(np.full(int(ok.sum()), code, np.int64))

    # same person: a person may be mentee and mentor in one program
    add(mentee_of[mo], np.arange(m), 0)
    depth = config.reporting_line_depth
    if depth > 0:
        anc = _ancestors(problem.manager, me, depth)  # mentee's managers
        for d in range(depth):
            a = anc[:, d]
            add(np.arange(n), np.where(a >= 0, mentor_of[np.maximum(a, 0)], -1), 1)
        anc = _ancestors(problem.manager, mo, depth)  # mentor's managers
        for d in range(depth):
            a = anc[:, d]
            add(np.where(a >= 0, mentee_of[np.maximum(a, 0)], -1), np.arange(m), 1)
    if config.exclude_same_manager:
        mi, mj = problem.manager[me], problem.manager[mo]
        order = np.argsort(mj, kind="stable")
        sj = mj[order]
        lo = np.searchsorted(sj, mi, "left")
        hi = np.searchsorted(sj, mi, "right")
        cnt = np.where(mi >= 0, hi - lo, 0)
        ii = np.repeat(np.arange(n), cnt)
        offs = np.repeat(lo - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt)
        jj = order[offs + np.arange(ii.size)] if ii.size else ii
        add(ii, jj, 2)
    for code, arr in (
        (3, problem.previous_partners),
        (4, problem.opt_outs),
        (5, problem.rejected),
    ):
        if arr is not None and len(arr):
            add(arr[:, 0], arr[:, 1], code)
    k = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    c = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    order = np.lexsort((c, k))
    k, c = k[order], c[order]
    first = np.ones(k.size, bool)
    first[1:] = k[1:] != k[:-1]
    return PairRules(k[first], c[first], m)
