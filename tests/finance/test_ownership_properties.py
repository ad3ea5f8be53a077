"""Properties of the ownership engine on random graphs: shares stay in [0, 1]; the foreign
share equals the sum over every path on acyclic graphs (enumerated by brute force) and
numpy's ``(I - A)^-1 b`` on graphs with cycles; it grows with a foreign owner's share; and an
answer kept for a span of days is the answer of a graph built afresh from that day's holdings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.finance.ownership import Holding, Node, OwnershipGraph

DAY = date(2025, 10, 20)


@dataclass(frozen=True)
class World:
    nodes: list[Node]
    holdings: list[Holding]

    @property
    def entities(self) -> list[str]:
        return [n.id for n in self.nodes if n.kind == "entity"]

    def country(self, node_id: str) -> str:
        return next(n.country for n in self.nodes if n.id == node_id)


@st.composite
def worlds(draw: st.DrawFn, *, acyclic: bool, max_total: float = 1.0) -> World:
    """Up to 7 entities and 5 persons of random countries; each entity held by a few of
    them, its shares summing to at most ``max_total``; ``acyclic``: an entity is held only by
    entities later in the list."""
    n_entities = draw(st.integers(1, 7))
    n_persons = draw(st.integers(0, 5))
    nodes = [
        Node(f"e{i}", "entity", f"Entity {i}", draw(st.sampled_from(["KG", "KG", "DE", "RU"])))
        for i in range(n_entities)
    ] + [Node(f"p{i}", "person", f"Person {i}", draw(sx.citizenships)) for i in range(n_persons)]
    holdings: list[Holding] = []
    for i in range(n_entities):
        candidates = [n.id for n in nodes if n.kind == "person"] + [
            f"e{j}" for j in range(n_entities) if (j > i if acyclic else True)
        ]
        if not candidates:
            continue
        owners = draw(st.lists(st.sampled_from(candidates), max_size=4, unique=True))
        if not owners:
            continue
        weights = [draw(st.integers(1, 10)) for _ in owners]
        total = draw(st.sampled_from([max_total, max_total * 0.9, max_total * 0.5]))
        for owner, weight in zip(owners, weights, strict=True):
            holdings.append(Holding(owner, f"e{i}", total * weight / sum(weights)))
    return World(nodes, holdings)


def reference_matrix(world: World) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A[x, o] = share of local entity o in x; b[x] = share of foreign owners in x."""
    local = [e for e in world.entities if world.country(e) == "KG"]
    everyone = world.entities
    place = {e: i for i, e in enumerate(everyone)}
    matrix = np.zeros((len(everyone), len(everyone)))
    foreign = np.zeros(len(everyone))
    for h in world.holdings:
        x = place[h.owned]
        country = world.country(h.owner)
        if h.owner in local:
            matrix[x, place[h.owner]] += float(h.share)
        elif country not in ("KG", ""):
            foreign[x] += float(h.share)
    return everyone, matrix, foreign


def path_sum(world: World, target: str) -> float:
    """Every path from a foreign node down to ``target`` through local entities, by brute force."""
    owners: dict[str, list[tuple[str, float]]] = {}
    for h in world.holdings:
        owners.setdefault(h.owned, []).append((h.owner, float(h.share)))
    total = 0.0
    stack = [(target, 1.0)]
    while stack:
        node, product = stack.pop()
        for owner, share in owners.get(node, []):
            country = world.country(owner)
            if country not in ("KG", ""):
                total += product * share
            elif country == "KG" and owner.startswith("e"):
                stack.append((owner, product * share))
    return total


@given(worlds(acyclic=False))
def test_shares_are_within_0_and_1_and_satisfy_the_fixed_point(world: World) -> None:
    graph = OwnershipGraph(world.nodes, world.holdings)
    everyone, matrix, foreign = reference_matrix(world)
    got = np.array([graph.foreign_share(e, DAY) for e in everyone])
    assert np.all(got >= 0.0) and np.all(got <= 1.0)
    for e in everyone:
        assert 0.0 <= graph.direct_foreign_share(e, DAY) <= graph.foreign_share(e, DAY) + 1e-12
        assert 0.0 <= graph.unknown_share(e, DAY) <= 1.0
    # F = A F + b for every entity, local or not (a foreign entity's owners are looked at too).
    assert np.allclose(got, matrix @ got + foreign, atol=1e-9)


@given(worlds(acyclic=True))
def test_on_acyclic_graphs_it_is_the_sum_over_all_paths(world: World) -> None:
    graph = OwnershipGraph(world.nodes, world.holdings)
    for e in world.entities:
        assert graph.foreign_share(e, DAY) == pytest.approx(path_sum(world, e), abs=1e-12)


