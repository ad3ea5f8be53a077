"""The candidate-eligibility engine: every rule passing, failing and on its boundary, unknown
facts undecided with the document they need, and properties of the verdict; and the texts
that explain a decision in Kyrgyz, Russian and English."""

from __future__ import annotations

import calendar
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import strategies as sx
from shailoo.candidates import messages
from shailoo.candidates.rules import (
    CODES,
    DOCUMENT_OF,
    CandidateFacts,
    Evidence,
    Stay,
    _years_after,
    decide,
    rule_codes,
    years_and_days,
    years_before,
)
from shailoo.law.loader import load_edition
from shailoo.law.schema import Cited, OfficeRules

LAW = load_edition("kg-2025")
OFFICES = LAW.candidates.offices
PRESIDENT: OfficeRules = OFFICES.president
JK: OfficeRules = OFFICES.jk_deputy
LOCAL: OfficeRules = OFFICES.local_deputy
RULES = {"president": PRESIDENT, "jk_deputy": JK, "local_deputy": LOCAL}
POLLING_DAY = date(2025, 11, 30)


def cited(value: Any) -> Cited[Any]:
    return Cited[Any](value=value, cite="Art. 1", source="law-68")


def variant(rules: OfficeRules, **changes: Any) -> OfficeRules:
    """An office's rules with some parameters changed (a law that differs)."""
    return rules.model_copy(update={k: None if v is None else cited(v) for k, v in changes.items()})


def good(office: str = "president", **changes: Any) -> CandidateFacts:
    """Facts that meet every rule of ``office`` under kg-2025, with ``changes``."""
    base: dict[str, Any] = {
        "birth_date": date(1970, 5, 17),
        "citizenships": ("KG",),
        "residence_years": Decimal(30),
        "state_language": "passed",
        "education": "higher",
        "criminal_record": "none",
        "terms_served": 0,
    }
    return CandidateFacts(office=office, **{**base, **changes})


def check_of(facts: CandidateFacts, rules: OfficeRules, code: str, **kw: Any) -> Any:
    return decide(facts, rules, kw.pop("polling_day", POLLING_DAY), **kw).check(code)


def test_good_facts_are_eligible_for_every_office() -> None:
    for office, rules in RULES.items():
        decision = decide(good(office), rules, POLLING_DAY)
        assert decision.verdict == "eligible", (office, decision.failing, decision.undecided)
        assert tuple(c.code for c in decision.checks) == CODES == rule_codes()


# -- age -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rules", "age"), [(PRESIDENT, 35), (JK, 25), (LOCAL, 21)])
def test_age_is_reached_on_the_birthday_not_the_day_before(rules: OfficeRules, age: int) -> None:
    born = date(POLLING_DAY.year - age, POLLING_DAY.month, POLLING_DAY.day)
    on_the_day = check_of(good(birth_date=born), rules, "AGE")
    assert (on_the_day.outcome, on_the_day.finding) == ("met", "met")
    assert on_the_day.values["age"] == str(age)
    # born a day later: polling day is the day before the birthday
    day_before = check_of(good(birth_date=born + timedelta(days=1)), rules, "AGE")
    assert (day_before.outcome, day_before.finding) == ("not_met", "too_young")
    assert day_before.values["comes_of_age"] == (POLLING_DAY + timedelta(days=1)).isoformat()
    assert day_before.required == f">={age}"
    assert day_before.cite == (rules.min_age,)
    older = check_of(good(birth_date=born - timedelta(days=4000)), rules, "AGE")
    assert older.outcome == "met"


def test_a_29_february_birthday_follows_the_leap_day_convention() -> None:
    born = date(2000, 2, 29)  # 25 in 2025, a common year
    for polling, convention, outcome in [
        (date(2025, 2, 28), "march_1", "not_met"),
        (date(2025, 2, 28), "february_28", "met"),
        (date(2025, 3, 1), "march_1", "met"),
        (date(2025, 2, 27), "february_28", "not_met"),
    ]:
        got = check_of(good(birth_date=born), JK, "AGE", polling_day=polling, leap_day=convention)
        assert got.outcome == outcome, (polling, convention)
    with pytest.raises(ValueError, match="leap_day"):
        decide(good(), JK, POLLING_DAY, leap_day="march_2")


