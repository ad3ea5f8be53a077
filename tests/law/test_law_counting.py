"""The ``counting`` section of the law editions: values, citations, and exact errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shailoo.common.problems import Problem
from shailoo.law.cli import app
from shailoo.law.loader import LawError, load_edition

EDITIONS_DIR = Path(__file__).resolve().parents[2] / "src" / "shailoo" / "law" / "editions"
KG_2021 = (EDITIONS_DIR / "kg-2021.yaml").read_text(encoding="utf-8")
EDITIONS = ["kg-2020", "kg-2021", "kg-2025"]

RELATIONS = [
    (
        "ballots_balance",
        ["ballots_received"],
        "=",
        ["ballots_issued", "ballots_spoiled", "ballots_unused"],
    ),
    ("issued_within_list", ["ballots_issued"], "<=", ["voters_on_list"]),
    ("found_within_issued", ["ballots_found"], "<=", ["ballots_issued"]),
    ("found_balance", ["ballots_found"], "=", ["ballots_invalid", "votes_valid"]),
]


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_protocol_and_ballot_parameters_every_edition_has(edition_id: str) -> None:
    counting = load_edition(edition_id).counting
    relations = counting.protocol.control_relations
    assert [(r.name, r.left, r.op, r.right) for r in relations.value] == RELATIONS
    assert counting.protocol.tolerance_votes.value == 0
    assert counting.protocol.tolerance_votes.unconfirmed
    assert counting.protocol.tolerance_votes.cite == "Art. 35(14)"
    assert counting.protocol.automatic_count_preliminary.value is True
    assert counting.ballots.max_print_excess_share.value == 0.001
    assert isinstance(hash(relations), int)


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_president_and_ties(edition_id: str) -> None:
    counting = load_edition(edition_id).counting
    president = counting.president
    assert president.majority_share.value == 0.5
    assert president.majority_base.value == "took_part"
    assert president.majority_comparison.value == "more_than"
    assert president.runoff_top.value == 2
    assert president.runoff_top.cite == "Art. 55(4)"
    assert president.runoff_within_days.value == 14 and president.runoff_within_days.unconfirmed
    assert counting.tie_rule.value == "registered_first"
    assert counting.against_all.on_ballot.value is True


def test_kg_2020_closed_lists_with_two_thresholds() -> None:
    counting = load_edition("kg-2020").counting
    lists = counting.party_list
    assert lists is not None and counting.district is None
    assert (lists.seats.value, lists.list_type.value) == (120, "closed")
    assert lists.seat_method.value == "hare_largest_remainder"
    assert (lists.threshold_share.value, lists.threshold_base.value) == (0.07, "took_part")
    assert lists.region_threshold_share is not None
    assert lists.region_threshold_share.value == 0.007
    assert lists.regions is not None and len(lists.regions.value) == 9
    assert lists.seat_cap_per_party is None and lists.seat_gender_quota is None


def test_kg_2021_mixed_system() -> None:
    counting = load_edition("kg-2021").counting
    lists, district = counting.party_list, counting.district
    assert lists is not None and district is not None
    assert (lists.seats.value, lists.list_type.value) == (54, "open")
    assert (lists.threshold_share.value, lists.threshold_base.value) == (0.05, "took_part")
    assert lists.seat_cap_per_party is not None and lists.seat_cap_per_party.value == 27
    region = lists.region_threshold_share
    assert region is not None and region.value == 0.005 and region.unconfirmed
    quota = lists.seat_gender_quota
    assert quota is not None and (quota.sex.value, quota.min_share.value) == ("female", 0.3)
    assert (district.system.value, district.districts.value) == ("single_member_plurality", 36)
    assert district.against_all_effect.value == "repeat_if_leads"


def test_kg_2025_three_seat_districts() -> None:
    counting = load_edition("kg-2025").counting
    district = counting.district
    assert counting.party_list is None and district is not None
    assert (district.system.value, district.districts.value) == ("multi_member_sntv", 30)
    assert (district.seats_per_district.value, district.marks_per_ballot.value) == (3, 1)
    assert district.max_winners_one_sex is not None and district.max_winners_one_sex.value == 2
    assert district.single_sex_district_cancelled is not None
    assert district.single_sex_district_cancelled.value is True


def test_counting_parameters_are_listed_with_their_paths() -> None:
    paths = dict(load_edition("kg-2021").parameters())
    assert "counting.protocol.control_relations" in paths
    assert "counting.party_list.seat_gender_quota.min_share" in paths
    assert paths["counting.against_all.on_ballot"].citation_in("ru").startswith("ч. 5 ст. 30, ")


# -- broken files -----------------------------------------------------------------------


def edit(old: str, new: str, text: str = KG_2021) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """The only line that is ``needle`` (ignoring indentation)."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == needle.strip()]
    assert len(hits) == 1, f"{needle!r} on lines {hits}"
    return hits[0]


