"""Walks over the packed graph on one day: the owners active on it, the strongly connected
sets upstream of an entity in dependency order, every ultimate owner's share, and the
simple chains with the largest products.

Functions over an ``Index`` rather than methods, so the graph class keeps only what it
remembers between questions (``graph.py``) and these stay plain and testable.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from typing import Final

import numpy as np

from .index import FOREIGN, FOREVER, LOCAL_ENTITY, NEVER, Index
from .model import Chain, ChainStep
from .solve import solve_cycle

__all__ = [
    "Active",
    "Span",
    "active",
    "best_chains",
    "chain_of",
    "components",
    "direct_chain",
    "merged",
    "terminal_shares",
]

#: Chains whose product is below this are not worth showing (nor searching).
MIN_CHAIN_PRODUCT: Final = 1e-6
#: How many partial chains the chain search may open before it stops.
MAX_CHAIN_EXPANSIONS: Final = 20_000

#: The owners of an entity on a day: (owner position, share), one per active holding.
Active = list[tuple[int, float]]
#: Those owners and the span of days ``[lo, hi)`` over which they stay the same.
Span = tuple[Active, int, int]


def active(ix: Index, v: int, d: int) -> Span:
    """The holdings in ``v`` active on day ``d`` as (owner, share), and the span of days
    ``[lo, hi)`` around ``d`` over which that list stays the same."""
    starts, ends, owners, shares = ix.start, ix.end, ix.owner, ix.share
    lo, hi = NEVER, FOREVER
    act: Active = []
    for k in range(ix.offsets[v], ix.offsets[v + 1]):
        start = starts[k]
        if start > d:
            hi = min(hi, start)
            break  # sorted by start: every later holding starts later still
        end = ends[k]
        if end <= d:
            lo = max(lo, end)
        else:
            lo = max(lo, start)
            hi = min(hi, end)
            act.append((owners[k], shares[k]))
    return act, lo, hi


def merged(act: Active) -> dict[int, float]:
    """Each owner once, its holdings added (a registry may list one owner twice)."""
    total: dict[int, float] = {}
    for owner, share in act:
        total[owner] = total.get(owner, 0.0) + share
    return total


def components(
    ix: Index, root: int, d: int, settled: Callable[[int], bool]
) -> Iterator[tuple[list[int], dict[int, Span]]]:
    """Strongly connected sets of local entities upstream of ``root`` on day ``d``, each
    after every set it depends on (Tarjan, without recursion: chains can be deep)."""
    cls = ix.node_class
    spans: dict[int, Span] = {root: active(ix, root, d)}
    number: dict[int, int] = {root: 0}
    low: dict[int, int] = {root: 0}
    stack = [root]
    on_stack = {root}
    calls: list[tuple[int, Iterator[tuple[int, float]]]] = [(root, iter(spans[root][0]))]
    while calls:
        v, owners = calls[-1]
        descended = False
        for o, _ in owners:
            if cls[o] != LOCAL_ENTITY:
                continue
            if o in number:
                if o in on_stack and number[o] < low[v]:
                    low[v] = number[o]
                continue
            if settled(o):
                continue
            number[o] = low[o] = len(number)
            stack.append(o)
            on_stack.add(o)
            spans[o] = active(ix, o, d)
            calls.append((o, iter(spans[o][0])))
            descended = True
            break
        if descended:
            continue
        calls.pop()
        if calls:
            parent = calls[-1][0]
            low[parent] = min(low[parent], low[v])
        if low[v] == number[v]:
            members: list[int] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                members.append(w)
                if w == v:
                    break
            yield members, spans


def terminal_shares(ix: Index, root: int, d: int) -> dict[int, float]:
    """Shares of ``root`` held by each ultimate owner on day ``d`` (not memoised: it is
    asked once per explanation, not once per donation)."""
    cls = ix.node_class
    values: dict[int, dict[int, float]] = {}
    for members, spans in components(ix, root, d, lambda o: False):
        place = {m: i for i, m in enumerate(members)}
        outside: list[dict[int, float]] = [{} for _ in members]
        rows: list[int] = []
        cols: list[int] = []
        shares: list[float] = []
        for i, m in enumerate(members):
            act = spans[m][0]
            if not act and m != root:
                outside[i][m] = 1.0  # nobody holds it: it is its own ultimate owner
            for o, share in act:
                j = place.get(o) if cls[o] == LOCAL_ENTITY else None
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    shares.append(share)
                    continue
                held = values[o] if cls[o] == LOCAL_ENTITY else {o: 1.0}
                target = outside[i]
                for t, part in held.items():
                    target[t] = target.get(t, 0.0) + share * part
        if not rows:
            for i, m in enumerate(members):
                values[m] = outside[i]
            continue
        terminals = sorted({t for held in outside for t in held})
        column = {t: c for c, t in enumerate(terminals)}
        matrix = np.zeros((len(members), len(terminals)))
        for i, held in enumerate(outside):
            for t, part in held.items():
                matrix[i, column[t]] = part
        solution = solve_cycle(len(members), rows, cols, shares, matrix)
        for i, m in enumerate(members):
            values[m] = {t: float(solution[i, c]) for t, c in column.items() if solution[i, c] > 0}
    return values[root]


def best_chains(ix: Index, root: int, d: int, limit: int) -> list[Chain]:
    """Best-first search over simple paths upward from ``root``: a path's product only
    shrinks as it grows, so paths leave the heap complete in decreasing product."""
    cls = ix.node_class
    owners_of: dict[int, dict[int, float]] = {}
    heap: list[tuple[float, int, tuple[int, ...], tuple[float, ...]]] = [(-1.0, 0, (root,), ())]
    pushed = 1
    found: list[Chain] = []
    while heap and len(found) < limit and pushed < MAX_CHAIN_EXPANSIONS:
        negative, _, path, shares = heapq.heappop(heap)
        last = path[-1]
        if len(path) > 1 and cls[last] == FOREIGN:
            found.append(chain_of(ix, path, shares, -negative))
            continue
        held = owners_of.get(last)
        if held is None:
            held = owners_of[last] = merged(active(ix, last, d)[0])
        for o, share in held.items():
            if o in path or cls[o] not in (FOREIGN, LOCAL_ENTITY):
                continue
            product = -negative * share
            if product < MIN_CHAIN_PRODUCT:
                continue
            heapq.heappush(heap, (-product, pushed, (*path, o), (*shares, share)))
            pushed += 1
    return found


def chain_of(ix: Index, path: tuple[int, ...], shares: tuple[float, ...], product: float) -> Chain:
    """A path found upward (entity first) as a chain read downward (foreign owner first)."""
    nodes = ix.nodes
    steps = [
        ChainStep(nodes[v].id, nodes[v].name, nodes[v].country, share)
        for v, share in zip(reversed(path[1:]), reversed(shares), strict=True)
    ]
    top = nodes[path[0]]
    steps.append(ChainStep(top.id, top.name, top.country, None))
    return Chain(tuple(steps), product)


def direct_chain(ix: Index, v: int, owner: int, share: float) -> Chain:
    """The one-link chain of a direct owner."""
    return chain_of(ix, (v, owner), (share,), share)