def test_a_maximum_age_is_exceeded_only_once_older() -> None:
    rules = variant(PRESIDENT, max_age=70)
    seventy = date(POLLING_DAY.year - 70, POLLING_DAY.month, POLLING_DAY.day)
    at_70 = check_of(good(birth_date=seventy), rules, "AGE")
    assert (at_70.outcome, at_70.finding, at_70.required) == ("met", "met_window", "35..70")
    # 70 and 364 days: still 70
    nearly = check_of(good(birth_date=seventy - timedelta(days=364)), rules, "AGE")
    assert nearly.outcome == "met"
    # the 71st birthday on polling day: older than 70
    at_71 = check_of(good(birth_date=years_before(POLLING_DAY, 71)), rules, "AGE")
    assert (at_71.outcome, at_71.finding, at_71.values["age"]) == ("not_met", "too_old", "71")
    assert at_71.cite == (rules.max_age,)


def test_an_unknown_birth_date_is_undecided_and_needs_the_passport() -> None:
    got = check_of(good(birth_date=None), PRESIDENT, "AGE")
    assert (got.outcome, got.needs_document, got.found) == ("undecided", "passport", "")


# -- citizenship -----------------------------------------------------------------------------


def test_citizenship_and_other_citizenship() -> None:
    def both(held: tuple[str, ...] | None, rules: OfficeRules = JK) -> tuple[str, str]:
        decision = decide(good("jk_deputy", citizenships=held), rules, POLLING_DAY)
        return decision.check("CITIZENSHIP").outcome, decision.check("OTHER_CITIZENSHIP").outcome

    assert both(("KG",)) == ("met", "met")
    assert both(("RU",)) == ("not_met", "not_met")
    assert both(("KG", "RU")) == ("met", "not_met")
    # a stateless person fails citizenship; they hold no other citizenship
    assert both(()) == ("not_met", "met")
    assert both(None) == ("undecided", "undecided")
    allowed = variant(JK, other_citizenship_bars=False)
    assert both(("KG", "RU"), allowed) == ("met", "met")
    other = decide(good("jk_deputy", citizenships=("KG", "RU")), allowed, POLLING_DAY)
    assert other.check("OTHER_CITIZENSHIP").required == "none"


def test_citizenship_findings_say_what_was_found() -> None:
    stateless = check_of(good(citizenships=()), PRESIDENT, "CITIZENSHIP")
    assert (stateless.found, stateless.finding) == ("stateless", "stateless")
    foreign = check_of(good(citizenships=("RU", "KZ")), PRESIDENT, "CITIZENSHIP")
    assert (foreign.found, foreign.finding, foreign.required) == ("RU;KZ", "foreign", "KG")
    dual = check_of(good(citizenships=("KG", "TR")), PRESIDENT, "OTHER_CITIZENSHIP")
    assert (dual.found, dual.required, dual.values["others"]) == ("TR", "only:KG", "TR")
    unknown = decide(good(citizenships=None), PRESIDENT, POLLING_DAY)
    assert unknown.needs_documents == ("citizenship_certificate",)


# -- residence -------------------------------------------------------------------------------


def test_stated_residence_years() -> None:
    assert check_of(good(residence_years=Decimal(15)), PRESIDENT, "RESIDENCE").outcome == "met"
    short = check_of(good(residence_years=Decimal("14.99")), PRESIDENT, "RESIDENCE")
    assert (short.outcome, short.found, short.finding) == ("not_met", "14.99", "stated_short")
    deputy = good("jk_deputy", residence_years=Decimal(5))
    assert check_of(deputy, JK, "RESIDENCE").outcome == "met"
    short_deputy = replace(deputy, residence_years=Decimal("4.5"))
    assert check_of(short_deputy, JK, "RESIDENCE").outcome == "not_met"
    # stated years are used even when a history is known
    both = good(residence_years=Decimal(16), residence=(Stay(date(2020, 1, 1)),))
    assert check_of(both, PRESIDENT, "RESIDENCE").finding == "stated"


