"""Block-wise scoring of all pairs: integer scores, candidates, left-out bounds.

A pair's score is computed in exactly one way: inside the fixed block of
``block_rows`` mentees that contains it, full mentor width, then quantised to an
integer in ``0..SCORE_SCALE``. Re-scoring for certification recomputes the same block,
so a pair's integer score never changes between rounds (float32 sums could otherwise
differ in the last bit with a different block shape and break the certificate).

Up to ``cache_pairs`` pairs the first pass keeps every integer score (int16, before
pair rules, which can change between re-solves): certification and admin re-solves
then read scores instead of recomputing them. 10,000 × 2,000 pairs take 40 MB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import member
from .features import FORBID, FeatureSpace
from .rules import PairRules

SCORE_SCALE = 10_000  # integer score steps between 0 and 1 (fits int16)
GROUPS = 256  # mentor groups of the left-out bounds
NOT_ALLOWED = -1
CACHE_PAIRS = 64_000_000  # keep all scores up to this many pairs (128 MB)


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
    score: np.ndarray  # int64 in 0..SCORE_SCALE
    group_max: np.ndarray | None  # int16 (n_mentees × groups); None: scores cached
    groupings: np.ndarray  # int64 (k × n_mentors): group of each mentor
    row_grouping: np.ndarray  # int8 per mentee: which grouping its maxima use


def _grouping(order: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Mentors in ``order`` cut into ``groups`` runs: (column order, run starts)."""
    starts = (np.arange(groups) * order.size) // groups
    return order, np.unique(starts)


