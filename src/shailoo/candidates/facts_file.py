"""Stated facts decided without registries: the file behind ``shailoo candidates explain``.

Commission staff check a nomination before it is filed by writing what the papers say into a
CSV file, one person a row, and reading back ``ref,verdict,rules``. Columns
(:data:`FACT_COLUMNS`), each cell stripped of surrounding spaces; **an empty cell is an
unknown fact**, whose rule comes out undecided (never a pass):

* ``ref``: the row's own reference, unique in the file (at most 64 characters, no control
  characters); it is copied to the output, neutralised as every cell Shailoo writes;
* ``office``: ``president``, ``jk_deputy`` or ``local_deputy`` — one the edition covers;
* ``birth_date``: ``YYYY-MM-DD``, not after polling day;
* ``citizenships``: ISO 3166-1 alpha-2 codes joined by ``;`` (``KG;RU``), or the word
  ``stateless`` for a person who holds none (an empty cell would be an unknown fact, so a
  stateless person needs a word of their own);
* ``residence_years``: years of residence as the office counts them (total years for the
  president, the last years for a deputy), a non-negative decimal with a point (``14.5``);
* ``state_language``: ``passed``, ``failed`` or ``not_taken``;
* ``education``: ``none``, ``secondary`` or ``higher``;
* ``criminal_record``: ``none``, ``expunged`` or ``unexpunged``;
* ``terms_served``: a non-negative whole number.

A bad row is a located :class:`Problem` (the column, the reason, the line, the file) for
every bad cell in it, and is left out of the output; every other row is still decided. A ref
seen on an earlier line is a problem too: the earlier row stands. Reading streams: memory
holds one row and the refs seen so far.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Final, TextIO, TypeVar, cast

from shailoo.candidates.rules import (
    CandidateFacts,
    CriminalRecord,
    Decision,
    Evidence,
    LanguageTest,
    decide,
)
from shailoo.common import csvout
from shailoo.common.csvsource import CsvSource, Reject
from shailoo.common.problems import Problem
from shailoo.law.schema import (
    EDUCATION_LEVELS,
    OFFICES,
    Candidates,
    Education,
    Office,
    OfficeRules,
)

T = TypeVar("T")

__all__ = [
    "FACT_COLUMNS",
    "MAX_PROBLEMS",
    "OUTPUT_COLUMNS",
    "STATELESS",
    "ExplainSummary",
    "FactsRow",
    "explain_file",
    "parse_facts",
    "read_facts",
    "rule_cell",
]

FACT_COLUMNS: Final[tuple[str, ...]] = (
    "ref",
    "office",
    "birth_date",
    "citizenships",
    "residence_years",
    "state_language",
    "education",
    "criminal_record",
    "terms_served",
)
OUTPUT_COLUMNS: Final[tuple[str, ...]] = ("ref", "verdict", "rules")
#: How a stateless person is stated in ``citizenships``.
STATELESS: Final = "stateless"
#: Problems kept for the report; the summary counts every rejected row beyond them.
MAX_PROBLEMS: Final = 1000
#: Where stated facts come from, in each check's evidence.
SOURCE: Final = "stated"

MAX_REF_CHARS = 64
MAX_RESIDENCE_YEARS = 150
MAX_TERMS_SERVED = 99
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_DECIMAL = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,4})?")
_INTEGER = re.compile(r"[0-9]{1,2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LANGUAGE_TESTS: tuple[LanguageTest, ...] = ("passed", "failed", "not_taken")
_RECORDS: tuple[CriminalRecord, ...] = ("none", "expunged", "unexpunged")


class _Bad(ValueError):
    """A cell that does not hold a value of its column (the message says why)."""


@dataclass(frozen=True, slots=True)
class FactsRow:
    """One good row: its line, its ref, the facts it states and its office's rules."""

    line: int
    ref: str
    facts: CandidateFacts
    rules: OfficeRules


@dataclass
class ExplainSummary:
    """What one run decided, and every problem met (the first :data:`MAX_PROBLEMS` kept).

    ``lines = 1 (header) + decided + rejected + other`` (blank lines and further lines of
    rows spread over several lines).
    """

    eligible: int = 0
    ineligible: int = 0
    undecided: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0
    other: int = 0

    @property
    def decided(self) -> int:
        return self.eligible + self.ineligible + self.undecided

    def line(self) -> str:
        """The run in one line, for the command's report."""
        return (
            f"decided {self.decided} (eligible {self.eligible}, ineligible {self.ineligible}, "
            f"undecided {self.undecided}), rejected {self.rejected}; {self.lines} lines"
        )

    def count(self, decision: Decision) -> None:
        if decision.verdict == "eligible":
            self.eligible += 1
        elif decision.verdict == "ineligible":
            self.ineligible += 1
        else:
            self.undecided += 1

    def refuse(self, problems: list[Problem]) -> None:
        self.rejected += 1
        room = MAX_PROBLEMS - len(self.problems)
        self.problems.extend(problems[: max(room, 0)])


