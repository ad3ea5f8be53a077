"""Streaming CSV: line numbers and resume offsets stay exact whatever the file holds."""

from __future__ import annotations

import csv
import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.common.csvsource import MAX_LINE_BYTES, MAX_RECORD_LINES, CsvSource, Reject, Row
from shailoo.geo.importer import COLUMNS as GEO_COLUMNS
from shailoo.register.rows import COLUMNS as PERSON_COLUMNS
from shailoo.synth.geography import generate_geography, write_geography_csv
from shailoo.synth.population import write_population_csv

COLS = ("a", "b")


def _write(tmp: Path, rows: list[tuple[str, str]]) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLS)
    writer.writerows(rows)
    path = tmp / "f.csv"
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return path


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(sx.csv_cells.filter(bool), sx.csv_cells), max_size=20), st.integers(0, 19)
)
def test_rows_round_trip_and_resume_from_any_row(
    tmp_path_factory, rows: list[tuple[str, str]], cut: int
) -> None:
    path = _write(tmp_path_factory.mktemp("csv"), rows)
    read = [item for item in CsvSource(path, COLS) if isinstance(item, Row)]
    assert [tuple(r.values) for r in read] == rows
    if rows and cut < len(rows):
        resume = read[cut]
        rest = [
            tuple(item.values)
            for item in CsvSource(path, COLS, resume.end_offset, resume.line)
            if isinstance(item, Row)
        ]
        assert rest == rows[cut + 1 :]