def history(*stays: Stay, office: str = "president") -> CandidateFacts:
    return good(office, residence_years=None, residence=stays)


def test_exactly_15_years_in_total_pass_and_a_day_less_fails() -> None:
    arrived = years_before(POLLING_DAY, 15)
    exact = check_of(history(Stay(arrived)), PRESIDENT, "RESIDENCE")
    assert (exact.outcome, exact.finding, exact.found) == ("met", "total", "15y0d")
    late = check_of(history(Stay(arrived + timedelta(days=1))), PRESIDENT, "RESIDENCE")
    assert (late.outcome, late.finding) == ("not_met", "total_short")
    # 15 years from a date to the same date, long ago (as many 29 Februaries: 1992 to 2004)
    past = check_of(history(Stay(date(1990, 6, 1), date(2005, 6, 1))), PRESIDENT, "RESIDENCE")
    assert past.outcome == "met"
    day_less = history(Stay(date(1990, 6, 1), date(2005, 5, 31)))
    assert check_of(day_less, PRESIDENT, "RESIDENCE").outcome == "not_met"


def test_total_residence_adds_stays_and_counts_overlaps_once() -> None:
    split = history(
        Stay(date(1990, 6, 1), date(2000, 6, 1)), Stay(date(2010, 6, 1), date(2015, 6, 1))
    )
    assert check_of(split, PRESIDENT, "RESIDENCE").outcome == "met"
    twice = history(
        Stay(date(1990, 6, 1), date(2000, 6, 1)), Stay(date(1990, 6, 1), date(2000, 6, 1))
    )
    counted = check_of(twice, PRESIDENT, "RESIDENCE")
    assert (counted.outcome, counted.found) == ("not_met", "10y0d")
    # days after polling day do not count
    future = history(Stay(date(2020, 1, 1), date(2040, 1, 1)))
    expected = years_and_days([(date(2020, 1, 1), POLLING_DAY)])
    assert check_of(future, PRESIDENT, "RESIDENCE").found == f"{expected[0]}y{expected[1]}d"
    # left-over days add up to years: 14 years 200 days + 0 years 200 days = 15 years 35 days
    pieces = history(
        Stay(date(1980, 1, 1), date(1994, 7, 20)), Stay(date(2000, 1, 1), date(2000, 7, 19))
    )
    assert check_of(pieces, PRESIDENT, "RESIDENCE").outcome == "met"


def test_fifteen_calendar_years_pass_whatever_their_leap_days() -> None:
    """2000-03-01 to 2015-03-01 holds three 29 Februaries, the 15 years before polling day
    may hold four: still 15 full years; a day less is 14 years and 364 days."""
    stay = history(Stay(date(2000, 3, 1), date(2015, 3, 1)))
    got = check_of(stay, PRESIDENT, "RESIDENCE")
    assert (got.outcome, got.values["years"], got.values["days"]) == ("met", "15", "0")
    short = check_of(history(Stay(date(2000, 3, 1), date(2015, 2, 28))), PRESIDENT, "RESIDENCE")
    assert (short.outcome, short.found) == ("not_met", "14y364d")


@given(st.dates(date(1950, 1, 1), date(2000, 12, 31)), st.integers(1, 40))
def test_a_stay_of_n_calendar_years_is_n_years(start: date, n: int) -> None:
    stop = _years_after(start, n)
    assert years_and_days([(start, stop)]) == (n, 0)
    assert years_and_days([(start, stop - timedelta(days=1))])[0] == n - 1


def _with_gap(gap_start: date, days: int) -> CandidateFacts:
    return history(
        Stay(date(2000, 1, 1), gap_start),
        Stay(gap_start + timedelta(days=days)),
        office="jk_deputy",
    )


