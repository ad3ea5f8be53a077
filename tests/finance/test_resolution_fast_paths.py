"""Donor resolution's fast paths give the answers of the slow ones.

The score of a name whose words are the register's very words is 100 without pairing them
up; the register read as plain rows is the same table as read as records; a statement's
address is read only when a name fits well enough for it to corroborate.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.finance.resolution import Counterparty, DonorIndex, PersonRecord, Status
from shailoo.finance.resolution.scoring import (
    CANDIDATE,
    MATCH,
    _paired_score,
    may_reach,
    part_ceiling,
    person_score,
)
from shailoo.finance.resolution.tables import _unique, _unique_first
from shailoo.register.names import transliterate

#: Name words as the register's reading gives them, short so that words repeat and collide.
words = st.text(alphabet="abdeiklmnorstuy", min_size=1, max_size=6)
parts = st.lists(words, max_size=3)


@settings(max_examples=400, deadline=None)
@given(parts, parts, parts, st.randoms(use_true_random=False), st.lists(st.booleans()))
def test_the_very_words_in_any_order_score_what_pairing_them_scores(
    surname: list[str], given_: list[str], patronymic: list[str], rnd, fathers: list[bool]
) -> None:
    query = [*surname, *given_, *patronymic] if rnd.random() < 0.5 else [*surname, *given_]
    rnd.shuffle(query)
    slow = (
        _paired_score(query, surname, given_, patronymic, fathers)
        if query and (surname or given_)
        else 0.0
    )
    assert person_score(query, surname, given_, patronymic, fathers) == slow
    if query and (surname or given_):
        assert slow == 100.0


@settings(max_examples=400, deadline=None)
@given(st.lists(words, min_size=1, max_size=5), parts, parts, parts, st.lists(st.booleans()))
def test_any_other_words_score_what_pairing_them_scores(
    query: list[str], surname: list[str], given_: list[str], patronymic: list[str], fathers
) -> None:
    """Near misses of the fast path (a word more, a word less, a word changed) still pair."""
    expected = (
        _paired_score(query, surname, given_, patronymic, fathers) if surname or given_ else 0
    )
    assert person_score(query, surname, given_, patronymic, fathers) == expected


def test_a_word_more_or_another_patronymic_is_not_a_full_score() -> None:
    surname, given_, patronymic = ("ivanov",), ("ivan",), ("ivanovich",)
    assert person_score(("ivan", "ivanov", "ivanovich"), surname, given_, patronymic) == 100.0
    assert person_score(("ivan", "ivanov", "ivanovich", "ivan"), surname, given_, ()) < 100.0
    assert person_score(("ivan", "ivanov", "petrovich"), surname, given_, patronymic) < 90.0


def _record(n: int, names: tuple[str, str, str], born: date) -> PersonRecord:
    pin = sx.format_pin("M", born, n)
    return PersonRecord(pin, *names, born, f"г. Бишкек, ул. Токтогула {n}, кв. {n % 7}", "KG")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.tuples(
                sx.kyrgyz_name_parts, sx.kyrgyz_name_parts, st.just("") | sx.kyrgyz_name_parts
            ),
            sx.birth_dates,
        ),
        min_size=1,
        max_size=12,
    ),
    st.data(),
)
def test_rows_and_records_index_the_same_register(people, data) -> None:
    records = [_record(n, names, born) for n, (names, born) in enumerate(people)]
    rows = [
        (r.pin, r.surname, r.given_name, r.patronymic, r.birth_date, r.address, r.citizenship)
        for r in records
    ]
    from_records = DonorIndex.build(records, [])
    from_rows = DonorIndex.build_from_rows(rows, [])
    who = data.draw(st.sampled_from(records))
    latin = " ".join(transliterate(p) for p in (who.given_name, who.surname, who.patronymic) if p)
    for cp in (
        Counterparty(name=latin, person_id=who.pin),
        Counterparty(name=latin, birth_date=who.birth_date),
        Counterparty(name=latin, address=who.address),
    ):
        assert from_rows.resolve(cp) == from_records.resolve(cp)


def test_an_empty_pin_row_is_skipped_with_its_place() -> None:
    born = date(1980, 1, 15)
    good = _record(1, ("Иванов", "Иван", "Иванович"), born)
    rows = [
        ("", "Петров", "Петр", "", born, "", "KG"),
        (good.pin, good.surname, good.given_name, good.patronymic, born, good.address, "KG"),
    ]
    index = DonorIndex.build_from_rows(rows, [])
    assert [p.where for p in index.problems] == ["persons[0].pin"]
    assert index.persons.row_of_pin(good.pin) == 0


def test_the_address_corroborates_a_name_found_without_an_identifier() -> None:
    born = date(1980, 1, 15)
    records = [_record(n, ("Иванов", "Иван", "Иванович"), born) for n in (1, 2)]
    index = DonorIndex.build(records, [])
    name = "Ivanov Ivan Ivanovich"
    found = index.resolve(Counterparty(name=name, address="Bishkek, Toktogula 2, kv 2"))
    assert found.status is Status.NAME_MATCH
    assert found.identity_key == f"P:{records[1].pin}"
    assert "address" in found.candidates[0].corroboration
    unsure = index.resolve(Counterparty(name=name))
    assert unsure.status is not Status.NAME_MATCH


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(2**40), 2**40)), st.sampled_from([np.int32, np.int64]))
def test_distinct_rows_are_what_numpy_unique_gives(values: list[int], dtype) -> None:
    """The index's own distinct-values helpers (numpy's ``unique`` is slow at a register's
    size) give numpy's answer: sorted distinct values, and each one's first place."""
    array = np.array(values, dtype=np.int64)
    if dtype is np.int32:
        array = (array % 1000).astype(np.int32)
    assert np.array_equal(_unique(array), np.unique(array))
    distinct, first = _unique_first(array)
    expected, expected_first = np.unique(array, return_index=True)
    assert np.array_equal(distinct, expected)
    assert np.array_equal(first, expected_first)
    assert distinct.dtype == array.dtype


@settings(max_examples=600, deadline=None)
@given(
    st.lists(words, min_size=1, max_size=4),
    parts,
    parts,
    parts,
    st.lists(st.booleans(), max_size=4),
    st.sampled_from([CANDIDATE, MATCH, 60.0, 40.0]),
)
# A repeated word read as a patronymic the register lacks takes a word's penalty off.
@example(["ivanov", "bek", "bek"], ["asan"], ["bek"], [], [False, False, True], CANDIDATE)
def test_a_person_set_aside_unscored_could_not_have_reached_the_threshold(
    query: list[str],
    surname: list[str],
    given_: list[str],
    patronymic: list[str],
    fathers: list[bool],
    threshold: float,
) -> None:
    """The name search skips scoring a person when ``may_reach`` says no: then the score
    would indeed have been below the threshold (the bound never drops a candidate)."""
    reach = may_reach(
        threshold,
        part_ceiling(query, surname) if surname else None,
        part_ceiling(query, given_) if given_ else None,
        bool(patronymic),
        fathers,
    )
    if not reach:
        assert person_score(query, surname, given_, patronymic, fathers) < threshold


def test_the_bound_sets_aside_other_names_and_keeps_the_name_itself() -> None:
    query = ("ivanov", "ivan", "ivanovich")
    same = may_reach(
        CANDIDATE, part_ceiling(query, ("ivanov",)), part_ceiling(query, ("ivan",)), True
    )
    other = may_reach(
        CANDIDATE, part_ceiling(query, ("ivanov",)), part_ceiling(query, ("zhyldyz",)), True
    )
    assert same and not other