class Scorer:
    """Scores blocks of mentees against all mentors."""

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
        self.cache: np.ndarray | None = None
        limit = CACHE_PAIRS if cache_pairs is None else cache_pairs
        self._cache_wanted = self.n * self.m <= limit

    def _raw_block(self, r0: int, r1: int) -> np.ndarray:
        """int16 scores of rows [r0, r1) before pair rules; -1 = categorical rule."""
        if self.cache is not None:
            return self.cache[r0:r1].copy()
        c = self.space.left[r0:r1] @ self.space.right
        bad = c < FORBID / 2
        np.multiply(c, SCORE_SCALE, out=c)
        np.rint(c, out=c)
        np.clip(c, 0, SCORE_SCALE, out=c)
        q = c.astype(np.int16)
        q[bad] = NOT_ALLOWED
        return q

    def block_scores(self, b: int) -> tuple[int, np.ndarray]:
        """(first row, int16 scores) of canonical block ``b``; -1 = not allowed."""
        r0 = b * self.block
        r1 = min(self.n, r0 + self.block)
        q = self._raw_block(r0, r1)
        keys = self.rules.in_rows(r0, r1) - r0 * self.m
        q.ravel()[keys] = NOT_ALLOWED
        return r0, q

    def candidates(
        self,
        k: int,
        extra_pairs: np.ndarray | None = None,
        guard: np.ndarray | None = None,
        capacity: np.ndarray | None = None,
    ) -> Candidates:
        """Each mentee's best ≈k pairs (ties at the cut included) plus bounds.

        ``guard[j]`` more pairs per mentor come from its best mentee of each block:
        keeping only every mentee's favourites can leave less popular mentors with
        no candidates at all, which the certificate would then have to repair.
        """
        rows_l, cols_l, sc_l = [], [], []
        win_r, win_c, win_s = [], [], []
        allowed = np.zeros(self.n, np.int64)
        m = self.m
        g_count = max(1, min(GROUPS, m))
        group_max = np.full((self.n, g_count), NOT_ALLOWED, np.int16)
        row_grouping = np.zeros(self.n, np.int8)
        if m == 0 or self.n == 0:
            z = np.zeros(0, np.int64)
            return Candidates(
                z, z, z, group_max, np.zeros((1, m), np.int64), row_grouping
            )
        cap = np.ones(m) if capacity is None else np.maximum(capacity, 1)
        proxy = self.space.left.mean(axis=0, dtype=np.float64) @ self.space.right
        groupings = [_grouping(np.argsort(proxy, kind="stable"), g_count)]
        degree = np.zeros(m, np.int64)
        n_blocks = (self.n + self.block - 1) // self.block
        warmup = max(1, n_blocks // 20)
        stride = max(1, m // 512)
        fill = self._cache_wanted and self.cache is None
        if fill:
            cache = np.empty((self.n, m), np.int16)
        for b in range(n_blocks):
            r0 = b * self.block
            if b == warmup and b < n_blocks:
                demand = degree / cap
                groupings.append(_grouping(np.lexsort((proxy, demand)), g_count))
            q = self._raw_block(r0, min(self.n, r0 + self.block))
            if fill:
                cache[r0 : r0 + q.shape[0]] = q
            keys = self.rules.in_rows(r0, r0 + q.shape[0]) - r0 * m
            q.ravel()[keys] = NOT_ALLOWED
            nb = q.shape[0]
            allowed[r0 : r0 + nb] = (q >= 0).sum(axis=1)
            am = q.argmax(axis=0)
            mx = q[am, np.arange(m)].astype(np.int64)
            if guard is not None:
                okw = mx >= 0
                win_r.append(am[okw] + r0)
                win_c.append(np.flatnonzero(okw))
                win_s.append(mx[okw])
            # threshold from a column sample: cheap, slightly generous; exactness does
            # not depend on it because left-out pairs are bounded and checked later
            sample = q[:, ::stride]
            ks = min(
                sample.shape[1], max(1, int(np.ceil(1.5 * k * sample.shape[1] / m)))
            )
            thr = np.partition(sample, sample.shape[1] - ks, axis=1)[:, -ks]
            thr = np.maximum(thr, 0)
            keep = q >= thr[:, None]
            cnt = keep.sum(axis=1)
            # too few (sample unlucky) or far too many (ties): exact cut for those rows
            fix = np.flatnonzero(
                ((cnt < k) & (allowed[r0 : r0 + nb] > cnt)) | (cnt > 6 * k)
            )
            for i in fix:
                row = q[i]
                kk = min(k, m)
                kth = np.partition(row, m - kk)[m - kk]
                t = max(int(kth), 0)
                if (row >= t).sum() > 6 * k:
                    t += 1
                thr[i] = t
                keep[i] = row >= t
            flat = np.flatnonzero(keep)
            r, c = np.divmod(flat, m)
            rows_l.append(r + r0)
            cols_l.append(c)
            sc_l.append(q.ravel()[flat])
            degree += np.bincount(c, minlength=m)
            if not fill:  # with every score kept, exact checks are cheaper
                # best left-out score per mentor group
                grp_order, starts = groupings[-1]
                q[keep] = NOT_ALLOWED
                group_max[r0 : r0 + nb] = np.maximum.reduceat(
                    q[:, grp_order], starts, axis=1
                )
                row_grouping[r0 : r0 + nb] = len(groupings) - 1
        if fill:
            self.cache = cache
        rows = np.concatenate(rows_l) if rows_l else np.zeros(0, np.int64)
        cols = np.concatenate(cols_l) if cols_l else np.zeros(0, np.int64)
        score = np.concatenate(sc_l).astype(np.int64) if sc_l else np.zeros(0, np.int64)
        if guard is not None and win_r:
            gr, gc, gs = (np.concatenate(x) for x in (win_r, win_c, win_s))
            order = np.lexsort((gr, -gs, gc))
            gr, gc, gs = gr[order], gc[order], gs[order]
            start = np.searchsorted(gc, np.arange(m))
            rank = np.arange(gc.size) - start[gc]
            sel = rank < guard[gc]
            rows = np.concatenate([rows, gr[sel]])
            cols = np.concatenate([cols, gc[sel]])
            score = np.concatenate([score, gs[sel]])
            key = rows.astype(np.int64) * m + cols
            key, first = np.unique(key, return_index=True)
            rows, cols, score = rows[first], cols[first], score[first]
        if extra_pairs is not None and len(extra_pairs):
            rows, cols, score = self._with_pairs(rows, cols, score, extra_pairs)
        if fill:
            group_max = None
        group_of = np.zeros((len(groupings), m), np.int64)
        for gi, (order, starts) in enumerate(groupings):
            sizes = np.diff(np.append(starts, m))
            group_of[gi, order] = np.repeat(np.arange(starts.size), sizes)
        return Candidates(
            rows.astype(np.int64),
            cols.astype(np.int64),
            score,
            group_max,
            group_of,
            row_grouping,
        )

    def _with_pairs(self, rows, cols, score, pairs):
        """Add specific pairs (e.g. previous proposals) scored like everything else."""
        key = rows * self.m + cols
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
        """Integer scores of given pairs, computed in their canonical blocks."""
        if self.cache is not None:
            out = self.cache[rows, cols].astype(np.int64)
            out[self.rules.lookup(rows * self.m + cols) >= 0] = NOT_ALLOWED
            return out
        out = np.full(rows.size, NOT_ALLOWED, np.int64)
        blocks = rows // self.block
        for b in np.unique(blocks):
            sel = np.flatnonzero(blocks == b)
            r0, q = self.block_scores(int(b))
            out[sel] = q[rows[sel] - r0, cols[sel]]
        return out

    def rows_scores(self, rows: np.ndarray):
        """Yield (row indices, their int score rows) for the given mentees."""
        rows = np.unique(rows)
        if self.cache is not None:
            for a in range(0, rows.size, self.block):
                sel = rows[a : a + self.block]
                q = self.cache[sel]
                keys = self.rules.in_rows(int(sel[0]), int(sel[-1]) + 1)
                r, c = np.divmod(keys, self.m)
                at = np.searchsorted(sel, r)
                ok = sel[np.minimum(at, sel.size - 1)] == r
                q[at[ok], c[ok]] = NOT_ALLOWED
                yield sel, q
            return
        blocks = rows // self.block
        for b in np.unique(blocks):
            sel = rows[blocks == b]
            r0, q = self.block_scores(int(b))
            yield sel, q[sel - r0]