def test_last_5_years_allow_183_days_absent_in_a_year_not_184() -> None:
    window_start = years_before(POLLING_DAY, 3)  # the third year back
    gap = window_start + timedelta(days=40)
    ok = check_of(_with_gap(gap, 183), JK, "RESIDENCE")
    assert (ok.outcome, ok.finding, ok.values["absent"]) == ("met", "last_years", "183")
    too_long = check_of(_with_gap(gap, 184), JK, "RESIDENCE")
    assert (too_long.outcome, too_long.finding, too_long.values["absent"]) == (
        "not_met",
        "absent",
        "184",
    )
    assert too_long.values["window_start"] == window_start.isoformat()
    assert too_long.required == "last:5y,absent<=183d"
    assert JK.max_absence_days_per_year in too_long.cite
    # the same 184 days split across two windows: at most 183 in each
    across = check_of(_with_gap(window_start - timedelta(days=92), 184), JK, "RESIDENCE")
    assert across.outcome == "met"
    # an absence before the last 5 years does not count
    old = check_of(_with_gap(years_before(POLLING_DAY, 7), 400), JK, "RESIDENCE")
    assert old.outcome == "met"


def test_last_years_need_residence_on_polling_day() -> None:
    left = history(Stay(date(2000, 1, 1), POLLING_DAY - timedelta(days=10)), office="jk_deputy")
    got = check_of(left, JK, "RESIDENCE")
    assert (got.outcome, got.finding) == ("not_met", "not_resident")
    arrived_recently = history(Stay(years_before(POLLING_DAY, 1)), office="jk_deputy")
    assert check_of(arrived_recently, JK, "RESIDENCE").finding == "absent"


def test_no_residence_required_and_unknown_residence() -> None:
    local = check_of(good("local_deputy", residence_years=None), LOCAL, "RESIDENCE")
    assert (local.outcome, local.required) == ("met", "none")
    unknown = check_of(good(residence_years=None), PRESIDENT, "RESIDENCE")
    assert (unknown.outcome, unknown.needs_document) == ("undecided", "residence_record")
    never = check_of(history(), PRESIDENT, "RESIDENCE")
    assert (never.outcome, never.found) == ("not_met", "0y0d")


# -- language, education, record, terms ------------------------------------------------------


def test_state_language() -> None:
    def outcome(state: str | None, rules: OfficeRules = PRESIDENT) -> tuple[str, str | None]:
        got = check_of(good(state_language=state), rules, "LANGUAGE")
        return got.outcome, got.needs_document

    assert outcome("passed") == ("met", None)
    assert outcome("failed") == ("not_met", None)
    assert outcome("not_taken") == ("undecided", "language_certificate")
    assert outcome(None) == ("undecided", "language_certificate")
    assert outcome("failed", variant(PRESIDENT, state_language_required=False)) == ("met", None)


def test_education() -> None:
    def outcome(level: str | None, rules: OfficeRules) -> str:
        return str(check_of(good(education=level), rules, "EDUCATION").outcome)

    assert outcome("higher", JK) == "met"
    assert outcome("secondary", JK) == "not_met"
    assert outcome("secondary", LOCAL) == "met"
    assert outcome("none", LOCAL) == "not_met"
    assert outcome(None, LOCAL) == "undecided"
    no_minimum = variant(LOCAL, min_education="none")
    assert outcome("none", no_minimum) == "met"
    assert check_of(good(education=None), no_minimum, "EDUCATION").required == "none"
    assert check_of(good(education=None), JK, "EDUCATION").needs_document == "diploma"


