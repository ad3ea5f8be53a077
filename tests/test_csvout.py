"""CSV written for spreadsheets: no cell starts a formula, and the data still round-trips."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

import strategies as sx
from shailoo.common.csvout import Writer, format_cell, format_row, neutralise


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_formula_cells_get_a_quote_in_front_and_are_quoted() -> None:
    assert format_cell('=HYPERLINK("http://evil","x")') == '"\'=HYPERLINK(""http://evil"",""x"")"'
    for cell in ("=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1", "－", "-"):
        written = format_cell(cell)
        assert written.startswith("\"'"), cell
        assert _read(written + "\n") == [["'" + cell]]


def test_numbers_stay_numbers_and_plain_text_is_what_csv_writes() -> None:
    assert format_row([-12, "-12", "+3", "-0.5", "1e-3", -1.25, 0, None, "Асанов"]) == (
        "-12,-12,+3,-0.5,1e-3,-1.25,0,,Асанов\r\n"
    )
    row = ["a,b", 'say "hi"', "two\nlines", "", " x ", "Өмүр-Бек", 7]
    plain = io.StringIO(newline="")
    csv.writer(plain).writerow(row)
    assert format_row(row) == plain.getvalue()
    assert format_row([""]) == '""\r\n'  # a lone empty cell is not a blank line
    assert format_row(["x"], lineterminator="\n") == "x\n"


def test_writer_writes_rows_and_returns_each_line() -> None:
    out = io.StringIO(newline="")
    writer = Writer(out, lineterminator="\n")
    assert writer.writerow(["=1", 2]) == '"\'=1",2\n'
    writer.writerows([["a"], ["-b"]])
    assert out.getvalue() == '"\'=1",2\na\n"\'-b"\n'


@given(st.lists(sx.hostile_cells, min_size=1, max_size=6))
def test_no_written_cell_starts_a_formula_and_every_cell_comes_back(cells: list[str]) -> None:
    (back,) = _read(format_row(cells))
    assert len(back) == len(cells)
    for cell, read in zip(cells, back, strict=True):
        if read and read[0] in sx.FORMULA_STARTS:
            # Only a plain number may start with a sign: no formula fits in that shape.
            assert read == cell and read[0] in "+-" and float(read) == float(read)
        elif read != cell:
            assert read == "'" + cell and cell and cell[0] in sx.FORMULA_STARTS
        assert neutralise(cell) == read
