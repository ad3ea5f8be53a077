"""The ownership engine on the cases the screen must get right: a foreign parent three layers
up, the control threshold at 49.9 % and 50 %, a 1 % direct foreign shareholder, exits on the
day before and the day after a donation, holdings not yet started, cycles, and the registry
errors it refuses (each located by its index)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from shailoo.common.refusals import NotFound
from shailoo.finance.ownership import (
    DIRECT,
    INTERMEDIARY,
    LOOK_THROUGH,
    Holding,
    Node,
    OwnershipError,
    OwnershipGraph,
)
from shailoo.law.loader import load_edition

LAW = load_edition("kg-2025").finance
MIN_SHARE = LAW.foreign_participation_min_share.value
CONTROL = LAW.look_through_control_share.value
DONATION = date(2025, 10, 20)


def entity(node_id: str, country: str = "KG", name: str = "") -> Node:
    return Node(node_id, "entity", name or f"{node_id} LLC", country)


def person(node_id: str, country: str = "KG") -> Node:
    return Node(node_id, "person", f"Person {node_id}", country)


def test_law_thresholds_are_the_ones_the_tests_assume() -> None:
    assert MIN_SHARE == 0.0
    assert CONTROL == 0.5


def test_a_foreign_parent_three_layers_up_is_found_by_look_through() -> None:
    graph = OwnershipGraph(
        [
            entity("parent", "DE", "Foreign Parent GmbH"),
            entity("h1"),
            entity("h2"),
            entity("donor", name="Printing House LLC"),
        ],
        [
            Holding("parent", "h1", Decimal("1")),
            Holding("h1", "h2", Decimal("1")),
            Holding("h2", "donor", Decimal("1")),
        ],
    )
    assert graph.direct_foreign_share("donor", DONATION) == 0.0
    assert graph.foreign_share("donor", DONATION) == pytest.approx(1.0)
    found = graph.assess("donor", DONATION, MIN_SHARE, CONTROL)
    assert found is not None
    assert found.rules == (LOOK_THROUGH,)
    assert found.effective_share == pytest.approx(1.0)
    [chain] = found.chains
    assert [step.node for step in chain.steps] == ["parent", "h1", "h2", "donor"]
    assert chain.text() == (
        "Foreign Parent GmbH (DE) 100% → h1 LLC (KG) 100% → h2 LLC (KG) 100% → "
        "Printing House LLC (KG) = 100%"
    )
    assert [owner.node for owner in found.foreign_owners] == ["parent"]


@pytest.mark.parametrize(("second_share", "flagged"), [("0.499", False), ("0.5", True)])
def test_the_control_threshold_at_499_and_50_percent(second_share: str, flagged: bool) -> None:
    # Foreign 100% of H; H holds 49.9 % (or 50 %) of the donor, citizens hold the rest.
    graph = OwnershipGraph(
        [entity("foreign", "KZ"), entity("h"), entity("donor"), person("citizen")],
        [
            Holding("foreign", "h", Decimal("1")),
            Holding("h", "donor", Decimal(second_share)),
            Holding("citizen", "donor", 1 - Decimal(second_share)),
        ],
    )
    found = graph.assess("donor", DONATION, MIN_SHARE, CONTROL)
    assert graph.foreign_share("donor", DONATION) == pytest.approx(float(second_share))
    assert (found is not None) is flagged
    if found is not None:
        assert found.rules == (LOOK_THROUGH,)
        assert found.chains[0].text().endswith("= 50%")


def test_a_product_of_shares_just_under_the_threshold_is_not_flagged() -> None:
    # 0.998 x 0.5 = 49.9 % through two layers.
    graph = OwnershipGraph(
        [entity("foreign", "CN"), entity("a"), entity("b"), person("p"), person("q")],
        [
            Holding("foreign", "a", 0.998),
            Holding("p", "a", 0.002),
            Holding("a", "b", 0.5),
            Holding("q", "b", 0.5),
        ],
    )
    assert graph.foreign_share("b", DONATION) == pytest.approx(0.499)
    assert graph.assess("b", DONATION, MIN_SHARE, CONTROL) is None


def test_a_direct_foreign_shareholder_of_one_percent_is_flagged_as_direct() -> None:
    graph = OwnershipGraph(
        [entity("donor"), person("alice", "RU"), person("bakyt")],
        [Holding("alice", "donor", Decimal("0.01")), Holding("bakyt", "donor", Decimal("0.99"))],
    )
    found = graph.assess("donor", DONATION, MIN_SHARE, CONTROL)
    assert found is not None
    assert found.rules == (DIRECT,)
    assert found.direct_share == pytest.approx(0.01)
    assert [chain.text() for chain in found.chains] == [
        "Person alice (RU) 1% → donor LLC (KG) = 1%"
    ]
    # A law with a 5 % minimum would let this one through.
    assert graph.assess("donor", DONATION, 0.05, CONTROL) is None


def test_a_stateless_shareholder_counts_as_foreign() -> None:
    graph = OwnershipGraph(
        [entity("donor"), person("s", "XX"), person("k")],
        [Holding("s", "donor", 0.2), Holding("k", "donor", 0.8)],
    )
    assert graph.is_foreign("s")
    found = graph.assess("donor", DONATION, MIN_SHARE, CONTROL)
    assert found is not None and found.rules == (DIRECT,)


@pytest.mark.parametrize(
    ("exit_day", "counted"),
    [
        (DONATION - timedelta(days=1), False),  # exited the day before: gone
        (DONATION, False),  # exited on the donation day: the exit day no longer counts
        (DONATION + timedelta(days=1), True),  # exits the day after: still a shareholder
    ],
)
def test_a_shareholder_who_exited_before_the_donation_does_not_count(
    exit_day: date, counted: bool
) -> None:
    graph = OwnershipGraph(
        [entity("donor"), person("foreigner", "TR"), person("citizen")],
        [
            Holding("foreigner", "donor", 0.3, start=date(2020, 1, 1), end=exit_day),
            Holding("citizen", "donor", 0.7, start=date(2020, 1, 1)),
        ],
    )
    found = graph.assess("donor", DONATION, MIN_SHARE, CONTROL)
    assert (found is not None) is counted
    assert graph.direct_foreign_share("donor", DONATION) == (0.3 if counted else 0.0)


def test_a_holding_that_starts_after_the_donation_does_not_count_before_its_start() -> None:
    start = DONATION + timedelta(days=1)
    graph = OwnershipGraph(
        [entity("donor"), entity("parent", "US"), person("citizen")],
        [
            Holding("citizen", "donor", 1.0, end=start),
            Holding("parent", "donor", 1.0, start=start),
        ],
    )
    assert graph.assess("donor", DONATION, MIN_SHARE, CONTROL) is None
    assert graph.foreign_share("donor", DONATION) == 0.0
    assert graph.foreign_share("donor", start) == 1.0
    assert graph.owners("donor", DONATION)[0].owner == "citizen"
    assert [h.owner for h in graph.owners("donor")] == ["citizen", "parent"]


def test_an_exit_three_layers_up_changes_the_answer_on_the_exit_day() -> None:
    exit_day = date(2025, 6, 1)
    graph = OwnershipGraph(
        [entity("f", "DE"), entity("a"), entity("b"), entity("donor"), person("c")],
        [
            Holding("f", "a", 1.0, end=exit_day),
            Holding("c", "a", 1.0, start=exit_day),
            Holding("a", "b", 1.0),
            Holding("b", "donor", 1.0),
        ],
    )
    eve = exit_day - timedelta(days=1)
    # Ask in an order that exercises the kept answers: later day, then the eve, then later.
    assert graph.foreign_share("donor", exit_day) == 0.0
    assert graph.foreign_share("donor", eve) == 1.0
    assert graph.foreign_share("donor", date(2025, 12, 1)) == 0.0
    assert graph.foreign_share("donor", date(2000, 1, 1)) == 1.0


def test_two_entities_owning_each_other_with_a_foreign_owner_outside() -> None:
    # A holds 40 % of B, B holds 30 % of A; a foreigner holds 50 % of A.
    graph = OwnershipGraph(
        [entity("a"), entity("b"), person("f", "KZ"), person("c1"), person("c2")],
        [
            Holding("b", "a", 0.3),
            Holding("f", "a", 0.5),
            Holding("c1", "a", 0.2),
            Holding("a", "b", 0.4),
            Holding("c2", "b", 0.6),
        ],
    )
    # F(a) = 0.5 + 0.3 F(b), F(b) = 0.4 F(a)  =>  F(a) = 0.5 / (1 - 0.12)
    fa = 0.5 / 0.88
    assert graph.foreign_share("a", DONATION) == pytest.approx(fa)
    assert graph.foreign_share("b", DONATION) == pytest.approx(0.4 * fa)
    found = graph.assess("b", DONATION, MIN_SHARE, CONTROL)
    assert found is None  # 22.7 % < 50 %, and no foreign owner of b directly
    chains = graph.chains("b", DONATION)
    assert [c.text() for c in chains] == ["Person f (KZ) 50% → a LLC (KG) 40% → b LLC (KG) = 20%"]


def test_three_entities_in_a_cycle_with_an_outside_foreign_owner_match_a_linear_solve() -> None:
    nodes = [entity("a"), entity("b"), entity("c"), entity("ext", "AE")] + [
        person(f"p{i}") for i in range(3)
    ]
    holdings = [
        Holding("c", "a", 0.6),  # a <- c <- b <- a
        Holding("ext", "a", 0.25),
        Holding("p0", "a", 0.15),
        Holding("a", "b", 0.7),
        Holding("p1", "b", 0.3),
        Holding("b", "c", 0.9),
        Holding("p2", "c", 0.1),
    ]
    graph = OwnershipGraph(nodes, holdings)
    order = ["a", "b", "c"]
    matrix = np.zeros((3, 3))
    matrix[0, 2], matrix[1, 0], matrix[2, 1] = 0.6, 0.7, 0.9
    expected = np.linalg.solve(np.eye(3) - matrix, np.array([0.25, 0.0, 0.0]))
    got = [graph.foreign_share(x, DONATION) for x in order]
    assert got == pytest.approx(expected.tolist())
    # Closed form: F(a) = 0.25 / (1 - 0.6 * 0.9 * 0.7)
    assert got[0] == pytest.approx(0.25 / (1 - 0.378))


def test_a_closed_loop_of_100_percent_terminates_with_no_foreign_share() -> None:
    graph = OwnershipGraph(
        [entity("a"), entity("b")],
        [Holding("a", "b", 1.0), Holding("b", "a", 1.0)],
    )
    assert graph.foreign_share("a", DONATION) == 0.0
    assert graph.assess("b", DONATION, MIN_SHARE, CONTROL) is None
    assert graph.ultimate_owners("a", DONATION) == ()


def test_an_entity_holding_its_own_shares_is_solved_as_a_loop() -> None:
    # Treasury shares: 20 % held by itself, 40 % foreign: the foreign share of the rest is 50 %.
    graph = OwnershipGraph(
        [entity("x"), person("f", "DE"), person("c")],
        [Holding("x", "x", 0.2), Holding("f", "x", 0.4), Holding("c", "x", 0.4)],
    )
    assert graph.foreign_share("x", DONATION) == pytest.approx(0.5)
    found = graph.assess("x", DONATION, MIN_SHARE, CONTROL)
    assert found is not None and found.rules == (DIRECT, LOOK_THROUGH)


def test_owners_of_unknown_country_are_counted_apart_never_as_local() -> None:
    graph = OwnershipGraph(
        [entity("h"), entity("donor"), person("mystery", ""), person("c")],
        [Holding("mystery", "h", 1.0), Holding("h", "donor", 0.6), Holding("c", "donor", 0.4)],
    )
    assert graph.foreign_share("donor", DONATION) == 0.0
    assert graph.unknown_share("donor", DONATION) == pytest.approx(0.6)
    assert graph.assess("donor", DONATION, MIN_SHARE, CONTROL) is None


def test_a_foreign_controlled_local_owner_counts_as_a_participant_when_asked() -> None:
    # H is 100 % foreign and holds 10 % of the donor: 10 % effective, under the control share.
    graph = OwnershipGraph(
        [entity("f", "RU"), entity("h"), entity("donor"), person("c")],
        [Holding("f", "h", 1.0), Holding("h", "donor", 0.1), Holding("c", "donor", 0.9)],
    )
    assert graph.assess("donor", DONATION, MIN_SHARE, CONTROL) is None
    found = graph.assess("donor", DONATION, MIN_SHARE, CONTROL, intermediaries=True)
    assert found is not None and found.rules == (INTERMEDIARY,)
    assert found.chains[0].text() == "f LLC (RU) 100% → h LLC (KG) 10% → donor LLC (KG) = 10%"


def test_ultimate_owners_add_every_path() -> None:
    # The foreign parent reaches the donor through two intermediaries: 0.5*0.6 + 0.5*0.4.
    graph = OwnershipGraph(
        [entity("f", "DE"), entity("a"), entity("b"), entity("donor"), person("c")],
        [
            Holding("f", "a", 0.5),
            Holding("c", "a", 0.5),
            Holding("f", "b", 0.5),
            Holding("c", "b", 0.5),
            Holding("a", "donor", 0.6),
            Holding("b", "donor", 0.4),
        ],
    )
    owners = {o.node: o.share for o in graph.ultimate_owners("donor", DONATION)}
    assert owners == pytest.approx({"f": 0.5, "c": 0.5})
    chains = graph.chains("donor", DONATION)
    assert [round(c.product, 6) for c in chains] == [0.3, 0.2]


def test_chains_are_limited_and_ordered_by_product() -> None:
    foreigners = [person(f"f{i}", "US") for i in range(10)]
    graph = OwnershipGraph(
        [entity("donor"), *foreigners],
        [Holding(f"f{i}", "donor", (i + 1) / 100) for i in range(10)],
    )
    found = graph.assess("donor", DONATION, MIN_SHARE, CONTROL, limit=3)
    assert found is not None
    # The three largest by the search, then every other direct foreign owner (rule "direct").
    products = [c.product for c in found.chains]
    assert products == sorted(products, reverse=True)
    assert len(found.chains) == 10
    assert graph.chains("donor", DONATION, limit=3)[0].steps[0].node == "f9"


def test_nearby_days_reuse_the_kept_answers() -> None:
    nodes = [entity("f", "DE"), person("c")] + [entity(f"e{i}") for i in range(6)]
    holdings = [Holding("f", "e0", 0.5, start=date(2024, 1, 1)), Holding("c", "e0", 0.5)]
    holdings += [Holding(f"e{i}", f"e{i + 1}", 1.0) for i in range(5)]
    graph = OwnershipGraph(nodes, holdings)
    first = graph.foreign_share("e5", date(2025, 1, 1))
    solved = graph.cache_info()["solved"]
    assert solved == 6
    for offset in range(200):
        assert graph.foreign_share("e5", date(2025, 1, 1) + timedelta(days=offset)) == first
        assert graph.foreign_share("e3", date(2025, 3, 1) + timedelta(days=offset)) == first
    assert graph.cache_info()["solved"] == solved
    # Before the foreign holding started the answer differs and is solved afresh.
    assert graph.foreign_share("e5", date(2023, 12, 31)) == 0.0


def test_unknown_ids_are_not_found() -> None:
    graph = OwnershipGraph([entity("a")], [])
    assert "a" in graph and "b" not in graph
    with pytest.raises(NotFound):
        graph.foreign_share("b", DONATION)
    assert graph.foreign_share("a", DONATION) == 0.0


def test_bad_nodes_and_holdings_are_refused_with_their_place() -> None:
    with pytest.raises(OwnershipError) as refused:
        OwnershipGraph(
            [
                entity("a"),
                entity("a"),
                Node("b", "trust", "B", "KG"),
                entity("c", "kg"),
                entity("d", "XX"),
                person("p"),
            ],
            [
                Holding("ghost", "a", 0.5),
                Holding("a", "p", 0.5),
                Holding("p", "a", Decimal("1.5")),
                Holding("p", "a", 0),
                Holding("p", "a", float("nan")),
                Holding("p", "a", 0.5, start=date(2025, 1, 1), end=date(2025, 1, 1)),
            ],
        )
    where = [problem.where for problem in refused.value.problems]
    assert where == [
        "nodes.1.id",
        "nodes.2.kind",
        "nodes.3.country",
        "nodes.4.country",
        "holdings.0.owner",
        "holdings.1.owned",
        "holdings.2.share",
        "holdings.3.share",
        "holdings.4.share",
        "holdings.5.end",
    ]


def test_shares_over_100_percent_on_some_day_are_refused_or_scaled_when_lenient() -> None:
    nodes = [entity("x"), person("f", "DE"), person("c")]
    holdings = [
        Holding("c", "x", 0.6, end=date(2025, 1, 1)),  # an exit the registry recorded
        Holding("f", "x", 0.6, start=date(2024, 1, 1)),  # overlaps it for a year
        Holding("c", "x", 0.4, start=date(2025, 1, 1)),
    ]
    with pytest.raises(OwnershipError) as refused:
        OwnershipGraph(nodes, holdings)
    [problem] = refused.value.problems
    assert problem.where == "holdings.1.share"
    assert "from 2024-01-01" in problem.why and "120%" in problem.why
    graph = OwnershipGraph(nodes, holdings, lenient=True)
    assert len(graph.problems) == 1
    assert graph.foreign_share("x", date(2024, 6, 1)) == pytest.approx(0.5)
    # Exits first on a day: a swap on the same day is not over-subscription.
    OwnershipGraph(
        nodes, [Holding("c", "x", 1.0, end=DONATION), Holding("f", "x", 1.0, start=DONATION)]
    )


def test_the_assessment_refuses_thresholds_out_of_range() -> None:
    graph = OwnershipGraph([entity("a")], [])
    with pytest.raises(OwnershipError):
        graph.assess("a", DONATION, -0.1, CONTROL)
    with pytest.raises(OwnershipError):
        graph.assess("a", DONATION, MIN_SHARE, 0.0)


def test_a_chain_of_thousands_of_entities_needs_no_recursion() -> None:
    depth = 5_000
    nodes = [entity("top", "DE")] + [entity(f"e{i}") for i in range(depth)]
    holdings = [Holding("top", "e0", 1.0)] + [
        Holding(f"e{i}", f"e{i + 1}", 1.0) for i in range(depth - 1)
    ]
    graph = OwnershipGraph(nodes, holdings)
    assert graph.foreign_share(f"e{depth - 1}", DONATION) == 1.0


def test_a_ring_of_thousands_of_entities_is_solved_sparsely() -> None:
    # Each member held 90 % by the next round the ring; only the first has a foreign owner.
    size = 2_000
    nodes = [entity(f"r{i}") for i in range(size)] + [person("f", "DE"), person("c")]
    holdings = [Holding(f"r{(i + 1) % size}", f"r{i}", 0.9) for i in range(size)]
    holdings += [Holding("f", "r0", 0.1)] + [Holding("c", f"r{i}", 0.1) for i in range(1, size)]
    graph = OwnershipGraph(nodes, holdings)
    first = 0.1 / (1 - 0.9**size)
    assert graph.foreign_share("r0", DONATION) == pytest.approx(first)
    assert graph.foreign_share("r1", DONATION) == pytest.approx(0.9 ** (size - 1) * first)


def test_a_loop_closed_by_registry_rounding_is_scaled_back_and_solved() -> None:
    # B's owners add up to 100.00005 % (within rounding): as given, the loop's system would
    # be singular. Scaled back to 100 %, the foreigner is the group's only outside owner.
    graph = OwnershipGraph(
        [entity("a"), entity("b"), person("f", "DE")],
        [Holding("a", "b", 1.0), Holding("b", "a", 1.0), Holding("f", "b", 0.0000005)],
    )
    assert graph.problems == ()
    assert graph.foreign_share("a", DONATION) == pytest.approx(1.0, abs=1e-6)
    assert graph.foreign_share("b", DONATION) == pytest.approx(1.0, abs=1e-6)
