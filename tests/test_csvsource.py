"""Streaming CSV: line numbers and resume offsets stay exact whatever the file holds."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.common.csvsource import CsvSource, Reject, Row

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