def test_an_expunged_record_bars_a_deputy_under_2025_but_not_the_president() -> None:
    assert JK.criminal_record_bars.value == "any"
    assert PRESIDENT.criminal_record_bars.value == "unexpunged"
    deputy = check_of(good("jk_deputy", criminal_record="expunged"), JK, "CRIMINAL_RECORD")
    assert (deputy.outcome, deputy.finding) == ("not_met", "expunged_barred")
    president = check_of(good(criminal_record="expunged"), PRESIDENT, "CRIMINAL_RECORD")
    assert (president.outcome, president.finding) == ("met", "expunged_allowed")
    for rules in (JK, PRESIDENT):
        assert check_of(good(criminal_record="unexpunged"), rules, "CRIMINAL_RECORD").outcome == (
            "not_met"
        )
        assert check_of(good(criminal_record="none"), rules, "CRIMINAL_RECORD").outcome == "met"
        unknown = check_of(good(criminal_record=None), rules, "CRIMINAL_RECORD")
        assert unknown.needs_document == "criminal_record_certificate"
    never = variant(JK, criminal_record_bars="none")
    unbarred = check_of(good(criminal_record="unexpunged"), never, "CRIMINAL_RECORD")
    assert (unbarred.outcome, unbarred.required) == ("met", "none")


def test_terms() -> None:
    assert check_of(good(terms_served=1), PRESIDENT, "TERMS").outcome == "met"
    third = check_of(good(terms_served=2), PRESIDENT, "TERMS")
    assert (third.outcome, third.finding, third.required) == ("not_met", "exceeded", "<2")
    unknown = check_of(good(terms_served=None), PRESIDENT, "TERMS")
    assert (unknown.outcome, unknown.needs_document) == ("undecided", "term_record")
    assert JK.max_terms is None
    unlimited = check_of(good("jk_deputy", terms_served=None), JK, "TERMS")
    assert (unlimited.outcome, unlimited.required, unlimited.cite) == ("met", "none", ())


# -- the decision ----------------------------------------------------------------------------


def test_verdict_failing_and_undecided_codes() -> None:
    nothing = decide(CandidateFacts("jk_deputy"), JK, POLLING_DAY)
    assert nothing.verdict == "undecided"
    assert nothing.undecided == tuple(c for c in CODES if c != "TERMS")
    assert set(nothing.needs_documents) == {DOCUMENT_OF[c] for c in nothing.undecided}
    mixed = decide(good(birth_date=None, education="secondary"), PRESIDENT, POLLING_DAY)
    assert (mixed.verdict, mixed.failing, mixed.undecided) == (
        "ineligible",
        ("EDUCATION",),
        ("AGE",),
    )


def test_evidence_travels_with_its_check() -> None:
    said = Evidence("citizenship_registry", "KG;RU", datetime(2025, 10, 1, 9, 0), "cert-17")
    facts = good(citizenships=("KG", "RU"), evidence={"citizenships": said})
    decision = decide(facts, PRESIDENT, POLLING_DAY)
    assert decision.check("CITIZENSHIP").evidence == said
    assert decision.check("OTHER_CITIZENSHIP").evidence == said
    assert decision.check("AGE").evidence is None


def test_impossible_facts_are_refused() -> None:
    with pytest.raises(ValueError, match="office"):
        CandidateFacts("mayor")
    with pytest.raises(ValueError, match="education"):
        good(education="phd")
    with pytest.raises(ValueError, match="residence_years"):
        good(residence_years=Decimal(-1))
    with pytest.raises(ValueError, match="residence_years"):
        good(residence_years=Decimal("NaN"))
    with pytest.raises(ValueError, match="terms_served"):
        good(terms_served=-1)
    with pytest.raises(ValueError, match="before it starts"):
        Stay(date(2020, 1, 2), date(2020, 1, 1))


# -- properties ------------------------------------------------------------------------------

