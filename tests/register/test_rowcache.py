"""The cached row checks decide every row exactly as the general row parser does.

The cache only takes rows that are valid in the plain way and sends everything else to
``rows.parse_row``; these tests feed both paths registry rows with damaged fields (spaces,
Latin letters, impossible dates, PINs that disagree, unknown stations, odd digits) and hold
them to the same stored tuple or the same reject.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.common.csvsource import Reject
from shailoo.law.loader import load_edition
from shailoo.register.eligibility import compile_rules
from shailoo.register.rowcache import CachedRowChecker, digest, person_values
from shailoo.register.rows import COLUMNS, parse_row
from shailoo.synth.geography import generate_geography
from shailoo.synth.population import write_population_csv

TODAY = date(2026, 11, 29)
RULES = compile_rules(load_edition("kg-2025"), date(2027, 3, 14))


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[list[str]], dict[int, int]]:
    geography = generate_geography(4, 10)
    path = tmp_path_factory.mktemp("rows") / "population.csv"
    write_population_csv(path, 4, 500, geography)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        assert tuple(header) == COLUMNS
        rows = list(reader)
    return rows, {int(s.number): i + 1 for i, s in enumerate(geography.stations)}


def _general(line: int, values: list[str], stations: dict[int, int], as_text: bool):
    parsed = parse_row(line, values, stations, TODAY)
    if isinstance(parsed, Reject):
        return parsed
    return person_values(parsed, digest(values), stations, RULES, as_text)


ODD = st.sampled_from(
    ["", " ", "0", "1", "2", " 1", "1 ", "M", "F", "m", " F", "KG", "kg", "RU", "K", "KG;RU",
     "KG;", "RU; KZ", "XX", "2000-02-29", "2001-02-29", "1990-13-01", "1990-1-01", "19900101",
     "Omurov", "Өмүров ", " Өмүров", "Ѳмүров", "Мамытов-Уулу", "-", "'", "Асанова Бегимай",
     "١٢", "12", " 12", "Бишкек, ул. Ленина, д. 1", "X" * 41, "X" * 101, "X" * 301]
)  # fmt: skip
ISO_DATES = st.one_of(
    sx.birth_dates,
    st.dates(TODAY - timedelta(days=3), TODAY + timedelta(days=3)),  # around "today"
).map(date.isoformat)
# Per column: the values worth trying beside the row's own.
FIELD_VALUES = {
    4: st.sampled_from(["M", "F", "m", " M", "X"]),
    5: ISO_DATES,
    6: st.sampled_from(["KG", "RU", "kg", " KG", "K", "XX", "K1"]),
    7: st.sampled_from(["", "RU", "KG", "RU;KZ", "RU;", "ru", " RU", "KG;KZ"]),
    8: st.sampled_from(["0", "1", "2", " 1", ""]),
    9: st.sampled_from(["0", "1", "2", " 0", ""]),
    10: st.sampled_from(["0", "1", "2", "1 ", ""]),
    11: st.one_of(st.just(""), ISO_DATES, st.sampled_from([" ", "2001-02-29", "1990-1-01"])),
}


def _damaged(data: st.DataObject, values: list[str]) -> list[str]:
    values = list(values)
    # The dates decide the most (future, before birth, the PIN's date): damaged more often.
    fields = st.one_of(st.integers(0, len(COLUMNS) - 1), st.sampled_from([5, 11]))
    for field in data.draw(st.sets(fields, max_size=4)):
        choices = [ODD, st.text(max_size=8)]
        if field in FIELD_VALUES:
            choices.insert(0, FIELD_VALUES[field])
        values[field] = data.draw(st.one_of(*choices))
    if data.draw(st.integers(0, 9)) < 7:  # mostly a PIN that agrees with birth date and sex
        birth, sex = values[5].strip(), values[4].strip()
        if len(birth) == 10:
            digit = {"F": "1", "M": "2"}.get(sex, "3")
            values[0] = f"{digit}{birth[8:10]}{birth[5:7]}{birth[0:4]}00042"
    return values


@settings(max_examples=500, deadline=None)
@given(data=st.data(), as_text=st.booleans())
def test_cached_checks_decide_as_the_general_parser(registry, data, as_text: bool) -> None:
    rows, stations = registry
    checker = CachedRowChecker(stations, RULES, TODAY, as_text)
    for _ in range(4):  # several rows through one checker: its caches must not leak
        values = _damaged(data, data.draw(st.sampled_from(rows)))
        line = data.draw(st.integers(2, 10_000))
        assert checker.check(line, values) == _general(line, values, stations, as_text)


def test_plain_rows_take_the_cached_path(registry) -> None:
    rows, stations = registry
    checker = CachedRowChecker(stations, RULES, TODAY, True)
    quick = [checker._quick(values, digest(values)) for values in rows]
    taken = [q for q in quick if q is not None]
    assert len(taken) >= 0.95 * len(rows)
    for values, cached in zip(rows, quick, strict=True):
        if cached is not None:
            assert cached == _general(2, values, stations, True)


def test_sqlite_rows_carry_integers_and_text_dates(registry) -> None:
    rows, stations = registry
    stored = CachedRowChecker(stations, RULES, TODAY, True).check(2, rows[0])
    assert not isinstance(stored, Reject)
    assert all(type(stored[i]) is int for i in (10, 11, 12, 17))
    assert isinstance(stored[7], str)
    other = CachedRowChecker(stations, RULES, TODAY, False).check(2, rows[0])
    assert not isinstance(other, Reject)
    assert all(type(other[i]) is bool for i in (10, 11, 12, 17))
    assert isinstance(other[7], date)


STATE_ODD = st.sampled_from(
    ["A\x1fB", " Бишкек", "Бишкек ", "\x1f", "0012", " 12", "12"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(data=st.data(), as_text=st.booleans())
def test_states_kept_while_checking_match_the_stored_rows(registry, data, as_text: bool) -> None:
    """The import's workers keep each accepted row's state from cached pieces; it must be the
    state the state check computes from the stored row (``statedigest.state``), whatever
    spaces, separators, odd station numbers or other damage the row carried."""
    from shailoo.register import statedigest

    rows, stations = registry
    numbers = {pk: str(number) for number, pk in stations.items()}
    checker = CachedRowChecker(stations, RULES, TODAY, as_text, stating=True)
    accepted = []
    for _ in range(4):
        values = _damaged(data, data.draw(st.sampled_from(rows)))
        for field in data.draw(st.sets(st.sampled_from([1, 12, 13, 14]), max_size=2)):
            values[field] = data.draw(STATE_ODD)
        stored = checker.check(2, values)
        if not isinstance(stored, Reject):
            accepted.append(stored)
    states = checker.take_states()
    size = statedigest.STATE_SIZE
    assert len(states) == size * len(accepted)
    for n, stored in enumerate(accepted):
        expected = statedigest.state(statedigest.stored_texts(stored[:19], None, numbers))
        assert states[n * size : (n + 1) * size] == expected
    assert checker.take_states() == b""


def test_plain_rows_keep_their_states_the_quick_way(registry) -> None:
    from shailoo.register import statedigest

    rows, stations = registry
    numbers = {pk: str(number) for number, pk in stations.items()}
    checker = CachedRowChecker(stations, RULES, TODAY, True, stating=True)
    stored = [checker.check(2, values) for values in rows]
    states = checker.take_states()
    size = statedigest.STATE_SIZE
    for n, row in enumerate(r for r in stored if not isinstance(r, Reject)):
        texts = statedigest.stored_texts(row[:19], None, numbers)
        assert states[n * size : (n + 1) * size] == statedigest.state(texts)