def only_problem(text: str, tmp_path: Path) -> Problem:
    path = tmp_path / "kg-2021.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LawError) as caught:
        load_edition(path)
    (problem,) = caught.value.problems
    return problem


def test_a_percentage_written_as_a_whole_number(tmp_path: Path) -> None:
    text = edit("      value: 0.05\n", "      value: 5\n")
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.party_list.threshold_share.value"
    assert problem.line == line_of(text, "      value: 5")
    assert problem.why == "Input should be less than or equal to 1 (got 5)"


def test_a_quoted_share_is_text(tmp_path: Path) -> None:
    text = edit("      value: 0.05\n", "      value: '0.05'\n")
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.party_list.threshold_share.value"
    assert problem.why == "Input should be a valid number, got text '0.05'"


def test_an_unknown_seat_method(tmp_path: Path) -> None:
    text = edit("value: hare_largest_remainder", "value: hare")
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.party_list.seat_method.value"
    assert problem.line == line_of(text, "value: hare")
    assert problem.why == (
        "Input should be 'hare_largest_remainder', 'droop_largest_remainder', 'dhondt' or "
        "'sainte_lague', got text 'hare'"
    )


def test_an_unknown_protocol_line(tmp_path: Path) -> None:
    text = edit("right: [voters_on_list]", "right: [voters_listed]")
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.protocol.control_relations.value.1.right.0"
    assert problem.line == line_of(text, "right: [voters_listed]")
    assert problem.why.startswith("Input should be 'voters_on_list', ")


def test_an_unknown_operator(tmp_path: Path) -> None:
    text = edit(
        '          op: "<="\n          right: [voters_on_list]',
        '          op: "=="\n          right: [voters_on_list]',
    )
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.protocol.control_relations.value.1.op"
    assert problem.why == "Input should be '=', '<=' or '>=', got text '=='"


def test_a_relation_named_twice(tmp_path: Path) -> None:
    text = edit("- name: found_balance", "- name: ballots_balance")
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.protocol.control_relations.value.3.name"
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "- name: ballots_balance" in line]
    assert problem.line == lines[-1]
    assert problem.why == "duplicate name 'ballots_balance'"


def test_a_negative_tolerance(tmp_path: Path) -> None:
    text = edit("    tolerance_votes:\n      value: 0\n", "    tolerance_votes:\n      value: -1\n")
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.protocol.tolerance_votes.value"
    assert problem.line == line_of(text, "value: -1")
    assert problem.why == "Input should be greater than or equal to 0 (got -1)"


def test_region_threshold_without_regions(tmp_path: Path) -> None:
    start = KG_2021.index("    regions:\n")
    end = KG_2021.index("    seat_cap_per_party:\n")
    text = KG_2021[:start] + KG_2021[end:]
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.party_list.regions"
    assert problem.line == line_of(text, "  party_list:")
    assert problem.why == "required when region_threshold_share is given"


def test_a_cap_that_never_applies(tmp_path: Path) -> None:
    text = edit("      value: 27\n", "      value: 60\n")
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.party_list.seat_cap_per_party.value"
    assert problem.line == line_of(text, "value: 60")
    assert problem.why == (
        "a cap of 60 never applies to 54 seats; set it below the number of seats or leave it out"
    )


def test_single_member_districts_elect_one(tmp_path: Path) -> None:
    text = edit(
        "    seats_per_district:\n      value: 1\n", "    seats_per_district:\n      value: 2\n"
    )
    problem = only_problem(text, tmp_path)
    assert problem.where == "counting.district.seats_per_district.value"
    assert problem.why == "single_member_plurality elects exactly 1 per district"


def test_the_counting_section_is_required(tmp_path: Path) -> None:
    text = KG_2021[: KG_2021.index("counting:\n")] + KG_2021[KG_2021.index("\ncandidates:\n") :]
    problem = only_problem(text, tmp_path)
    assert (problem.where, problem.why) == ("counting", "required key is missing")


def test_law_check_prints_the_counting_problems_exactly(tmp_path: Path) -> None:
    text = edit("      value: 0.05\n", "      value: 5\n")
    text = edit("value: hare_largest_remainder", "value: dhont", text)
    path = tmp_path / "kg-2021.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:{line_of(text, 'value: dhont')}: counting.party_list.seat_method.value: "
        "Input should be 'hare_largest_remainder', 'droop_largest_remainder', 'dhondt' or "
        "'sainte_lague', got text 'dhont'",
        f"{path}:{line_of(text, '      value: 5')}: counting.party_list.threshold_share.value: "
        "Input should be less than or equal to 1 (got 5)",
    ]
