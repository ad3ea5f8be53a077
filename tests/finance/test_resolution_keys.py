"""Donor keys and name scores: the pieces resolution decides with, on real spellings."""

from __future__ import annotations

import pytest

from shailoo.finance.resolution.keys import (
    addresses_agree,
    donor_key,
    read_address,
    read_name,
)
from shailoo.finance.resolution.scoring import MATCH, entity_score, person_score


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["John SMITH", "Джон Смит", "Dzhon Smit", "JOHN SMITH"], "jon smit"),
        (["Алёна", "Alyona", "Алена", "Alena"], "alena"),
        (["Фёдор", "Fyodor", "Fedor"], "fedor"),
        (["Александр", "Aleksandr", "Alexandr"], "aleksandr"),
        (["Хасанов", "Khasanov", "Xasanov", "Hasanov"], "hasanov"),
        (["Томас", "Thomas"], "tomas"),
        (["Филипп", "Philipp", "Filipp"], "filip"),
        (["Чыңгыз", "Chyngyz", "Chingiz", "Чингиз"], "chiniz"),
        (["Жээнбеков", "Zheenbekov", "Jeenbekov"], "jenbekov"),
    ],
)
def test_spellings_in_every_script_meet(spellings: list[str], key: str) -> None:
    assert {donor_key(s) for s in spellings} == {key}


def test_an_initial_h_is_kept() -> None:
    # Хасан and Асан are two names; only a silent inner h is dropped.
    assert donor_key("Хасан") != donor_key("Асан")


@pytest.mark.parametrize(
    ("name", "words", "entity_form"),
    [
        ("ОсОО «Ромашка»", ("romashka",), True),
        ("ROMASHKA LLC", ("romashka",), True),
        ('Общество с ограниченной ответственностью "Ромашка"', ("romashka",), True),
        ("Romashka L.L.C.", ("romashka",), True),
        ("Ромашка GmbH", ("romashka",), True),
        ("Фонд Сорос-Кыргызстан", ("soros", "kirgizstan"), False),
        ("Soros Foundation Kyrgyzstan", ("soros", "kirgizstan"), False),
        ("Ак-Марал", ("ak", "maral"), False),  # "ак" begins Kyrgyz names: not a legal form
    ],
)
def test_legal_forms_and_generic_words_are_set_aside(
    name: str, words: tuple[str, ...], entity_form: bool
) -> None:
    reading = read_name(name)
    assert reading.entity == words
    assert reading.entity_form is entity_form


def test_sole_proprietor_and_patronymic_markers() -> None:
    reading = read_name("ИП Асанова Зарина Мелис кызы")
    assert reading.proprietor_form
    assert reading.person == ("asanova", "zarina", "melis")
    assert reading.fathers == (False, False, True)
    assert read_name("Иванов Иван Иванович").fathers == (False, False, True)


def test_name_written_twice_is_one_name() -> None:
    query = read_name("Иванов Иван (IVANOV IVAN)").person
    assert person_score(query, ("ivanov",), ("ivan",), ("ivanovich",)) == 100.0


def test_patronymic_absent_on_one_side_keeps_the_match() -> None:
    register = (("ivanov",), ("ivan",), ("ivanovich",))
    assert person_score(read_name("IVANOV IVAN").person, *register) == 100.0
    foreigner = (("smit",), ("jon",), ())
    reading = read_name("Smith John Robertovich")
    assert person_score(reading.person, *foreigner, reading.fathers) == 100.0


def test_another_patronymic_or_given_name_is_not_a_match() -> None:
    register = (("ivanov",), ("ivan",), ("ivanovich",))
    assert person_score(read_name("Иванов Иван Петрович").person, *register) < MATCH
    assert person_score(read_name("Иванов Пётр Иванович").person, *register) < MATCH
    # A surname alone never fits a person.
    assert person_score(read_name("Иванов").person, *register) <= 50


def test_a_word_that_is_not_a_patronymic_is_not_forgiven() -> None:
    # "Асанова Айгүл Эрлан кызы" is not "Асанов Эрлан": Эрлан is her father.
    reading = read_name("Асанова Айгүл Эрлан кызы")
    assert person_score(reading.person, ("asanov",), ("erlan",), (), reading.fathers) < MATCH


def test_kyrgyz_and_russian_patronymic_styles_meet() -> None:
    reading = read_name("Асанова Зарина Мелисовна")
    surname, given, patronymic = (read_name(p).person for p in ("Асанова", "Зарина", "Мелис кызы"))
    assert person_score(reading.person, surname, given, patronymic) >= MATCH


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("ROMASHKA LLC", "ОсОО «Ромашка»", True),
        ("ROMASHKA PLUS", "ОсОО «Ромашка-Плюс»", True),
        ("Kyrgyz Telecom", "Кыргызтелеком", True),
        ("Ромошка", "Ромашка", True),  # a vowel misspelt
        ("Ромашка-Плюс", "Ромашка", False),
        ("Ромашка-Люкс", "Ромашка-Плюс", False),
        ("Ромашка 1", "Ромашка 2", False),
        ("Ромашка А", "Ромашка Б", False),
    ],
)
def test_organisation_names(a: str, b: str, same: bool) -> None:
    score = entity_score(read_name(a).entity, read_name(b).entity)
    assert (score >= MATCH) is same, score


@pytest.mark.parametrize(
    ("statement", "register", "agree"),
    [
        ("Bishkek, Toktogul str. 12-5", "г. Бишкек, ул. Токтогула, д. 12, кв. 5", True),
        ("Бишкек, Токтогула 12", "г. Бишкек, ул. Токтогула, д. 12, кв. 5", True),  # no flat
        ("Бишкек, Токтогула 12, кв. 6", "г. Бишкек, ул. Токтогула, д. 12, кв. 5", False),
        ("Бишкек, Киевская 12, кв. 5", "г. Бишкек, ул. Токтогула, д. 12, кв. 5", False),
        ("г. Бишкек", "г. Бишкек, ул. Токтогула, д. 12, кв. 5", False),  # a town is no dwelling
        ("Ош, Ак-Буура 48а", "г. Ош, ул. Ак-Буура, д. 48 а", True),
    ],
)
def test_addresses(statement: str, register: str, agree: bool) -> None:
    a, b = read_address(donor_key(statement)), read_address(donor_key(register))
    assert addresses_agree(a, b) is agree
    assert addresses_agree(b, a) is agree


def test_kyrgyz_words_that_look_like_legal_forms_are_kept() -> None:
    # "Тоо" (mountain) is also the Kazakh ТОО, "Ак" (white) the Kyrgyz АК: both begin and
    # end many Kyrgyz names, so neither is read as a legal form.
    assert read_name("ОсОО «Ала-Тоо Строй»").entity == ("ala", "to", "stroi")
    assert read_name("Ак-Суу").entity == ("ak", "su")
