"""The pure protocol engine: control relations, count comparison, shares (with properties)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.counting.results.protocol import (
    BASE_LINES,
    ProtocolInputError,
    Relation,
    StationProtocol,
    check_relations,
    compare_counts,
    evaluate,
    line_values,
    parse_counts,
    parse_protocol,
    relations_from,
    shares,
)

#: The relations of a Kyrgyz station protocol, as a law edition states them.
RELATIONS = (
    Relation(
        "ballots_accounted",
        ("ballots_received",),
        "=",
        ("ballots_issued", "ballots_spoiled", "ballots_unused"),
    ),
    Relation("found_not_above_issued", ("ballots_found",), "<=", ("ballots_issued",)),
    Relation("found_split", ("ballots_found",), "=", ("ballots_invalid", "votes_valid")),
    Relation("issued_not_above_list", ("ballots_issued",), "<=", ("voters_on_list",)),
)
EQUALITY_LINES = {
    "ballots_received",
    "ballots_issued",
    "ballots_spoiled",
    "ballots_unused",
    "ballots_found",
    "ballots_invalid",
}


@st.composite
def consistent_protocols(draw: st.DrawFn) -> StationProtocol:
    options = draw(st.lists(st.sampled_from("ABCDEFGH"), min_size=1, max_size=6, unique=True))
    votes = {f"opt-{o}": draw(sx.vote_counts(800)) for o in options}
    invalid = draw(st.integers(0, 60))
    found = invalid + sum(votes.values())
    issued = found + draw(st.integers(0, 30))
    spoiled, unused = draw(st.integers(0, 20)), draw(st.integers(0, 900))
    lines = {
        "voters_on_list": issued + draw(st.integers(0, 2000)),
        "ballots_received": issued + spoiled + unused,
        "ballots_issued": issued,
        "ballots_spoiled": spoiled,
        "ballots_unused": unused,
        "ballots_found": found,
        "ballots_invalid": invalid,
    }
    return StationProtocol(lines, votes)


def perturbed(protocol: StationProtocol, line: str, delta: int) -> StationProtocol:
    lines, votes = dict(protocol.lines), dict(protocol.votes)
    if line in lines:
        lines[line] += delta
    else:
        votes[line.removeprefix("votes.")] += delta
    return StationProtocol(lines, votes)


@given(consistent_protocols())
def test_a_consistent_protocol_passes(protocol: StationProtocol) -> None:
    assert check_relations(protocol, RELATIONS) == ()
    verdict = evaluate(protocol, RELATIONS, dict(protocol.votes), 0)
    assert verdict.acceptable and verdict.reasons() == []


@settings(max_examples=300)
@given(consistent_protocols(), st.data())
def test_a_single_line_perturbation_fails_the_right_relation(
    protocol: StationProtocol, data: st.DataObject
) -> None:
    names = [*BASE_LINES, *(f"votes.{o}" for o in protocol.votes)]
    line = data.draw(st.sampled_from(names))
    value = line_values(protocol)[line]
    delta = data.draw(st.integers(-value, 500).filter(lambda d: d != 0))
    failures = check_relations(perturbed(protocol, line, delta), RELATIONS)
    counted_as = "votes_valid" if line.startswith("votes.") else line
    for failure in failures:  # every failure is located at the changed line
        assert counted_as in failure.lines
        assert counted_as in failure.explain()
    failed = {f.relation for f in failures}
    if line in EQUALITY_LINES or line.startswith("votes."):
        equalities = {r.name for r in RELATIONS if r.op == "=" and counted_as in r.lines()}
        assert equalities <= failed
    elif line == "voters_on_list":
        below = protocol.lines["voters_on_list"] + delta < protocol.lines["ballots_issued"]
        assert failed == ({"issued_not_above_list"} if below else set())


def test_a_failure_is_explained_with_every_line_and_value() -> None:
    protocol = StationProtocol(
        {
            "voters_on_list": 1000,
            "ballots_received": 1000,
            "ballots_issued": 600,
            "ballots_spoiled": 5,
            "ballots_unused": 390,
            "ballots_found": 600,
            "ballots_invalid": 10,
        },
        {"a": 300, "b": 290},
    )
    (failure,) = check_relations(protocol, RELATIONS)
    assert failure.relation == "ballots_accounted"
    assert failure.explain() == (
        "control relation 'ballots_accounted' fails: ballots_received (1000) = "
        "ballots_issued (600) + ballots_spoiled (5) + ballots_unused (390), "
        "but 1000 vs 995 (difference +5)"
    )


counts = sx.vote_maps("abcdef", max_votes=10_000)


@given(counts, counts, st.integers(0, 50))
def test_comparison_is_symmetric(auto: dict[str, int], manual: dict[str, int], tol: int) -> None:
    forward = compare_counts(auto, manual, tol)
    backward = compare_counts(manual, auto, tol)
    assert [(d.option, d.automatic, d.manual, d.difference) for d in forward] == [
        (d.option, d.manual, d.automatic, d.difference) for d in backward
    ]


@given(counts.filter(bool), st.integers(0, 50), st.integers(-60, 60), st.data())
def test_tolerance_is_honoured_exactly(
    auto: dict[str, int], tol: int, delta: int, data: st.DataObject
) -> None:
    option = data.draw(st.sampled_from(sorted(auto)))
    manual = dict(auto)
    manual[option] = max(0, auto[option] + delta)
    gap = abs(manual[option] - auto[option])
    differences = compare_counts(auto, manual, tol)
    if gap <= tol:
        assert differences == ()
    else:
        assert [(d.option, d.difference) for d in differences] == [(option, gap)]


def test_an_option_the_scanner_did_not_report_counts_as_zero() -> None:
    (difference,) = compare_counts({"a": 10}, {"a": 10, "b": 3}, 2)
    assert (difference.option, difference.automatic, difference.manual) == ("b", None, 3)
    assert "absent (0)" in difference.explain()
    assert compare_counts({"a": 10}, {"a": 10, "b": 2}, 2) == ()


def test_a_protocol_without_automatic_count_is_blocked() -> None:
    protocol = parse_protocol(dict.fromkeys(BASE_LINES, 0), {"a": 0})
    verdict = evaluate(protocol, RELATIONS, None, 0)
    assert not verdict.acceptable
    assert verdict.reasons() == ["no automatic count to compare the manual count with"]
    assert verdict.to_json()["missing_automatic"] is True


def test_bad_lines_are_all_reported_with_their_place() -> None:
    lines: dict[str, object] = dict.fromkeys(BASE_LINES, 1)
    lines["ballots_found"] = -1
    lines["ballots_invalid"] = "7"
    lines["ballots_issued"] = True
    del lines["voters_on_list"]
    lines["ballots_eaten"] = 3
    with pytest.raises(ProtocolInputError) as caught:
        parse_protocol(lines, {"a": 1.5, "": 2}, options=["a", "b"])
    where = [p for p, _ in caught.value.problems]
    assert where == [
        "lines.voters_on_list",
        "lines.ballots_issued",
        "lines.ballots_found",
        "lines.ballots_invalid",
        "lines.ballots_eaten",
        "votes.a",
        "votes.''",
        "votes.b",
        "votes.",
    ]
    with pytest.raises(ProtocolInputError, match="lines: must be an object"):
        parse_protocol([1, 2], {})
    with pytest.raises(ProtocolInputError, match="implausibly large"):
        parse_counts({"a": 10**12}, "votes")
    with pytest.raises(ProtocolInputError, match="must be an object"):
        parse_counts([("a", 1)], "automatic")


def test_relations_come_from_law_objects_and_are_checked() -> None:
    law = [SimpleNamespace(name="x", left=["ballots_found"], op="<=", right=["votes.*"])]
    (relation,) = relations_from(law)
    protocol = StationProtocol(dict.fromkeys(BASE_LINES, 5), {"a": 2, "b": 2})
    (failure,) = check_relations(protocol, [relation])
    assert failure.right == (("votes.a", 2), ("votes.b", 2))
    bad = [
        SimpleNamespace(name="y", left=["ballots_found"], op="==", right=["nonsense"]),
        SimpleNamespace(name="z", left=[], op="=", right=["votes_valid"]),
    ]
    with pytest.raises(ProtocolInputError) as caught:
        relations_from(bad)
    assert [tuple(p) for p in caught.value.problems] == [
        ("control_relations.0.op", "must be one of =, <=, >="),
        ("control_relations.0", "unknown line 'nonsense'"),
        ("control_relations.1", "both sides need at least one line"),
    ]
    with pytest.raises(ProtocolInputError, match="tolerance_votes"):
        compare_counts({}, {}, -1)


@given(st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 10**7), max_size=30))
def test_shares_sum_to_exactly_one_hundred(votes: dict[str, int]) -> None:
    result = shares(votes)
    total = sum(votes.values())
    assert set(result) == set(votes)
    if total:
        assert sum(result.values()) == Decimal("100.00")
        for option, count in votes.items():  # each within one unit of the exact share
            assert abs(result[option] - Decimal(count * 100) / total) < Decimal("0.01")
    else:
        assert all(v == 0 for v in result.values())


def test_shares_of_three_equal_parties() -> None:
    assert shares({"a": 1, "b": 1, "c": 1}) == {
        "a": Decimal("33.34"),
        "b": Decimal("33.33"),
        "c": Decimal("33.33"),
    }
    assert shares({"a": 2, "b": 1}, decimals=0) == {"a": Decimal(67), "b": Decimal(33)}