# -- cells ---------------------------------------------------------------------------------


def _ref(text: str) -> str:
    if len(text) > MAX_REF_CHARS:
        raise _Bad(f"is longer than {MAX_REF_CHARS} characters")
    if _CONTROL.search(text):
        raise _Bad("holds a control character (a tab, a line end)")
    return text


def _office(text: str) -> Office:
    return cast(Office, _choice(text, OFFICES))


def _date(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise _Bad(f"{_quote(text)} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{_quote(text)} is not a date of the calendar") from None


def _citizenships(text: str) -> tuple[str, ...]:
    if text.lower() == STATELESS:
        return ()
    codes: list[str] = []
    for part in text.split(";"):
        code = part.strip()
        if code.lower() == STATELESS:
            raise _Bad(f"{STATELESS!r} cannot stand beside a citizenship")
        if not _COUNTRY.fullmatch(code):
            raise _Bad(
                f"{_quote(code)} is not a two-letter ISO 3166-1 country code; write codes "
                f"joined by ';' (KG;RU), or {STATELESS!r}"
            )
        if code.upper() not in codes:
            codes.append(code.upper())
    return tuple(codes)


def _years(text: str) -> Decimal:
    if not _DECIMAL.fullmatch(text):
        raise _Bad(
            f"{_quote(text)} is not a number of years: digits with an optional decimal point "
            "and up to 4 decimals (14.5)"
        )
    years = Decimal(text)
    if years > MAX_RESIDENCE_YEARS:
        raise _Bad(f"{text} years is more than a life ({MAX_RESIDENCE_YEARS})")
    return years


def _language(text: str) -> LanguageTest:
    return cast(LanguageTest, _choice(text, _LANGUAGE_TESTS))


def _education(text: str) -> Education:
    return cast(Education, _choice(text, EDUCATION_LEVELS))


def _record(text: str) -> CriminalRecord:
    return cast(CriminalRecord, _choice(text, _RECORDS))


def _terms(text: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise _Bad(f"{_quote(text)} is not a whole number of terms from 0 to {MAX_TERMS_SERVED}")
    return int(text)


def _choice(text: str, allowed: Sequence[str]) -> str:
    if text not in allowed:
        raise _Bad(f"{_quote(text)} is not one of {', '.join(allowed)}")
    return text


def _quote(text: str) -> str:
    """A cell quoted for a message, cut short, its control characters made visible."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


class _Cells:
    """One row's cells parsed column by column, collecting a problem for each bad one and
    the evidence of each fact stated."""

    def __init__(self, cells: Mapping[str, str], line: int | None, source: str) -> None:
        self.cells, self.line, self.source = cells, line, source
        self.reference = f"{source}:{line}" if source and line is not None else source
        self.problems: list[Problem] = []
        self.evidence: dict[str, Evidence] = {}

    def problem(self, column: str, why: str) -> None:
        self.problems.append(Problem(column, why, self.line, self.source))

    def fact(self, column: str, parse: Callable[[str], T]) -> T | None:
        """The column's value; ``None`` for an empty cell (an unknown fact) or a bad one."""
        text = self.cells.get(column, "").strip()
        if not text:
            return None
        try:
            value = parse(text)
        except _Bad as exc:
            self.problem(column, str(exc))
            return None
        self.evidence[column] = Evidence(SOURCE, text, None, self.reference)
        return value

    def needed(self, column: str, parse: Callable[[str], T]) -> T | None:
        """The column's value; an empty cell is a problem (no evidence: not a fact)."""
        text = self.cells.get(column, "").strip()
        if not text:
            self.problem(column, "is empty; every row needs one")
            return None
        try:
            return parse(text)
        except _Bad as exc:
            self.problem(column, str(exc))
            return None


def parse_facts(
    cells: Mapping[str, str],
    candidates: Candidates,
    polling_day: date,
    line: int | None = None,
    source: str = "",
) -> tuple[str, CandidateFacts, OfficeRules] | list[Problem]:
    """One row's cells (by column) as its ref, facts and office rules, or a problem for each
    bad cell.

    An empty cell is an unknown fact (``None``), except ``ref`` and ``office``, which every
    row needs. Each fact stated becomes evidence: source ``stated``, the cell as said, and
    ``file:line`` as the reference.
    """
    row = _Cells(cells, line, source)
    ref = row.needed("ref", _ref)
    office = row.needed("office", _office)
    rules = None if office is None else getattr(candidates.offices, office)
    if office is not None and rules is None:
        row.problem("office", f"the law edition sets no rules for {office!r}")
    born = row.fact("birth_date", _date)
    if born is not None and born > polling_day:
        row.problem("birth_date", f"{born.isoformat()} is after polling day ({polling_day})")
    citizenships = row.fact("citizenships", _citizenships)
    years = row.fact("residence_years", _years)
    language = row.fact("state_language", _language)
    education = row.fact("education", _education)
    record = row.fact("criminal_record", _record)
    terms = row.fact("terms_served", _terms)
    if row.problems or ref is None or office is None or rules is None:
        return row.problems
    facts = CandidateFacts(
        office=office,
        birth_date=born,
        citizenships=citizenships,
        residence_years=years,
        state_language=language,
        education=education,
        criminal_record=record,
        terms_served=terms,
        evidence=MappingProxyType(row.evidence),
    )
    return ref, facts, rules


# -- the file ------------------------------------------------------------------------------


def read_facts(
    source: CsvSource, candidates: Candidates, polling_day: date
) -> Iterator[FactsRow | list[Problem]]:
    """Each row of ``source`` (a :class:`CsvSource` over :data:`FACT_COLUMNS`) as its facts
    or its problems, in file order. A ref met on an earlier row, good or bad, is a problem of
    the later row: each ref in the output stands for one line of the file.

    Raises :class:`~shailoo.common.csvsource.HeaderError` when the header does not fit.
    """
    name = str(source.path)
    first_line: dict[str, int] = {}
    for item in source:
        if isinstance(item, Reject):
            yield [Problem(item.where, item.why, item.line, name)]
            continue
        cells = {column: item.values[i] for column, i in source.index.items()}
        parsed = parse_facts(cells, candidates, polling_day, item.line, name)
        ref = cells["ref"].strip()
        earlier = first_line.setdefault(ref, item.line) if ref else item.line
        if earlier != item.line:
            why = f"{_quote(ref)} is already the ref of line {earlier}"
            repeated = Problem("ref", why, item.line, name)
            yield [repeated, *(parsed if isinstance(parsed, list) else ())]
            continue
        if isinstance(parsed, list):
            yield parsed
            continue
        ref, facts, rules = parsed
        yield FactsRow(item.line, ref, facts, rules)


def explain_file(
    path: Path,
    out: TextIO,
    candidates: Candidates,
    polling_day: date,
    leap_day: str,
) -> ExplainSummary:
    """Decide every good row of the facts file ``path`` and write ``ref,verdict,rules`` to
    ``out`` (a text file opened with ``newline=""``); return the counts and the problems.

    ``rules`` holds the failing rule codes joined by ``;``, or when none fails the undecided
    ones (empty for an eligible person). ``candidates`` is the edition's section, ``leap_day``
    the voters' ``leap_day_birthday`` convention. The header is checked before anything is
    written (a wrong one raises :class:`~shailoo.common.csvsource.HeaderError`).
    """
    source = CsvSource(Path(path), FACT_COLUMNS)
    rows = read_facts(source, candidates, polling_day)
    summary = ExplainSummary()
    writer = csvout.Writer(out)
    first = next(rows, None)  # reads and checks the header
    writer.writerow(OUTPUT_COLUMNS)
    if first is not None:
        for row in _chain(first, rows):
            if isinstance(row, list):
                summary.refuse(row)
                continue
            decision = decide(row.facts, row.rules, polling_day, leap_day)
            summary.count(decision)
            writer.writerow((row.ref, decision.verdict, ";".join(rule_cell(decision))))
    summary.lines, summary.other = source.line, source.blank + source.continued
    return summary


def rule_cell(decision: Decision) -> tuple[str, ...]:
    """The codes the output's ``rules`` names: the failing ones, else the undecided ones."""
    return decision.failing or decision.undecided


def _chain(
    first: FactsRow | list[Problem], rest: Iterator[FactsRow | list[Problem]]
) -> Iterator[FactsRow | list[Problem]]:
    yield first
    yield from rest
