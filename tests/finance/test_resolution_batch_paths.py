"""The screen's batch paths give the answers of the one-at-a-time ones.

A name of one script is keyed a word at a time (each distinct word once); the register's
PINs are looked up many at a time; a record found by its PIN is not corroborated by an
address (the PIN decides, and an address would change nothing a reviewer or a flag sees).
Each is held here to the plain path, on random spellings and near misses.
"""

from __future__ import annotations

from datetime import date
from unittest.mock import patch

from hypothesis import example, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.finance.resolution import Counterparty, DonorIndex, PersonRecord, Status, keys
from shailoo.finance.resolution.keys import donor_key, key_words, read_name_once
from shailoo.register.names import transliterate

#: Characters names and addresses are written with, and the ones that test the word path's
#: limits: look-alike Latin letters, letters NFKC turns into Latin (fullwidth Ｂ, ℌ, ﬁ),
#: a no-break space, combining marks, dots of abbreviations, ё and x.
_ALPHABET = (
    "abcdehiknoptxyzABCEHKMOPTXY"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяңөүАВЕЁКМНОРСТХҢӨҮ"
    "ѳѲіІ0123456789 -'.«»\"(),"
    "Ｂℌﬁ\u00a0\u0301\u0306\u0483ӝ"
)
texts = st.text(alphabet=_ALPHABET, max_size=40)
one_script = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ' -0123456789"),
    st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяңөүАБВЁҢӨҮЪЬ' -«»0123456789"),
)


@settings(max_examples=600, deadline=None)
@given(st.one_of(texts, one_script))
@example("IVANOV IVAN IVANOVICH")
@example("Иванов Иван Иванович")
@example("Aleksandr Xasanov")
@example("ОсОО «Ала-Тоо-2»")
@example("Алёна ъ Ь")
@example("Иван Ｂ")  # NFKC makes a Latin letter in Cyrillic text: the whole-text path
@example("ИВАНОВ IVAN")
@example("И.П. Асанов")
def test_words_keyed_one_at_a_time_are_the_key_of_the_whole(text: str) -> None:
    assert key_words(text) == donor_key(text).split()


@settings(max_examples=300, deadline=None)
@given(st.one_of(texts, one_script))
@example("АСЫЛБЕКОВА АЙДАНА МЕЛИСОВНА")
@example("Орозбекова Гүлзат Мелис кызы")
@example("ИП Асанов Бакыт")
@example("Romashka Limited Liability Company")
def test_a_name_reads_the_same_through_the_word_path(text: str) -> None:
    """What resolution compares (the person's and organisation's words, the legal forms,
    the patronymics) reads the same as from the key of the whole name."""
    fast = read_name_once(text)
    with patch.object(keys, "key_words", lambda t: donor_key(t).split()):
        slow = read_name_once(text)
    assert fast == slow


def _person(n: int, born: date) -> PersonRecord:
    pin = sx.format_pin("F" if n % 2 else "M", born, n)
    return PersonRecord(
        pin, f"Асанова{'б' * (n % 3)}", "Айпери", "", born, f"г. Ош, ул. Ленина, д. {n}", "KG"
    )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(sx.birth_dates, st.integers(0, 50)), min_size=1, max_size=15),
    st.lists(st.one_of(sx.pins, sx.malformed_pins, st.just("")), max_size=10),
    st.data(),
)
def test_pins_looked_up_together_find_what_each_look_up_finds(people, others, data) -> None:
    records = [_person(n, born) for born, n in people]  # repeats a PIN now and then
    index = DonorIndex.build(records, [])
    table = index.persons
    known = [r.pin for r in records]
    asked = data.draw(st.lists(st.sampled_from(known), max_size=10)) + others
    asked += ["١" * 14, known[0][:-1] + "x", " " + known[0]]  # other scripts' digits, near PINs
    assert table.rows_of_pins(asked) == [table.row_of_pin(p) for p in asked]


