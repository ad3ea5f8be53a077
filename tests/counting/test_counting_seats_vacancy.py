"""Seats vacated after the count (kg-2025's "next-highest candidate", kg-2021's new election),
and the split engine's modules staying one public API."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.counting import seats
from shailoo.counting.seats import (
    DistrictCandidate,
    DistrictRules,
    LotRequired,
    SeatError,
    Sex,
    elect_district,
    fill_vacancies,
)
from shailoo.counting.seats.law import district_rules
from shailoo.law.loader import load_edition

NEXT = DistrictRules(
    seats=3,
    max_one_sex=2,
    single_sex_cancelled=True,
    against_all_effect="repeat_if_leads",
    vacancy_rule="next_highest",
)


def cand(name: str, votes: int, order: int, sex: Sex) -> DistrictCandidate:
    return DistrictCandidate(name, votes, order, sex)


FIELD = [
    cand("A", 900, 1, "male"),
    cand("B", 800, 2, "male"),
    cand("C", 700, 3, "male"),
    cand("D", 300, 4, "female"),
    cand("E", 200, 5, "female"),
    cand("F", 100, 6, "male"),
]


def test_the_vacancy_goes_to_the_next_highest_with_the_sex_rule_kept() -> None:
    result = elect_district(FIELD, 50, NEXT)
    assert result.winners == ("A", "B", "D")
    # D (female) leaves: C (male) is next but two men already sit; E (female) takes it.
    after = fill_vacancies(result, ["D"], NEXT)
    assert after.winners == ("A", "B", "E") and after.vacant == 0
    (rep,) = after.replacements
    assert rep.successor == "E" and rep.passed_over == (("C", "2 male winners already (limit)"),)
    assert "D's seat goes to E, the next-highest candidate; C passed over" in rep.explain()
    # A (male) leaves: C, passed over at the count, now may take the seat.
    assert fill_vacancies(result, ["A"], NEXT).winners == ("B", "D", "C")


def test_no_candidate_of_an_allowed_sex_leaves_the_seat_vacant() -> None:
    field = [cand("A", 9, 1, "male"), cand("B", 8, 2, "male"), cand("W", 7, 3, "female")]
    field.append(cand("C", 6, 4, "male"))
    result = elect_district(field, 0, NEXT)
    assert result.winners == ("A", "B", "W")
    after = fill_vacancies(result, ["W"], NEXT)
    assert after.winners == ("A", "B") and after.vacant == 1
    assert after.replacements[0].successor is None
    assert "no candidate may take it (C passed over" in after.replacements[0].explain()


def test_several_vacancies_and_nobody_comes_back() -> None:
    result = elect_district(FIELD, 0, NEXT)
    after = fill_vacancies(result, ["A", "D"], NEXT)
    assert [r.successor for r in after.replacements] == ["C", "E"]
    assert after.winners == ("B", "C", "E")
    assert "A" not in after.winners and "D" not in after.winners


def test_new_election_rule_never_promotes() -> None:
    rules = DistrictRules(seats=1, vacancy_rule="new_election")
    result = elect_district([cand("A", 5, 1, "male"), cand("B", 4, 2, "female")], 0, rules)
    after = fill_vacancies(result, ["A"], rules)
    assert after.winners == () and after.vacant == 1
    assert after.replacements[0].explain() == "A's seat: a new election is held for it"


def test_a_tie_for_the_vacancy_goes_by_the_law_rule() -> None:
    field = [
        cand("A", 9, 1, "male"),
        cand("W", 8, 2, "female"),
        cand("B", 7, 3, "male"),
        cand("Late", 5, 5, "female"),
        cand("Early", 5, 4, "male"),
    ]
    result = elect_district(field, 0, NEXT)
    after = fill_vacancies(result, ["A"], NEXT)
    assert after.replacements[0].successor == "Early"
    tie = after.replacements[0].tie
    assert tie is not None and tie.winners == ("Early",)
    lot = DistrictRules(seats=3, max_one_sex=2, tie_rule="lot", vacancy_rule="next_highest")
    counted = elect_district(field, 0, lot)
    with pytest.raises(LotRequired):
        fill_vacancies(counted, ["A"], lot)
    assert fill_vacancies(counted, ["A"], lot, lot_seed="drawn in public").winners[-1] in (
        "Early",
        "Late",
    )


def test_vacating_is_refused_when_it_makes_no_sense() -> None:
    result = elect_district(FIELD, 0, NEXT)
    with pytest.raises(SeatError, match="not elected in this district: F"):
        fill_vacancies(result, ["F"], NEXT)
    with pytest.raises(SeatError, match="named twice"):
        fill_vacancies(result, ["A", "A"], NEXT)
    repeat = elect_district(FIELD, 1000, NEXT)
    with pytest.raises(SeatError, match="the district is repeat"):
        fill_vacancies(repeat, [], NEXT)


def test_the_law_editions_carry_the_vacancy_rule() -> None:
    assert district_rules(load_edition("kg-2025")).vacancy_rule == "next_highest"
    rules_2021 = district_rules(load_edition("kg-2021"))
    assert rules_2021.vacancy_rule == "new_election"
    assert "unconfirmed" in rules_2021.cites["vacancy_rule"]


@settings(max_examples=60, deadline=None)
@given(
    votes=st.lists(st.integers(0, 50), min_size=3, max_size=8),
    sexes=st.lists(st.sampled_from(["female", "male"]), min_size=8, max_size=8),
    leave=st.integers(0, 2),
)
def test_refilled_districts_keep_the_sex_limit(
    votes: list[int], sexes: list[Sex], leave: int
) -> None:
    field = [cand(f"c{i}", v, i + 1, sexes[i]) for i, v in enumerate(votes)]
    result = elect_district(field, 0, NEXT)
    if result.status != "elected" or leave >= len(result.winners):
        return
    after = fill_vacancies(result, [result.winners[leave]], NEXT)
    sex_of = {c.name: c.sex for c in field}
    for sex in ("female", "male"):
        assert sum(sex_of[w] == sex for w in after.winners) <= 2
    assert len(after.winners) + after.vacant == 3
    assert result.winners[leave] not in after.winners


def test_the_facade_re_exports_every_engine_name() -> None:
    for name in seats.__all__:
        assert hasattr(seats, name), name
    from shailoo.counting.seats.district import elect_district as direct

    assert seats.elect_district is direct
