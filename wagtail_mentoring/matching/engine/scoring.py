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
NOT_ALLOWED = -1
CACHE_PAIRS = 64_000_000  # keep all scores up to this many pairs (128 MB)


@dataclass
class Candidates:
    """Kept pairs (CSR order) and, per mentee, a bound on every pair left out."""

    rows: np.ndarray
    cols: np.ndarray
    score: np.ndarray  # int64 in 0..SCORE_SCALE
    left_out_max: np.ndarray  # int64 per mentee: no left-out pair scores higher
    allowed: np.ndarray  # int64 per mentee: number of allowed pairs
    col_max: np.ndarray | None = None  # int64 per mentor: best score of any pair


class Scorer:
    """Scores blocks of mentees against all mentors."""

    def __init__(
        self,
        space: FeatureSpace,
        rules: PairRules,
        block_rows: int,
        cache_pairs: int = CACHE_PAIRS,
    ) -> None:
        self.space = space
        self.rules = rules
        self.block = max(1, int(block_rows))
        self.n = space.left.shape[0]
        self.m = space.right.shape[1]
        self.cache: np.ndarray | None = None
        self._cache_wanted = self.n * self.m <= cache_pairs

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
    ) -> Candidates:
        """Each mentee's best ≈k pairs (ties at the cut included) plus bounds.

        ``guard[j]`` more pairs per mentor come from its best mentee of each block:
        keeping only every mentee's favourites can leave less popular mentors with
        no candidates at all, which the certificate would then have to repair.
        """
        rows_l, cols_l, sc_l = [], [], []
        win_r, win_c, win_s = [], [], []
        left_out = np.full(self.n, NOT_ALLOWED, np.int64)
        allowed = np.zeros(self.n, np.int64)
        m = self.m
        col_max = np.full(m, NOT_ALLOWED, np.int64)
        if m == 0 or self.n == 0:
            z = np.zeros(0, np.int64)
            return Candidates(z, z, z, left_out, allowed)
        stride = max(1, m // 512)
        fill = self._cache_wanted and self.cache is None
        if fill:
            cache = np.empty((self.n, m), np.int16)
        for b in range((self.n + self.block - 1) // self.block):
            r0 = b * self.block
            q = self._raw_block(r0, min(self.n, r0 + self.block))
            if fill:
                cache[r0 : r0 + q.shape[0]] = q
            keys = self.rules.in_rows(r0, r0 + q.shape[0]) - r0 * m
            q.ravel()[keys] = NOT_ALLOWED
            nb = q.shape[0]
            allowed[r0 : r0 + nb] = (q >= 0).sum(axis=1)
            am = q.argmax(axis=0)
            mx = q[am, np.arange(m)].astype(np.int64)
            np.maximum(col_max, mx, out=col_max)
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
            # best score among left-out pairs is below the row threshold
            left_out[r0 : r0 + nb] = np.where(thr > 0, thr - 1, NOT_ALLOWED)
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
        return Candidates(
            rows.astype(np.int64),
            cols.astype(np.int64),
            score,
            left_out,
            allowed,
            col_max,
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
