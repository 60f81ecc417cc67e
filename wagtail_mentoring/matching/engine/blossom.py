"""Edmonds' weighted blossom algorithm, started from a nearly optimal state.

The primal–dual blossom algorithm (after Joris van Rantwijk's implementation, as
in networkx's ``max_weight_matching``, BSD licence) maximises the weight of a
matching: vertex duals ``y``, blossom duals ``z`` and the matching stay dual
feasible and tight, and the answer is optimal once every unmatched vertex has
``y = 0``. Integer weights keep every value exact.

Started from nothing it runs one stage per pair and costs O(n³) in Python. Here it
starts from the half-integral optimum of the degree LP (the bipartite double cover,
solved by the engine's min-cost flow), so nearly every member is already matched on
a tight pair and only the few unmatched members with a positive ``y`` (one per odd
cycle of the LP answer) are roots. Roots enter by decreasing ``y`` (a group joins
the forest when the others' ``y`` has come down to theirs), a tight pair to any
unmatched member augments, and a member whose ``y`` reaches 0 takes the place of
its tree's root as the unmatched one (the tree path is flipped; the weight is
unchanged because every tree pair is tight). Each stage therefore ends with one
fewer unmatched member of positive ``y``, and work is spent only in the trees.

Duals are kept doubled (``dv = 2y``) as in the reference implementation: the slack
of a pair is ``dv_i + dv_j − 2w_ij`` (plus twice the duals of blossoms holding both).
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import Any


class _Blossom:
    __slots__ = ["childs", "edges", "leafs"]

    def __init__(self) -> None:
        self.childs: list[Any] = []
        self.edges: list[tuple[int, int]] = []
        self.leafs: list[int] = []  # the members inside (fixed for its lifetime)

    def leaves(self) -> list[int]:
        return self.leafs


_NONE = object()


def warm_blossom(
    n: int,
    nbrs: list[list[int]],
    weight: dict[int, int],
    mate_in: dict[int, int],
    dual_in: list[int],
    state: dict[str, Any] | None = None,
) -> tuple[dict[int, int], list[int], list[tuple[list[int], int]]]:
    """Maximum weight matching from a feasible, tight start.

    ``nbrs[v]`` lists v's neighbours, ``weight[v * n + w]`` the integer weight of
    pair (v, w) (both orders). ``mate_in`` is a matching of tight pairs and
    ``dual_in`` doubled vertex duals, feasible for every listed pair and >= 0.
    Returns (mate, doubled vertex duals, [(members of a blossom, its dual)]) at
    the optimum of the listed pairs.

    ``state``, when given, holds the blossoms (``inblossom``, ``blossomparent``,
    ``blossombase``, ``blossomdual``) the run starts from and ends with: a later
    run continues from them (each blossom's edges must still be tight, every
    member but its base matched inside it).
    """
    if state is None:
        state = {}
    mate: dict[int, int] = dict(mate_in)
    dualvar = list(dual_in)
    label: dict[Any, int] = {}
    labeledge: dict[Any, tuple[int, int] | None] = {}
    inblossom: list[Any] = state.setdefault("inblossom", list(range(n)))
    blossomparent: dict[Any, Any] = state.setdefault("blossomparent", {})
    blossombase: dict[Any, int] = state.setdefault("blossombase", {})
    bestedge: dict[Any, tuple[int, int] | None] = {}
    blossomdual: dict[_Blossom, int] = state.setdefault("blossomdual", {})
    allowedge: set[tuple[int, int]] = set()
    queue: list[int] = []
    s_verts: set[int] = set()  # leaves of S-blossoms (their dual goes down)
    t_verts: set[int] = set()  # leaves of T-blossoms (their dual goes up)
    # Heaps for the dual step, keyed by a value plus the total dual change so far
    # (``shift``): an S-member's dual falls by exactly each step's change, so
    # ``dual + shift`` stays fixed while it is in S; the slack of a best edge from
    # an S-member to an unlabelled one falls the same way (or stays put while the
    # other end sits in a T-blossom, which makes its key a lower bound: checked
    # and pushed again when popped).
    s_heap: list[tuple[int, int]] = []  # (dual + shift, S-member)
    free_heap: list[tuple[int, int, tuple[int, int]]] = []  # (slack + shift, w, edge)
    # pairs between two S-members of different top-level blossoms: both duals
    # fall by each step's change, so ``slack + 2 shift`` stays fixed while both
    # are in S (a blossom swallowing both makes the entry stale: dropped when seen)
    ss_heap: list[tuple[int, int, int]] = []  # (slack + 2 shift, v, w)
    shift = [0]
    roots: set[int] = set()

    def base_of(b: Any) -> int:
        return blossombase[b] if isinstance(b, _Blossom) else b

    def parent(b: Any) -> Any:
        return blossomparent.get(b)

    def slack(v: int, w: int) -> int:
        return dualvar[v] + dualvar[w] - 2 * weight[v * n + w]

    def leaves(b: Any) -> list[int] | tuple[int]:
        return b.leafs if isinstance(b, _Blossom) else (b,)

    def assign_label(w: int, t: int, v: int | None) -> None:
        b = inblossom[w]
        label[w] = label[b] = t
        labeledge[w] = labeledge[b] = (v, w) if v is not None else None
        bestedge[w] = bestedge[b] = None
        if t == 1:
            lv = list(leaves(b))
            queue.extend(lv)
            s_verts.update(lv)
            sh = shift[0]
            for x in lv:
                heappush(s_heap, (dualvar[x] + sh, x))
            t_verts.difference_update(lv)
        else:
            t_verts.update(leaves(b))
            assign_label(mate[base_of(b)], 1, base_of(b))

    def scan_blossom(v: int, w: int) -> Any:
        path = []
        base: Any = _NONE
        vv: Any = v
        ww: Any = w
        while vv is not _NONE:
            b = inblossom[vv]
            if label[b] & 4:
                base = base_of(b)
                break
            path.append(b)
            label[b] = 5
            if labeledge[b] is None:
                vv = _NONE
            else:
                vv = labeledge[b][0]
                b = inblossom[vv]
                vv = labeledge[b][0]
            if ww is not _NONE:
                vv, ww = ww, vv
        for b in path:
            label[b] = 1
        return base

    def add_blossom(base: int, v: int, w: int) -> None:
        bb = inblossom[base]
        bv = inblossom[v]
        bw = inblossom[w]
        b = _Blossom()
        blossombase[b] = base
        blossomparent[b] = None
        blossomparent[bb] = b
        b.childs = path = []
        b.edges = edgs = [(v, w)]
        while bv != bb:
            blossomparent[bv] = b
            path.append(bv)
            edgs.append(labeledge[bv])
            v = labeledge[bv][0]
            bv = inblossom[v]
        path.append(bb)
        path.reverse()
        edgs.reverse()
        while bw != bb:
            blossomparent[bw] = b
            path.append(bw)
            edgs.append((labeledge[bw][1], labeledge[bw][0]))
            w = labeledge[bw][0]
            bw = inblossom[w]
        b.leafs = [x for c in path for x in leaves(c)]
        label[b] = 1
        labeledge[b] = labeledge[bb]
        blossomdual[b] = 0
        sh = shift[0]
        # per child, not per member: an S-child's members are in S already, and
        # the big nested blossoms of a degenerate start are mostly S-children
        for c in path:
            lv = leaves(c)
            if label.get(c) == 2:
                queue.extend(lv)
                t_verts.difference_update(lv)
            for x in lv:
                inblossom[x] = b
            for x in lv:
                if x not in s_verts:
                    s_verts.add(x)
                    heappush(s_heap, (dualvar[x] + sh, x))

    def expand_blossom(b: _Blossom, endstage: bool) -> None:
        def _recurse(b, endstage):
            for s in b.childs:
                blossomparent[s] = None
                if isinstance(s, _Blossom):
                    if endstage and blossomdual[s] == 0:
                        yield s
                    else:
                        for v in s.leaves():
                            inblossom[v] = s
                else:
                    inblossom[s] = s
            if (not endstage) and label.get(b) == 2:
                sh = shift[0]
                for x in b.leaves():
                    t_verts.discard(x)
                    # members left unlabelled get their best edge back in the heap
                    be = bestedge.get(x)
                    if be is not None:
                        heappush(free_heap, (slack(*be) + sh, x, be))
                entrychild = inblossom[labeledge[b][1]]
                j = b.childs.index(entrychild)
                if j & 1:
                    j -= len(b.childs)
                    jstep = 1
                else:
                    jstep = -1
                v, w = labeledge[b]
                while j != 0:
                    if jstep == 1:
                        p, q = b.edges[j]
                    else:
                        q, p = b.edges[j - 1]
                    label[w] = None
                    label[q] = None
                    assign_label(w, 2, v)
                    allowedge.add((p, q))
                    allowedge.add((q, p))
                    j += jstep
                    if jstep == 1:
                        v, w = b.edges[j]
                    else:
                        w, v = b.edges[j - 1]
                    allowedge.add((v, w))
                    allowedge.add((w, v))
                    j += jstep
                bw = b.childs[j]
                label[w] = label[bw] = 2
                labeledge[w] = labeledge[bw] = (v, w)
                bestedge[bw] = None
                t_verts.update(leaves(bw))
                j += jstep
                while b.childs[j] != entrychild:
                    bv = b.childs[j]
                    if label.get(bv) == 1:
                        j += jstep
                        continue
                    if isinstance(bv, _Blossom):
                        for v in bv.leaves():
                            if label.get(v):
                                break
                    else:
                        v = bv
                    if label.get(v):
                        label[v] = None
                        label[mate[base_of(bv)]] = None
                        assign_label(v, 2, labeledge[v][0])
                    j += jstep
            label.pop(b, None)
            labeledge.pop(b, None)
            bestedge.pop(b, None)
            del blossomparent[b]
            del blossombase[b]
            del blossomdual[b]

        stack = [_recurse(b, endstage)]
        while stack:
            top = stack[-1]
            for s in top:
                stack.append(_recurse(s, endstage))
                break
            else:
                stack.pop()

    def augment_blossom(b: _Blossom, v: int) -> None:
        def _recurse(b, v):
            t = v
            while blossomparent[t] != b:
                t = blossomparent[t]
            if isinstance(t, _Blossom):
                yield (t, v)
            i = j = b.childs.index(t)
            if i & 1:
                j -= len(b.childs)
                jstep = 1
            else:
                jstep = -1
            while j != 0:
                j += jstep
                t = b.childs[j]
                if jstep == 1:
                    w, x = b.edges[j]
                else:
                    x, w = b.edges[j - 1]
                if isinstance(t, _Blossom):
                    yield (t, w)
                j += jstep
                t = b.childs[j]
                if isinstance(t, _Blossom):
                    yield (t, x)
                mate[w] = x
                mate[x] = w
            b.childs = b.childs[i:] + b.childs[:i]
            b.edges = b.edges[i:] + b.edges[:i]
            blossombase[b] = base_of(b.childs[0])

        stack = [_recurse(b, v)]
        while stack:
            top = stack[-1]
            for args in top:
                stack.append(_recurse(*args))
                break
            else:
                stack.pop()

    def flip_to_root(s: int, j: int | None) -> None:
        """Flip the tree path from S-vertex ``s`` to its root; ``s`` gets ``j``."""
        while True:
            bs = inblossom[s]
            if isinstance(bs, _Blossom):
                augment_blossom(bs, s)
            if j is None:
                mate.pop(s, None)
            else:
                mate[s] = j
            if labeledge[bs] is None:
                break
            t = labeledge[bs][0]
            bt = inblossom[t]
            s, j = labeledge[bt]
            if isinstance(bt, _Blossom):
                augment_blossom(bt, j)
            mate[j] = s

    def augment(v: int, w: int) -> None:
        flip_to_root(v, w)
        flip_to_root(w, v)

    def exposed_top(b: Any) -> bool:
        return base_of(b) not in mate

    exposed = [v for v in range(n) if v not in mate and dualvar[v] > 0]
    # doubled weights beside the neighbour lists: the scan reads them in step
    twice = [[2 * weight[v * n + w] for w in nb] for v, nb in enumerate(nbrs)]
    while True:
        # stage: roots are the unmatched members of the largest positive dual
        label.clear()
        labeledge.clear()
        bestedge.clear()
        allowedge.clear()
        queue.clear()
        s_verts.clear()
        t_verts.clear()
        s_heap.clear()
        free_heap.clear()
        ss_heap.clear()
        roots.clear()
        # only a stage's roots change who is unmatched: the set shrinks in place
        exposed = [v for v in exposed if v not in mate and dualvar[v] > 0]
        waiting: dict[int, list[int]] = {}
        for v in exposed:
            waiting.setdefault(dualvar[v], []).append(v)
        if not waiting:
            break
        levels = sorted(waiting, reverse=True)
        top = levels.pop(0)
        for v in waiting[top]:
            if label.get(inblossom[v]) is None:
                assign_label(v, 1, None)
                roots.add(v)
        done = False  # the stage ended (augment or flip)
        while True:
            sh = shift[0]  # no dual step while scanning
            while queue and not done:
                v = queue.pop()
                bv = inblossom[v]
                dual_v = dualvar[v]
                for w, w2 in zip(nbrs[v], twice[v], strict=True):
                    bw = inblossom[w]
                    if bv == bw:
                        continue
                    # a pair is usable when tight (slack 0 between different
                    # top-level blossoms), or listed by a dual step or expansion
                    kslack = dual_v + dualvar[w] - w2
                    if kslack <= 0 or (allowedge and (v, w) in allowedge):
                        lb = label.get(bw)
                        if lb is None:
                            if exposed_top(bw):
                                # an unmatched member (not yet a root): augment
                                assign_label(w, 1, None)
                                augment(v, w)
                                done = True
                                break
                            assign_label(w, 2, v)
                        elif lb == 1:
                            base = scan_blossom(v, w)
                            if base is not _NONE:
                                add_blossom(base, v, w)
                                bv = inblossom[v]
                            else:
                                augment(v, w)
                                done = True
                                break
                        elif label.get(w) is None:
                            label[w] = 2
                            labeledge[w] = (v, w)
                    elif label.get(bw) == 1:
                        heappush(ss_heap, (kslack + 2 * sh, v, w))
                    elif label.get(w) is None:
                        be = bestedge.get(w)
                        if be is not None:
                            p, q = be
                            if (
                                kslack
                                >= dualvar[p] + dualvar[q] - 2 * weight[p * n + q]
                            ):
                                continue
                        bestedge[w] = (v, w)
                        heappush(free_heap, (kslack + sh, w, (v, w)))
            if done:
                break
            # dual step: the smallest change that makes something happen
            root_dual = dualvar[next(iter(roots))]
            nxt = levels[0] if levels else 0
            delta = root_dual - nxt
            deltatype = 1
            zero_v = None
            sh = shift[0]
            while s_heap:
                key, v = s_heap[0]
                if v not in s_verts or dualvar[v] + sh != key:
                    heappop(s_heap)  # left S, or pushed twice
                    continue
                if dualvar[v] < delta:
                    delta = dualvar[v]
                    deltatype = 0
                    zero_v = v
                break
            deltaedge = None
            deltablossom = None
            while free_heap:
                key, v, e = free_heap[0]
                if label.get(inblossom[v]) is not None or bestedge.get(v) != e:
                    heappop(free_heap)  # labelled since, or a better edge came
                    continue
                d = slack(*e)
                if d + sh != key:
                    heappop(free_heap)
                    heappush(free_heap, (d + sh, v, e))
                    continue
                if d < delta:
                    delta, deltatype, deltaedge = d, 2, e
                break
            while ss_heap:
                key, p, q = ss_heap[0]
                bp, bq = inblossom[p], inblossom[q]
                if bp == bq or label.get(bp) != 1 or label.get(bq) != 1:
                    heappop(ss_heap)  # inside one blossom now
                    continue
                d = dualvar[p] + dualvar[q] - 2 * weight[p * n + q]
                if d + 2 * sh != key:
                    heappop(ss_heap)
                    heappush(ss_heap, (d + 2 * sh, p, q))
                    continue
                if d // 2 < delta:
                    delta, deltatype, deltaedge = d // 2, 3, (p, q)
                break
            top_s, top_t = [], []
            for b, z in blossomdual.items():
                if blossomparent.get(b) is None:
                    lb = label.get(b)
                    if lb == 1:
                        top_s.append(b)
                    elif lb == 2:
                        top_t.append(b)
                        if z < delta:
                            delta, deltatype, deltablossom = z, 4, b
            shift[0] += delta
            if delta:
                for v in s_verts:
                    dualvar[v] -= delta
                for v in t_verts:
                    dualvar[v] += delta
                for b in top_s:
                    blossomdual[b] += delta
                for b in top_t:
                    blossomdual[b] -= delta
            if deltatype == 0:
                # a member of dual 0 becomes the unmatched one of its tree (roots
                # sit at the largest dual, so this is never a root itself)
                flip_to_root(zero_v, None)
                done = True
                break
            if deltatype == 1:
                if not levels:
                    done = True
                    break  # every root is down to 0: nothing left to gain
                top = levels.pop(0)
                for v in waiting[top]:
                    if (
                        v not in mate
                        and label.get(inblossom[v]) is None
                        and exposed_top(inblossom[v])
                    ):
                        assign_label(v, 1, None)
                        roots.add(v)
                continue
            if deltatype in (2, 3):
                v, w = deltaedge
                allowedge.add((v, w))
                allowedge.add((w, v))
                queue.append(v)
            elif deltatype == 4:
                expand_blossom(deltablossom, False)
        for b in list(blossomdual.keys()):
            if b not in blossomdual:
                continue
            if parent(b) is None and label.get(b) == 1 and blossomdual[b] == 0:
                expand_blossom(b, True)
    blossoms = [(list(b.leaves()), int(z)) for b, z in blossomdual.items() if z > 0]
    return mate, dualvar, blossoms
