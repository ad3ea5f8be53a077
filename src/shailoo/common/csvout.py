"""Writing CSV that people open in spreadsheets: nothing in a cell runs as a formula (pure).

Every CSV the project writes for people — precinct lists (command line and portal), the
results export, the rejects file of an importer, duplicate pairs, audit pull lists — goes
through :func:`format_row` or :class:`Writer`. Cells come from files and forms that anyone may
have written (a name ``=HYPERLINK("http://…")`` refused by an importer is copied into its
rejects file), and a spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@``
as a formula (and some also after a tab or a carriage return): CSV injection.

The rule, after OWASP's recommendation on CSV injection:

* a cell is **neutralised** when its text begins with one of :data:`FORMULA_START` (``= + - @``,
  tab, carriage return, and the full-width ``＝ ＋ － ＠``) and it is not a plain number: it is
  written with a single quote ``'`` in front, and quoted — spreadsheets show the text as
  text, and the quote tells a reader what happened;
* a **plain number** (``-12``, ``+3``, ``-0.5``, ``1e-3``: ASCII digits with an optional sign,
  fraction and exponent) is written as it is, whether it came as a number or as text: a
  negative count stays a number, and no formula fits in that shape;
* otherwise cells are written as :mod:`csv` writes them (RFC 4180, quoted only when they
  contain ``,`` ``"`` or a line end; ``None`` is empty), so an export without a dangerous
  cell is byte for byte what ``csv.writer`` would have written.

Readers that take such a file back (none in Shailoo does) must drop the leading quote of a
quoted cell that starts with ``'`` followed by a formula character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

#: First characters that make a spreadsheet read a cell as a formula (or skip to one).
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet must show it: ``'`` in front when it would start a formula."""
    if text and text[0] in FORMULA_START and _PLAIN_NUMBER.fullmatch(text) is None:
        return "'" + text
    return text


def format_cell(value: object) -> str:
    """One cell as written in a row: neutralised, then quoted when needed (or neutralised)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text and text[0] in FORMULA_START and _PLAIN_NUMBER.fullmatch(text) is None:
        return "\"'" + text.replace('"', '""') + '"'
    if _NEEDS_QUOTES.search(text) is not None:
        return '"' + text.replace('"', '""') + '"'
    return text


def format_row(values: Iterable[object], lineterminator: str = "\r\n") -> str:
    """One CSV record, ending with ``lineterminator`` (``\\r\\n`` as RFC 4180 and :mod:`csv`)."""
    cells = [format_cell(value) for value in values]
    if cells == [""]:
        cells = ['""']  # as csv.writer: a lone empty cell is not a blank line
    return ",".join(cells) + lineterminator


class _TextOut(Protocol):
    def write(self, text: str, /) -> object: ...


class Writer:
    """A ``csv.writer`` look-alike over a text file (opened with ``newline=""``)."""

    def __init__(self, out: _TextOut, lineterminator: str = "\r\n") -> None:
        self.out = out
        self.lineterminator = lineterminator

    def writerow(self, values: Iterable[object]) -> str:
        """Write one row; returns the text written."""
        text = format_row(values, self.lineterminator)
        self.out.write(text)
        return text

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for values in rows:
            self.writerow(values)
