"""The eligibility engine: explained verdicts, the importer's fast path, and their agreement."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

import strategies as sx
from shailoo.law.loader import load_edition
from shailoo.law.schema import Edition
from shailoo.register.eligibility import (
    CODES,
    coming_of_age,
    compile_rules,
    evaluate,
    latest_birth_date,
    render,
)
from shailoo.register.facts import PersonFacts

EDITIONS_DIR = Path(__file__).resolve().parents[2] / "src" / "shailoo" / "law" / "editions"
POLLING_DAY = date(2027, 3, 14)


def variant(base: str, **changes: Any) -> Edition:
    """A packaged edition with some ``voters`` values changed (a law that differs)."""
    data = yaml.safe_load((EDITIONS_DIR / f"{base}.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        data["voters"][key]["value"] = value
    return Edition.model_validate(data)


@cache
def laws() -> tuple[Edition, ...]:
    return (
        load_edition("kg-2020"),
        load_edition("kg-2021"),
        load_edition("kg-2025"),
        variant("kg-2025", leap_day_birthday="february_28"),
        variant("kg-2025", dual_citizens_may_vote=False, min_age=21),
        variant(
            "kg-2021",
            incapacity_excludes=False,
            confinement_excludes=False,
            biometric_registration_required=False,
        ),
    )


def facts(birth: date, **kw: Any) -> PersonFacts:
    defaults: dict[str, Any] = {"citizenship": "KG", "biometric_registered": True}
    return PersonFacts(birth_date=birth, **{**defaults, **kw})


person_facts = st.builds(
    PersonFacts,
    birth_date=sx.days,
    citizenship=sx.citizenships,
    other_citizenships=st.lists(sx.citizenships, max_size=2).map(tuple),
    legally_incapable=st.booleans(),
    in_confinement=st.booleans(),
    biometric_registered=st.booleans(),
    death_date=st.none() | sx.days,
)
law_index = st.integers(min_value=0, max_value=5)


def age_in_full_years(birth: date, on: date) -> int:
    """Independent oracle: full years, a birthday not yet reached this year not counted."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# -- agreement of the two faces -----------------------------------------------------------


@given(person=person_facts, polling_day=sx.polling_days, which=law_index, as_text=st.booleans())
def test_fail_codes_agrees_with_evaluate(
    person: PersonFacts, polling_day: date, which: int, as_text: bool
) -> None:
    law = laws()[which]
    verdict = evaluate(person, polling_day, law)
    others: str | tuple[str, ...] = (
        ";".join(person.other_citizenships) if as_text else person.other_citizenships
    )
    codes = compile_rules(law, polling_day).fail_codes(
        person.birth_date,
        person.citizenship,
        person.legally_incapable,
        person.in_confinement,
        person.biometric_registered,
        person.death_date,
        others,
    )
    assert codes == verdict.codes
    assert (codes == "") == verdict.eligible


@given(person=person_facts, polling_day=sx.polling_days, which=law_index)
def test_verdict_shape(person: PersonFacts, polling_day: date, which: int) -> None:
    verdict = evaluate(person, polling_day, laws()[which])
    assert tuple(check.code for check in verdict.checks) == CODES
    assert verdict.eligible == all(check.passed for check in verdict.checks)
    assert verdict.failing == tuple(c.code for c in verdict.checks if not c.passed)
    for check in verdict.checks:
        assert check.citation and set(check.citations) == {"ky", "ru", "en"}
        assert all(isinstance(v, str) for v in check.evidence.values())


# -- age --------------------------------------------------------------------------------


@given(polling_day=sx.polling_days)
def test_age_boundary_is_exactly_the_18th_birthday(polling_day: date) -> None:
    law = load_edition("kg-2025")
    assume(not (polling_day.month == 2 and polling_day.day == 29))
    birthday_18 = polling_day.replace(year=polling_day.year - 18)
    turns_today = evaluate(facts(birthday_18), polling_day, law)
    one_day_short = evaluate(facts(birthday_18 + timedelta(days=1)), polling_day, law)
    assert turns_today.checks[0].passed
    assert not one_day_short.checks[0].passed
    assert latest_birth_date(polling_day, 18, "march_1") == birthday_18


@given(birth=sx.days, polling_day=sx.polling_days)
def test_age_matches_counting_full_years(birth: date, polling_day: date) -> None:
    law = load_edition("kg-2025")  # leap_day_birthday: march_1
    passed = evaluate(facts(birth), polling_day, law).checks[0].passed
    assert passed == (age_in_full_years(birth, polling_day) >= 18)


@given(birth=sx.days, later=sx.days, age=st.integers(min_value=1, max_value=80))
def test_coming_of_age_keeps_birth_order(birth: date, later: date, age: int) -> None:
    assume(birth <= later)
    for rule in ("march_1", "february_28"):
        assert coming_of_age(birth, age, rule) <= coming_of_age(later, age, rule)


