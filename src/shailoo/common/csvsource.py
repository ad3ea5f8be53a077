"""Streaming CSV reading that never loses its place, nor a row.

Every importer reads through :class:`CsvSource`: it streams a file in binary, one physical line
at a time, hands the lines to :mod:`csv`, and knows for each row the line it started on and
the byte offset just after it — the resume point an importer commits with each batch.

**Nothing is lost without a word.** Every physical line after the header ends up in exactly
one of: a row (:class:`Row`), a refused row (:class:`Reject`, located by line, field and
reason), a blank line, or a continuation line of a row whose quoted field runs over a line
end (:attr:`CsvSource.blank` and :attr:`CsvSource.continued` count the last two). So
``lines = 1 (header) + rows and rejects + blank + continued``, and importers print it.

**Bounded records, resynchronised at the next line.** A quoted field may run over line ends,
but a record may span at most :data:`MAX_RECORD_LINES` physical lines and
:data:`MAX_RECORD_BYTES` bytes, and a physical line may hold at most :data:`MAX_LINE_BYTES`
bytes (memory stays bounded whatever the file holds). A row that is not well-formed CSV — a
quote left open, a character after a closing quote, a record over those bounds — is refused
at the line it started on, and reading starts again at the *next physical line*: the lines
the broken row had swallowed are read again as rows of their own. An over-long line is
refused by itself and reading continues after its newline. A row whose bytes are not valid
UTF-8 is refused with the line, the field and the byte (the quotes in it still count, so a
bad byte inside a quoted field does not shift the rows after it). Reading from any resume
offset gives exactly the rows a reading from the start gives after that offset, which is how
the register's parallel preparation can cut a file into byte ranges.

Small files read whole, whose cells never hold a line end (seat counts, audit files), read
through :class:`SingleLineReader`: one record per line, a quote left open refused at its line.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

#: Longest physical line accepted, in bytes, not counting its line end.
MAX_LINE_BYTES = 64 * 1024
#: Most physical lines one record (a row whose quoted field runs over line ends) may span.
MAX_RECORD_LINES = 5
#: Most bytes one record may hold, line ends included.
MAX_RECORD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Reject(Problem):
    """One refused row: a :class:`Problem` (``where`` the field, ``why``, the ``line``).

    ``raw`` keeps the row's text (PIN-like digits masked, see :func:`redact`) for the rejects
    file, whose columns stay ``line, field, reason, raw``.
    """

    raw: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row with its first physical line and the byte offset just after it."""

    line: int
    end_offset: int
    values: list[str]


_PIN_LIKE = re.compile(r"\d{14}")
_UNDECODED = re.compile("[\udc80-\udcff]")


def mask_pins(text: str) -> str:
    """Mask every 14-digit run (a PIN's shape) in ``text``: first digit and last two kept."""
    return _PIN_LIKE.sub(lambda m: m.group(0)[0] + "*" * 11 + m.group(0)[-2:], text)


def redact(text: str) -> str:
    """Mask anything that looks like a 14-digit PIN before a raw line is stored or printed,
    and write a NUL as ``\\x00``: PostgreSQL's text columns cannot hold one."""
    return mask_pins(text).replace("\x00", "\\x00")[:300]


def _printable(text: str) -> str:
    """Text decoded with ``surrogateescape`` made printable (bad bytes become U+FFFD)."""
    if _UNDECODED.search(text) is None:
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class HeaderError(InvalidInput):
    """The file's header does not carry the columns the importer needs (``csv_header_invalid``).

    The one problem is located at line 1 of ``source``: ``str()`` ends ``FILE:1: reason``.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(
            "csv_header_invalid",
            "The file's header does not fit this import.",
            problems=[Problem("", reason, 1, source)],
        )


def file_sha256(path: Path) -> str:
    """Digest identifying a file's exact content, used to recognise a re-run or a resume."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _LineTooLong(Exception):
    """A physical line over :data:`MAX_LINE_BYTES`, met where a record starts."""


