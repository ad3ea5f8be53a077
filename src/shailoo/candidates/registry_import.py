"""Loading the government registries' extracts into the tables the default adapters read.

Until a live connector exists, each agency sends an extract (CSV) about the persons the
commission asked about: the citizenship and population register, the state-language testing
centre, the education ministry, the prosecutor's records (convictions, and certificates of no
record), the CEC's archive of terms. ``shailoo candidates load-registry KIND FILE.csv``
loads one. An extract **replaces** what the table held about every PIN it names (so a
corrected extract, or the same one twice, leaves exactly its content), rows are checked one
by one and a bad row is a located reject that does not stop the others, and the load is one
ledger entry with the file's SHA-256 and counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from shailoo.candidates import registry_models as tables
from shailoo.common.csvsource import CsvSource, Reject
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput
from shailoo.integrity import ledger
from shailoo.law.schema import EDUCATION_LEVELS, OFFICES
from shailoo.register.pin import check_pin

REGISTRY_IMPORT = "candidates.registry_import"
_COUNTRY_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _date(text: str, *, optional: bool = False) -> date | None:
    if not text and optional:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("must be a date YYYY-MM-DD") from None


def _text(limit: int, *, required: bool = False) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if required and not value:
            raise ValueError("is required")
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters")
        if any(ord(ch) < 32 for ch in value):
            raise ValueError("holds control characters")
        return value

    return parse


def _choice(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError("must be one of " + ", ".join(allowed))
        return value

    return parse


def _citizenships(value: str) -> str:
    if value == "stateless":
        return ""
    codes = value.split(";")
    if not value or any(len(c) != 2 or not set(c) <= _COUNTRY_LETTERS for c in codes):
        raise ValueError('must be ISO country codes joined by ";" (e.g. KG;RU), or "stateless"')
    if len(set(codes)) != len(codes):
        raise ValueError("a country code is given twice")
    return ";".join(codes)


@dataclass(frozen=True)
class Kind:
    """One registry's extract: its columns, how each is read, and its table."""

    model: Any
    columns: tuple[str, ...]
    parsers: dict[str, Callable[[str], Any]]
    fields: dict[str, str] = field(default_factory=dict)  # column -> model field when they differ


KINDS: dict[str, Kind] = {
    "citizenship": Kind(
        tables.CitizenshipRecord,
        ("pin", "citizenships", "as_of", "reference"),
        {"citizenships": _citizenships, "as_of": _date, "reference": _text(80)},
    ),
    "residence": Kind(
        tables.ResidenceStay,
        ("pin", "started_on", "ended_on", "as_of", "reference"),
        {
            "started_on": _date,
            "ended_on": lambda v: _date(v, optional=True),
            "as_of": _date,
            "reference": _text(80),
        },
    ),
    "language": Kind(
        tables.LanguageTest,
        ("pin", "result", "tested_on", "certificate"),
        {"result": _choice(("passed", "failed")), "tested_on": _date, "certificate": _text(80)},
    ),
    "education": Kind(
        tables.EducationRecord,
        ("pin", "level", "as_of", "document"),
        {"level": _choice(EDUCATION_LEVELS), "as_of": _date, "document": _text(80)},
    ),
    "criminal": Kind(
        tables.CriminalRecord,
        ("pin", "article", "convicted_on", "expunged_on", "reference"),
        {
            "article": _text(40, required=True),
            "convicted_on": _date,
            "expunged_on": lambda v: _date(v, optional=True),
            "reference": _text(80),
        },
    ),
    "no_record": Kind(
        tables.RecordsChecked,
        ("pin", "as_of", "reference"),
        {"as_of": _date, "reference": _text(80)},
    ),
    "terms": Kind(
        tables.TermRecord,
        ("pin", "office", "started_on", "ended_on"),
        {
            "office": _choice(OFFICES),
            "started_on": _date,
            "ended_on": lambda v: _date(v, optional=True),
        },
    ),
}
#: Tables where a person has one row: a PIN twice in one extract is a reject.
_ONE_PER_PERSON = {"citizenship", "education", "no_record"}


@dataclass
class RegistryLoad:
    kind: str
    read: int = 0
    stored: int = 0
    persons: int = 0
    rejects: list[Problem] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.kind}: read {self.read}, stored {self.stored} rows for {self.persons} "
            f"persons, rejected {len(self.rejects)}"
        )


def _row(kind: Kind, line: int, values: dict[str, str], source: str) -> dict[str, Any] | Problem:
    pin = values["pin"].strip()
    problem = check_pin(pin)
    if problem is not None:
        return Problem("pin", problem.why, line, source)
    row: dict[str, Any] = {"pin": pin}
    for column in kind.columns[1:]:
        try:
            row[column] = kind.parsers[column](values[column].strip())
        except ValueError as exc:
            return Problem(column, str(exc), line, source)
    for first, last in (("started_on", "ended_on"), ("convicted_on", "expunged_on")):
        if row.get(last) is not None and row.get(first) is not None and row[last] < row[first]:
            return Problem(last, f"before {first}", line, source)
    return row


def load_registry(kind_name: str, path: Path, actor: str) -> RegistryLoad:
    """Load one extract (see the module doc); refuse a file that is not one of ``kind_name``."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise InvalidInput(
            "unknown_registry",
            f"unknown registry {kind_name[:40]!r}: use " + ", ".join(KINDS),
        )
    source = CsvSource(path, kind.columns)
    load = RegistryLoad(kind_name)
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for item in source:  # a wrong header raises HeaderError (InvalidInput) before any row
        load.read += 1
        if isinstance(item, Reject):
            load.rejects.append(Problem(item.where, item.why, item.line, path.name))
            continue
        values = {column: item.values[source.index[column]] for column in kind.columns}
        parsed = _row(kind, item.line, values, path.name)
        if isinstance(parsed, Problem):
            load.rejects.append(parsed)
            continue
        if kind_name in _ONE_PER_PERSON and parsed["pin"] in seen:
            load.rejects.append(
                Problem(
                    "pin", f"repeats the PIN of line {seen[parsed['pin']]}", item.line, path.name
                )
            )
            continue
        seen.setdefault(parsed["pin"], item.line)
        rows.append(parsed)
    pins = sorted({row["pin"] for row in rows})
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with transaction.atomic():
        for start in range(0, len(pins), 500):
            kind.model.objects.filter(pin__in=pins[start : start + 500]).delete()
        kind.model.objects.bulk_create((kind.model(**row) for row in rows), batch_size=2000)
        load.stored, load.persons = len(rows), len(pins)
        ledger.record(
            REGISTRY_IMPORT,
            actor=actor,
            data={
                "registry": kind_name,
                "file_sha256": digest,
                "read": load.read,
                "stored": load.stored,
                "persons": load.persons,
                "rejected": len(load.rejects),
            },
        )
    return load
