"""Name keys, transliteration and similarity: examples from the registry and properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import strategies as sx
from shailoo.register import names
from shailoo.register.names import (
    HOMOGLYPHS,
    name_key,
    normalise,
    similarity,
    skeleton,
    transliterate,
)

NAME_TEXT = st.text(
    alphabet=sx.KYRGYZ_LETTERS + "ѳѲҥҤіәғқұһ"
    + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    + " -'’ʼ.,()«»\t–öüçşğıİé\u0301\u0307",
    max_size=40,
)  # fmt: skip
#: Cyrillic letters and their Latin look-alikes, from the table the key uses.
LOOK_ALIKE = {cyr: lat for lat, cyr in HOMOGLYPHS.items()}


@pytest.mark.parametrize(
    "spelling",
    ["Өмүров", "Ѳмүров", "Омуров", "Omurov", "Oмypoв", "ӨМҮРОВ", "  омуров ", "Ömürov"],
)
def test_spelling_variants_of_one_surname_share_a_key(spelling: str) -> None:
    assert normalise(spelling) == "omurov"


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (["Жумабаев", "Джумабаев", "Zhumabaev", "Jumabaev", "Dzhumabaev"], "jumabaev"),
        (["Жээнбеков", "Женбеков", "Jeenbekov", "Zheenbekov"], "jenbekov"),
        (["Чыңгыз", "Чингиз", "Chyngyz", "Чынгыз"], "chiniz"),
        (["Семёнов", "Семенов"], "semenov"),
        (["Евгений", "Yevgeniy", "Evgenii"], "evgeni"),
        (["Гурьев", "Gur'yev", "Guryev"], "gurev"),
        (["Ғулом", "G‘ulom", "Gʻulom"], "gulom"),
        (["Xolmatov", "Холматов", "Kholmatov"], "holmatov"),
    ],
)
def test_romanisations_and_russian_spellings_meet(variants: list[str], key: str) -> None:
    assert {normalise(v) for v in variants} == {key}


def test_hyphens_apostrophes_and_spaces() -> None:
    assert normalise("Асанбек-уулу") == normalise("Асанбек  уулу") == "asanbek ulu"
    assert normalise("Абдул-Ахад") == "abdul ahad"
    assert normalise("O'zbekov") == normalise("Ozbekov") == "ozbekov"
    assert normalise("\tИванов,\nИван ") == "ivanov ivan"


def test_look_alikes_only_fold_inside_cyrillic_text() -> None:
    # A Latin word stays Latin ("Pak" is not read as "Рак") unless the text around it is
    # Cyrillic and the word is made only of look-alike letters.
    assert normalise("Pak") == "pak"
    assert normalise("COCOB Асан") == normalise("Сосов Асан") == "sosov asan"
    assert normalise("John Асанов") == "john asanov"


def test_empty_and_punctuation_only() -> None:
    assert normalise("") == ""
    assert normalise(" - ' . ") == ""
    assert name_key("", "", "") == ""


def test_name_key_joins_normalised_parts() -> None:
    assert name_key("Өмүрбеков", "Чыңгыз", "Асанбек уулу") == "omurbekov chiniz asanbek ulu"
    assert name_key("Ivanov", "Ivan") == "ivanov ivan"
    assert name_key("Омурбеков", "Чингиз", "") == name_key("Өмүрбеков", "Чыңгыз")


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Өмүрбеков Чыңгыз", "Ömürbekov Chyngyz"),
        ("Жумабаев Эсенбай", "Zhumabaev Esenbay"),
        ("Щукин Юрий Семёнович", "Shchukin Yuriy Semyonovich"),
        ("Цой Хан", "Tsoy Khan"),
        ("Ыдырысов Айбек Нурланович", "Ydyrysov Aybek Nurlanovich"),
        ("ЖУМАБАЕВ Шайлообек", "ZHUMABAEV Shayloobek"),
        ("Oмypoв", "Omurov"),
        ("Omurov", "Omurov"),
        ("Гурьев", "Gurev"),
    ],
)
def test_transliteration_scheme(cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic) == latin


def test_similarity_bounds_and_identity() -> None:
    assert similarity("omurov asan", "omurov asan") == 100.0
    assert similarity("", "") == 0.0
    assert similarity("omurov", "") == 0.0
    assert 0.0 <= similarity("abc", "xyz") < 50.0


def test_vowel_variants_score_above_plain_edit_ratio() -> None:
    a, b = name_key("Маматов", "Асан", "Бакытович"), name_key("Мамытов", "Асан", "Бакытович")
    assert skeleton(a) == skeleton(b)
    assert similarity(a, b) >= 95.0
    a, b = name_key("Абдыкадыров", "Нурлан"), name_key("Абдукадыров", "Нурлан")
    assert similarity(a, b) >= 93.0


def test_siblings_differing_in_the_given_name_score_low() -> None:
    a = name_key("Асанов", "Үсөн", "Бакытович")
    b = name_key("Асанов", "Улан", "Бакытович")
    assert similarity(a, b) < 80.0
    # An initial vowel is part of the name: Асанов and Усенов are different surnames.
    assert skeleton(normalise("Асанов")) != skeleton(normalise("Усенов"))


@given(NAME_TEXT)
def test_normalise_is_idempotent(text: str) -> None:
    key = normalise(text)
    assert normalise(key) == key


@given(st.text(max_size=30))
def test_normalise_is_idempotent_on_any_text(text: str) -> None:
    key = normalise(text)
    assert normalise(key) == key


@given(NAME_TEXT)
def test_fast_path_equals_general_path(text: str) -> None:
    assert normalise(text) == names._normalise_general(unicodedata.normalize("NFKC", text))


@given(st.lists(sx.kyrgyz_name_parts, min_size=1, max_size=3))
def test_keys_of_cyrillic_names_are_plain_latin(words: list[str]) -> None:
    key = normalise(" ".join(words))
    assert key.isascii()
    assert set(key) <= set("abcdefghijklmnopqrstuvwxyz ")


@given(st.lists(sx.kyrgyz_name_parts, min_size=1, max_size=3), st.data())
def test_look_alike_substitution_does_not_change_the_key(
    words: list[str], data: st.DataObject
) -> None:
    text = " ".join(words)
    spots = [i for i, c in enumerate(text) if c in LOOK_ALIKE]
    chosen = data.draw(st.sets(st.sampled_from(spots)) if spots else st.just(set()))
    mixed = "".join(LOOK_ALIKE[c] if i in chosen else c for i, c in enumerate(text))
    assume(any("\u0400" <= c <= "\u04ff" for c in mixed))
    assert normalise(mixed) == normalise(text)


@given(st.lists(sx.kyrgyz_name_parts, min_size=1, max_size=3))
def test_case_does_not_change_the_key_of_cyrillic_text(words: list[str]) -> None:
    text = " ".join(words)
    assert normalise(text.upper()) == normalise(text.lower()) == normalise(text.title())


@given(st.lists(sx.latin_name_parts, min_size=1, max_size=3))
def test_case_does_not_change_the_key_of_latin_text(words: list[str]) -> None:
    text = " ".join(words)
    assert normalise(text.upper()) == normalise(text.lower()) == normalise(text)


@given(NAME_TEXT, NAME_TEXT)
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    ka, kb = normalise(a), normalise(b)
    score = similarity(ka, kb)
    assert 0.0 <= score <= 100.0
    assert score == pytest.approx(similarity(kb, ka))


@given(NAME_TEXT)
def test_transliteration_of_cyrillic_names_has_no_cyrillic_left(text: str) -> None:
    latin = transliterate(text)
    assert not any(c in sx.KYRGYZ_LETTERS for c in latin)


_NAME_ALPHABET = "АаБбЫыӨөҮүҢңѲѳҤҥЁёЪъЬьЖжХхЩщ -'AaOoCcBbHhKk\u0306\u0301.ԱӘә"
_NAME_PART = st.text(alphabet=_NAME_ALPHABET, max_size=12)


@given(_NAME_PART, _NAME_PART, _NAME_PART)
def test_key_and_latin_agree_with_the_whole_name_functions(
    surname: str, given_name: str, patronymic: str
) -> None:
    from shailoo.register.names import key_and_latin

    expected = (
        name_key(surname, given_name, patronymic),
        transliterate(f"{surname} {given_name} {patronymic}".strip()),
    )
    assert key_and_latin(surname, given_name, patronymic) == expected
    assert key_and_latin(surname, given_name, patronymic) == expected  # from the cache


def test_key_and_latin_on_registry_names() -> None:
    from shailoo.register.names import key_and_latin

    assert key_and_latin("Өмүров", "Асан", "Бекович") == (
        "omurov asan bekovich",
        "Ömürov Asan Bekovich",
    )
    assert key_and_latin("Эшонкулова", "Нигора", "") == ("eshonkulova nigora", "Eshonkulova Nigora")
    assert key_and_latin("COCOB", "Асан")[0] == name_key("COCOB", "Асан")
