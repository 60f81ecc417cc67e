"""Block-wise scoring of all pairs: integer scores, candidates, left-out bounds.

Feature products are exact integers (see :mod:`.features`), so a pair's score is the
same whichever rows and mentors a product covers: the first pass scores blocks of
mentees against all mentors (with mentors in any order), and certification re-scores
only the mentees and mentors it must check. Scores are integers in
``0..SCORE_SCALE``, held in float32 arrays (exact) or an int16 cache; -1 = not
allowed.

Up to ``cache_pairs`` pairs the first pass keeps every integer score (int16, before
pair rules, which can change between re-solves): certification and admin re-solves
then read scores instead of recomputing them. 10,000 × 2,000 pairs take 40 MB.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .arrays import member, pair_keys
from .features import SCORE_SCALE, SUB, FeatureSpace
from .rules import PairRules

GROUPS = 256  # mentor groups of the left-out bounds (at most)
MIN_GROUP = 32  # mentors per group (at least): smaller groups cost more than they save
NOT_ALLOWED = -1
CACHE_PAIRS = 64_000_000  # keep all scores up to this many pairs (128 MB)
_COLUMNS = 256  # mentors per product when scoring whole columns

__all__ = ["SCORE_SCALE", "NOT_ALLOWED", "Candidates", "Scorer"]


@dataclass
class Candidates:
    """Kept pairs (CSR order) and bounds on every pair left out.

    Mentors are split into groups; ``group_max[i, g]`` is the best score of mentee
    ``i`` with any mentor of group ``g`` outside the candidates (-1: none), where
    ``groupings[row_grouping[i]]`` gives each mentor's group. After the solve, a
    group's cheapest mentor bounds what any left-out pair of that group could add:
    groups of mentors with similar prices make that bound tight, so few mentees need
    an exact check. Prices follow demand, which the first blocks reveal; until then
    mentors are grouped by their mean score against all mentees.
    """

    rows: np.ndarray
    cols: np.ndarray
    # int64 in 0..SCORE_SCALE; NOT_ALLOWED for a pair a rule forbade after it
    # was kept (see ``rescored``)
    score: np.ndarray
    group_max: np.ndarray  # int16 (n_mentees × groups)
    groupings: np.ndarray  # int64 (k × n_mentors): group of each mentor
    row_grouping: np.ndarray  # int8 per mentee: which grouping its maxima use
    # the pair keys (row × mentors + col), read by every round and lookup of a
    # run; ``dataclasses.replace`` leaves them out, so a changed copy never
    # carries its original's
    _keys: np.ndarray | None = field(default=None, init=False, repr=False)

    def keys(self, m: int) -> np.ndarray:
        """Sorted keys ``row * m + col`` of the pairs (computed once)."""
        if self._keys is None:
            self._keys = pair_keys(self.rows, self.cols, m)
        return self._keys

    def among(self, keys: np.ndarray, m: int, *, keys_sorted=False) -> np.ndarray:
        """Which candidates (a mask over them) are pairs in ``keys``."""
        return member(self.keys(m), keys, x_distinct_sorted=True, of_sorted=keys_sorted)

    def hold(self, keys: np.ndarray, m: int) -> np.ndarray:
        """Which of ``keys`` (a mask over them) are candidates."""
        return member(keys, self.keys(m), of_sorted=True)

    def inserted(self, rows, cols, score, m: int) -> Candidates:
        """These pairs and the given ones (none of them already here)."""
        keys = pair_keys(rows, cols, m)
        order = np.argsort(keys, kind="stable")
        rows, cols, score, keys = rows[order], cols[order], score[order], keys[order]
        # the pairs are sorted: insert the (usually few) new ones in place
        at = np.searchsorted(self.keys(m), keys)
        out = replace(
            self,
            rows=np.insert(self.rows, at, rows),
            cols=np.insert(self.cols, at, cols),
            score=np.insert(self.score, at, score),
        )
        out._keys = np.insert(self.keys(m), at, keys)
        return out

    def locate(self, keys: np.ndarray, m: int) -> np.ndarray:
        """Position of each of ``keys`` among the candidates, -1 where it is none."""
        k = self.keys(m)
        if k.size == 0:
            return np.full(np.shape(keys), -1, np.int64)
        pos = np.minimum(np.searchsorted(k, keys), k.size - 1)
        return np.where(k[pos] == keys, pos, -1)

    def rescored(self, at: np.ndarray, score) -> Candidates:
        """These pairs, the ones at positions ``at`` scored ``score``.

        A pair a rule forbids since (an admin's rejection) stays in place scored
        :data:`NOT_ALLOWED`, which every solve leaves out: taking it out would
        copy every array of millions of pairs, where this copies the scores.
        """
        new = self.score.copy()
        new[at] = score
        out = replace(self, score=new)
        out._keys = self._keys
        return out


def to_scores(c: np.ndarray) -> np.ndarray:
    """Exact feature products → integer scores in place (float32; -1 = a rule)."""
    np.multiply(c, 1.0 / SUB, out=c)  # a power of two: exact
    np.floor(c, out=c)
    np.clip(c, NOT_ALLOWED, SCORE_SCALE, out=c)  # rounding may pass 1.0 by a step
    return c


def _cut(products: np.ndarray) -> np.ndarray:
    """Product threshold keeping every pair whose *score* reaches that of ``products``
    (ties included), never below score 0."""
    return np.maximum(np.floor(products * (1.0 / SUB)), 0) * SUB


class Scorer:
    """Scores mentees against mentors; every score is exact and order-independent."""

    def __init__(
        self,
        space: FeatureSpace,
        rules: PairRules,
        block_rows: int,
        cache_pairs: int | None = None,
    ) -> None:
        self.space = space
        self.rules = rules
        self.block = max(1, int(block_rows))
        self.n = space.left.shape[0]
        self.m = space.right.shape[1]
        self.cache: np.ndarray | None = None  # int16 scores, columns in _cache_col
        self._cache_col = np.arange(self.m)
        limit = CACHE_PAIRS if cache_pairs is None else cache_pairs
        self._cache_wanted = self.n * self.m <= limit

    def _product(self, rows, right: np.ndarray) -> np.ndarray:
        """Integer scores (float32) of ``rows`` (slice or indices) before pair rules."""
        return to_scores(self.space.left[rows] @ right)

    def scores(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """Scores of sorted unique ``rows`` × ``cols`` (all mentors by default)."""
        if self.cache is not None:
            at = self._cache_col if cols is None else self._cache_col[cols]
            q = self.cache[np.ix_(rows, at)].astype(np.float32)
        else:
            right = self.space.right if cols is None else self.space.right[:, cols]
            q = self._product(rows, right)
        pos, rc = self.rules.in_row_set(rows)
        if cols is None:
            q[pos, rc] = NOT_ALLOWED
        else:
            at = np.searchsorted(cols, rc)
            ok = cols[np.minimum(at, cols.size - 1)] == rc
            q[pos[ok], at[ok]] = NOT_ALLOWED
        return q

    def candidates(
        self,
        k: int,
        extra_pairs: np.ndarray | None = None,
        guard: np.ndarray | None = None,
        capacity: np.ndarray | None = None,
    ) -> Candidates:
        """Each mentee's best ≈k pairs (ties at the cut included) plus bounds.

        A mentor with fewer than ``guard[j]`` candidates gets its best mentees too:
        keeping only every mentee's favourites can leave less popular mentors with
        no candidates at all, which the certificate would then have to repair.
        """
        n, m = self.n, self.m
        g_count = max(1, min(GROUPS, m // MIN_GROUP))
        width = -(-m // g_count) if m else 1  # mentors per group
        g_count = -(-m // width) if m else 1
        group_max = np.full((n, g_count), NOT_ALLOWED, np.int16)
        row_grouping = np.zeros(n, np.int8)
        if m == 0 or n == 0:
            z = np.zeros(0, np.int64)
            return Candidates(
                z, z, z, group_max, np.zeros((1, m), np.int64), row_grouping
            )
        cap = np.ones(m) if capacity is None else np.maximum(capacity, 1)
        proxy = self.space.left.mean(axis=0, dtype=np.float64) @ self.space.right
        orders = [np.argsort(proxy, kind="stable")]
        degree = np.zeros(m, np.int64)
        n_blocks = (n + self.block - 1) // self.block
        warmup = max(1, n_blocks // 20)
        stride = max(1, m // 2048)
        fill = self._cache_wanted and self.cache is None
        if fill:
            cache = np.empty((n, m), np.int16)
        rows_l, cols_l, sc_l = [], [], []

        def permuted(order):
            # mentors in group order, padded to whole groups (padding never scores)
            right = np.zeros((self.space.right.shape[0], g_count * width), np.float32)
            right[:, :m] = self.space.right[:, order]
            where = np.empty(m, np.int64)
            where[order] = np.arange(m)
            return right, where

        right, where = permuted(orders[0])
        starts = np.arange(0, g_count * width, width)
        for b in range(n_blocks):
            r0 = b * self.block
            r1 = min(n, r0 + self.block)
            if b == warmup and not fill:  # the cache keeps the first order
                orders.append(np.lexsort((proxy, degree / cap)))
                right, where = permuted(orders[-1])
            # raw products (score × SUB + fraction) until the cut: a score threshold
            # t is the product threshold t·SUB, so only kept pairs are converted
            q = self.space.left[r0:r1] @ right
            if fill:  # before pair rules, in the (first) group order of ``where``
                cache[r0:r1] = to_scores(q[:, :m].copy())
            q[:, m:] = NOT_ALLOWED
            keys = self.rules.in_rows(r0, r1) - r0 * m
            rr, rc = np.divmod(keys, m)
            q[rr, where[rc]] = NOT_ALLOWED
            # threshold from a column sample: cheap, slightly generous; exactness does
            # not depend on it because left-out pairs are bounded and checked later
            sample = q[:, :m:stride]
            ks = min(
                sample.shape[1], max(1, int(np.ceil(1.5 * k * sample.shape[1] / m)))
            )
            thr = np.partition(sample, sample.shape[1] - ks, axis=1)[:, -ks]
            keep = q >= _cut(thr)[:, None]
            cnt = np.count_nonzero(keep, axis=1)
            # too few (sample unlucky) or far too many (ties): exact cut for those rows
            fix = np.flatnonzero((cnt < k) | (cnt > 6 * k))
            if fix.size:
                sub = q[fix]
                kk = min(k, m)
                t = _cut(np.partition(sub, sub.shape[1] - kk, axis=1)[:, -kk])
                t += SUB * (np.count_nonzero(sub >= t[:, None], axis=1) > 6 * k)
                keep[fix] = sub >= t[:, None]
            flat = np.flatnonzero(keep)
            r, c = np.divmod(flat, q.shape[1])
            cols = orders[-1][c]
            rows_l.append(r + r0)
            cols_l.append(cols)
            sc_l.append(to_scores(q.ravel()[flat]).astype(np.int64))
            degree += np.bincount(cols, minlength=m)
            q.ravel()[flat] = NOT_ALLOWED
            group_max[r0:r1] = to_scores(np.maximum.reduceat(q, starts, axis=1))
            row_grouping[r0:r1] = len(orders) - 1
        if fill:
            self.cache, self._cache_col = cache, where
        rows = np.concatenate(rows_l)
        cols = np.concatenate(cols_l)
        score = np.concatenate(sc_l)
        if guard is not None:
            rows, cols, score = self._guard(rows, cols, score, degree, guard)
        if extra_pairs is not None and len(extra_pairs):
            rows, cols, score = self._with_pairs(rows, cols, score, extra_pairs)
        group_of = np.zeros((len(orders), m), np.int64)
        for gi, order in enumerate(orders):
            group_of[gi, order] = np.arange(m) // width
        # CSR order (mentors sorted within a mentee): later lookups of pairs among
        # the candidates are then binary searches, never a sort of them all
        rows, cols = rows.astype(np.int64), cols.astype(np.int64)
        key = pair_keys(rows, cols, m)
        if np.any(key[1:] < key[:-1]):
            order = np.argsort(key, kind="stable")
            rows, cols, score = rows[order], cols[order], score[order]
        return Candidates(
            rows,
            cols,
            score,
            group_max,
            group_of,
            row_grouping,
        )

    def _guard(self, rows, cols, score, degree, guard):
        """Add the best mentees of mentors with fewer than ``guard`` candidates.

        Added pairs were left out of the bounds' pairs, so the bounds stay valid
        (only a little looser).
        """
        need = np.flatnonzero(degree < guard)
        add_r, add_c, add_s = [], [], []
        for a in range(0, need.size, _COLUMNS):
            sel = need[a : a + _COLUMNS]
            q = self.column_scores(sel)
            want = np.minimum(guard[sel], self.n)
            top = int(want.max())
            if top == 0:
                continue
            idx = np.argpartition(q, self.n - top, axis=1)[:, self.n - top :]
            val = np.take_along_axis(q, idx, axis=1)
            # the best ``want`` of each mentor's top slice
            rank = np.argsort(-val, axis=1, kind="stable")
            idx = np.take_along_axis(idx, rank, axis=1)
            val = np.take_along_axis(val, rank, axis=1)
            ok = (val >= 0) & (np.arange(top)[None, :] < want[:, None])
            c, r = np.nonzero(ok)
            add_r.append(idx[c, r])
            add_c.append(sel[c])
            add_s.append(val[c, r].astype(np.int64))
        if not add_r:
            return rows, cols, score
        rows = np.concatenate([rows, *add_r])
        cols = np.concatenate([cols, *add_c])
        score = np.concatenate([score, *add_s])
        key, first = np.unique(rows.astype(np.int64) * self.m + cols, return_index=True)
        return rows[first], cols[first], score[first]

    def column_scores(self, cols: np.ndarray) -> np.ndarray:
        """Scores of mentors ``cols`` × every mentee (one row per mentor)."""
        if self.cache is not None:
            q = self.cache[:, self._cache_col[cols]].T.astype(np.float32)
        else:
            q = to_scores(self.space.right[:, cols].T @ self.space.left.T)
        r, c = self.rules.in_col_set(cols)
        q[c, r] = NOT_ALLOWED
        return q

    def _with_pairs(self, rows, cols, score, pairs):
        """Add specific pairs (e.g. previous proposals) scored like everything else."""
        key = rows.astype(np.int64) * self.m + cols
        order = np.argsort(key, kind="stable")
        rows, cols, score, key = rows[order], cols[order], score[order], key[order]
        pk = np.unique(pairs[:, 0] * self.m + pairs[:, 1])
        pk = pk[~member(pk, key)]
        if pk.size == 0:
            return rows, cols, score
        pr, pc = np.divmod(pk, self.m)
        ps = self.pair_scores(pr, pc)
        ok = ps >= 0
        rows = np.concatenate([rows, pr[ok]])
        cols = np.concatenate([cols, pc[ok]])
        score = np.concatenate([score, ps[ok]])
        order = np.lexsort((cols, rows))
        return rows[order], cols[order], score[order]

    def pair_scores(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Integer scores (int64, -1 = not allowed) of given pairs."""
        if self.cache is not None:
            out = self.cache[rows, self._cache_col[cols]].astype(np.int64)
        else:
            out = np.empty(rows.size, np.int64)
            for a in range(0, rows.size, 65_536):
                r, c = rows[a : a + 65_536], cols[a : a + 65_536]
                prod = np.einsum("ij,ji->i", self.space.left[r], self.space.right[:, c])
                out[a : a + r.size] = to_scores(prod.astype(np.float32))
        out[self.rules.lookup(rows * self.m + cols) >= 0] = NOT_ALLOWED
        return out

    def rows_scores(self, rows: np.ndarray, cols: np.ndarray | None = None):
        """Yield (mentees, their scores against ``cols`` or all) for given mentees."""
        rows = np.unique(rows)
        for a in range(0, rows.size, self.block):
            sel = rows[a : a + self.block]
            yield sel, self.scores(sel, cols)