@given(polling_day=sx.polling_days, age=st.integers(min_value=1, max_value=80))
def test_latest_birth_date_is_the_last_one_that_qualifies(polling_day: date, age: int) -> None:
    for rule in ("march_1", "february_28"):
        latest = latest_birth_date(polling_day, age, rule)
        assert coming_of_age(latest, age, rule) <= polling_day
        assert coming_of_age(latest + timedelta(days=1), age, rule) > polling_day


LEAP_BABY = date(2008, 2, 29)  # turns 18 in 2026, a common year


def test_born_29_february_turns_18_on_1_march_by_default() -> None:
    law = load_edition("kg-2025")
    assert law.voters.leap_day_birthday.value == "march_1"
    assert not evaluate(facts(LEAP_BABY), date(2026, 2, 28), law).eligible
    assert evaluate(facts(LEAP_BABY), date(2026, 3, 1), law).eligible
    assert coming_of_age(LEAP_BABY, 18, "march_1") == date(2026, 3, 1)


def test_born_29_february_under_the_february_28_reading() -> None:
    law = variant("kg-2025", leap_day_birthday="february_28")
    assert evaluate(facts(LEAP_BABY), date(2026, 2, 28), law).eligible
    assert not evaluate(facts(LEAP_BABY), date(2026, 2, 27), law).eligible
    assert compile_rules(law, date(2026, 2, 28)).latest_birth == LEAP_BABY


def test_polling_on_29_february() -> None:
    law = load_edition("kg-2025")
    day = date(2028, 2, 29)  # 2010 has no 29 February
    assert latest_birth_date(day, 18, "march_1") == date(2010, 2, 28)
    assert evaluate(facts(date(2010, 2, 28)), day, law).eligible
    assert not evaluate(facts(date(2010, 3, 1)), day, law).eligible


def test_leap_day_birth_and_leap_day_polling_when_both_years_are_leap() -> None:
    day = date(2028, 2, 29)
    assert calendar.isleap(2008)
    assert coming_of_age(date(2008, 2, 29), 20, "march_1") == day
    assert latest_birth_date(day, 20, "march_1") == date(2008, 2, 29)


def test_min_age_comes_from_the_law() -> None:
    law = variant("kg-2025", min_age=21)
    twenty = facts(date(2006, 3, 15))  # 21 only the day after polling day
    assert evaluate(twenty, POLLING_DAY, load_edition("kg-2025")).eligible
    verdict = evaluate(twenty, POLLING_DAY, law)
    assert verdict.failing == ("AGE",)
    assert verdict.checks[0].evidence["min_age"] == "21"


def test_polling_day_too_early_for_the_age_rule() -> None:
    with pytest.raises(ValueError, match="too early"):
        latest_birth_date(date(10, 1, 1), 18, "march_1")


# -- the other rules --------------------------------------------------------------------


@given(death=sx.days)
def test_death_before_polling_day_excludes(death: date) -> None:
    verdict = evaluate(facts(date(1970, 1, 1), death_date=death), POLLING_DAY, laws()[2])
    assert verdict.checks[-1].passed == (death >= POLLING_DAY)
    assert verdict.eligible == (death >= POLLING_DAY)


def test_each_exclusion_alone() -> None:
    law = load_edition("kg-2025")
    adult = date(1980, 5, 5)
    cases = {
        "CITIZENSHIP": facts(adult, citizenship="RU"),
        "CAPACITY": facts(adult, legally_incapable=True),
        "CONFINEMENT": facts(adult, in_confinement=True),
        "BIOMETRICS": facts(adult, biometric_registered=False),
        "ALIVE": facts(adult, death_date=date(2026, 1, 1)),
    }
    for code, person in cases.items():
        assert evaluate(person, POLLING_DAY, law).failing == (code,)
    assert evaluate(facts(adult), POLLING_DAY, law).eligible


def test_stateless_person_is_not_a_voter() -> None:
    verdict = evaluate(facts(date(1980, 5, 5), citizenship="XX"), POLLING_DAY, laws()[2])
    assert verdict.failing == ("CITIZENSHIP",)


def test_dual_citizen_votes_unless_the_law_says_otherwise() -> None:
    dual = facts(date(1980, 5, 5), other_citizenships=("RU",))
    assert evaluate(dual, POLLING_DAY, load_edition("kg-2025")).eligible
    barred = variant("kg-2025", dual_citizens_may_vote=False)
    verdict = evaluate(dual, POLLING_DAY, barred)
    assert verdict.failing == ("CITIZENSHIP",)
    assert verdict.checks[1].citation == barred.voters.dual_citizens_may_vote.citation
    kg_twice = facts(date(1980, 5, 5), other_citizenships=("KG",))
    assert evaluate(kg_twice, POLLING_DAY, barred).eligible
    rules = compile_rules(barred, POLLING_DAY)
    args = (date(1980, 5, 5), "KG", False, False, True, None)
    assert rules.fail_codes(*args) == ""
    assert rules.fail_codes(*args, "RU;KZ") == "CITIZENSHIP"
    assert rules.fail_codes(*args, ("RU",)) == "CITIZENSHIP"