@given(worlds(acyclic=False, max_total=0.95))
def test_with_cycles_it_is_the_linear_solve(world: World) -> None:
    graph = OwnershipGraph(world.nodes, world.holdings)
    everyone, matrix, foreign = reference_matrix(world)
    expected = np.linalg.solve(np.eye(len(everyone)) - matrix, foreign)
    got = [graph.foreign_share(e, DAY) for e in everyone]
    assert got == pytest.approx(expected.tolist(), abs=1e-9)
    # Chains are simple paths: each is at most the whole, and all of them together too.
    for e in everyone:
        chains = graph.chains(e, DAY, limit=50)
        assert sum(c.product for c in chains) <= graph.foreign_share(e, DAY) + 1e-9
        for chain in chains:
            ids = [step.node for step in chain.steps]
            assert len(ids) == len(set(ids)) and ids[-1] == e
            assert chain.product == pytest.approx(np.prod([s.share for s in chain.steps[:-1]]))


@given(worlds(acyclic=False, max_total=0.9), st.data())
def test_more_foreign_share_never_lowers_anyone_s_foreign_share(
    world: World, data: st.DataObject
) -> None:
    foreign_links = [
        i for i, h in enumerate(world.holdings) if world.country(h.owner) not in ("KG", "")
    ]
    assume(foreign_links)
    i = data.draw(st.sampled_from(foreign_links))
    bump = data.draw(st.floats(0.001, 0.1))
    before = OwnershipGraph(world.nodes, world.holdings)
    h = world.holdings[i]
    more = [*world.holdings]
    more[i] = Holding(h.owner, h.owned, float(h.share) + bump)
    after = OwnershipGraph(world.nodes, more)
    for e in world.entities:
        assert after.foreign_share(e, DAY) >= before.foreign_share(e, DAY) - 1e-12
    assert after.foreign_share(h.owned, DAY) > before.foreign_share(h.owned, DAY)


@st.composite
def dated_worlds(draw: st.DrawFn) -> World:
    """A world whose holdings start and end on days around ``DAY``; each entity's owners
    hold at most 1/k each, so no day over-subscribes it."""
    base = draw(worlds(acyclic=False))
    dated = []
    counts: dict[str, int] = {}
    for h in base.holdings:
        counts[h.owned] = counts.get(h.owned, 0) + 1
    for h in base.holdings:
        start = draw(st.none() | st.integers(-5, 5).map(lambda k: DAY + timedelta(days=k)))
        end = draw(st.none() | st.integers(-4, 6).map(lambda k: DAY + timedelta(days=k)))
        if start is not None and end is not None and end <= start:
            end = start + timedelta(days=1)
        share = min(float(h.share), 1.0 / counts[h.owned])
        dated.append(Holding(h.owner, h.owned, share, start, end))
        if draw(st.booleans()):  # the same owner again, in a later period
            later = (end or DAY) + timedelta(days=draw(st.integers(0, 3)))
            dated.append(Holding(h.owner, h.owned, share / 2, later, None))
            counts[h.owned] += 1
    return World(base.nodes, dated)


@settings(max_examples=60)
@given(dated_worlds(), st.lists(st.integers(-7, 8), min_size=1, max_size=12))
def test_kept_answers_match_a_fresh_graph_of_that_day(world: World, offsets: list[int]) -> None:
    assume(_fits(world))
    graph = OwnershipGraph(world.nodes, world.holdings)
    for offset in offsets:
        day = DAY + timedelta(days=offset)
        active = [
            Holding(h.owner, h.owned, h.share)
            for h in world.holdings
            if (h.start is None or h.start <= day) and (h.end is None or day < h.end)
        ]
        fresh = OwnershipGraph(world.nodes, active)
        for e in world.entities:
            assert graph.foreign_share(e, day) == pytest.approx(
                fresh.foreign_share(e, day), abs=1e-12
            )
            assert graph.unknown_share(e, day) == pytest.approx(
                fresh.unknown_share(e, day), abs=1e-12
            )


def _fits(world: World) -> bool:
    """No entity over-subscribed on any day (the halves of repeated owners can add up)."""
    try:
        OwnershipGraph(world.nodes, world.holdings)
    except ValueError:
        return False
    return True


@given(worlds(acyclic=False, max_total=0.95))
def test_ultimate_owners_account_for_every_share_held_by_someone_known(world: World) -> None:
    graph = OwnershipGraph(world.nodes, world.holdings)
    for e in world.entities:
        owners = graph.ultimate_owners(e, DAY)
        foreign = sum(o.share for o in owners if o.country not in ("KG", ""))
        # A foreign entity is an ultimate owner with its whole share (not looked through).
        assert foreign == pytest.approx(graph.foreign_share(e, DAY), abs=1e-9)
        assert sum(o.share for o in owners) <= 1.0 + 1e-9
