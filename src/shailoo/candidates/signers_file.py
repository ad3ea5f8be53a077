"""Signer lists of signature sheets: the CSV a nomination's sheets are typed into (pure).

One row per signature, columns ``sheet,line,collector,pin,surname,given_name,patronymic,
signed_on``: the sheet's number, the line on the sheet, the collector's id (who certified the
sheet), the signer's PIN, the names as the signer wrote them, and the day of signing
(ISO ``YYYY-MM-DD``). The header must carry exactly these columns, in any order.

A row that cannot be read — not well-formed CSV, bytes that are not UTF-8, a PIN that fails
``register.pin.check_pin``, a date that is no date or lies after ``today``, a missing surname or
given name, a name with characters no name holds — is **kept** as a malformed signature with
its located :class:`Problem`: it is one of the signatures submitted, counted invalid with the
reason ``MALFORMED``, and it does not stop the other rows.

Rows become columns (:class:`Signers`): numpy arrays, a few dozen bytes a signature, grown
through :mod:`array` while the file streams; no Python object is kept per row except the
problems of malformed rows. The written name is kept only as the 64-bit hash of its matching
key under the register's normalisation (:func:`name_hash`), which is all the verification
compares: "Маматов"/"Mamatov"/"МАМАТОВ" give one key, "Мамытов" gives another.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from shailoo.common.csvsource import CsvSource, Reject
from shailoo.common.problems import Problem
from shailoo.register.names import key_and_latin, name_problem
from shailoo.register.pin import check_pin

COLUMNS: tuple[str, ...] = (
    "sheet",
    "line",
    "collector",
    "pin",
    "surname",
    "given_name",
    "patronymic",
    "signed_on",
)
#: Largest sheet or line number (nine digits, as for the other numbered documents).
MAX_NUMBER = 999_999_999
#: Longest collector id and name part, as the database columns hold them.
MAX_COLLECTOR = 40
MAX_NAME = 100
#: Problems kept with their text; a malformed row past them keeps its reason and line only.
MAX_PROBLEMS = 100_000
#: ``Signers.problem`` of a malformed row whose problem was not kept (past MAX_PROBLEMS).
PROBLEM_NOT_KEPT = -2

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COLLECTOR = re.compile(r"[^\x00-\x1f\x7f]+")


def _whole(cell: str) -> bool:
    """``cell`` is a whole number from 1 to :data:`MAX_NUMBER` in ASCII digits."""
    return cell.isascii() and cell.isdigit() and len(cell) <= 9 and int(cell) > 0


def key_hash(key: str) -> int:
    """A name key's 64-bit hash (BLAKE2b, 8 bytes, read little-endian).

    Stable across processes and machines (Python's ``hash`` is not), so a register snapshot
    and a signer list hashed apart compare; 64 bits make a chance collision between a forged
    name and the register's (about 1 in 10^19 a pair) negligible.
    """
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def key_hashes(keys: Iterable[str]) -> npt.NDArray[np.uint64]:
    """:func:`key_hash` of each key, as a uint64 array."""
    blake = hashlib.blake2b
    raw = b"".join([blake(key.encode("utf-8"), digest_size=8).digest() for key in keys])
    return np.frombuffer(raw, dtype="<u8").astype(np.uint64)


#: Most entries in each of a builder's caches of cells already found good.
_CACHE_LIMIT = 200_000
_blake2b = hashlib.blake2b


def name_hash(surname: str, given_name: str, patronymic: str = "") -> int:
    """The hash of a written name's matching key, under the register's normalisation.

    The key is ``register.names.key_and_latin``'s, the one the register stores as
    ``name_key``; it normalises each distinct name part once (cached there), so a list of a
    million signers with a few thousand distinct surnames and given names costs a look-up
    and a hash a row.
    """
    key = key_and_latin(surname, given_name, patronymic)[0]
    return int.from_bytes(_blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True, eq=False)
class Signers:
    """Signatures as columns, one entry per row of the signer list, in file order.

    ``file_line`` is the row's physical line in the file; ``sheet`` and ``line`` are 0 and
    ``collector`` -1 where the row could not be read that far; ``pin`` is the PIN as an
    integer (0 where malformed), ``signed_on`` the day's ordinal (``date.toordinal``, 0 where
    malformed), ``name_hash`` the written name's :func:`name_hash`. ``problem`` is -1 for a
    well-formed row; for a malformed one, the index of its first problem in ``problems`` (the
    row's other problems follow it, on the same line), or :data:`PROBLEM_NOT_KEPT`.
    """

    file_line: npt.NDArray[np.int32]
    sheet: npt.NDArray[np.int32]
    line: npt.NDArray[np.int32]
    collector: npt.NDArray[np.int32]
    collectors: tuple[str, ...]
    pin: npt.NDArray[np.int64]
    signed_on: npt.NDArray[np.int32]
    name_hash: npt.NDArray[np.uint64]
    problem: npt.NDArray[np.int32]
    problems: tuple[Problem, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        n = len(self.file_line)
        columns = (self.sheet, self.line, self.collector, self.pin, self.signed_on)
        if any(len(column) != n for column in (*columns, self.name_hash, self.problem)):
            raise ValueError("signer columns must all have the same length")

    def __len__(self) -> int:
        return len(self.file_line)

    @property
    def malformed(self) -> npt.NDArray[np.bool_]:
        """Rows that could not be read as a signature."""
        return np.not_equal(self.problem, -1)

    def row_problems(self, row: int) -> tuple[Problem, ...]:
        """The problems of row ``row`` (empty for a well-formed row or one not kept)."""
        first = int(self.problem[row])
        if first < 0:
            return ()
        line = self.problems[first].line
        end = first + 1
        while end < len(self.problems) and self.problems[end].line == line:
            end += 1
        return self.problems[first:end]

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns."""
        columns = (self.file_line, self.sheet, self.line, self.collector, self.pin)
        return sum(c.nbytes for c in (*columns, self.signed_on, self.name_hash, self.problem))


class SignersBuilder:
    """Reads signer rows one by one into :class:`Signers`, checking each (see module doc).

    ``add`` takes one row's cells in :data:`COLUMNS` order (a CSV row, a form); ``reject``
    keeps a row that could not even be split into cells. ``today`` bounds the signing date.
    """

    def __init__(self, today: date, source: str = "") -> None:
        self.today = today
        self.source = source
        self._file_line = array("i")
        self._sheet = array("i")
        self._line = array("i")
        self._collector = array("i")
        self._pin = array("q")
        self._signed = array("i")
        self._hash = array("Q")
        self._problem = array("i")
        self.problems: list[Problem] = []
        self._collectors: dict[str, int] = {}
        self._dates: dict[str, int | str] = {}
        #: Name parts, sheet and line numbers, and PINs' first nine digits found good.
        self._good_parts: set[str] = set()
        self._numbers: dict[str, int] = {}
        self._pin_heads: set[str] = set()
        self.rows = 0
        self.malformed = 0

    def add(self, file_line: int, values: Sequence[str]) -> None:
        """One row of cells in :data:`COLUMNS` order, found at ``file_line``.

        A row whose cells were all seen before in good rows (the same collector, date, sheet
        and line numbers, name parts, PIN birth digits) takes a fast path of look-ups and the
        name's key; any other row is checked field by field.
        """
        if len(values) != len(COLUMNS):
            width = f"expected {len(COLUMNS)} columns, found {len(values)}"
            self.reject(Problem("", width, file_line))
            return
        sheet_cell, line_cell, collector_cell, pin_cell, surname, given, patronymic, signed = [
            value.strip() for value in values
        ]
        collector = self._collectors.get(collector_cell)
        signed_on = self._dates.get(signed)
        sheet, line = self._numbers.get(sheet_cell), self._numbers.get(line_cell)
        good = self._good_parts
        if (
            collector is not None
            and type(signed_on) is int
            and sheet is not None
            and line is not None
            and surname in good
            and given in good
            and (not patronymic or patronymic in good)
            # check_pin depends only on the form and the first nine digits (sex and birth
            # date): a PIN of that form whose first nine digits passed it before passes.
            and len(pin_cell) == 14
            and pin_cell.isascii()
            and pin_cell.isdigit()
            and pin_cell[:9] in self._pin_heads
        ):
            self.rows += 1
            self._file_line.append(file_line)
            self._sheet.append(sheet)
            self._line.append(line)
            self._collector.append(collector)
            self._pin.append(int(pin_cell))
            self._signed.append(signed_on)
            self._hash.append(name_hash(surname, given, patronymic))
            self._problem.append(-1)
            return
        found: list[Problem] = []
        sheet = self._number("sheet", sheet_cell, found)
        line = self._number("line", line_cell, found)
        collector = self._collector_index(collector_cell, found)
        pin_problem = check_pin(pin_cell)
        if pin_problem is not None:
            found.append(pin_problem)
        elif len(self._pin_heads) < _CACHE_LIMIT:
            self._pin_heads.add(pin_cell[:9])
        hashed = self._name_hash(surname, given, patronymic, found)
        signed_on = self._date(signed, found)
        pin = int(pin_cell) if pin_problem is None else 0
        self._append(file_line, sheet, line, collector, pin, signed_on, hashed or 0, found)

    def reject(self, problem: Problem) -> None:
        """A row that could not be read at all (``problem.line`` is its line)."""
        self._append(problem.line or 0, 0, 0, -1, 0, 0, 0, [problem])

    def _append(
        self,
        file_line: int,
        sheet: int,
        line: int,
        collector: int,
        pin: int,
        signed_on: int,
        hashed: int,
        found: list[Problem],
    ) -> None:
        self.rows += 1
        self._file_line.append(file_line)
        self._sheet.append(sheet)
        self._line.append(line)
        self._collector.append(collector)
        self._pin.append(pin)
        self._signed.append(signed_on)
        self._hash.append(hashed)
        if not found:
            self._problem.append(-1)
            return
        self.malformed += 1
        if len(self.problems) + len(found) > MAX_PROBLEMS:
            self._problem.append(PROBLEM_NOT_KEPT)
            return
        self._problem.append(len(self.problems))
        self.problems.extend(
            Problem(p.where, p.why, file_line or p.line, self.source or p.source) for p in found
        )

    def _number(self, column: str, cell: str, found: list[Problem]) -> int:
        if not _whole(cell):
            found.append(Problem(column, f"must be a whole number from 1 to {MAX_NUMBER}"))
            return 0
        number = int(cell)
        if len(self._numbers) < _CACHE_LIMIT:
            self._numbers[cell] = number
        return number

    def _collector_index(self, cell: str, found: list[Problem]) -> int:
        index = self._collectors.get(cell)
        if index is not None:
            return index
        if not cell:
            found.append(Problem("collector", "missing: every sheet is certified by a collector"))
            return -1
        if len(cell) > MAX_COLLECTOR or _COLLECTOR.fullmatch(cell) is None:
            found.append(
                Problem("collector", f"must be at most {MAX_COLLECTOR} printable characters")
            )
            return -1
        index = self._collectors[cell] = len(self._collectors)
        return index

    def _name_hash(
        self, surname: str, given: str, patronymic: str, found: list[Problem]
    ) -> int | None:
        """The written name's :func:`name_hash`, or None with its problems."""
        before = len(found)
        for column, part, required in (
            ("surname", surname, True),
            ("given_name", given, True),
            ("patronymic", patronymic, False),
        ):
            if not part:
                if required:
                    found.append(Problem(column, "missing"))
                continue
            if len(part) > MAX_NAME:
                found.append(Problem(column, f"longer than {MAX_NAME} characters"))
                continue
            why = name_problem(part)
            if why is not None:
                found.append(Problem(column, why))
        if len(found) > before:
            return None
        if len(self._good_parts) < _CACHE_LIMIT:
            self._good_parts.update(part for part in (surname, given, patronymic) if part)
        return name_hash(surname, given, patronymic)

    def _date(self, cell: str, found: list[Problem]) -> int:
        """The signing day's ordinal; 0 with a problem for no ISO date or a day after today."""
        known = self._dates.get(cell)
        if known is None:
            known = self._parse_date(cell)
            if len(self._dates) < _CACHE_LIMIT:
                self._dates[cell] = known
        if isinstance(known, str):
            found.append(Problem("signed_on", known))
            return 0
        return known

    def _parse_date(self, cell: str) -> int | str:
        if _ISO_DATE.fullmatch(cell) is None:
            return "must be a date written YYYY-MM-DD"
        try:
            day = date.fromisoformat(cell)
        except ValueError:
            return "is not a date of the calendar"
        if day > self.today:
            return f"after today ({self.today.isoformat()}): a signature cannot be dated ahead"
        return day.toordinal()

    def build(self) -> Signers:
        """The columns read so far."""
        collectors = tuple(sorted(self._collectors, key=self._collectors.__getitem__))
        return Signers(
            file_line=np.frombuffer(self._file_line, dtype=np.intc).astype(np.int32),
            sheet=np.frombuffer(self._sheet, dtype=np.intc).astype(np.int32),
            line=np.frombuffer(self._line, dtype=np.intc).astype(np.int32),
            collector=np.frombuffer(self._collector, dtype=np.intc).astype(np.int32),
            collectors=collectors,
            pin=np.frombuffer(self._pin, dtype=np.longlong).astype(np.int64),
            signed_on=np.frombuffer(self._signed, dtype=np.intc).astype(np.int32),
            name_hash=np.frombuffer(self._hash, dtype=np.ulonglong).astype(np.uint64),
            problem=np.frombuffer(self._problem, dtype=np.intc).astype(np.int32),
            problems=tuple(self.problems),
            source=self.source,
        )


def read_signers(path: Path, today: date, source: str = "") -> Signers:
    """Read a signer list (see the module doc); every row is kept, malformed ones located.

    A header that is not exactly :data:`COLUMNS` refuses the whole file
    (``csvsource.HeaderError``, located at line 1): a file of another layout is not a signer
    list. ``source`` names the file in problems (default: its name).
    """
    builder = SignersBuilder(today, source or path.name)
    reader = CsvSource(path, COLUMNS)
    order: list[int] | None = None
    for item in reader:
        if isinstance(item, Reject):
            builder.reject(Problem(item.where, item.why, item.line))
            continue
        if order is None:
            order = [reader.index[column] for column in COLUMNS]
        values = item.values
        builder.add(item.line, [values[i] for i in order])
    return builder.build()