offices = st.sampled_from(sorted(RULES))
stays = st.builds(
    lambda start, days: Stay(start, None if days is None else start + timedelta(days=days)),
    st.dates(date(1950, 1, 1), date(2030, 1, 1)),
    st.none() | st.integers(0, 12_000),
)
#: Each fact slot and what a known value of it may be.
SLOTS: dict[str, st.SearchStrategy[Any]] = {
    "birth_date": sx.birth_dates,
    "citizenships": st.lists(sx.country_codes, max_size=3, unique=True).map(tuple),
    "residence": st.one_of(
        st.decimals(0, 60, places=2).map(lambda d: ("years", d)),
        st.lists(stays, max_size=4).map(lambda s: ("stays", tuple(s))),
    ),
    "state_language": st.sampled_from(["passed", "failed", "not_taken"]),
    "education": st.sampled_from(["none", "secondary", "higher"]),
    "criminal_record": st.sampled_from(["none", "expunged", "unexpunged"]),
    "terms_served": st.integers(0, 4),
}
#: The check that reads each slot (citizenships: OTHER_CITIZENSHIP as well).
SLOT_CODES = {
    "birth_date": ("AGE",),
    "citizenships": ("CITIZENSHIP", "OTHER_CITIZENSHIP"),
    "residence": ("RESIDENCE",),
    "state_language": ("LANGUAGE",),
    "education": ("EDUCATION",),
    "criminal_record": ("CRIMINAL_RECORD",),
    "terms_served": ("TERMS",),
}


def build(office: str, slots: dict[str, Any]) -> CandidateFacts:
    known = dict(slots)
    residence = known.pop("residence", None)
    if residence is not None:
        kind, value = residence
        known["residence_years" if kind == "years" else "residence"] = value
    return CandidateFacts(office=office, **known)


@st.composite
def slot_values(draw: st.DrawFn) -> dict[str, Any]:
    """Some fact slots known (drawn), the others unknown (absent)."""
    return {name: draw(strategy) for name, strategy in SLOTS.items() if draw(st.booleans())}


@st.composite
def full_slots(draw: st.DrawFn) -> dict[str, Any]:
    return {name: draw(strategy) for name, strategy in SLOTS.items()}


@given(offices, slot_values(), sx.polling_days)
def test_the_verdict_is_the_worst_outcome_and_unknown_facts_are_undecided(
    office: str, slots: dict[str, Any], polling_day: date
) -> None:
    decision = decide(build(office, slots), RULES[office], polling_day)
    outcomes = [c.outcome for c in decision.checks]
    expected = (
        "ineligible"
        if "not_met" in outcomes
        else "undecided"
        if "undecided" in outcomes
        else "eligible"
    )
    assert decision.verdict == expected
    assert tuple(c.code for c in decision.checks) == CODES
    for check in decision.checks:
        assert (check.needs_document is not None) == (check.outcome == "undecided")
        if check.needs_document is not None:
            assert check.needs_document == DOCUMENT_OF[check.code]
        if check.required == "none":
            assert check.outcome == "met"
    for name, codes in SLOT_CODES.items():
        if name not in slots:
            for code in codes:
                check = decision.check(code)
                assert check.outcome == "undecided" or check.required == "none", (name, code)


@given(offices, slot_values(), st.data())
def test_adding_a_fact_never_turns_ineligible_into_eligible(
    office: str, slots: dict[str, Any], data: st.DataObject
) -> None:
    missing = [name for name in SLOTS if name not in slots]
    assume(missing)
    name = data.draw(st.sampled_from(missing))
    more = {**slots, name: data.draw(SLOTS[name])}
    before = decide(build(office, slots), RULES[office], POLLING_DAY)
    after = decide(build(office, more), RULES[office], POLLING_DAY)
    assert set(before.failing) <= set(after.failing)
    assert set(after.undecided) <= set(before.undecided)
    if before.verdict == "ineligible":
        assert after.verdict == "ineligible"
    for check in after.checks:
        if check.code not in SLOT_CODES[name]:
            assert check.outcome == before.check(check.code).outcome