def test_bad_encoding_and_width_are_located(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\nx,y\n\xff\xfe,z\n1,2,3\n"multi\nline",ok\nlast,row\n')
    items = list(CsvSource(path, COLS))
    rejects = [(i.line, i.why.split(" ")[0]) for i in items if isinstance(i, Reject)]
    assert rejects == [(3, "not"), (4, "expected")]
    rows = [(i.line, i.values) for i in items if isinstance(i, Row)]
    assert rows == [(2, ["x", "y"]), (5, ["multi\nline", "ok"]), (7, ["last", "row"])]


def test_pins_are_redacted_in_raw_text(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("a,b\n21501199012345,x,extra\n", encoding="utf-8")
    (reject,) = list(CsvSource(path, COLS))
    assert isinstance(reject, Reject) and "21501199012345" not in reject.raw


# --- a reader never loses a row without saying so ------------------------------------------------


def _physical_lines(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _accounted(source: CsvSource, items: list[Row | Reject], path: Path) -> None:
    """Every physical line is the header, an item, a blank line or a continuation line."""
    assert source.line == _physical_lines(path)
    assert 1 + len(items) + source.blank + source.continued == source.line


def _open_quote_at_end(line: bytes) -> bytes:
    """The last field opens a quote that the line does not close."""
    head, last = line.rsplit(b",", 1)
    return head + b',"' + last


@pytest.fixture(scope="module")
def population_lines(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    path = tmp_path_factory.mktemp("population") / "population.csv"
    write_population_csv(path, 5, 1000, generate_geography(5, 12))
    return path.read_bytes().splitlines(keepends=True)


@pytest.mark.parametrize("at", [2, 500, 1000])  # the first row, the middle, the last
def test_an_open_quote_refuses_its_row_only_and_reading_resumes_at_the_next_line(
    tmp_path: Path, population_lines: list[bytes], at: int
) -> None:
    lines = list(population_lines)
    lines[at - 1] = _open_quote_at_end(lines[at - 1])
    path = tmp_path / "population.csv"
    path.write_bytes(b"".join(lines))
    source = CsvSource(path, PERSON_COLUMNS)
    items = list(source)
    (reject,) = [item for item in items if isinstance(item, Reject)]
    assert (reject.line, reject.where) == (at, "station")
    assert "not closed" in reject.why and f"resumes on line {at + 1}" in reject.why
    rows = [item for item in items if isinstance(item, Row)]
    assert [row.line for row in rows] == [n for n in range(2, 1002) if n != at]
    assert len(rows) == 999 and all(len(row.values) == 15 for row in rows)
    _accounted(source, items, path)


def test_an_open_quote_in_a_geography_file_refuses_that_row_only(tmp_path: Path) -> None:
    path = tmp_path / "geography.csv"
    write_geography_csv(generate_geography(5, 300), path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[150] = _open_quote_at_end(lines[150])  # line 151: the capacity's quote stays open
    lines[151] = lines[151].replace(b",", b",\"a'", 1)  # line 152: a letter after a quote
    path.write_bytes(b"".join(lines))
    source = CsvSource(path, GEO_COLUMNS)
    items = list(source)
    rejects = [(item.line, item.where) for item in items if isinstance(item, Reject)]
    assert rejects == [(151, "capacity"), (152, "name")]
    assert len([item for item in items if isinstance(item, Row)]) == 298
    _accounted(source, items, path)


def test_a_quote_left_open_in_a_file_without_quotes_is_bounded(tmp_path: Path) -> None:
    rows = [f"{i},x{i}\n" for i in range(40)]
    rows[10] = '10,"x10\n'  # nothing after it would ever close the quote
    path = tmp_path / "f.csv"
    path.write_text("a,b\n" + "".join(rows), encoding="utf-8")
    source = CsvSource(path, COLS)
    items = list(source)
    (reject,) = [item for item in items if isinstance(item, Reject)]
    assert (reject.line, reject.where) == (12, "b")
    assert f"{MAX_RECORD_LINES} lines" in reject.why
    assert [item.values for item in items if isinstance(item, Row)] == [
        [str(i), f"x{i}"] for i in range(40) if i != 10
    ]
    _accounted(source, items, path)


def test_a_quoted_field_may_run_over_a_few_lines(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('a,b\nx,"one\ntwo\nthree"\ny,z\n\n', encoding="utf-8")
    source = CsvSource(path, COLS)
    items = list(source)
    assert [(i.line, i.values) for i in items if isinstance(i, Row)] == [
        (2, ["x", "one\ntwo\nthree"]),
        (5, ["y", "z"]),
    ]
    assert (source.continued, source.blank) == (2, 1)
    _accounted(source, items, path)


def test_bad_utf8_inside_a_quoted_field_refuses_that_row_and_keeps_the_next(
    tmp_path: Path,
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\nx,"multi\n\xff\xfeline"\nnext,row\n"quoted \xc3",ok\nlast,one\n')
    source = CsvSource(path, COLS)
    items = list(source)
    rejects = [(i.line, i.where, i.why) for i in items if isinstance(i, Reject)]
    assert rejects == [
        (2, "b", "not valid UTF-8 at byte 0 of line 3 (invalid start byte)"),
        (5, "a", "not valid UTF-8 at byte 8 of line 5 (invalid continuation byte)"),
    ]
    assert [(i.line, i.values) for i in items if isinstance(i, Row)] == [
        (4, ["next", "row"]),
        (6, ["last", "one"]),
    ]
    assert all("\ufffd" in i.raw for i in items if isinstance(i, Reject))
    _accounted(source, items, path)


def test_a_10_mb_line_is_refused_alone_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    with path.open("wb") as fh:
        fh.write(b"a,b\nx,y\n")
        fh.write(b"1," + b"z" * (10 << 20) + b"\n")  # line 3
        fh.write(b'next,row\n"open,\n' + b"q" * (10 << 20) + b"\n")  # lines 4, 5, 6
        fh.write(b"after,it\n" + b"w" * (10 << 20))  # lines 7 and 8, without a newline
    tracemalloc.start()
    try:
        source = CsvSource(path, COLS)
        items = list(source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 << 20  # a few buffers of MAX_LINE_BYTES, never the line
    shown = [(i.line, type(i).__name__, getattr(i, "values", None)) for i in items]
    assert shown == [
        (2, "Row", ["x", "y"]),
        (3, "Reject", None),
        (4, "Row", ["next", "row"]),
        (5, "Reject", None),
        (6, "Reject", None),
        (7, "Row", ["after", "it"]),
        (8, "Reject", None),
    ]
    assert f"longer than {MAX_LINE_BYTES} bytes" in items[1].why
    _accounted(source, items, path)
    assert source.offset == path.stat().st_size


_DAMAGE = st.sampled_from([b'"', b'"', b"\n", b"\r\n", b"\xff", b",", b'",', b'x"'])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(sx.csv_cells, sx.csv_cells), max_size=12),
    st.lists(st.tuples(st.integers(0, 10_000), _DAMAGE), max_size=4),
)
def test_damage_anywhere_keeps_every_line_accounted_and_resumes_alike(
    tmp_path_factory, rows: list[tuple[str, str]], damage: list[tuple[int, bytes]]
) -> None:
    path = _write(tmp_path_factory.mktemp("csv"), rows)
    data = path.read_bytes()
    header = len(b"a,b\n")
    for at, piece in damage:
        at = header + at % (len(data) - header + 1)
        data = data[:at] + piece + data[at:]
    path.write_bytes(data)
    source = CsvSource(path, COLS)
    items = list(source)
    _accounted(source, items, path)

    def seen(found: list[Row | Reject]) -> list[tuple]:
        return [(i.line, i.values if isinstance(i, Row) else i.why) for i in found]

    for k, item in enumerate(items):  # any row's end is a resume point: the same rest follows
        if isinstance(item, Row):
            before = data[: item.end_offset]
            last_line = before.count(b"\n") + (0 if before.endswith(b"\n") else 1)
            rest = list(CsvSource(path, COLS, item.end_offset, last_line))
            assert seen(rest) == seen(items[k + 1 :])


def test_a_nul_byte_refuses_its_row_and_never_reaches_a_stored_text(tmp_path: Path) -> None:
    """Found by the fuzz suite on PostgreSQL: text columns there cannot hold U+0000."""
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\nx,y\nbad\x00cell,z\nlast,row\n")
    items = list(CsvSource(path, COLS))
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [(r.line, r.where) for r in rejects] == [(3, "a")]
    assert all("\x00" not in r.raw and "\x00" not in r.why for r in rejects)
    assert [i.values for i in items if isinstance(i, Row)] == [["x", "y"], ["last", "row"]]
