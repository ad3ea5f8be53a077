"""The party-list engine: quotas and the position rule, position by position, with the 2021
figures (at most 70 % of one sex, no 3 of one sex in a row, at least 15 % minorities,
at least 15 % under 35, at least 2 candidates with disabilities)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from math import ceil

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.candidates.participant_messages import LANGS, LIST_FINDINGS, render
from shailoo.candidates.party_lists import (
    LIST_CODES,
    ListDecision,
    ListEntry,
    ListFinding,
    ListInputError,
    check_list,
    check_replacement,
    compact_positions,
)
from shailoo.law.loader import load_edition
from shailoo.law.schema import NominationRules, PartyListRules

POLLING_DAY = date(2021, 11, 28)  # the 2021 Jogorku Kenesh election
PARTY = "ATA-JURT"
OLD = date(1970, 5, 1)  # 51 on polling day
YOUNG = date(1995, 5, 1)  # 26 on polling day


def _cited(value: object, cite: str = "Art. 60(3)") -> dict[str, object]:
    return {"value": value, "cite": cite, "source": "law-68-2021"}


RULES_2021 = PartyListRules.model_validate(
    {
        "max_one_sex_share": _cited(0.7),
        "max_sex_gap_positions": _cited(3),
        "min_minority_share": _cited(0.15),
        "min_young_share": _cited(0.15),
        "young_under_age": _cited(35),
        "min_with_disabilities": _cited(2),
    }
)
WITH_LENGTH = PartyListRules.model_validate(
    {"min_length": _cited(10, "Art. 60(1)"), "max_length": _cited(20, "Art. 60(1)")}
)
NOMINATION: NominationRules = load_edition("kg-2025").candidates.nomination


def entry(
    position: int,
    sex: str = "F",
    *,
    born: date | None = OLD,
    minority: bool | None = False,
    disability: bool | None = False,
    member: str | None = None,
    ref: str | None = None,
) -> ListEntry:
    return ListEntry(
        position=position,
        ref=ref or f"cand-{position}",
        sex=sex,
        birth_date=born,
        minority=minority,
        disability=disability,
        party_member_of=member,
    )


def make_list(sexes: str, **facts: Mapping[int, object]) -> list[ListEntry]:
    """A list with ``sexes[i]`` at position i + 1 and every quota met unless ``facts`` (by
    name: ``born``, ``minority``, ``disability``, ``member`` → {position: value}) says other."""
    n = len(sexes)
    quota = ceil(n * 15 / 100)
    entries = []
    for i, sex in enumerate(sexes, start=1):
        values: dict[str, object] = {
            "born": YOUNG if i <= quota else OLD,
            "minority": i > n - quota,
            "disability": i in (2, 3),
        }
        for name, by_position in facts.items():
            if i in by_position:
                values[name] = by_position[i]
        entries.append(entry(i, sex, **values))  # type: ignore[arg-type]
    return entries


def check(entries: list[ListEntry], rules: PartyListRules = RULES_2021) -> ListDecision:
    return check_list(entries, PARTY, rules, NOMINATION, POLLING_DAY)


def finding(decision: ListDecision, code: str) -> ListFinding:
    (found,) = [f for f in decision.findings if f.code == code]
    return found


# a balanced list of 13 meeting every 2021 rule: 7 women, 6 men, never 3 in a row
VALID_13 = "FMFFMFMMFMFMF"


def test_a_list_meeting_every_rule_is_valid_and_each_rule_is_reported() -> None:
    decision = check(make_list(VALID_13))
    assert decision.verdict == "valid"
    assert [f.code for f in decision.findings] == [
        "POSITIONS",
        "SEX_SHARE",
        "SEX_GAP",
        "MINORITY_SHARE",
        "YOUNG_SHARE",
        "DISABILITIES",
        "OTHER_PARTY_MEMBER",
    ]
    assert all(f.outcome == "pass" for f in decision.findings)
    assert finding(decision, "SEX_SHARE").cite is RULES_2021.max_one_sex_share


# -- LENGTH ---------------------------------------------------------------------------------


def test_length_at_the_minimum_and_maximum_passes() -> None:
    assert finding(check(make_list("FM" * 5), WITH_LENGTH), "LENGTH").outcome == "pass"
    assert finding(check(make_list("FM" * 10), WITH_LENGTH), "LENGTH").outcome == "pass"


def test_one_candidate_short_fails_with_the_minimum_cited() -> None:
    result = finding(check(make_list("FMFMFMFMF"), WITH_LENGTH), "LENGTH")
    assert (result.outcome, result.found, result.required) == ("fail", "9", "10–20")
    assert result.cite is WITH_LENGTH.min_length
    assert result.evidence["short"] == "1"


def test_one_candidate_too_many_names_the_position_beyond_the_maximum() -> None:
    result = finding(check(make_list("FM" * 10 + "F"), WITH_LENGTH), "LENGTH")
    assert result.outcome == "fail"
    assert result.positions == (21,)
    assert result.cite is WITH_LENGTH.max_length


def test_an_edition_without_length_rules_reports_no_length_finding() -> None:
    assert "LENGTH" not in {f.code for f in check(make_list(VALID_13)).findings}


# -- POSITIONS ------------------------------------------------------------------------------


def test_positions_given_out_of_order_are_fine() -> None:
    entries = make_list(VALID_13)
    decision = check(list(reversed(entries)))
    assert finding(decision, "POSITIONS").outcome == "pass"
    assert decision.verdict == "valid"


def test_a_gap_names_the_missing_position() -> None:
    entries = make_list(VALID_13)
    entries[-1] = entry(14, "F", minority=True)  # 13 is missing, 14 is outside 1..13
    result = finding(check(entries), "POSITIONS")
    assert result.outcome == "fail"
    assert result.positions == (13, 14)
    assert (result.evidence["missing"], result.evidence["outside"]) == ("13", "14")
    assert result.cite is None


def test_a_repeated_position_is_named_and_makes_the_order_undecided() -> None:
    entries = make_list(VALID_13)
    entries[4] = entry(4, "M", ref="other")  # two candidates at 4, none at 5
    decision = check(entries)
    positions = finding(decision, "POSITIONS")
    assert positions.outcome == "fail"
    assert positions.evidence["repeated"] == "4"
    assert positions.evidence["missing"] == "5"
    gap = finding(decision, "SEX_GAP")
    assert (gap.outcome, gap.positions) == ("undecided", (4,))
    assert decision.verdict == "invalid"


def test_position_zero_is_outside_the_list() -> None:
    entries = make_list(VALID_13)
    entries[0] = entry(0, "F", born=YOUNG)
    result = finding(check(entries), "POSITIONS")
    assert result.evidence["outside"] == "0"
    assert result.evidence["missing"] == "1"


# -- SEX_SHARE ------------------------------------------------------------------------------


def test_exactly_70_percent_of_one_sex_passes() -> None:
    result = finding(check(make_list("FFFMFFMFFM")), "SEX_SHARE")  # 7 of 10
    assert (result.outcome, result.found, result.required) == ("pass", "F 7/10", "≤ 7/10")


def test_one_over_70_percent_fails_naming_the_sex_and_the_excess() -> None:
    result = finding(check(make_list("FFFMFFMFFF")), "SEX_SHARE")  # 8 of 10
    assert result.outcome == "fail"
    assert (result.evidence["sex"], result.evidence["over"]) == ("F", "1")
    assert result.positions == (1, 2, 3, 5, 6, 8, 9, 10)


def test_the_cap_is_rounded_down_and_the_rounding_is_stated() -> None:
    nine = finding(check(make_list("FFFMFFMFFFMMM")), "SEX_SHARE")  # 9 of 13
    ten = finding(check(make_list("FFFMFFMFFFMFF")), "SEX_SHARE")  # 10 of 13
    assert nine.outcome == "pass"
    assert ten.outcome == "fail"
    assert (ten.evidence["exact"], ten.evidence["cap"], ten.evidence["over"]) == ("9.1", "9", "1")
    assert ten.evidence["found_pct"] == "76.9"
    text = " ".join(render(check(make_list("FFFMFFMFFFMFF")), "en"))
    assert "70 % of 13 = 9.1, rounded down to 9" in text


def test_the_share_is_exact_where_floating_point_is_not() -> None:
    # 0.7 * 30 is 20.999999999999996 in binary floating point; the law means 21
    sexes = "FFFM" * 7 + "MM"
    assert sexes.count("F") == 21
    assert finding(check(make_list(sexes)), "SEX_SHARE").outcome == "pass"


def test_too_many_men_is_reported_as_men() -> None:
    result = finding(check(make_list("MMMFMMMFMMMF")), "SEX_SHARE")  # 9 of 12 > 8
    assert (result.outcome, result.evidence["sex"]) == ("fail", "M")
    assert result.found == "M 9/12"


def test_a_share_under_one_half_can_catch_both_sexes() -> None:
    forty = PartyListRules.model_validate({"max_one_sex_share": _cited(0.4)})
    findings = [f for f in check(make_list("FMFMFMFMFM"), forty).findings if f.code == "SEX_SHARE"]
    assert [(f.outcome, f.evidence["sex"]) for f in findings] == [("fail", "F"), ("fail", "M")]


# -- SEX_GAP --------------------------------------------------------------------------------


def test_two_of_one_sex_in_a_row_pass() -> None:
    result = finding(check(make_list("FFMMFFMMFFMMF")), "SEX_GAP")
    assert (result.outcome, result.evidence["longest"]) == ("pass", "2")


def test_three_in_a_row_fail_naming_the_run() -> None:
    decision = check(make_list("FMFFFMFMMFMMF"))
    result = finding(decision, "SEX_GAP")
    assert result.outcome == "fail"
    assert result.positions == (3, 4, 5)
    assert (result.evidence["sex"], result.evidence["length"]) == ("F", "3")
    assert decision.verdict == "invalid"
    assert "positions 3–5: 3 women in a row" in " ".join(render(decision, "en"))


def test_each_long_run_is_its_own_finding_including_one_at_the_end() -> None:
    decision = check(make_list("MMMFMFFMFFMFFF"))
    runs = [f.positions for f in decision.findings if f.code == "SEX_GAP"]
    assert runs == [(1, 2, 3), (12, 13, 14)]


def test_the_run_is_read_in_position_order_not_input_order() -> None:
    entries = make_list("FMFMFFMFMFMFM")
    scrambled = entries[::2] + entries[1::2]
    assert finding(check(scrambled), "SEX_GAP").outcome == "pass"


# -- MINORITY_SHARE, YOUNG_SHARE, DISABILITIES -------------------------------------------------


def test_minorities_two_of_13_pass_and_one_fails() -> None:
    assert finding(check(make_list(VALID_13)), "MINORITY_SHARE").outcome == "pass"
    one = finding(check(make_list(VALID_13, minority={12: False})), "MINORITY_SHARE")
    assert one.outcome == "fail"
    assert (one.evidence["needed"], one.evidence["exact"], one.evidence["short"]) == (
        "2",
        "1.95",
        "1",
    )


def test_an_unknown_minority_status_is_undecided_for_that_position() -> None:
    result = finding(check(make_list(VALID_13, minority={12: None})), "MINORITY_SHARE")
    assert (result.outcome, result.positions) == ("undecided", (12,))


def test_unknowns_do_not_matter_once_the_quota_is_met() -> None:
    result = finding(check(make_list(VALID_13, minority={1: None, 5: None})), "MINORITY_SHARE")
    assert result.outcome == "pass"


def test_unknowns_that_could_not_reach_the_quota_fail_it() -> None:
    facts = {12: False, 13: False, 4: None}  # none known, one unknown, two needed
    result = finding(check(make_list(VALID_13, minority=facts)), "MINORITY_SHARE")
    assert result.outcome == "fail"


def _young_list(born: date) -> list[ListEntry]:
    # only position 1 can be young: 15 % of 7 = 1.05 → 2 needed; position 2 is young
    return make_list("FMFMFMF", born={1: born, 2: YOUNG})


@pytest.mark.parametrize(
    ("born", "young"),
    [
        (date(1986, 11, 28), False),  # 35th birthday on polling day: no longer young
        (date(1986, 11, 27), False),  # turned 35 the day before
        (date(1986, 11, 29), True),  # turns 35 the day after polling day
    ],
)
def test_young_means_under_35_on_polling_day(born: date, young: bool) -> None:
    result = finding(check(_young_list(born)), "YOUNG_SHARE")
    assert result.evidence["needed"] == "2"
    assert result.outcome == ("pass" if young else "fail")


def test_a_leap_day_birthday_follows_the_editions_rule() -> None:
    born = date(1988, 2, 29)  # the 35th birthday falls in 2023, a common year
    day = date(2023, 2, 28)
    entries = make_list("FMFMFMF", born={1: born, 2: YOUNG})
    march = check_list(entries, PARTY, RULES_2021, NOMINATION, day, leap_day="march_1")
    february = check_list(entries, PARTY, RULES_2021, NOMINATION, day, leap_day="february_28")
    assert finding(march, "YOUNG_SHARE").outcome == "pass"
    assert finding(february, "YOUNG_SHARE").outcome == "fail"


def test_an_unknown_birth_date_is_undecided_not_a_silent_pass() -> None:
    entries = make_list("FMFMFMF", born={1: date(1986, 11, 28), 2: YOUNG, 3: None})
    result = finding(check(entries), "YOUNG_SHARE")
    assert (result.outcome, result.positions) == ("undecided", (3,))


def test_two_candidates_with_disabilities_pass_and_one_fails() -> None:
    assert finding(check(make_list(VALID_13)), "DISABILITIES").outcome == "pass"
    one = finding(check(make_list(VALID_13, disability={3: False})), "DISABILITIES")
    assert (one.outcome, one.found, one.required) == ("fail", "1", "≥ 2")
    unknown = finding(check(make_list(VALID_13, disability={3: None})), "DISABILITIES")
    assert (unknown.outcome, unknown.positions) == ("undecided", (3,))


# -- OTHER_PARTY_MEMBER ---------------------------------------------------------------------


def test_members_of_the_party_and_non_members_may_stand() -> None:
    entries = make_list(VALID_13, member={1: PARTY, 2: None})
    assert finding(check(entries), "OTHER_PARTY_MEMBER").outcome == "pass"


def test_a_member_of_another_party_is_named() -> None:
    decision = check(make_list(VALID_13, member={4: "BUTUN", 9: "SOCDEM"}))
    result = finding(decision, "OTHER_PARTY_MEMBER")
    assert result.outcome == "fail"
    assert result.positions == (4, 9)
    assert result.found == "4: BUTUN; 9: SOCDEM"
    assert result.cite is NOMINATION.members_of_other_parties_barred


def test_where_the_law_allows_members_of_other_parties_there_is_no_such_rule() -> None:
    barred = NOMINATION.members_of_other_parties_barred
    allowed = NOMINATION.model_copy(
        update={"members_of_other_parties_barred": barred.model_copy(update={"value": False})}
    )
    decision = check_list(
        make_list(VALID_13, member={4: "BUTUN"}), PARTY, RULES_2021, allowed, POLLING_DAY
    )
    assert decision.verdict == "valid"
    assert "OTHER_PARTY_MEMBER" not in {f.code for f in decision.findings}


# -- replacement ------------------------------------------------------------------------------


def test_a_replacement_that_breaks_the_minority_quota_names_the_position() -> None:
    entries = make_list(VALID_13)
    assert entries[11].minority
    newcomer = entry(99, "M", minority=False, ref="newcomer")
    decision = check_replacement(entries, 12, newcomer, PARTY, RULES_2021, NOMINATION, POLLING_DAY)
    assert decision.verdict == "invalid"
    assert decision.replaced == 12
    result = finding(decision, "MINORITY_SHARE")
    assert (result.outcome, result.positions) == ("fail", (12,))
    assert any("position 12 replaced" in line for line in render(decision, "en"))


def test_a_replacement_that_makes_a_run_names_it() -> None:
    entries = make_list(VALID_13)  # F M F F M F M M F M F M F
    newcomer = entry(5, "F", ref="newcomer")
    decision = check_replacement(entries, 5, newcomer, PARTY, RULES_2021, NOMINATION, POLLING_DAY)
    result = finding(decision, "SEX_GAP")
    assert (result.outcome, result.positions) == ("fail", (3, 4, 5, 6))


def test_a_like_for_like_replacement_keeps_the_list_valid() -> None:
    entries = make_list(VALID_13)
    old = entries[11]
    newcomer = ListEntry(12, "newcomer", old.sex, old.birth_date, True, False, None)
    decision = check_replacement(entries, 12, newcomer, PARTY, RULES_2021, NOMINATION, POLLING_DAY)
    assert decision.verdict == "valid"


def test_replacing_at_an_empty_position_or_with_someone_already_listed_is_refused() -> None:
    entries = make_list(VALID_13)
    with pytest.raises(ListInputError) as missing:
        check_replacement(entries, 40, entry(40), PARTY, RULES_2021, NOMINATION, POLLING_DAY)
    assert missing.value.problems[0].where == "position"
    with pytest.raises(ListInputError) as twice:
        check_replacement(
            entries, 1, entry(1, ref="cand-2"), PARTY, RULES_2021, NOMINATION, POLLING_DAY
        )
    assert any("already on the list" in p.why for p in twice.value.problems)


# -- bad input --------------------------------------------------------------------------------


def test_an_empty_list_is_refused_not_valid() -> None:
    with pytest.raises(ListInputError) as refused:
        check([])
    assert refused.value.problems[0].where == "entries"


def test_every_bad_field_is_located() -> None:
    entries = [
        entry(1),
        entry(2, "X"),
        entry(3, ref="cand-1"),
        entry(4, ref="  "),
        entry(5, member=""),
    ]
    with pytest.raises(ListInputError) as refused:
        check_list(entries, " ", RULES_2021, NOMINATION, POLLING_DAY)
    assert [p.where for p in refused.value.problems] == [
        "party",
        "entries.1.sex",
        "entries.2.ref",
        "entries.3.ref",
        "entries.4.party_member_of",
    ]


# -- words ------------------------------------------------------------------------------------


def test_every_finding_case_has_all_three_languages() -> None:
    cases = {key.split(".")[0] for key in LIST_FINDINGS}
    assert cases == set(LIST_CODES)
    for key, texts in LIST_FINDINGS.items():
        assert set(texts) == set(LANGS), key


def test_the_texts_are_localised() -> None:
    decision = check(make_list("FFFMFFMFFFMFF", minority={12: None}))
    ru, ky = " ".join(render(decision, "ru")), " ".join(render(decision, "ky"))
    assert "женщин: 10 из 13 (76,9 %)" in ru
    assert "13 × 70 % = 9,1" in ky
    assert "ч. 3 ст. 60" in ru
    assert "60-берененин 3-бөлүгү" in ky
    assert "нумерация самого списка" in ru
    with pytest.raises(ValueError, match="language"):
        render(decision, "de")


# -- properties ---------------------------------------------------------------------------------

_NO_FIELD = re.compile(r"\{[a-z_]+\}")


@st.composite
def lists(draw: st.DrawFn, max_size: int = 30) -> list[ListEntry]:
    """Any list with positions 1..n: any sexes, any facts, unknowns included."""
    n = draw(st.integers(1, max_size))
    return [
        ListEntry(
            position=i,
            ref=f"c{i}",
            sex=draw(sx.sexes),
            birth_date=draw(st.none() | sx.birth_dates),
            minority=draw(st.none() | st.booleans()),
            disability=draw(st.none() | st.booleans()),
            party_member_of=draw(st.sampled_from([None, PARTY, "BUTUN"])),
        )
        for i in range(1, n + 1)
    ]


@st.composite
def valid_lists(draw: st.DrawFn) -> list[ListEntry]:
    """Lists that meet every 2021 rule: alternating blocks of one or two of a sex, and the
    quotas filled on drawn positions."""
    sexes = ""
    sex = draw(sx.sexes)
    size = draw(st.integers(7, 40))
    while len(sexes) < size:
        sexes += sex * draw(st.integers(1, 2))
        sex = "M" if sex == "F" else "F"
    n = len(sexes)
    assume(max(sexes.count("F"), sexes.count("M")) * 10 <= 7 * n)
    needed = ceil(n * 15 / 100)
    positions = st.lists(st.integers(1, n), min_size=needed, max_size=n, unique=True)
    minority, young = set(draw(positions)), set(draw(positions))
    disabled = set(draw(st.lists(st.integers(1, n), min_size=2, max_size=n, unique=True)))
    return [
        ListEntry(
            i,
            f"c{i}",
            sexes[i - 1],
            YOUNG if i in young else OLD,
            i in minority,
            i in disabled,
            draw(st.sampled_from([None, PARTY])),
        )
        for i in range(1, n + 1)
    ]


@settings(max_examples=150, deadline=None)
@given(lists())
def test_the_verdict_is_invalid_iff_some_finding_fails(entries: list[ListEntry]) -> None:
    decision = check(entries)
    outcomes = {f.outcome for f in decision.findings}
    assert (decision.verdict == "invalid") == ("fail" in outcomes)
    assert (decision.verdict == "undecided") == ("fail" not in outcomes and "undecided" in outcomes)
    assert (decision.verdict == "valid") == (outcomes == {"pass"})


@settings(max_examples=150, deadline=None)
@given(lists())
def test_each_rule_agrees_with_a_count_in_whole_numbers(entries: list[ListEntry]) -> None:
    """An independent reference in integer arithmetic: 70 % is count * 10 <= n * 7."""
    decision = check(entries)
    n = len(entries)
    women = sum(e.sex == "F" for e in entries)
    share_ok = max(women, n - women) * 10 <= 7 * n
    assert all(f.outcome == "pass" for f in decision.findings if f.code == "SEX_SHARE") == share_ok
    sexes = "".join(e.sex for e in entries)
    gap_ok = "FFF" not in sexes and "MMM" not in sexes
    assert all(f.outcome == "pass" for f in decision.findings if f.code == "SEX_GAP") == gap_ok
    needed = -(-15 * n // 100)
    yes = sum(e.minority is True for e in entries)
    unknown = sum(e.minority is None for e in entries)
    expected = "pass" if yes >= needed else "fail" if yes + unknown < needed else "undecided"
    assert finding(decision, "MINORITY_SHARE").outcome == expected
    members = tuple(e.position for e in entries if e.party_member_of == "BUTUN")
    assert finding(decision, "OTHER_PARTY_MEMBER").positions == members


@settings(max_examples=100, deadline=None)
@given(lists(), st.randoms(use_true_random=False))
def test_permuting_positions_never_changes_the_sex_share(
    entries: list[ListEntry], rnd: random.Random
) -> None:
    numbers = list(range(1, len(entries) + 1))
    rnd.shuffle(numbers)
    permuted = [replace(e, position=p) for e, p in zip(entries, numbers, strict=True)]
    before = [(f.outcome, f.found) for f in check(entries).findings if f.code == "SEX_SHARE"]
    after = [(f.outcome, f.found) for f in check(permuted).findings if f.code == "SEX_SHARE"]
    assert before == after


@settings(max_examples=100, deadline=None)
@given(valid_lists(), st.data())
def test_a_like_for_like_replacement_keeps_a_valid_list_valid(
    entries: list[ListEntry], data: st.DataObject
) -> None:
    assert check(entries).verdict == "valid"
    old = data.draw(st.sampled_from(entries))
    born = old.birth_date
    assert born is not None
    # a different person of the same sex, in the same age band, with the same facts
    shift = data.draw(st.integers(-200, 200))
    same_band = born + timedelta(days=shift)
    young_before = born > date(1986, 11, 28)
    assume((same_band > date(1986, 11, 28)) == young_before)
    newcomer = ListEntry(
        old.position, "newcomer", old.sex, same_band, old.minority, old.disability, None
    )
    decision = check_replacement(
        entries, old.position, newcomer, PARTY, RULES_2021, NOMINATION, POLLING_DAY
    )
    assert decision.verdict == "valid"


@settings(max_examples=60, deadline=None)
@given(lists(max_size=16))
def test_every_decision_renders_in_every_language(entries: list[ListEntry]) -> None:
    decision = check(entries)
    for lang in LANGS:
        lines = render(decision, lang)
        assert len(lines) == 1 + len(decision.findings)
        for line in lines:
            assert not _NO_FIELD.search(line), line


@given(st.lists(st.integers(1, 60), max_size=20))
def test_compact_positions_lists_every_position(positions: list[int]) -> None:
    text = compact_positions(positions)
    expanded: list[int] = []
    for part in filter(None, text.split(", ")):
        first, _, last = part.partition("–")
        expanded += range(int(first), int(last or first) + 1)
    assert expanded == positions