@given(offices, full_slots(), st.sampled_from(sorted(SLOTS)))
def test_removing_a_fact_never_makes_eligible(
    office: str, slots: dict[str, Any], name: str
) -> None:
    rules = RULES[office]
    before = decide(build(office, slots), rules, POLLING_DAY)
    after = decide(build(office, {k: v for k, v in slots.items() if k != name}), rules, POLLING_DAY)
    applicable = any(after.check(code).required != "none" for code in SLOT_CODES[name])
    if after.verdict == "eligible":
        assert before.verdict == "eligible"
        assert not applicable
    if applicable:
        assert after.verdict != "eligible"


def _full_years(born: date, day: date, leap_day: str) -> int:
    """Age by month and day, independently of the engine."""
    years = day.year - born.year
    birthday = (born.month, born.day)
    if birthday == (2, 29) and not calendar.isleap(day.year):
        birthday = (3, 1) if leap_day == "march_1" else (2, 28)
    return years - ((day.month, day.day) < birthday)


@given(sx.birth_dates, sx.polling_days, st.sampled_from(["march_1", "february_28"]))
def test_age_agrees_with_counting_birthdays(born: date, polling: date, leap_day: str) -> None:
    rules = variant(PRESIDENT, max_age=70)
    got = check_of(good(birth_date=born), rules, "AGE", polling_day=polling, leap_day=leap_day)
    age = _full_years(born, polling, leap_day)
    assert got.outcome == ("met" if 35 <= age <= 70 else "not_met")
    if got.finding != "too_young":
        assert got.values["age"] == str(age)


@given(st.dates(date(1950, 1, 1), date(2030, 12, 31)), sx.polling_days)
def test_one_stay_until_polling_day_passes_once_15_full_years_have_run(
    arrived: date, polling: date
) -> None:
    assume(polling.year > 1900)
    got = check_of(history(Stay(arrived)), PRESIDENT, "RESIDENCE", polling_day=polling)
    anniversary = (arrived.month, arrived.day)
    if anniversary == (2, 29) and not calendar.isleap(arrived.year + 15):
        anniversary = (3, 1)
    fifteen = arrived.year + 15 < polling.year or (
        arrived.year + 15 == polling.year and anniversary <= (polling.month, polling.day)
    )
    assert got.outcome == ("met" if fifteen else "not_met")


@given(st.lists(stays, min_size=1, max_size=4), st.data())
def test_cutting_or_repeating_a_stay_changes_nothing(
    stay_list: list[Stay], data: st.DataObject
) -> None:
    for rules, office in ((PRESIDENT, "president"), (JK, "jk_deputy")):
        base = check_of(history(*stay_list, office=office), rules, "RESIDENCE")
        stay = data.draw(st.sampled_from(stay_list))
        end = stay.end or POLLING_DAY + timedelta(days=30)
        assume(end > stay.start)
        cut = stay.start + timedelta(days=data.draw(st.integers(0, (end - stay.start).days)))
        pieces = [s for s in stay_list if s is not stay]
        pieces += [Stay(stay.start, cut), Stay(cut, stay.end)]
        again = check_of(history(*pieces, *stay_list, office=office), rules, "RESIDENCE")
        assert (again.outcome, again.found) == (base.outcome, base.found)


@given(st.integers(0, 4), st.integers(0, 366), st.data())
def test_one_absence_in_one_year_fails_past_183_days(
    back: int, days: int, data: st.DataObject
) -> None:
    start = years_before(POLLING_DAY, back + 1)
    end = years_before(POLLING_DAY, back)
    assume(days <= (end - start).days)
    offset = data.draw(st.integers(0, (end - start).days - days))
    got = check_of(_with_gap(start + timedelta(days=offset), days), JK, "RESIDENCE")
    assert got.outcome == ("met" if days <= 183 else "not_met")


# -- texts -----------------------------------------------------------------------------------

CYRILLIC = re.compile(r"[А-Яа-яЁёӨөҮүҢң]")


#: The packaged rules and laws that differ from them, so that every finding gets rendered.
TEXT_RULES = [
    *RULES.values(),
    variant(PRESIDENT, max_age=70, other_citizenship_bars=False, state_language_required=False),
    variant(JK, min_education="none", criminal_record_bars="none", residence_years=0),
]


