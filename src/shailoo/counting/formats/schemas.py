"""The official NIST JSON Schemas, carried in the package, and validation against them.

The schema files lie in ``schemas/`` beside this module (provenance and licence in its
``README.md``) and are read through :mod:`importlib.resources`, so an installed package finds
them wherever it is installed. Every export is checked with :func:`validate` before it is
written: a document the standard refuses is never published.

``kind`` is the export format's name, as the command line spells it: ``nist-err`` (SP 1500-100
v2 election results) or ``nist-cvr`` (SP 1500-103 cast vote records).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from itertools import islice
from pathlib import Path
from typing import Any, Literal, get_args

import jsonschema_rs
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

SchemaKind = Literal["nist-err", "nist-cvr"]
#: Where a value sits in a document: property names and array indexes from the root.
JsonPath = tuple[str | int, ...]

#: The file of each kind's schema, in the ``schemas/`` folder of this package.
SCHEMA_FILES: Mapping[SchemaKind, str] = {
    "nist-err": "NIST_V2_election_results_reporting.json",
    "nist-cvr": "NIST_V0_cast_vote_records.json",
}
#: What each kind is, for messages.
TITLES: Mapping[SchemaKind, str] = {
    "nist-err": "NIST SP 1500-100 v2 election results",
    "nist-cvr": "NIST SP 1500-103 cast vote records",
}
#: How many problems a refusal lists (all are counted up to :data:`SCAN_LIMIT`).
SHOWN = 5
SCAN_LIMIT = 1000


class LocatedError(InvalidInput):
    """A problem and where it is: a JSON path (``$.CVR[3]``) or the input it names."""

    def __init__(self, where: str, reason: str, code: str = "format_invalid") -> None:
        super().__init__(code, f"{where}: {reason}", problems=[Problem(where, reason)])
        self.where = where
        self.reason = reason

    def __str__(self) -> str:
        return self.message  # already names the one place


class SchemaViolation(LocatedError):
    """A document its official schema refuses.

    ``where`` and ``reason`` are the first problem; ``problems`` holds up to :data:`SHOWN`
    (JSON path, message) pairs and ``count`` how many were found (the scan stops after
    :data:`SCAN_LIMIT` failures).
    """

    def __init__(self, kind: SchemaKind, problems: list[tuple[str, str]], count: int) -> None:
        where, reason = problems[0]
        plus = "+" if count >= SCAN_LIMIT else ""  # the scan stopped there
        more = f" (and {count - 1}{plus} more)" if count > 1 else ""
        super().__init__(where, f"{reason}{more}", code="schema_invalid")
        listed = "; ".join(f"{w}: {r}" for w, r in problems)
        rest = count - len(problems)
        tail = f"; and {rest}{plus} more" if rest > 0 else ""
        self.message = f"{TITLES[kind]} schema: {listed}{tail}"
        self.kind = kind
        self.problems = tuple(Problem(w, r) for w, r in problems)
        self.count = count

    def __str__(self) -> str:
        return self.message


def _file(kind: SchemaKind) -> str:
    if kind not in SCHEMA_FILES:
        known = ", ".join(get_args(SchemaKind))
        raise ValueError(f"unknown schema kind {kind!r} (known: {known})")
    return SCHEMA_FILES[kind]


def schema_text(kind: SchemaKind) -> str:
    """The schema file of ``kind`` as shipped in the package."""
    resource = files(__package__ or "shailoo.counting.formats") / "schemas" / _file(kind)
    return resource.read_text(encoding="utf-8")


@cache
def load_schema(kind: SchemaKind) -> dict[str, Any]:
    """The parsed schema of ``kind`` (do not modify: it is shared)."""
    schema: dict[str, Any] = json.loads(schema_text(kind))
    Draft4Validator.check_schema(schema)
    return schema


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _is_date(value: object) -> bool:
    """``format: date``: a calendar date, ``YYYY-MM-DD`` (formats apply to strings only)."""
    return not isinstance(value, str) or (
        _DATE.fullmatch(value) is not None and bool(date.fromisoformat(value))
    )


def _is_date_time(value: object) -> bool:
    """``format: date-time``: RFC 3339, with seconds and a zone (``Z`` or ``+hh:mm``)."""
    return not isinstance(value, str) or (
        _DATE_TIME.fullmatch(value) is not None and bool(datetime.fromisoformat(value))
    )


def _format_checker() -> FormatChecker:
    """The formats the NIST schemas use for dates, checked the same wherever Shailoo runs.

    (jsonschema's own date-time check depends on an optional package; draft-04 has no date.)
    """
    checker = FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(_is_date)
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    return checker


@cache
def validator(kind: SchemaKind) -> Draft4Validator:
    """A draft-04 validator for ``kind``, built once; dates and times checked too."""
    return Draft4Validator(load_schema(kind), format_checker=_format_checker())


@cache
def fast_validator(kind: SchemaKind) -> jsonschema_rs.Draft4Validator:
    """The same schema and date checks, compiled (jsonschema-rs): the yes/no of every export.

    A national cast-vote-record export holds millions of records; the pure-Python validator
    takes about 2 ms a record, this one a few microseconds. Only a document it refuses is
    walked again by :func:`validator`, which locates and explains each problem.
    """
    return jsonschema_rs.Draft4Validator(
        load_schema(kind),
        formats={"date": _is_date, "date-time": _is_date_time},
        validate_formats=True,
    )


def json_path(path: JsonPath) -> str:
    """``$.CVR[3].CVRSnapshot[0]['@type']``: JSONPath, as jsonschema writes it."""
    parts = ["$"]
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif step.isidentifier():
            parts.append(f".{step}")
        else:
            parts.append(f"[{step!r}]")
    return "".join(parts)


def _short(message: str, limit: int = 240) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _type_miss(error: ValidationError) -> bool:
    """An alternative refused for its ``@type`` (the NIST schemas' discriminator)."""
    return error.validator == "enum" and list(error.relative_path) == ["@type"]


def _explain(error: ValidationError) -> list[tuple[JsonPath, str]]:
    """The specific problems behind ``error``, located.

    The NIST schemas choose among object kinds with ``oneOf`` (a contest is a candidate, a
    party, a ballot-measure… contest), each alternative fixing ``@type``. A failed ``oneOf``
    is resolved to the alternative whose ``@type`` matches, and then to its own problems; an
    object whose ``@type`` matches none is reported as such, with the kinds allowed there.
    """
    path: JsonPath = tuple(error.absolute_path)
    if not error.context:
        return [(path, _short(error.message))]
    alternatives: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        alternatives.setdefault(sub.relative_schema_path[0], []).append(sub)
    matching = [errs for errs in alternatives.values() if not any(map(_type_miss, errs))]
    if not matching:
        allowed = sorted(
            {
                v
                for errs in alternatives.values()
                for e in errs
                if _type_miss(e)
                for v in e.validator_value
            }
        )
        if allowed:
            found = error.instance.get("@type") if isinstance(error.instance, dict) else None
            return [((*path, "@type"), f"{found!r} is not one of {allowed} here")]
        matching = list(alternatives.values())
    closest = min(matching, key=lambda errs: (-max(len(e.path) for e in errs), len(errs)))
    return [problem for sub in closest for problem in _explain(sub)]


def _document_order(problem: tuple[JsonPath, str]) -> list[tuple[int, int, str]]:
    """Sort key: array items by index, properties by name."""
    return [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in problem[0]]


def problems(kind: SchemaKind, document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(JSON path, message) of each violation, in document order; empty when valid.

    At most :data:`SCAN_LIMIT` failures are examined: a systematically broken export stops
    early instead of listing every record.
    """
    found = [
        problem
        for error in islice(validator(kind).iter_errors(document), SCAN_LIMIT)
        for problem in _explain(error)
    ]
    return [(json_path(path), message) for path, message in sorted(found, key=_document_order)]


def validate(kind: SchemaKind, document: Mapping[str, Any]) -> None:
    """Refuse ``document`` unless ``kind``'s official schema accepts it.

    Raises :class:`SchemaViolation` naming the JSON path of the first problems.
    """
    fast = fast_validator(kind)
    if fast.is_valid(document):
        return
    found = problems(kind, document)
    if not found:  # the two validators disagree: refuse with the compiled one's reasons
        found = [
            (json_path(tuple(error.instance_path)), _short(error.message))
            for error in islice(fast.iter_errors(document), SCAN_LIMIT)
        ]
    raise SchemaViolation(kind, found[:SHOWN], len(found))


def write_json(kind: SchemaKind, document: Mapping[str, Any], out: Path) -> None:
    """Validate ``document``, then write it to ``out`` as UTF-8 JSON.

    A refused document raises :class:`SchemaViolation` before anything is written. The text
    goes to ``<out>.tmp`` first and is renamed into place, so ``out`` is never left half
    written (an earlier file of that name stays as it was until the rename).
    """
    validate(kind, document)
    tmp = out.with_name(out.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            json.dump(document, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