def test_no_register_finds_no_pin() -> None:
    table = DonorIndex.build([], []).persons
    assert table.rows_of_pins(["12345678901234", ""]) == [None, None]


@settings(max_examples=60, deadline=None)
@given(
    sx.kyrgyz_name_parts,
    sx.kyrgyz_name_parts,
    sx.birth_dates,
    st.integers(1, 300),
    st.sampled_from(
        ["", "г. Ош, ул. Ленина, д. {n}", "Osh, Lenin st. {n}", "Бишкек, ул. Киевская 7"]
    ),
    st.booleans(),
)
def test_an_address_changes_nothing_when_the_pin_decides(
    surname: str, given_name: str, born: date, n: int, address: str, latin: bool
) -> None:
    """Whether the statement's address is the register's, another or none, a donor found by
    their PIN resolves alike: same status, identity, score, reasons and candidates."""
    pin = sx.format_pin("M", born, n)
    person = PersonRecord(pin, surname, given_name, "", born, f"г. Ош, ул. Ленина, д. {n}", "KG")
    index = DonorIndex.build([person], [])
    name = f"{surname} {given_name}"
    name = transliterate(name).upper() if latin else name
    with_address = index.resolve(Counterparty(name, person_id=pin, address=address.format(n=n)))
    without = index.resolve(Counterparty(name, person_id=pin))
    assert with_address == without
    assert with_address.status is Status.EXACT_ID
    assert "address" not in with_address.candidates[0].corroboration


def test_an_address_still_corroborates_a_name_without_a_pin() -> None:
    person = PersonRecord(
        "10101199000016", "Токтогулова", "Айжан", "", date(1990, 1, 1),
        "г. Ош, ул. Ленина, д. 12а", "KG",
    )  # fmt: skip
    index = DonorIndex.build([person], [])
    found = index.resolve(Counterparty("TOKTOGULOVA AIZHAN", address="Osh, Lenin st. 12A"))
    assert found.status is Status.NAME_MATCH
    assert found.candidates[0].corroboration == ("address",)


def test_a_birth_day_block_is_found_in_a_large_register() -> None:
    """The birth-day block (searched in the array's own integer type) finds the namesakes
    born that day and only them."""
    born = date(1980, 5, 17)
    people = [_person(n, date(1980, 5, 16 + n % 3)) for n in range(300)]
    index = DonorIndex.build(people, [])
    rows = index.persons.born_on(born)
    assert sorted(index.persons.pin(int(r)) for r in rows) == sorted(
        p.pin for p in people if p.birth_date == born
    )


#: Name parts as a register writes them: of one word, of several ("Бексултан уулу",
#: "Анна-Мария", "Ван дер Берг"), blank, and Latin look-alikes read as Cyrillic.
_parts = st.one_of(
    sx.kyrgyz_name_parts,
    st.lists(sx.kyrgyz_name_parts, min_size=2, max_size=3).map(" ".join),
    st.sampled_from(["", " ", "COCOB", "Анна-Мария", "Ван дер Берг", "Бексултан уулу"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_parts, _parts, _parts), max_size=25))
def test_the_word_index_holds_each_row_under_each_word_of_its_name(names) -> None:
    """Every word of a person's surname, given name or patronymic finds the person (the
    further words of a part of several words too), and no other word does."""
    born = date(1980, 1, 1)
    records = [
        PersonRecord(sx.format_pin("M", born, n), *parts, born, "", "KG")
        for n, parts in enumerate(names)
    ]
    table = DonorIndex.build(records, []).persons
    expected: dict[str, set[int]] = {}
    for row in range(len(records)):
        for part in table.name_words(row):
            for word in part:
                expected.setdefault(word, set()).add(row)
    index = table.words
    found = {word: set(index.postings(i).tolist()) for i, word in enumerate(index._words)}
    assert {w: rows for w, rows in found.items() if rows} == expected