class _RecordBroken(Exception):
    """The open record cannot end well: over a bound, or an over-long line inside it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# A line read ahead, to be read again: its text (None for an over-long line), the byte offset
# just after it, its number, and where its bad UTF-8 is (byte, reason), if any.
_Line = tuple[str | None, int, int, tuple[int, str] | None]


class _Lines:
    """The physical lines of a file as its csv reader reads them, and the record they make.

    The csv reader asks for one line when a record starts and for more only while a quoted
    field is open; this iterator notes which lines the record took, enforces its bounds
    (raising to refuse it) and can be told to hand lines out again (``ahead``).
    """

    def __init__(self, readline: Callable[[int], bytes], offset: int, line: int) -> None:
        self.readline = readline
        #: Byte offset just after, and number of, the last line the current item took.
        self.offset = offset
        self.line = line
        self.ahead: deque[_Line] = deque()
        # The record being read: its first line (0 before it), that line's text, the offset
        # before and after it, the lines after it, and the first bad UTF-8 in the record.
        self.start = 0
        self.first = ""
        self.start_offset = 0
        self.first_end = 0
        self.more: list[_Line] = []
        self.bad: tuple[int, int, str] | None = None

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.ahead:
            text, end, line, bad = self.ahead.popleft()
        else:
            raw = self.readline(MAX_LINE_BYTES + 1)
            if not raw:
                raise StopIteration
            line = self.line + 1
            end = self.offset + len(raw)
            bad = None
            if len(raw) > MAX_LINE_BYTES and raw[-1] != 10:  # no newline within the limit
                end += self._skip_rest_of_line()
                text = None
            else:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    # The quotes and commas in it still count: bad bytes refuse one field.
                    text = raw.decode("utf-8", "surrogateescape")
                    bad = (exc.start, exc.reason)
        if self.start:
            return self._continue(text, end, line, bad)
        self.start, self.start_offset, self.first_end = line, self.offset, end
        self.line, self.offset = line, end
        if text is None:
            raise _LineTooLong
        self.first = text
        if bad is not None:
            self.bad = (line, *bad)
        return text

    def _continue(self, text: str | None, end: int, line: int, bad: tuple[int, str] | None) -> str:
        """A line read while a quoted field is open: the record goes on, within its bounds."""
        self.more.append((text, end, line, bad))
        if text is None:
            raise _RecordBroken(f"line {line} is longer than {MAX_LINE_BYTES} bytes")
        if len(self.more) >= MAX_RECORD_LINES or end - self.start_offset > MAX_RECORD_BYTES:
            raise _RecordBroken(
                f"still open on line {line}, past the limit of {MAX_RECORD_LINES} lines "
                f"or {MAX_RECORD_BYTES} bytes for one row"
            )
        self.line, self.offset = line, end
        if bad is not None and self.bad is None:
            self.bad = (line, *bad)
        return text

    def _skip_rest_of_line(self) -> int:
        """Skip the rest of an over-long line, reading it in bounded pieces; bytes skipped."""
        skipped = 0
        while True:
            chunk = self.readline(1 << 16)
            skipped += len(chunk)
            if not chunk or chunk[-1] == 10:
                return skipped

    def new_record(self) -> None:
        self.start = 0
        self.bad = None

    def taken(self) -> int:
        """Close a record read whole: the number of lines it took after its first."""
        more = len(self.more)
        if more:
            self.more = []
        return more

    def read_again(self) -> None:
        """Drop the record but its first line: the lines after it are read again."""
        more, self.more = self.more, []
        self.ahead.extendleft(reversed(more))
        self.line, self.offset = self.start, self.first_end


class CsvSource:
    """Iterate a CSV file's data rows as :class:`Row` or :class:`Reject`.

    ``columns`` are the required header names; extra columns are an error because a
    registry extract with an unexpected layout is more likely a wrong file than a newer one.
    Reading can start at a byte offset and line number saved by an earlier run.
    """

    def __init__(
        self,
        path: Path,
        columns: tuple[str, ...],
        start_offset: int = 0,
        start_line: int = 1,
    ) -> None:
        self.path = path
        self.columns = columns
        self.start_offset = start_offset
        self.start_line = start_line
        self.index: dict[str, int] = {}
        self._names: list[str] = []
        self._lines = _Lines(_no_file, 0, 0)
        #: Blank lines, and continuation lines of rows read whole, met so far.
        self.blank = 0
        self.continued = 0

    def read_header(self, fh: BinaryIO) -> None:
        """Read and check the header line; map column names to positions."""
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise HeaderError(str(self.path), f"header longer than {MAX_LINE_BYTES} bytes")
        self._lines = _Lines(fh.readline, len(raw), 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise HeaderError(str(self.path), f"header is not valid UTF-8 ({exc.reason})") from exc
        try:
            names = [name.strip() for name in next(csv.reader([text], strict=True), [])]
        except csv.Error as exc:
            raise HeaderError(str(self.path), f"header is not well-formed CSV ({exc})") from exc
        missing = [c for c in self.columns if c not in names]
        extra = [n for n in names if n not in self.columns]
        if missing or extra:
            parts = []
            if missing:
                parts.append("missing column(s): " + ", ".join(missing))
            if extra:
                parts.append("unexpected column(s): " + ", ".join(extra))
            raise HeaderError(str(self.path), "; ".join(parts))
        if len(set(names)) != len(names):
            raise HeaderError(str(self.path), "a column name is repeated")
        self.index = {name: i for i, name in enumerate(names)}
        self._names = names

    def __iter__(self) -> Iterator[Row | Reject]:
        width = len(self.columns)
        with self.path.open("rb") as fh:
            self.read_header(fh)
            lines = self._lines
            if self.start_offset > lines.offset:
                fh.seek(self.start_offset)
                lines.offset, lines.line = self.start_offset, self.start_line
            reader = csv.reader(lines, strict=True)
            while True:
                lines.new_record()
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except _LineTooLong:
                    yield Reject("", f"line longer than {MAX_LINE_BYTES} bytes", lines.line)
                    continue
                except _RecordBroken as exc:
                    yield self._broken(exc.reason)
                    continue
                except csv.Error as exc:
                    if lines.more or str(exc) == "unexpected end of data":
                        yield self._broken(f"malformed CSV on line {lines.line}: {exc}")
                    elif lines.bad is not None:  # bad bytes on the line: say that first
                        yield self._undecodable([lines.first])
                    else:
                        where = self._field(_field_at_fault(lines.first))
                        yield self._reject(where, f"malformed CSV: {exc}", lines.first)
                    continue
                if not values:
                    self.blank += 1
                    continue
                if len(values) != width:
                    found = f"expected {width} columns, found {len(values)}"
                    if lines.more:
                        yield self._broken(f"{found} through line {lines.line}")
                    elif lines.bad is not None:
                        yield self._undecodable(values)
                    else:
                        yield self._reject("", found, ",".join(values))
                    continue
                if lines.more:
                    self.continued += lines.taken()
                if lines.bad is not None:
                    yield self._undecodable(values)
                    continue
                nul = next((i for i, value in enumerate(values) if "\x00" in value), None)
                if nul is not None:  # never in a text file; no database column can store it
                    yield self._reject(self._field(nul), "holds a NUL byte", ",".join(values))
                    continue
                yield Row(lines.start, lines.offset, values)

    # -- refusals ------------------------------------------------------------------------
    def _reject(self, where: str, why: str, text: str) -> Reject:
        raw = redact(_printable(text.rstrip("\r\n")))
        return Reject(where, why, self._lines.start, raw=raw)

    def _broken(self, detail: str) -> Reject:
        """Refuse a record whose quoted field does not close well, and resynchronise.

        The record is refused at its first line, naming the field whose quote opened there
        (the last field of that line, read leniently); the lines after it are read again.
        """
        lines = self._lines
        lines.read_again()
        where = self._field(_field_at_fault(lines.first))
        why = (
            f"a quoted field opened on this line is not closed properly ({detail}); "
            f"the row is refused and reading resumes on line {lines.start + 1}"
        )
        return self._reject(where, why, lines.first)

    def _field(self, at: int | None) -> str:
        return self._names[at] if at is not None and at < len(self._names) else ""

    def _undecodable(self, values: list[str]) -> Reject:
        """Refuse a record with bytes that are not UTF-8 (naming the field of a whole row)."""
        line, byte, reason = self._lines.bad or (self._lines.start, 0, "")
        at = next((i for i, v in enumerate(values) if _UNDECODED.search(v)), None)
        whole = len(values) == len(self._names)  # a row of the wrong width names no field
        where = self._names[at] if at is not None and whole else ""
        why = f"not valid UTF-8 at byte {byte} of line {line} ({reason})"
        return self._reject(where, why, ",".join(values))

    @property
    def offset(self) -> int:
        """Byte offset just after the last physical line read (a resume point)."""
        return self._lines.offset

    @property
    def line(self) -> int:
        """Number of the last physical line read."""
        return self._lines.line


def _field_at_fault(text: str) -> int | None:
    """Index of the field where ``text`` (one line) stops being RFC 4180, or None.

    That is the field with a character after its closing quote or a carriage return inside
    it, or the quoted field still open at the end of the line. Only for locating a refusal.
    """
    field, i, end = 0, 0, len(text.rstrip("\r\n"))
    quoted, start = False, True
    while i < end:
        char = text[i]
        if quoted:
            if char == '"':
                if text[i + 1 : i + 2] == '"':
                    i += 2
                    continue
                quoted = False
                if i + 1 < end and text[i + 1] != ",":
                    return field
        elif char == ",":
            field, start = field + 1, True
            i += 1
            continue
        elif char == '"' and start:
            quoted = True
        elif char == "\r":
            return field
        start = False
        i += 1
    return field if quoted else None


def _no_file(limit: int) -> bytes:
    raise RuntimeError("a source reads lines only once its header is read")


class SingleLineReader:
    """A strict ``csv.reader`` look-alike for small files whose records never span lines.

    For the commission's small input files read whole (seat counts, audit manifests and
    tallies): a party, a batch or an option never holds a line end, so a quoted field that
    is still open at the end of its line is a quote left open — refused at that line, not
    allowed to swallow the rows after it. Each physical line (``\\n`` or ``\\r\\n``) is one
    record: iteration gives its cells (``[]`` for a blank line) and sets ``line_num`` to its
    line; a line that is not well-formed CSV, or longer than :data:`MAX_LINE_BYTES`
    characters, raises :class:`csv.Error` with ``line_num`` on it, and the next call goes on
    with the next line.
    """

    def __init__(self, text: str) -> None:
        self._lines = text.split("\n")
        if self._lines and self._lines[-1] == "":
            self._lines.pop()  # the text ends with a line end: no line after it
        self.line_num = 0

    def __iter__(self) -> SingleLineReader:
        return self

    def __next__(self) -> list[str]:
        if self.line_num >= len(self._lines):
            raise StopIteration
        text = self._lines[self.line_num]
        self.line_num += 1
        if len(text) > MAX_LINE_BYTES:
            raise csv.Error(f"line longer than {MAX_LINE_BYTES} characters")
        try:
            return next(csv.reader([text], strict=True), [])
        except csv.Error as exc:
            if str(exc) == "unexpected end of data":
                raise csv.Error("a quoted field is not closed on its line") from None
            raise
