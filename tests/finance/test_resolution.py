"""Donor resolution: each status with planted positives and near-miss negatives.

A small register and registry are built once; each test resolves counterparties as a bank
statement gives them (names in any script and order, with or without PIN, INN, birth date,
address) and checks what a reviewer and the screen rely on: the status, the identity key,
the candidates and that reasons never show a PIN in clear.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from shailoo.finance.resolution import (
    Counterparty,
    DonorIndex,
    EntityRecord,
    PersonRecord,
    Resolution,
    Status,
)

IVANOV_PIN = "22304196885314"  # Иванов Иван Иванович, 23.04.1968
IVANOV_P_PIN = "22304197085315"  # Иванов Иван Петрович, 23.04.1970
SMITH_PIN = "21501198000011"  # John SMITH, a US citizen registered in Latin
ASANOVA_PIN = "11203199000012"  # Асанова Алёна Мелис кызы
ASANOV_PIN = "20106198500013"  # Асанов Улан Бакытович
OMURBEKOV_PIN = "20207197500014"  # Өмүрбеков Чыңгыз Үсөнович
STATELESS_PIN = "10808199100015"  # a stateless person
ROMASHKA_INN = "01234567890123"
ROMASHKA_PLUS_INN = "01234567890124"
ACME_INN = "DE-HRB-12345"
TELECOM_INN = "00812199110028"

BISHKEK = "г. Бишкек, ул. Токтогула, д. 12, кв. 5"

PERSONS = [
    PersonRecord(IVANOV_PIN, "Иванов", "Иван", "Иванович", date(1968, 4, 23), BISHKEK, "KG"),
    PersonRecord(
        IVANOV_P_PIN,
        "Иванов",
        "Иван",
        "Петрович",
        date(1970, 4, 23),
        "г. Бишкек, ул. Ленина, д. 1",
        "KG",
    ),
    PersonRecord(
        SMITH_PIN, "SMITH", "John", "", date(1980, 1, 15), "г. Бишкек, ул. Киевская, д. 3", "US"
    ),
    PersonRecord(
        ASANOVA_PIN,
        "Асанова",
        "Алёна",
        "Мелис кызы",
        date(1990, 3, 12),
        "г. Ош, ул. Ак-Буура, д. 48, кв. 71",
        "KG",
    ),
    PersonRecord(
        ASANOV_PIN,
        "Асанов",
        "Улан",
        "Бакытович",
        date(1985, 6, 1),
        "Чуйская обл., Аламудунский р-н, с. Лебединовка, ул. Садовая, д. 7",
        "KG",
    ),
    PersonRecord(
        OMURBEKOV_PIN,
        "Өмүрбеков",
        "Чыңгыз",
        "Үсөнович",
        date(1975, 7, 2),
        "Нарынская обл., г. Нарын, ул. Ленина, д. 40",
        "KG",
    ),
    PersonRecord(
        STATELESS_PIN,
        "Осмоналиев",
        "Бакай",
        "Абаевич",
        date(1991, 8, 8),
        "г. Таш-Кумыр, ул. Т. Молдо, д. 13",
        "",
    ),
]
ENTITIES = [
    EntityRecord(ROMASHKA_INN, "ОсОО «Ромашка»", (), "KG", "local_company"),
    EntityRecord(ROMASHKA_PLUS_INN, "ОсОО «Ромашка-Плюс»", (), "KG", "local_company"),
    EntityRecord(ACME_INN, "Acme Corporation GmbH", ("Акме Корпорейшн",), "DE", "foreign_company"),
    EntityRecord(
        TELECOM_INN, "ОАО «Кыргызтелеком»", ("Kyrgyztelecom OJSC",), "KG", "state_enterprise"
    ),
]


@pytest.fixture(scope="module")
def index() -> DonorIndex:
    return DonorIndex.build(PERSONS, ENTITIES)


_FOURTEEN_DIGITS = re.compile(r"\d{14}")


def resolve(index: DonorIndex, **fields: Any) -> Resolution:
    """Resolve, and hold what every resolution must hold: no PIN in clear in its reasons or
    shown ids, an identity exactly when resolved, scores within 0..100."""
    result = index.resolve(Counterparty(**fields))
    for reason in result.reasons:
        assert not _FOURTEEN_DIGITS.search(reason), reason
    assert (result.identity_key is not None) == (not result.needs_review)
    assert 0.0 <= result.score <= 100.0
    assert all(0.0 <= c.score <= 100.0 for c in result.candidates)
    assert all(
        not _FOURTEEN_DIGITS.search(c.shown_id) for c in result.candidates if c.kind == "person"
    )
    return result


def keys(result: Resolution) -> list[str]:
    return [c.identity_key for c in result.candidates]


# --- exact identifier ----------------------------------------------------------------------


def test_pin_with_agreeing_name_is_exact(index: DonorIndex) -> None:
    result = resolve(index, name="IVANOV IVAN", person_id=IVANOV_PIN, id_scheme="NIDN")
    assert result.status is Status.EXACT_ID
    assert result.identity_key == f"P:{IVANOV_PIN}"
    assert result.score == 100.0
    assert not result.needs_review


def test_pin_without_a_name_is_exact(index: DonorIndex) -> None:
    result = resolve(index, person_id=IVANOV_PIN)
    assert result.status is Status.EXACT_ID
    assert any("no name" in r for r in result.reasons)


def test_inn_with_legal_form_in_another_script_is_exact(index: DonorIndex) -> None:
    result = resolve(index, name="ROMASHKA LLC", org_id=ROMASHKA_INN, id_scheme="TXID")
    assert result.status is Status.EXACT_ID
    assert result.identity_key == f"E:{ROMASHKA_INN}"


def test_sole_proprietor_inn_is_the_pin(index: DonorIndex) -> None:
    result = resolve(index, name="ИП Иванов Иван Иванович", org_id=IVANOV_PIN)
    assert result.status is Status.EXACT_ID
    assert result.identity_key == f"P:{IVANOV_PIN}"


@pytest.mark.parametrize(
    "bad_pin",
    [
        "22304196885",  # too short
        "32304196885314",  # no sex digit 3
        "23204196885314",  # day 32: not a date
        "22302196985314",  # 23.02.1969 is a date, but nobody has this PIN
    ],
)
def test_malformed_or_unknown_pin_is_not_a_match(index: DonorIndex, bad_pin: str) -> None:
    result = resolve(index, name="Петров Петр", person_id=bad_pin)
    assert result.status is Status.UNRESOLVED
    assert result.needs_review
    assert any("not a valid PIN" in r or "names nobody" in r for r in result.reasons)


def test_wrong_pin_with_a_name_that_fits_someone_is_a_conflict(index: DonorIndex) -> None:
    # One digit of the serial changed: a valid structure that names nobody. The name and
    # birth date fit Иванов Иван Иванович, but the statement's id is not his: review.
    wrong = IVANOV_PIN[:-1] + "9"
    result = resolve(index, name="Иванов Иван", person_id=wrong, birth_date=date(1968, 4, 23))
    assert result.status is Status.CONFLICT
    assert result.identity_key is None
    assert keys(result)[0] == f"P:{IVANOV_PIN}"


def test_passport_number_is_not_checked_and_the_name_decides(index: DonorIndex) -> None:
    result = resolve(
        index,
        name="John Smith",
        person_id="561234567",
        id_scheme="CCPT",
        birth_date=date(1980, 1, 15),
    )
    assert result.status is Status.NAME_MATCH
    assert result.identity_key == f"P:{SMITH_PIN}"
    assert any("cannot be checked" in r for r in result.reasons)


def test_inn_naming_no_organisation_is_not_a_match(index: DonorIndex) -> None:
    result = resolve(index, name="ОсОО «Береке Трейд»", org_id="09999999999999")
    assert result.status is Status.UNRESOLVED
    assert any("names no organisation" in r for r in result.reasons)


# --- conflict ------------------------------------------------------------------------------


def test_pin_of_someone_else_is_a_conflict(index: DonorIndex) -> None:
    result = resolve(index, name="Петров Петр Петрович", person_id=IVANOV_PIN)
    assert result.status is Status.CONFLICT
    assert result.needs_review
    first = result.candidates[0]
    assert first.identity_key == f"P:{IVANOV_PIN}"
    assert "name" in first.contradiction
    assert first.score < 80


def test_pin_with_another_birth_date_is_a_conflict(index: DonorIndex) -> None:
    result = resolve(index, name="Иванов Иван", person_id=IVANOV_PIN, birth_date=date(1969, 4, 23))
    assert result.status is Status.CONFLICT
    assert "birth_date" in result.candidates[0].contradiction


def test_inn_with_another_company_name_is_a_conflict(index: DonorIndex) -> None:
    result = resolve(index, name="Acme Corporation", org_id=ROMASHKA_INN)
    assert result.status is Status.CONFLICT
    # The name's own candidate is shown to the reviewer too.
    assert f"E:{ACME_INN}" in keys(result)


# --- name match ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["IVANOV IVAN", "Ivan Ivanov", "Иванов Иван Иванович", "ИВАНОВ И. И.", "Ivanov Ivan Ivanovich"],
)
def test_name_and_birth_date_resolve_across_scripts(index: DonorIndex, name: str) -> None:
    result = resolve(index, name=name, birth_date=date(1968, 4, 23))
    if name == "ИВАНОВ И. И.":
        # Initials are weak evidence: scored, kept for review, never resolved.
        assert result.status is Status.AMBIGUOUS
        assert keys(result)[0] == f"P:{IVANOV_PIN}"
        assert result.candidates[0].score < 90
    else:
        assert result.status is Status.NAME_MATCH
        assert result.identity_key == f"P:{IVANOV_PIN}"
        assert result.candidates[0].corroboration == ("birth_date",)


def test_name_and_address_resolve(index: DonorIndex) -> None:
    result = resolve(index, name="Ivan Ivanov", address="Bishkek, Toktogul str. 12-5")
    assert result.status is Status.NAME_MATCH
    assert result.identity_key == f"P:{IVANOV_PIN}"
    assert "address" in result.candidates[0].corroboration


def test_another_flat_does_not_corroborate(index: DonorIndex) -> None:
    result = resolve(index, name="Ivan Ivanov", address="Bishkek, Toktogul str. 12-6")
    assert result.status is Status.AMBIGUOUS


@pytest.mark.parametrize(
    "name", ["Джон Смит", "Смит Джон", "SMITH JOHN", "Dzhon Smit", "Smith, John"]
)
def test_foreign_citizen_registered_in_latin_found_from_cyrillic(
    index: DonorIndex, name: str
) -> None:
    result = resolve(index, name=name, birth_date=date(1980, 1, 15))
    assert result.status is Status.NAME_MATCH
    assert result.identity_key == f"P:{SMITH_PIN}"
    assert result.candidates[0].country == "US"


@pytest.mark.parametrize(
    "name", ["Omurbekov Chyngyz", "Ömürbekov Chyngyz Üsönovich", "Омурбеков Чингиз Усенович"]
)
def test_kyrgyz_letters_and_their_stand_ins(index: DonorIndex, name: str) -> None:
    result = resolve(index, name=name, birth_date=date(1975, 7, 2))
    assert result.status is Status.NAME_MATCH
    assert result.identity_key == f"P:{OMURBEKOV_PIN}"


def test_yo_and_kyrgyz_patronymic_written_the_russian_way(index: DonorIndex) -> None:
    # Алёна/Alyona (ё, which the register's name_key reads differently once transliterated),
    # and "Мелис кызы" in the register against "Мелисовна" on the statement.
    result = resolve(index, name="ASANOVA ALYONA MELISOVNA", birth_date=date(1990, 3, 12))
    assert result.status is Status.NAME_MATCH
    assert result.identity_key == f"P:{ASANOVA_PIN}"


def test_stateless_person_resolves_with_empty_citizenship(index: DonorIndex) -> None:
    result = resolve(index, name="Osmonaliev Bakai", birth_date=date(1991, 8, 8))
    assert result.identity_key == f"P:{STATELESS_PIN}"
    assert result.candidates[0].country == ""


def test_one_identity_across_spellings(index: DonorIndex) -> None:
    born = date(1968, 4, 23)
    spellings = [
        "Иванов Иван Иванович",
        "IVANOV IVAN",
        "Ivan Ivanov",
        "Иван Иванов",
        "ivanov  ivan",
    ]
    found = {resolve(index, name=s, birth_date=born).identity_key for s in spellings}
    found.add(resolve(index, name="Иванов И.И.", person_id=IVANOV_PIN).identity_key)
    assert found == {f"P:{IVANOV_PIN}"}


# --- near misses ---------------------------------------------------------------------------


def test_namesake_born_on_another_day_is_not_a_match(index: DonorIndex) -> None:
    result = resolve(index, name="Иванов Иван Иванович", birth_date=date(1968, 4, 24))
    assert result.status is Status.UNRESOLVED
    assert result.identity_key is None
    namesake = next(c for c in result.candidates if c.identity_key == f"P:{IVANOV_PIN}")
    assert namesake.score == 100.0
    assert namesake.contradiction == ("birth_date",)
    assert any("namesake" in r and "another day" in r for r in result.reasons)


def test_one_letter_different_name_is_scored_but_not_a_match(index: DonorIndex) -> None:
    result = resolve(index, name="Асанов Уран Бакытович", birth_date=date(1985, 6, 1))
    assert result.status is Status.AMBIGUOUS
    assert result.needs_review
    candidate = result.candidates[0]
    assert candidate.identity_key == f"P:{ASANOV_PIN}"
    assert 75.0 <= candidate.score < 90.0


def test_vowel_misspelt_still_resolves(index: DonorIndex) -> None:
    # Inner vowels are what clerks misspell (the register forgives them, so do we).
    result = resolve(index, name="Асанов Улан Бакитович", birth_date=date(1985, 6, 1))
    assert result.identity_key == f"P:{ASANOV_PIN}"


def test_another_patronymic_is_not_a_match(index: DonorIndex) -> None:
    # Same surname, given name and birth date as Иванов Иван Иванович, another father.
    result = resolve(index, name="Иванов Иван Сергеевич", birth_date=date(1968, 4, 23))
    assert result.status is not Status.NAME_MATCH
    assert result.candidates[0].score < 90


def test_name_without_corroboration_needs_review(index: DonorIndex) -> None:
    result = resolve(index, name="Smith John")
    assert result.status is Status.AMBIGUOUS
    assert keys(result) == [f"P:{SMITH_PIN}"]
    assert any("corroborates" in r for r in result.reasons)


def test_two_fitting_namesakes_are_ambiguous(index: DonorIndex) -> None:
    result = resolve(index, name="Ivanov Ivan")
    assert result.status is Status.AMBIGUOUS
    assert set(keys(result)[:2]) == {f"P:{IVANOV_PIN}", f"P:{IVANOV_P_PIN}"}


def test_unknown_person_is_unresolved(index: DonorIndex) -> None:
    result = resolve(index, name="Токтосунов Нурбек", birth_date=date(1988, 1, 1))
    assert result.status is Status.UNRESOLVED
    assert result.needs_review
    assert result.candidates == ()


# --- organisations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["ROMASHKA LLC", "ОсОО Ромашка", 'ООО "Ромашка"', "Romashka Ltd.", "Ромашка"]
)
def test_legal_forms_do_not_decide(index: DonorIndex, name: str) -> None:
    result = resolve(index, name=name)
    assert result.status is Status.NAME_MATCH
    assert result.identity_key == f"E:{ROMASHKA_INN}"
    assert "unique_name" in result.candidates[0].corroboration


def test_romashka_plus_is_not_romashka(index: DonorIndex) -> None:
    plus = resolve(index, name="Ромашка-Плюс")
    assert plus.identity_key == f"E:{ROMASHKA_PLUS_INN}"
    other = resolve(index, name="ОсОО «Ромашка-Люкс»")
    assert other.identity_key is None
    assert other.status is Status.AMBIGUOUS  # similar names are shown, not matched
    assert all(c.score < 90 for c in other.candidates)


def test_company_names_written_apart_and_together_meet(index: DonorIndex) -> None:
    result = resolve(index, name="KYRGYZ TELECOM OJSC")
    assert result.identity_key == f"E:{TELECOM_INN}"


def test_other_names_are_searched(index: DonorIndex) -> None:
    result = resolve(index, name="Акме Корпорейшн", country="DE")
    assert result.identity_key == f"E:{ACME_INN}"


def test_organisation_from_another_country_is_not_the_registered_one(index: DonorIndex) -> None:
    result = resolve(index, name="ACME Corp", country="KG")
    assert result.status is Status.UNRESOLVED
    assert result.candidates[0].contradiction == ("country",)


def test_same_legal_form_alone_matches_nothing(index: DonorIndex) -> None:
    result = resolve(index, name="ОсОО «Береке»")
    assert result.status is Status.UNRESOLVED


# --- anonymous -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   ", "N/A", "—", "«»", "Неизвестно"])
def test_no_name_and_no_id_is_anonymous(index: DonorIndex, name: str) -> None:
    result = resolve(index, name=name, account="KG0412345678901234")
    assert result.status is Status.ANONYMOUS
    assert result.needs_review
    assert result.candidates == ()


def test_an_id_alone_is_not_anonymous(index: DonorIndex) -> None:
    result = resolve(index, person_id="22304196885399")
    assert result.status is Status.UNRESOLVED


# --- the rest ------------------------------------------------------------------------------


def test_a_pin_typed_into_the_name_is_masked(index: DonorIndex) -> None:
    result = resolve(index, name=f"Иванов {IVANOV_PIN}")
    assert all(IVANOV_PIN not in r for r in result.reasons)


@pytest.mark.parametrize(
    ("status", "review"),
    [
        (Status.EXACT_ID, False),
        (Status.NAME_MATCH, False),
        (Status.CONFLICT, True),
        (Status.AMBIGUOUS, True),
        (Status.UNRESOLVED, True),
        (Status.ANONYMOUS, True),
    ],
)
def test_only_exact_id_and_name_match_skip_review(status: Status, review: bool) -> None:
    assert Resolution(status, None, 0.0, (), ()).needs_review is review


def test_resolve_many_answers_repeated_donors_once(index: DonorIndex) -> None:
    cp = Counterparty("IVANOV IVAN", birth_date=date(1968, 4, 23))
    first, second, other = index.resolve_many([cp, cp, Counterparty("ROMASHKA LLC")])
    assert first is second
    assert first.identity_key == f"P:{IVANOV_PIN}"
    assert other.identity_key == f"E:{ROMASHKA_INN}"


def test_records_that_cannot_be_identities_are_reported() -> None:
    born = date(1980, 1, 1)
    persons = [
        PersonRecord("21001198000001", "Асанов", "Асан", "", born, "", "KG"),
        PersonRecord("  ", "Нет", "Пина", "", born, "", "KG"),
        PersonRecord("21001198000001", "Усенов", "Усен", "", born, "", "KG"),
    ]
    entities = [
        EntityRecord("1", "ОсОО «А»"),
        EntityRecord("", "ОсОО «Б»"),
        EntityRecord("1", "ОсОО «В»"),
    ]
    index = DonorIndex.build(persons, entities)
    where = [p.where for p in index.problems]
    assert where == ["persons[1].pin", "persons[2].pin", "entities[1].inn", "entities[2].inn"]
    assert all("21001198000001" not in p.why for p in index.problems)
    assert "persons[0]" in index.problems[1].why
    # The first of a repeated PIN is the identity.
    result = index.resolve(Counterparty("Асанов Асан", person_id="21001198000001"))
    assert result.status is Status.EXACT_ID
    assert len(index.persons) == 2 and len(index.entities) == 2


def test_empty_index_resolves_nothing() -> None:
    index = DonorIndex.build([], [])
    result = index.resolve(Counterparty("Иванов Иван", birth_date=date(1968, 4, 23)))
    assert result.status is Status.UNRESOLVED
    assert index.resolve(Counterparty(person_id=IVANOV_PIN)).status is Status.UNRESOLVED


def test_a_name_in_a_crowd_sharing_a_common_word() -> None:
    # Hundreds of builders called "… Строй": the block of the common word is ranked before
    # it is scored, and neither the match nor its look-alike rival is lost in the crowd.
    s = ["ак", "бай", "тал", "нур", "кан", "сай", "жол", "бек", "ош", "нар", "дан"]
    names = [f"{s[i % 11]}{s[i // 11 % 11]}{s[i // 121]}".title() for i in range(400)]
    crowd = [EntityRecord(f"02{i:012d}", f"ОсОО «{n} Строй»") for i, n in enumerate(names)]
    target = EntityRecord("03000000000001", "ОсОО «Ала-Тоо Строй»")
    index = DonorIndex.build([], [*crowd, target])
    result = index.resolve(Counterparty("ALA-TOO STROY LLC"))
    assert result.identity_key == f"E:{target.inn}"

    rival = EntityRecord("03000000000002", "ОАО «Алатоо-Строй»")
    index = DonorIndex.build([], [*crowd, target, rival])
    result = index.resolve(Counterparty("ALA-TOO STROY LLC"))
    assert result.status is Status.AMBIGUOUS
    assert {target.inn, rival.inn} <= {c.shown_id for c in result.candidates}


def test_a_hostile_name_field_is_read_only_so_far(index: DonorIndex) -> None:
    # A name field of 100,000 words is cut at 280 characters: still answered, quickly.
    result = resolve(index, name="Иванов Иван " * 50_000, birth_date=date(1968, 4, 23))
    assert result.needs_review or result.identity_key == f"P:{IVANOV_PIN}"
    assert resolve(index, name="\x00" * 10_000 + "<script>").status is Status.ANONYMOUS


def test_house_letter_in_either_script_corroborates() -> None:
    person = PersonRecord(
        "10101199000016",
        "Токтогулова",
        "Айжан",
        "",
        date(1990, 1, 1),
        "г. Ош, ул. Ленина, д. 12а",
        "KG",
    )
    index = DonorIndex.build([person], [])
    result = index.resolve(Counterparty("TOKTOGULOVA AIZHAN", address="Osh, Lenin st. 12A"))
    assert result.identity_key == f"P:{person.pin}"
    assert result.candidates[0].corroboration == ("address",)


def test_pin_lookup_reads_only_ascii_digits(index: DonorIndex) -> None:
    arabic = IVANOV_PIN.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert index.persons.row_of_pin(arabic) is None
    assert index.persons.row_of_pin(IVANOV_PIN + "0") is None
    assert index.persons.row_of_pin(IVANOV_PIN) is not None
    assert resolve(index, name="Иванов Иван", person_id=arabic).status is not Status.EXACT_ID
