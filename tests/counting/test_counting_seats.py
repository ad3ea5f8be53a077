"""The seat engine: published allocations, the law's rules, and properties of each method."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.counting.seats import (
    METHODS,
    Candidate,
    DistrictCandidate,
    DistrictRules,
    GenderQuota,
    ListCount,
    ListRules,
    LotRequired,
    Method,
    Party,
    PresidentRules,
    SeatError,
    Sex,
    Tally,
    Threshold,
    allocate_list,
    apportion,
    elect_district,
    fill_list,
    president_first_round,
    president_runoff,
)
from shailoo.counting.seats.law import NoSuchSystem, district_rules, list_rules, president_rules
from shailoo.law.loader import load_edition


def parties(*votes: tuple[str, int]) -> list[Party]:
    return [Party(name, count, order) for order, (name, count) in enumerate(votes, 1)]


# -- worked examples from published sources ----------------------------------------------

# Wikipedia, "D'Hondt method" and "Sainte-Laguë method": 230,000 votes, 8 seats.
TEXTBOOK = parties(("A", 100_000), ("B", 80_000), ("C", 30_000), ("D", 20_000))
# Wikipedia, "Largest remainder method": 100,000 votes, 10 seats.
REMAINDERS = parties(
    ("Yellows", 47_000),
    ("Whites", 16_000),
    ("Reds", 15_800),
    ("Greens", 12_000),
    ("Blues", 6_100),
    ("Pinks", 3_100),
)


def test_dhondt_textbook_example() -> None:
    assert apportion(TEXTBOOK, 8, "dhondt").seats == {"A": 4, "B": 3, "C": 1, "D": 0}


def test_sainte_lague_textbook_example() -> None:
    assert apportion(TEXTBOOK, 8, "sainte_lague").seats == {"A": 3, "B": 3, "C": 1, "D": 1}


def test_hare_and_droop_textbook_example() -> None:
    hare = apportion(REMAINDERS, 10, "hare_largest_remainder")
    assert list(hare.seats.values()) == [5, 2, 1, 1, 1, 0]
    assert hare.rounds[0].quota == 10_000
    droop = apportion(REMAINDERS, 10, "droop_largest_remainder")
    assert list(droop.seats.values()) == [5, 2, 2, 1, 0, 0]
    assert droop.rounds[0].quota == 9_091


def test_dhondt_explains_the_last_average() -> None:
    result = apportion(REMAINDERS, 10, "dhondt")
    assert list(result.seats.values()) == [5, 2, 2, 1, 0, 0]
    assert result.rounds[0].cutoff == 7_900
    text = "\n".join(result.explain())
    assert "last seat at average 7900" in text
    assert "Blues: 6100 votes, seats 0, last average won -, next average 6100" in text


# CEC of the Kyrgyz Republic, final results of 4 October 2015 (vb.kg, 15 October 2015): six
# parties passed 7% and shared 120 seats by the Hare quota and largest remainders.
KG_2015 = parties(
    ("SDPK", 432_846),
    ("Respublika-Ata-Jurt", 318_266),
    ("Kyrgyzstan", 205_268),
    ("Onuguu-Progress", 147_115),
    ("Bir Bol", 134_039),
    ("Ata Meken", 122_500),
)


def test_published_kyrgyz_allocation_of_2015() -> None:
    result = apportion(KG_2015, 120, "hare_largest_remainder")
    assert list(result.seats.values()) == [38, 28, 18, 13, 12, 11]
    lines = {line.name: line for line in result.rounds[0].lines}
    assert result.rounds[0].quota == Fraction(1_360_034, 120)
    assert lines["Onuguu-Progress"].automatic == 12
    assert lines["Onuguu-Progress"].remainder == Fraction(147_115 * 120, 1_360_034) - 12


# -- thresholds and "against all" --------------------------------------------------------


BASE_RULES = ListRules(
    seats=10,
    method="hare_largest_remainder",
    national=Threshold(Fraction(7, 100), "took_part", "at_least"),
)


def rules(**changes: Any) -> ListRules:
    return replace(BASE_RULES, **changes)


def test_threshold_boundary_in_whole_votes() -> None:
    count = ListCount(Tally({"A": 70, "B": 69, "C": 851}, against_all=5, invalid=5))
    result = allocate_list(count, rules())
    checks = {c.party: c for c in result.checks}
    assert checks["A"].required == 70 and checks["A"].passed and checks["A"].margin == 0
    assert not checks["B"].passed and checks["B"].margin == -1
    assert result.passed == ("A", "C")
    assert sum(result.seats.values()) == 10 and result.seats["B"] == 0
    strict = allocate_list(
        count, rules(national=Threshold(Fraction(7, 100), "took_part", "more_than"))
    )
    assert strict.passed == ("C",)


def test_against_all_counts_in_the_base_and_gets_no_seat() -> None:
    # 60 of 900 valid party votes is 6.7%, but of the 1000 who took part it is 6%.
    count = ListCount(Tally({"A": 60, "B": 840}, against_all=80, invalid=20))
    took_part = allocate_list(count, rules())
    assert took_part.passed == ("B",) and took_part.base == 1000
    party_votes = allocate_list(
        count, rules(national=Threshold(Fraction(6, 100), "party_votes", "at_least"))
    )
    assert party_votes.passed == ("A", "B")
    assert "AGAINST_ALL" not in party_votes.seats


def test_voted_overrides_the_base() -> None:
    count = ListCount(Tally({"A": 70, "B": 930}, took_part=1100))
    assert allocate_list(count, rules()).passed == ("B",)
    with pytest.raises(SeatError, match="less than the 1000 ballots"):
        Tally({"A": 70, "B": 930}, took_part=999)


def test_regional_threshold_excludes_a_party_missing_in_one_region() -> None:
    regional = rules(
        regional=Threshold(Fraction(1, 10), "took_part", "at_least"), regions=("KG-B", "KG-C")
    )
    count = ListCount(
        Tally({"A": 500, "B": 500}),
        {"KG-B": Tally({"A": 250, "B": 250}), "KG-C": Tally({"A": 250, "B": 0}, invalid=250)},
    )
    result = allocate_list(count, regional)
    assert result.passed == ("A",) and result.seats == {"A": 10, "B": 0}
    failed = [c for c in result.checks if not c.passed]
    assert [(c.party, c.area, c.required) for c in failed] == [("B", "KG-C", 50)]
    text = "\n".join(result.explain())
    assert "B: KG-C threshold (at least 10% of those who took part: 50 of 500): 0 = 0%" in text


def test_regional_threshold_without_regional_figures_is_a_warning() -> None:
    regional = rules(
        regional=Threshold(Fraction(1, 10), "took_part", "at_least"), regions=("KG-B",)
    )
    result = allocate_list(ListCount(Tally({"A": 10, "B": 20})), regional)
    assert "NOT checked" in result.warnings[0]
    with pytest.raises(SeatError, match="not among the law's regions"):
        allocate_list(ListCount(Tally({"A": 1}), {"KG-X": Tally({"A": 1})}), regional)


def test_nobody_passes() -> None:
    result = allocate_list(ListCount(Tally({"A": 1, "B": 1}, against_all=98)), rules())
    assert result.seats == {"A": 0, "B": 0} and result.apportionment is None
    assert "no party passed the threshold" in "\n".join(result.explain())


# -- caps ------------------------------------------------------------------------------


def test_cap_redistributes_the_surplus() -> None:
    result = apportion(
        parties(("Big", 800), ("B", 120), ("C", 80)), 54, "hare_largest_remainder", cap=27
    )
    assert result.seats == {"Big": 27, "B": 16, "C": 11}
    (cap,) = result.caps
    assert (cap.party, cap.wanted, cap.cap) == ("Big", 43, 27)
    assert "round 2, among the parties under the cap:" in result.explain()


def test_cap_leaves_seats_unfilled_when_everyone_is_capped() -> None:
    result = apportion(parties(("A", 900), ("B", 100)), 54, "dhondt", cap=20)
    assert result.seats == {"A": 20, "B": 20} and result.unfilled == 14


# -- ties ------------------------------------------------------------------------------


def test_remainder_tie_goes_to_the_party_registered_first() -> None:
    result = apportion(
        parties(("First", 100), ("Second", 100), ("Third", 100)), 2, "hare_largest_remainder"
    )
    assert result.seats == {"First": 1, "Second": 1, "Third": 0}
    (tie,) = result.ties
    assert tie.tied == ("First", "Second", "Third") and tie.winners == ("First", "Second")
    assert "registered first" in tie.explain()


def test_dhondt_tie_for_the_last_seat() -> None:
    result = apportion(parties(("A", 60), ("B", 30)), 2, "dhondt")
    # Averages 60, 30 (A/2) and 30 (B/1) tie for the second seat.
    assert result.seats == {"A": 2, "B": 0}
    assert result.ties[0].tied == ("A", "B") and result.ties[0].winners == ("A",)


def test_lot_needs_a_seed_and_is_reproducible() -> None:
    tied = parties(("X", 100), ("Y", 100), ("Z", 100))
    from shailoo.counting.seats import Ties

    with pytest.raises(LotRequired) as caught:
        apportion(tied, 1, "sainte_lague", Ties("lot"))
    assert caught.value.tied == ("X", "Y", "Z")
    first = apportion(tied, 1, "sainte_lague", Ties("lot", "seed-2026")).seats
    again = apportion(list(reversed(tied)), 1, "sainte_lague", Ties("lot", "seed-2026")).seats
    assert first == again and sum(first.values()) == 1
    # No tie at the cut: no lot needed even under the lot rule.
    assert apportion(tied, 3, "dhondt", Ties("lot")).seats == {"X": 1, "Y": 1, "Z": 1}


# -- list filling: open lists and the gender quota ---------------------------------------


LIST = [
    Candidate("M1", "male", 1, 50),
    Candidate("M2", "male", 2, 40),
    Candidate("M3", "male", 3, 90),
    Candidate("F1", "female", 4, 10),
    Candidate("M4", "male", 5, 5),
    Candidate("F2", "female", 6, 30),
]
QUOTA = GenderQuota("female", Fraction(3, 10))


def test_closed_list_with_quota_moves_the_next_woman_up() -> None:
    fill = fill_list("P", LIST, 4, "closed", QUOTA)
    # ceil(0.3 x 4) = 2 women: F1 is 4th already, F2 replaces the last man (M4 is not in).
    assert fill.elected == ("M1", "M2", "F1", "F2")
    assert [(m.up, m.down) for m in fill.moves] == [("F2", "M3")]
    assert fill.shortfall == 0


def test_open_list_orders_by_preference_votes() -> None:
    fill = fill_list("P", LIST, 3, "open", None)
    assert fill.ranking[:3] == ("M3", "M1", "M2") and fill.elected == ("M3", "M1", "M2")
    with_quota = fill_list("P", LIST, 3, "open", QUOTA)
    assert with_quota.elected == ("M3", "M1", "F2")
    assert "F2 (female) moves up in place of M2" in "\n".join(with_quota.explain())


def test_quota_shortfall_is_reported() -> None:
    men = [Candidate(f"M{i}", "male", i) for i in range(1, 5)]
    fill = fill_list("P", men, 3, "closed", QUOTA)
    assert fill.elected == ("M1", "M2", "M3") and fill.shortfall == 1


def test_each_sex_quota_never_asks_for_more_than_half() -> None:
    fill = fill_list("P", LIST, 1, "closed", GenderQuota("each", Fraction(3, 10)))
    assert fill.elected == ("M1",) and not fill.moves


# -- districts --------------------------------------------------------------------------

SNTV = DistrictRules(
    seats=3, max_one_sex=2, single_sex_cancelled=True, against_all_effect="repeat_if_leads"
)


def cand(name: str, votes: int, order: int, sex: Sex) -> DistrictCandidate:
    return DistrictCandidate(name, votes, order, sex)


def test_sntv_third_seat_goes_to_the_best_placed_of_the_other_sex() -> None:
    field = [
        cand("A", 900, 1, "male"),
        cand("B", 800, 2, "male"),
        cand("C", 700, 3, "male"),
        cand("D", 300, 4, "female"),
        cand("E", 200, 5, "female"),
    ]
    result = elect_district(field, 100, SNTV)
    assert result.status == "elected" and result.winners == ("A", "B", "D")
    assert result.skipped == (("C", "2 male winners already (limit)"),)


def test_sntv_district_of_one_sex_is_cancelled() -> None:
    field = [cand("A", 9, 1, "female"), cand("B", 8, 2, "female"), cand("C", 7, 3, "female")]
    result = elect_district(field, 0, SNTV)
    assert result.status == "cancelled" and result.winners == () and result.vacant == 3


def test_against_all_ahead_of_the_leader_means_a_repeat_election() -> None:
    field = [cand("A", 300, 1, "male"), cand("B", 200, 2, "female")]
    result = elect_district(
        field, 301, DistrictRules(seats=1, against_all_effect="repeat_if_leads")
    )
    assert result.status == "repeat" and result.winners == ()
    tie = elect_district(field, 300, DistrictRules(seats=1, against_all_effect="repeat_if_leads"))
    assert tie.winners == ("A",)


def test_seat_void_below_against_all() -> None:
    field = [cand("A", 300, 1, "male"), cand("B", 200, 2, "female"), cand("C", 100, 3, "male")]
    rules_ = DistrictRules(seats=3, against_all_effect="seat_void_if_below")
    result = elect_district(field, 150, rules_)
    assert result.winners == ("A", "B") and result.vacant == 1


def test_plurality_tie_goes_to_the_candidate_registered_first() -> None:
    field = [cand("Late", 500, 2, "male"), cand("Early", 500, 1, "female")]
    result = elect_district(field, 0, DistrictRules(seats=1))
    assert result.winners == ("Early",)
    assert result.ties[0].winners == ("Early",)
    with pytest.raises(LotRequired):
        elect_district(field, 0, DistrictRules(seats=1, tie_rule="lot"))


# -- the presidency ---------------------------------------------------------------------

PRESIDENT = PresidentRules(Fraction(1, 2), "took_part", "more_than")


def test_majority_of_those_who_took_part_wins_in_round_one() -> None:
    result = president_first_round({"A": 501, "B": 400}, PRESIDENT, against_all=59, invalid=40)
    assert result.status == "elected" and result.winner == "A" and result.required == 501


def test_exactly_half_goes_to_a_runoff_of_the_top_two() -> None:
    result = president_first_round({"A": 500, "B": 300, "C": 200}, PRESIDENT)
    assert result.status == "runoff" and result.runoff == ("A", "B")


def test_tie_for_second_place_in_round_one_goes_by_rule() -> None:
    result = president_first_round({"A": 400, "C": 300, "B": 300}, PRESIDENT, order=["A", "B", "C"])
    assert result.runoff == ("A", "B")
    assert result.ties[0].tied == ("B", "C") and "registered first" in result.explain()[-1]


def test_runoff_most_votes_win() -> None:
    result = president_runoff({"A": 400, "B": 500}, PRESIDENT, against_all=10)
    assert result.status == "elected" and result.winner == "B" and result.round == 2


# -- the law editions through seats_law -----------------------------------------------------


def test_rules_from_the_editions() -> None:
    kg2020 = list_rules(load_edition("kg-2020"))
    assert (kg2020.seats, kg2020.method, kg2020.seat_cap) == (120, "hare_largest_remainder", None)
    assert kg2020.national is not None and kg2020.national.share == Fraction(7, 100)
    assert kg2020.regional is not None and kg2020.regional.share == Fraction(7, 1000)
    assert len(kg2020.regions) == 9
    kg2021 = list_rules(load_edition("kg-2021"))
    assert (kg2021.seats, kg2021.seat_cap, kg2021.list_type) == (54, 27, "open")
    quota = kg2021.gender_quota
    assert quota is not None and (quota.sex, quota.min_share) == ("female", Fraction(3, 10))
    assert district_rules(load_edition("kg-2021")).against_all_effect == "repeat_if_leads"
    kg2025 = district_rules(load_edition("kg-2025"))
    assert (kg2025.seats, kg2025.max_one_sex, kg2025.single_sex_cancelled) == (3, 2, True)
    with pytest.raises(NoSuchSystem, match="kg-2025 has no party-list seats"):
        list_rules(load_edition("kg-2025"))
    with pytest.raises(NoSuchSystem, match="kg-2020 has no district seats"):
        district_rules(load_edition("kg-2020"))
    president = president_rules(load_edition("kg-2025"))
    assert president.majority_share == Fraction(1, 2) and president.runoff_top == 2


def test_kg_2021_cap_in_practice() -> None:
    law = list_rules(load_edition("kg-2021"))
    count = ListCount(
        Tally(
            {"Dominant": 700_000, "Second": 150_000, "Third": 80_000, "Small": 10_000},
            40_000,
            20_000,
        )
    )
    result = allocate_list(count, law)
    # 930,000 votes passed: Dominant (40.6 quotas, 41 seats) is held at 27; the other 27 seats go
    # 230,000 / 27 a quota: Second 17.61 -> 18, Third 9.39 -> 9.
    assert result.seats == {"Dominant": 27, "Second": 18, "Third": 9, "Small": 0}
    assert "NOT checked" in result.warnings[0]
    assert result.apportionment is not None and result.apportionment.caps[0].wanted == 41


# -- properties -------------------------------------------------------------------------

methods = st.sampled_from(METHODS)
divisors = st.sampled_from(["dhondt", "sainte_lague"])


def make(votes: list[int]) -> list[Party]:
    return [Party(f"P{i}", v, i + 1) for i, v in enumerate(votes)]


@settings(max_examples=60, deadline=None)
@given(sx.vote_lists(), st.integers(min_value=1, max_value=120), methods)
def test_seats_sum_to_the_total(votes: list[int], seats: int, method: Method) -> None:
    assume(sum(votes) > 0)
    result = apportion(make(votes), seats, method)
    assert sum(result.seats.values()) == seats
    assert all(result.seats[f"P{i}"] == 0 for i, v in enumerate(votes) if v == 0)


@settings(max_examples=60, deadline=None)
@given(sx.vote_lists(), st.integers(min_value=1, max_value=60), divisors)
def test_divisor_methods_are_house_monotone(votes: list[int], seats: int, method: Method) -> None:
    assume(sum(votes) > 0)
    smaller = apportion(make(votes), seats, method).seats
    larger = apportion(make(votes), seats + 1, method).seats
    assert all(larger[name] >= smaller[name] for name in smaller)


@settings(max_examples=60, deadline=None)
@given(sx.vote_lists(), st.integers(min_value=1, max_value=60), divisors, st.data())
def test_divisor_methods_are_vote_monotone(
    votes: list[int], seats: int, method: Method, data: st.DataObject
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(votes) - 1))
    extra = data.draw(st.integers(min_value=1, max_value=50_000))
    assume(sum(votes) > 0)
    before = apportion(make(votes), seats, method).seats[f"P{index}"]
    more = list(votes)
    more[index] += extra
    assert apportion(make(more), seats, method).seats[f"P{index}"] >= before


@settings(max_examples=80, deadline=None)
@given(sx.vote_lists(), st.integers(min_value=1, max_value=120))
def test_hare_gives_floor_or_ceil_of_the_exact_share(votes: list[int], seats: int) -> None:
    total = sum(votes)
    assume(total > 0)
    result = apportion(make(votes), seats, "hare_largest_remainder").seats
    for i, v in enumerate(votes):
        exact = Fraction(v * seats, total)
        assert math.floor(exact) <= result[f"P{i}"] <= math.ceil(exact)


@settings(max_examples=80, deadline=None)
@given(sx.vote_lists(), st.integers(min_value=1, max_value=60))
def test_droop_gives_floor_or_ceil_of_the_droop_share(votes: list[int], seats: int) -> None:
    total = sum(votes)
    assume(total >= seats * (seats + 1))
    quota = total // (seats + 1) + 1
    result = apportion(make(votes), seats, "droop_largest_remainder").seats
    for i, v in enumerate(votes):
        exact = Fraction(v, quota)
        assert math.floor(exact) <= result[f"P{i}"] <= math.floor(exact) + 1


@settings(max_examples=60, deadline=None)
@given(sx.vote_lists(), st.integers(min_value=1, max_value=60), methods, st.integers(1, 30))
def test_caps_are_never_exceeded(votes: list[int], seats: int, method: Method, cap: int) -> None:
    assume(sum(votes) > 0)
    result = apportion(make(votes), seats, method, cap=cap)
    assert max(result.seats.values()) <= cap
    positive = sum(1 for v in votes if v > 0)
    assert sum(result.seats.values()) + result.unfilled == seats
    if result.unfilled:
        # Seats stay empty only when every party with votes still in play is at the cap.
        assert (
            all(result.seats[f"P{i}"] == cap for i, v in enumerate(votes) if v > 0) or positive == 0
        )


@settings(max_examples=60, deadline=None)
@given(sx.vote_lists(), st.integers(min_value=0, max_value=10_000), methods, st.integers(1, 20))
def test_threshold_exclusions_are_honoured(
    votes: list[int], against: int, method: Method, percent: int
) -> None:
    names = {f"P{i}": v for i, v in enumerate(votes)}
    threshold = Threshold(Fraction(percent, 100), "took_part", "at_least")
    result = allocate_list(
        ListCount(Tally(names, against)), rules(method=method, national=threshold)
    )
    base = sum(votes) + against
    for name, v in names.items():
        if v * 100 < percent * base:
            assert result.seats[name] == 0 and name not in result.passed
    if result.passed and sum(names[n] for n in result.passed) > 0:
        assert sum(result.seats.values()) == 10


@settings(max_examples=60, deadline=None)
@given(sx.vote_lists(), st.integers(min_value=1, max_value=60), methods, st.randoms())
def test_order_of_the_input_does_not_matter(
    votes: list[int], seats: int, method: Method, rnd: random.Random
) -> None:
    assume(sum(votes) > 0)
    listed = make(votes)
    shuffled = list(listed)
    rnd.shuffle(shuffled)
    assert apportion(listed, seats, method).seats == apportion(shuffled, seats, method).seats


def reference_divisor(votes: list[int], seats: int, method: Method) -> dict[str, int]:
    """Seat by seat, the highest average wins; equal averages go to the party listed first."""
    won = [0] * len(votes)
    step = 1 if method == "dhondt" else 2
    for _ in range(seats):
        best = max(
            (i for i, v in enumerate(votes) if v > 0),
            key=lambda i: (Fraction(votes[i], step * won[i] + 1), -i),
        )
        won[best] += 1
    return {f"P{i}": w for i, w in enumerate(won)}


@settings(max_examples=80, deadline=None)
@given(sx.vote_lists(), st.integers(min_value=1, max_value=60), divisors)
def test_divisor_methods_match_a_seat_by_seat_reference(
    votes: list[int], seats: int, method: Method
) -> None:
    assume(sum(votes) > 0)
    assert apportion(make(votes), seats, method).seats == reference_divisor(votes, seats, method)


def test_a_tie_the_sex_rule_decides_is_not_reported_as_a_tie_break() -> None:
    field = [
        cand("A", 900, 1, "male"),
        cand("B", 800, 2, "male"),
        cand("C", 700, 3, "male"),
        cand("D", 700, 4, "female"),
        cand("E", 700, 5, "female"),
    ]
    result = elect_district(field, 0, SNTV)
    assert result.winners == ("A", "B", "D")
    # C lost to the sex rule; D beat E on the tie rule (registered first).
    (tie,) = result.ties
    assert tie.tied == ("C", "D", "E") and tie.winners == ("D",)


district_fields = st.lists(
    st.tuples(st.integers(min_value=0, max_value=5_000), st.sampled_from(["female", "male"])),
    min_size=1,
    max_size=10,
)


@settings(max_examples=80, deadline=None)
@given(district_fields, st.integers(min_value=0, max_value=5_000))
def test_sntv_never_seats_three_of_one_sex(field: list[tuple[int, Sex]], against: int) -> None:
    candidates = [DistrictCandidate(f"C{i}", v, i + 1, sex) for i, (v, sex) in enumerate(field)]
    result = elect_district(candidates, against, SNTV)
    sexes = {sex for _, sex in field}
    if len(sexes) == 1:
        assert result.status == "cancelled"
        return
    top = max(v for v, _ in field)
    assert (result.status == "repeat") == (against > top)
    if result.status == "elected":
        chosen = [c for c in candidates if c.name in result.winners]
        assert all(sum(c.sex == sex for c in chosen) <= 2 for sex in sexes)
        assert len(chosen) == min(3, len(candidates))
        # Every candidate left out has no more votes than the weakest winner of the same sex,
        # unless that sex had reached the limit.
        for out in (c for c in candidates if c.name not in result.winners):
            same = [c for c in chosen if c.sex == out.sex]
            assert len(same) == 2 or all(c.votes >= out.votes for c in same)


@settings(max_examples=80, deadline=None)
@given(
    sx.vote_lists(min_size=2, max_votes=10_000),
    st.integers(min_value=0, max_value=2_000),
    st.integers(min_value=0, max_value=2_000),
)
def test_president_wins_only_with_more_than_half(votes: list[int], against: int, bad: int) -> None:
    named = {f"K{i}": v for i, v in enumerate(votes)}
    result = president_first_round(named, PRESIDENT, against_all=against, invalid=bad)
    base = sum(votes) + against + bad
    if result.status == "elected":
        assert result.winner is not None and 2 * named[result.winner] > base
    else:
        assert all(2 * v <= base for v in votes)
        assert len(result.runoff) == 2
        left_out = [v for n, v in named.items() if n not in result.runoff]
        assert min(named[n] for n in result.runoff) >= max(left_out, default=0)
