"""State of the auction: seats, units, prices, and small array helpers."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

_NEG = np.iinfo(np.int64).min // 4
_POS = np.iinfo(np.int64).max // 4
_LARGE_OBJECT = 64  # mentors with more seats are merged with argpartition
_THETA = 6  # ε reduction factor between scaling phases
_SEQUENTIAL_BELOW = 256  # below this many free units, bid one at a time
_DEBUG = bool(os.environ.get("AUCTION_DEBUG"))


@dataclass
class AuctionGraph:
    """Sparse integer problem handed to :func:`auction_solve`.

    ``indptr``/``cols``/``ben`` are a CSR matrix (rows = mentees, columns = mentors),
    columns sorted inside each row, benefits int64 and strictly positive.
    """

    n_rows: int
    n_cols: int
    indptr: np.ndarray
    cols: np.ndarray
    ben: np.ndarray
    row_cap: np.ndarray
    col_cap: np.ndarray


@dataclass
class AuctionResult:
    """Primal and dual outcome of :func:`auction_solve` (integer units)."""

    arc_used: np.ndarray  # bool per arc of the input graph
    col_price: np.ndarray  # int64 mentor duals w_j >= 0, in units of ``scale``
    row_value: np.ndarray  # int64 mentee duals pi_i >= 0, in units of ``scale``
    primal: int  # total benefit of used arcs (unscaled)
    upper_bound: int  # floor of the dual bound (unscaled); == primal means optimal
    scale: int  # the final phase worked on benefits multiplied by this
    rounds: int
    phases: int
    stats: dict = field(default_factory=dict)


def _ranges(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + l)`` for every (s, l) without a Python loop."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offs = np.zeros(lens.size, np.int64)
    np.cumsum(lens[:-1], out=offs[1:])
    return np.repeat(starts - offs, lens) + np.arange(total, dtype=np.int64)


def _rank_in_groups(sorted_keys: np.ndarray) -> np.ndarray:
    """0, 1, 2… within runs of equal values of an already sorted array."""
    if sorted_keys.size == 0:
        return np.zeros(0, np.int64)
    start = np.ones(sorted_keys.size, bool)
    start[1:] = sorted_keys[1:] != sorted_keys[:-1]
    idx = np.flatnonzero(start)
    lens = np.diff(np.append(idx, sorted_keys.size))
    return np.arange(sorted_keys.size) - np.repeat(idx, lens)


def _seg_starts(lens: np.ndarray) -> np.ndarray:
    seg = np.zeros(lens.size, np.int64)
    if lens.size > 1:
        np.cumsum(lens[:-1], out=seg[1:])
    return seg


class _State:
    """Mutable auction state on the graph augmented with "unmatched" arcs."""

    def __init__(self, g: AuctionGraph) -> None:
        n, m = g.n_rows, g.n_cols
        self.n, self.m = n, m
        row_cap = g.row_cap.astype(np.int64)
        # A mentor can never use more seats than it has arcs; capping keeps the seat
        # arrays small for generous capacities.
        indeg = np.bincount(g.cols, minlength=m).astype(np.int64)
        col_cap = np.minimum(g.col_cap.astype(np.int64), indeg)
        self.row_cap = row_cap
        self.col_cap = col_cap
        self.d = m  # the "unmatched" object: unlimited, price fixed at 0
        deg = np.diff(g.indptr).astype(np.int64)
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(deg + 1, out=indptr[1:])
        n_arcs = int(indptr[-1])
        self.indptr = indptr
        real_pos = np.arange(g.cols.size, dtype=np.int64) + np.repeat(
            np.arange(n, dtype=np.int64), deg
        )
        self.real_pos = real_pos
        obj = np.full(n_arcs, m, np.int64)
        obj[real_pos] = g.cols
        self.obj = obj
        self.base_ben = np.zeros(n_arcs, np.int64)
        self.base_ben[real_pos] = g.ben
        self.arc_row = np.repeat(np.arange(n, dtype=np.int64), deg + 1)
        arc_cap = np.ones(n_arcs, np.int64)
        arc_cap[indptr[1:] - 1] = row_cap
        # arcs into mentors without seats, or out of rows without slots, are dead
        arc_cap[real_pos] = (
            (col_cap[g.cols] > 0) & (row_cap[self.arc_row[real_pos]] > 0)
        ).astype(np.int64)
        self.arc_cap = arc_cap
        self.arc_held = np.zeros(n_arcs, np.int64)
        live = real_pos[arc_cap[real_pos] > 0]
        order = np.argsort(obj[live], kind="stable")
        self.col_arcs = live[order]
        self.col_ptr = np.zeros(m + 1, np.int64)
        np.cumsum(np.bincount(obj[live], minlength=m), out=self.col_ptr[1:])
        # units: one per mentee slot
        self.unit_row = np.repeat(np.arange(n, dtype=np.int64), row_cap)
        self.unit_first = np.zeros(n + 1, np.int64)
        np.cumsum(row_cap, out=self.unit_first[1:])
        nu = self.unit_row.size
        self.n_units = nu
        self.unit_arc = np.full(nu, -1, np.int64)
        self.unit_slot = np.full(nu, -1, np.int64)
        self.unit_price = np.zeros(nu, np.int64)
        # seats of mentors
        self.obj_cap = np.append(col_cap, 0)
        self.obj_start = np.zeros(m + 2, np.int64)
        np.cumsum(self.obj_cap, out=self.obj_start[1:])
        self.n_slots = int(self.obj_start[m])
        self.slot_obj = np.repeat(np.arange(m, dtype=np.int64), col_cap)
        self.slot_price = np.zeros(self.n_slots, np.int64)
        self.slot_unit = np.full(self.n_slots, -1, np.int64)
        self.pmin = np.zeros(m + 1, np.int64)
        self.p2 = np.zeros(m + 1, np.int64)
        self.is_large = self.obj_cap > _LARGE_OBJECT
        self.obj_list = obj.tolist()
        self.arc_cap_list = arc_cap.tolist()
        self.unit_row_list = self.unit_row.tolist()
        self.row_lists: dict[int, tuple[list, list, list]] = {}
        self.set_scale(1)
        self.refresh_prices(np.arange(m, dtype=np.int64))

    def set_scale(self, scale: int) -> None:
        """Multiply benefits by ``scale`` (ε-scaling without fractional ε)."""
        self.scale = scale
        self.ben = self.base_ben * scale
        self._ben_list: list[int] | None = None

    @property
    def ben_list(self) -> list[int]:
        if self._ben_list is None:
            self._ben_list = self.ben.tolist()
        return self._ben_list

    def refresh_prices(self, objs: np.ndarray) -> None:
        """Recompute the lowest and second-lowest seat price of mentors ``objs``."""
        objs = objs[objs < self.m]
        if objs.size == 0:
            return
        small = objs[~self.is_large[objs]]
        caps = self.obj_cap[small]
        small, caps = small[caps > 0], caps[caps > 0]
        if small.size:
            idx = _ranges(self.obj_start[small], caps)
            pr = self.slot_price[idx]
            seg = _seg_starts(caps)
            mn = np.minimum.reduceat(pr, seg)
            pos = np.arange(pr.size)
            first = np.minimum.reduceat(
                np.where(pr == np.repeat(mn, caps), pos, pr.size), seg
            )
            pr[first] = _POS
            self.pmin[small] = mn
            self.p2[small] = np.minimum.reduceat(pr, seg)
        for o in objs[self.is_large[objs]]:
            two = np.partition(
                self.slot_price[self.obj_start[o] : self.obj_start[o + 1]], 1
            )
            self.pmin[o], self.p2[o] = two[0], two[1]

    def unit_value(self, units: np.ndarray) -> np.ndarray:
        """Benefit minus price paid, for assigned units."""
        return self.ben[self.unit_arc[units]] - self.unit_price[units]

    def unassign(self, units: np.ndarray) -> None:
        """Free whatever ``units`` hold; seat prices stay."""
        if units.size == 0:
            return
        slots = self.unit_slot[units]
        self.slot_unit[slots[slots >= 0]] = -1
        np.subtract.at(self.arc_held, self.unit_arc[units], 1)
        self.unit_slot[units] = -1
        self.unit_arc[units] = -1
        self.unit_price[units] = 0

    def assign(
        self, units: np.ndarray, slots: np.ndarray, arcs: np.ndarray, prices: np.ndarray
    ) -> None:
        """Give ``slots`` (-1 = unmatched) to unassigned ``units`` via ``arcs``."""
        seat = slots >= 0
        self.slot_unit[slots[seat]] = units[seat]
        self.slot_price[slots[seat]] = prices[seat]
        self.unit_slot[units] = slots
        self.unit_arc[units] = arcs
        self.unit_price[units] = prices
        np.add.at(self.arc_held, arcs, 1)
