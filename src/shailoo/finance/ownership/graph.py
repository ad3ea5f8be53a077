"""Who owns a legal entity on a day, through chains of any depth, and how much of it is foreign.

The foreign share of an entity is the integrated-ownership fixed point

    F(x) = Σ_o share(o, x) · w(o),   w = 1 for a foreign owner, F(o) for a local entity,
                                     0 for a citizen,

so shares multiply along chains through local intermediaries and add over every path; a
cycle (A owns B owns A) is one strongly connected set solved as a small linear system
(``solve.py``). Only holdings active on the day count (``start <= day < end``). A foreign
entity is not looked through (all of its share is foreign whoever owns it); an owner whose
country nobody recorded is not looked through either, and its share is added up apart as the
unknown share, never as local.

Screening asks about the same entities on nearby days a million times, so each answer is
kept with the span of days over which nothing it depends on changes (no holding it read
starts or ends inside it): a later question on any day in that span is a lookup, and the
intermediaries' answers are shared between all the entities they own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

import numpy as np

from shailoo.common.refusals import NotFound

from .index import (
    FOREIGN,
    FOREVER,
    LOCAL_ENTITY,
    NEVER,
    UNKNOWN,
    Index,
    build_index,
    day_of,
)
from .model import (
    DIRECT,
    INTERMEDIARY,
    LOOK_THROUGH,
    Assessment,
    Chain,
    Holding,
    Node,
    OwnerShare,
    OwnershipError,
    Rule,
)
from .solve import solve_cycle
from .walk import (
    Span,
    active,
    best_chains,
    components,
    direct_chain,
    merged,
    terminal_shares,
)

__all__ = ["EPSILON", "OwnershipGraph"]

#: Shares are floats: a comparison with a threshold forgives this much rounding.
EPSILON: Final = 1e-9
#: Assessments kept for repeated questions (the same donor, the same day) before starting over.
MAX_KEPT_ASSESSMENTS: Final = 100_000

#: A kept answer: foreign and unknown shares, valid on days ``[lo, hi)``.
Entry = tuple[float, float, int, int]


class OwnershipGraph:
    """Persons and legal entities, the holdings between them over time, one home country.

    Built once (``nodes`` and ``holdings`` checked and packed; see ``index.build_index`` for
    what is refused and what ``lenient`` forgives); then queried by node id and day.
    ``problems`` lists what a lenient build forgave.
    """

    def __init__(
        self,
        nodes: Iterable[Node],
        holdings: Iterable[Holding],
        home: str = "KG",
        *,
        lenient: bool = False,
    ) -> None:
        self.home = home
        self._ix: Index = build_index(nodes, holdings, home, lenient=lenient)
        self.problems = tuple(self._ix.problems)
        self._memo: dict[int, list[Entry]] = {}
        self._solved = 0
        self._hits = 0
        self._assessed: dict[tuple[int, int, float, float, int, bool], Assessment | None] = {}

    # --- nodes and holdings -----------------------------------------------------------------

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._ix.position

    def __len__(self) -> int:
        return len(self._ix.nodes)

    def node(self, node_id: str) -> Node:
        """The node with this id, or ``NotFound``."""
        return self._ix.nodes[self._at(node_id)]

    def is_foreign(self, node_id: str) -> bool:
        """Whether the node is foreign: registered abroad, a foreign citizen, or stateless."""
        return self._ix.node_class[self._at(node_id)] == FOREIGN

    def owners(self, entity: str, day: date | None = None) -> tuple[Holding, ...]:
        """The holdings in ``entity``: those active on ``day``, or all of them (``None``);
        shares as the engine counts them (a lenient build may have scaled some down)."""
        ix = self._ix
        v = self._at(entity)
        d = None if day is None else day_of(day)
        found = []
        for k in range(ix.offsets[v], ix.offsets[v + 1]):
            start, end = ix.start[k], ix.end[k]
            if d is not None and not start <= d < end:
                continue
            found.append(
                Holding(
                    owner=ix.nodes[ix.owner[k]].id,
                    owned=entity,
                    share=ix.share[k],
                    start=None if start == NEVER else date.fromordinal(start),
                    end=None if end == FOREVER else date.fromordinal(end),
                )
            )
        return tuple(found)

    def cache_info(self) -> dict[str, int]:
        """How many (node, span) answers were computed, reused, and are kept."""
        kept = sum(len(entries) for entries in self._memo.values())
        return {"solved": self._solved, "hits": self._hits, "kept": kept}

    # --- shares -------------------------------------------------------------------------------

    def direct_foreign_share(self, entity: str, day: date) -> float:
        """The share foreign owners hold directly in ``entity`` on ``day``, all together."""
        v = self._at(entity)
        cls = self._ix.node_class
        act, _, _ = active(self._ix, v, day_of(day))
        return min(1.0, sum((s for o, s in act if cls[o] == FOREIGN), 0.0))

    def foreign_share(self, entity: str, day: date) -> float:
        """The effective share foreign owners hold in ``entity`` on ``day`` through all chains."""
        return self._effective(self._at(entity), day_of(day))[0]

    def unknown_share(self, entity: str, day: date) -> float:
        """The effective share traced to owners whose country nobody recorded."""
        return self._effective(self._at(entity), day_of(day))[1]

    def ultimate_owners(self, entity: str, day: date) -> tuple[OwnerShare, ...]:
        """Every ultimate owner of ``entity`` on ``day`` and its share through all chains.

        Ultimate: a person, a foreign entity or one of unknown country (not looked through),
        or a local entity nobody holds. Largest share first; shares of owners the registry
        does not know are missing, so the total may be under 1.
        """
        root = self._at(entity)
        values = terminal_shares(self._ix, root, day_of(day))
        nodes = self._ix.nodes
        found = [
            OwnerShare(nodes[t].id, nodes[t].name, nodes[t].country, nodes[t].kind, share)
            for t, share in values.items()
            if share > EPSILON
        ]
        found.sort(key=lambda owner: (-owner.share, owner.node))
        return tuple(found)

    # --- explanation --------------------------------------------------------------------------

    def chains(self, entity: str, day: date, *, limit: int = 5) -> tuple[Chain, ...]:
        """The ``limit`` simple chains with the largest products from a foreign owner down to
        ``entity`` on ``day``, through local entities only, largest first."""
        return tuple(best_chains(self._ix, self._at(entity), day_of(day), limit))

    def assess(
        self,
        entity: str,
        day: date,
        min_share: float,
        control_share: float,
        *,
        limit: int = 5,
        intermediaries: bool = False,
    ) -> Assessment | None:
        """Whether ``entity`` had foreign participation on ``day``, and why; ``None`` if not.

        ``direct``: foreign owners held more than ``min_share`` of it directly (0: any share,
        the law's "no minimum"). ``look_through``: the effective foreign share through chains
        reached ``control_share``. With ``intermediaries``, also ``controlled_intermediary``:
        local owners that are foreign-controlled themselves (effective share at least
        ``control_share``) held more than ``min_share`` of it — the reading in which such an
        owner is a foreign participant. The law file gives both thresholds
        (``finance.foreign_participation_min_share``, ``finance.look_through_control_share``).
        """
        if not 0.0 <= min_share <= 1.0:
            raise OwnershipError(message="min_share must be in [0, 1]")
        if not 0.0 < control_share <= 1.0:
            raise OwnershipError(message="control_share must be in (0, 1]")
        v = self._at(entity)
        d = day_of(day)
        key = (v, d, min_share, control_share, limit, intermediaries)
        if key in self._assessed:
            return self._assessed[key]
        if len(self._assessed) >= MAX_KEPT_ASSESSMENTS:
            self._assessed.clear()
        found = self._assess(entity, day, v, d, min_share, control_share, limit, intermediaries)
        self._assessed[key] = found
        return found

    # --- internals ----------------------------------------------------------------------------

    def _assess(
        self,
        entity: str,
        day: date,
        v: int,
        d: int,
        min_share: float,
        control_share: float,
        limit: int,
        intermediaries: bool,
    ) -> Assessment | None:
        cls = self._ix.node_class
        act, _, _ = active(self._ix, v, d)
        direct = min(1.0, sum((s for o, s in act if cls[o] == FOREIGN), 0.0))
        effective, unknown = self._effective(v, d)
        rules: list[Rule] = []
        if direct > min_share + EPSILON:
            rules.append(DIRECT)
        if effective >= control_share - EPSILON:
            rules.append(LOOK_THROUGH)
        if intermediaries:
            held = sum(
                share
                for owner, share in act
                if cls[owner] == LOCAL_ENTITY
                and owner != v
                and self._effective(owner, d)[0] >= control_share - EPSILON
            )
            if held > min_share + EPSILON:
                rules.append(INTERMEDIARY)
        if not rules:
            return None
        chains = best_chains(self._ix, v, d, limit)
        if DIRECT in rules:
            shown = {chain.steps[0].node for chain in chains if len(chain.steps) == 2}
            chains.extend(
                direct_chain(self._ix, v, owner, share)
                for owner, share in sorted(merged(act).items(), key=lambda kv: -kv[1])
                if cls[owner] == FOREIGN and self._ix.nodes[owner].id not in shown
            )
            chains.sort(key=lambda chain: -chain.product)
        foreign = tuple(
            owner for owner in self.ultimate_owners(entity, day) if self.is_foreign(owner.node)
        )
        return Assessment(
            entity=entity,
            day=day,
            rules=tuple(rules),
            direct_share=direct,
            effective_share=effective,
            unknown_share=unknown,
            min_share=min_share,
            control_share=control_share,
            chains=tuple(chains),
            foreign_owners=foreign,
        )

    def _at(self, node_id: str) -> int:
        at = self._ix.position.get(node_id)
        if at is None:
            raise NotFound("unknown_node", f"no node {node_id!r} in the ownership graph")
        return at

    def _lookup(self, v: int, d: int) -> Entry | None:
        for entry in self._memo.get(v, ()):
            if entry[2] <= d < entry[3]:
                return entry
        return None

    def _effective(self, root: int, d: int) -> tuple[float, float]:
        """(foreign, unknown) effective shares of ``root`` on day ``d``, memoised by span."""
        hit = self._lookup(root, d)
        if hit is not None:
            self._hits += 1
            return hit[0], hit[1]
        values: dict[int, Entry] = {}

        def settled(o: int) -> bool:
            entry = self._lookup(o, d)
            if entry is None:
                return False
            values[o] = entry
            return True

        for members, spans in components(self._ix, root, d, settled):
            self._settle(members, spans, values)
        entry = values[root]
        return entry[0], entry[1]

    def _settle(self, members: list[int], spans: dict[int, Span], values: dict[int, Entry]) -> None:
        """Solve one strongly connected set whose outside owners are all in ``values``."""
        cls = self._ix.node_class
        if len(members) == 1:
            v = members[0]
            act, lo, hi = spans[v]
            foreign = unknown = 0.0
            looped = False
            for o, share in act:
                kind = cls[o]
                if kind == FOREIGN:
                    foreign += share
                elif kind == UNKNOWN:
                    unknown += share
                elif kind == LOCAL_ENTITY:
                    if o == v:
                        looped = True
                        break
                    f, u, lo2, hi2 = values[o]
                    foreign += share * f
                    unknown += share * u
                    lo = max(lo, lo2)
                    hi = min(hi, hi2)
            if not looped:
                self._keep(v, (min(1.0, foreign), min(1.0, unknown), lo, hi), values)
                return
        place = {m: i for i, m in enumerate(members)}
        rows: list[int] = []
        cols: list[int] = []
        shares: list[float] = []
        outside = np.zeros((len(members), 2))
        lo, hi = NEVER, FOREVER
        for i, m in enumerate(members):
            act, lo2, hi2 = spans[m]
            lo, hi = max(lo, lo2), min(hi, hi2)
            for o, share in act:
                j = place.get(o) if cls[o] == LOCAL_ENTITY else None
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    shares.append(share)
                    continue
                kind = cls[o]
                if kind == FOREIGN:
                    outside[i, 0] += share
                elif kind == UNKNOWN:
                    outside[i, 1] += share
                elif kind == LOCAL_ENTITY:
                    f, u, lo2, hi2 = values[o]
                    outside[i, 0] += share * f
                    outside[i, 1] += share * u
                    lo, hi = max(lo, lo2), min(hi, hi2)
        solution = solve_cycle(len(members), rows, cols, shares, outside)
        for i, m in enumerate(members):
            self._keep(m, (float(solution[i, 0]), float(solution[i, 1]), lo, hi), values)

    def _keep(self, v: int, entry: Entry, values: dict[int, Entry]) -> None:
        values[v] = entry
        self._memo.setdefault(v, []).append(entry)
        self._solved += 1
