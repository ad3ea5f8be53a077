"""The register read in parts and joined is the register read at once.

The screen has a forked process read the later part of a large register while it reads the
first (``registry_adapters._register_columns``); the parts are joined by distinct names,
addresses and citizenships. Whatever the rows (names repeated across the parts, Latin
look-alike letters, empty and odd PINs, blank addresses) and wherever the register is cut,
the joined columns must be the columns of one read, and so the index built from them.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.common.problems import Problem
from shailoo.finance.resolution.tables import PersonColumns, PersonRow, PersonTable

NAMES = ["Асанов", "Асанова", "COCOB", "Smith", "Бекташ уулу", "", " Айпери ", "ОРОЗОВ"]
ADDRESSES = ["Бишкек, ул. Токтогула 1", " Ош, ул. Ленина 5 ", "", "Бишкек, ул. Токтогула 1 "]


def _pin(n: int) -> str:
    return f"2{n:013d}"


rows = st.lists(
    st.tuples(
        st.one_of(st.integers(0, 40).map(_pin), st.sampled_from(["", " ", "X-17", "123"])),
        st.sampled_from(NAMES),
        st.sampled_from(NAMES),
        st.sampled_from(NAMES),
        st.one_of(st.none(), st.dates(date(1930, 1, 1), date(2008, 12, 31))),
        st.sampled_from(ADDRESSES),
        st.sampled_from(["KG", "RU", "", "kg "]),
    ),
    max_size=60,
)


@settings(max_examples=200)
@given(rows, st.lists(st.floats(0, 1), max_size=3))
def test_parts_joined_in_order_are_the_register_read_at_once(
    persons: list[PersonRow], cuts: list[float]
) -> None:
    whole = PersonColumns.read(persons)
    at = sorted({int(c * len(persons)) for c in cuts} | {0, len(persons)})
    parts = [PersonColumns.read(persons[start:end], start) for start, end in pairwise(at)]
    joined = parts[0] if parts else PersonColumns.read([])
    for part in parts[1:]:
        joined.extend(part)
    assert joined == whole
    alone: list[Problem] = []
    together: list[Problem] = []
    one, two = PersonTable.from_columns(whole, alone), PersonTable.from_columns(joined, together)
    assert alone == together  # problems: each row where the register has it
    assert [one.pin(r) for r in range(len(one))] == [two.pin(r) for r in range(len(two))]
    assert [one.name(r) for r in range(len(one))] == [two.name(r) for r in range(len(two))]
    assert [one.words.postings(i).tolist() for i in range(len(one.words))] == [
        two.words.postings(i).tolist() for i in range(len(two.words))
    ]


def test_a_row_without_a_pin_is_named_where_the_register_has_it() -> None:
    persons: list[PersonRow] = [
        (_pin(n), "Асанов", "Бакыт", "", date(1970, 1, 2), "Бишкек", "KG") for n in range(4)
    ]
    persons[3] = ("", "Асанов", "Бакыт", "", None, "Бишкек", "KG")
    joined = PersonColumns.read(persons[:2])
    joined.extend(PersonColumns.read(persons[2:], 2))
    assert [p.where for p in joined.problems] == ["persons[3].pin"]
    assert joined.skipped == [3]