@given(st.sampled_from(TEXT_RULES), offices, slot_values(), sx.polling_days)
def test_every_decision_reads_in_three_languages_with_its_citations(
    rules: OfficeRules, office: str, slots: dict[str, Any], polling_day: date
) -> None:
    decision = decide(build(office, slots), rules, polling_day)
    for lang in messages.LANGS:
        lines = messages.render(decision, lang)
        assert len(lines) == 1 + len(CODES)
        assert messages.VERDICTS[decision.verdict][lang] in lines[0]
        for check, line in zip(decision.checks, lines[1:], strict=True):
            assert messages.RULE_NAMES[check.code][lang] in line
            assert check.citation_in(lang) in line
            assert "{" not in line
            if check.needs_document:
                assert messages.DOCUMENTS[check.needs_document][lang] in line


def test_every_finding_has_its_texts_and_no_text_is_left_untranslated() -> None:
    for key, texts in messages.FINDINGS.items():
        code = key.split(".")[0]
        assert code in CODES
        assert set(texts) == set(messages.LANGS)
        placeholders = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
        assert placeholders["ky"] == placeholders["ru"] == placeholders["en"], key
        assert CYRILLIC.search(texts["ky"]) and CYRILLIC.search(texts["ru"]), key
    for table in (messages.RULE_NAMES, messages.DOCUMENTS, messages.VERDICTS, messages.OUTCOMES):
        for names in table.values():
            assert CYRILLIC.search(names["ky"]) and CYRILLIC.search(names["ru"])
    assert set(messages.DOCUMENTS) == set(DOCUMENT_OF.values())


def test_a_decision_in_kyrgyz_and_russian() -> None:
    facts = good(
        "jk_deputy", birth_date=date(2000, 12, 1), criminal_record="expunged", state_language=None
    )
    decision = decide(facts, JK, POLLING_DAY)
    ky = messages.render(decision, "ky")
    assert ky[0].startswith("Чечим: талаптарга жооп бербейт")
    assert "01.12.2000" in ky[1] and "25 жашка 01.12.2025 гана толот" in ky[1]
    assert "59-берене" in ky[1]
    ru = messages.render(decision, "ru")
    assert "не соответствует требованиям" in ru[0]
    assert "ст. 59" in ru[1]
    assert "и погашенная судимость" in ru[CODES.index("CRIMINAL_RECORD") + 1]
    language = ru[CODES.index("LANGUAGE") + 1]
    assert language.startswith("? Владение государственным языком: не установлено")
    assert "Нужен документ: сертификат экзамена" in language
    with pytest.raises(ValueError, match="language"):
        messages.render(decision, "de")


def test_unconfirmed_citations_are_marked() -> None:
    decision = decide(good("jk_deputy", citizenships=("KG", "RU")), JK, POLLING_DAY)
    line = messages.check_line(decision.check("OTHER_CITIZENSHIP"), "en")
    assert JK.other_citizenship_bars.unconfirmed
    assert "(citation unconfirmed)" in line
    assert "(citation unconfirmed)" not in messages.check_line(decision.check("EDUCATION"), "en")


def test_an_undecided_decision_lists_the_documents_needed() -> None:
    decision = decide(good(education=None, terms_served=None), PRESIDENT, POLLING_DAY)
    assert decision.verdict == "undecided"
    line = messages.verdict_line(decision, "en")
    assert "diploma or school-leaving certificate" in line and "record of terms" in line


def test_evidence_is_shown_with_its_source_and_day() -> None:
    said = Evidence("language_testing_centre", "passed", datetime(2025, 9, 3, 10, 0), "T-55")
    decision = decide(good(evidence={"state_language": said}), PRESIDENT, POLLING_DAY)
    line = messages.check_line(decision.check("LANGUAGE"), "ru")
    assert (
        "Источник: центр тестирования по государственному языку, «passed», 03.09.2025, T-55" in line
    )