def test_a_law_without_these_exclusions_does_not_apply_them() -> None:
    law = laws()[5]
    person = facts(
        date(1980, 5, 5), legally_incapable=True, in_confinement=True, biometric_registered=False
    )
    assert evaluate(person, POLLING_DAY, law).eligible
    assert (
        compile_rules(law, POLLING_DAY).fail_codes(person.birth_date, "KG", True, True, False, None)
        == ""
    )


def test_fail_codes_lists_every_failure_in_order() -> None:
    rules = compile_rules(load_edition("kg-2025"), POLLING_DAY)
    codes = rules.fail_codes(date(2015, 1, 1), "RU", True, True, False, date(2020, 1, 1))
    assert codes == ",".join(CODES)
    assert rules.fail_codes(date(1990, 1, 1), "KG", False, False, True, None) == ""


def test_evidence_and_citation_of_a_check() -> None:
    law = load_edition("kg-2025")
    verdict = evaluate(facts(date(2009, 3, 15)), POLLING_DAY, law)
    age = verdict.checks[0]
    assert not age.passed
    assert dict(age.evidence) == {
        "birth_date": "2009-03-15",
        "min_age": "18",
        "comes_of_age": "2027-03-15",
        "polling_day": "2027-03-14",
        "leap_day_birthday": "march_1",
    }
    assert age.citation == law.voters.min_age.citation
    with pytest.raises(TypeError):
        cast(Any, age.evidence)["min_age"] = "16"


# -- words ------------------------------------------------------------------------------


def test_render_in_three_languages() -> None:
    law = load_edition("kg-2025")
    person = facts(date(2009, 3, 15), other_citizenships=("RU",), death_date=date(2026, 6, 1))
    verdict = evaluate(person, POLLING_DAY, law)
    en, ru, ky = (render(verdict, lang) for lang in ("en", "ru", "ky"))
    assert len(en) == len(ru) == len(ky) == len(CODES)
    assert en[0].startswith("✗ Age: not met — born 2009-03-15; reaches the age of 18 only on")
    assert en[0].endswith("Basis: " + law.voters.min_age.citation)
    assert ru[0].startswith("✗ Возраст: не выполнено — дата рождения 15.03.2009;")
    assert "Основание: ч. 4 ст. 2, Конституция Кыргызской Республики" in ru[0]
    assert ky[0].startswith("✗ Жаш курагы: аткарылган жок — туулган күнү 15.03.2009;")
    assert "Негиз: 2-берененин 4-бөлүгү" in ky[0]
    assert "иное гражданство (RU)" in ru[1] and ru[1].startswith("✓")
    assert "(ссылка не подтверждена)" in ru[2]
    assert "смерть зарегистрирована 01.06.2026" in ru[5]
    assert "01.06.2026 каза болгону катталган" in ky[5]


def test_render_explains_laws_that_do_not_apply_a_rule() -> None:
    person = facts(date(1980, 5, 5), legally_incapable=True, biometric_registered=False)
    lines = render(evaluate(person, POLLING_DAY, laws()[5]), "ru")
    assert "недееспособность не лишает права голоса" in lines[2]
    assert "биометрическая регистрация не требуется" in lines[4]


def test_render_stateless_and_dual_barred() -> None:
    barred = variant("kg-2025", dual_citizens_may_vote=False)
    stateless = render(
        evaluate(facts(date(1980, 5, 5), citizenship="XX"), POLLING_DAY, barred), "ky"
    )
    assert "жарандыгы жок" in stateless[1]
    dual = facts(date(1980, 5, 5), other_citizenships=("RU", "KZ"))
    assert "RU, KZ" in render(evaluate(dual, POLLING_DAY, barred), "en")[1]


@given(person=person_facts, polling_day=sx.polling_days, which=law_index)
def test_render_never_fails_and_marks_each_rule(
    person: PersonFacts, polling_day: date, which: int
) -> None:
    verdict = evaluate(person, polling_day, laws()[which])
    for lang in ("ky", "ru", "en"):
        lines = render(verdict, lang)
        for line, check in zip(lines, verdict.checks, strict=True):
            assert line.startswith("✓" if check.passed else "✗")
            assert "{" not in line


def test_render_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="ky, ru, en"):
        render(evaluate(facts(date(1980, 5, 5)), POLLING_DAY, laws()[2]), "de")
