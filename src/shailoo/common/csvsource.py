"""Streaming CSV reading that never loses its place.

Every importer reads through :class:`CsvSource`: it streams a file in binary, decodes each
physical line on its own (so one badly encoded line becomes one located reject instead of
aborting the file), hands lines to :mod:`csv`, and knows for each row the line it started
on and the byte offset just after it — the resume point an importer commits with each
batch.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput


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


def redact(text: str) -> str:
    """Mask anything that looks like a 14-digit PIN before a raw line is stored or printed."""
    return _PIN_LIKE.sub(lambda m: m.group(0)[0] + "*" * 11 + m.group(0)[-2:], text)[:300]


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
        self._offset = 0
        self._line = 0
        self._row_start: int | None = None
        self._pending: list[Reject] = []
        #: True when everything read so far has been yielded: the offset is then a safe
        #: resume point. (A badly encoded line is reported before the row read after it.)
        self.settled = True

    def read_header(self, fh: BinaryIO) -> None:
        """Read and check the header line; map column names to positions."""
        raw = fh.readline()
        self._offset = len(raw)
        self._line = 1
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise HeaderError(str(self.path), f"header is not valid UTF-8 ({exc.reason})") from exc
        names = [name.strip() for name in next(csv.reader([text]), [])]
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

    def _lines(self, fh: BinaryIO) -> Iterator[str]:
        for raw in fh:
            self._line += 1
            self._offset += len(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._pending.append(
                    Reject(
                        "",
                        f"not valid UTF-8 at byte {exc.start} of the line ({exc.reason})",
                        self._line,
                        raw=redact(raw[:300].decode("utf-8", "replace").rstrip("\r\n")),
                    )
                )
                continue
            if self._row_start is None:
                self._row_start = self._line
            yield text

    def __iter__(self) -> Iterator[Row | Reject]:
        width = len(self.columns)
        with self.path.open("rb") as fh:
            self.read_header(fh)
            if self.start_offset > self._offset:
                fh.seek(self.start_offset)
                self._offset = self.start_offset
                self._line = self.start_line
            reader = csv.reader(self._lines(fh), strict=True)
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    yield from self._drain(settled=False)
                    line = self._row_start or self._line
                    self._row_start = None
                    self.settled = True
                    yield Reject("", f"malformed CSV: {exc}", line)
                    continue
                yield from self._drain(settled=False)
                line = self._row_start or self._line
                self._row_start = None
                self.settled = True
                if not values:
                    continue
                if len(values) != width:
                    yield Reject(
                        "",
                        f"expected {width} columns, found {len(values)}",
                        line,
                        raw=redact(",".join(values)),
                    )
                    continue
                yield Row(line, self._offset, values)
            yield from self._drain(settled=True)

    def _drain(self, *, settled: bool) -> Iterator[Reject]:
        if self._pending:
            pending, self._pending = self._pending, []
            self.settled = settled
            yield from pending

    @property
    def offset(self) -> int:
        """Byte offset just after the last physical line read."""
        return self._offset

    @property
    def line(self) -> int:
        """Number of the last physical line read."""
        return self._line
