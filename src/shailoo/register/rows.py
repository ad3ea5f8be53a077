"""Validation of one population-registry row: pure, so the importer's rules are testable alone.

A row either becomes a :class:`PersonRow` (typed values ready to store) or a
:class:`~shailoo.common.csvsource.Reject` naming the field and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from shailoo.common.csvsource import Reject
from shailoo.register.names import name_problem
from shailoo.register.pin import check_pin, mask_pin

COLUMNS: tuple[str, ...] = (
    "pin",
    "surname",
    "given_name",
    "patronymic",
    "sex",
    "birth_date",
    "citizenship",
    "other_citizenships",
    "legally_incapable",
    "in_confinement",
    "biometric_registered",
    "death_date",
    "address",
    "dwelling_id",
    "station",
)

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_BOOL = {"0": False, "1": True}
MAX_NAME = 100
MAX_ADDRESS = 300
MAX_DWELLING = 40


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A valid registry row, typed."""

    pin: str
    surname: str
    given_name: str
    patronymic: str
    sex: str
    birth_date: date
    citizenship: str
    other_citizenships: str
    legally_incapable: bool
    in_confinement: bool
    biometric_registered: bool
    death_date: date | None
    address: str
    dwelling_id: str
    station: int


def masked_raw(values: list[str], index: dict[str, int]) -> str:
    """The row as read, for a rejects file: the PIN masked, never in clear."""
    shown = list(values)
    at = index.get("pin", 0)
    if at < len(shown):
        shown[at] = mask_pin(shown[at])
    return ",".join(shown)[:300]


def parse_date(text: str) -> date:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError("expected an ISO date YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("impossible date") from None


def parse_row(
    line: int, values: list[str], stations: dict[int, int], today: date
) -> PersonRow | Reject:
    """Check one row (``values`` in :data:`COLUMNS` order) against docs/formats.md.

    Written as one straight pass with early returns: it runs for every row of a national
    extract, so it avoids per-row allocations beyond the result.
    """
    (
        pin,
        surname,
        given,
        patronymic,
        sex,
        birth_text,
        citizenship,
        others,
        incapable_text,
        confined_text,
        biometric_text,
        death_text,
        address,
        dwelling,
        station_text,
    ) = [v.strip() for v in values]
    if sex != "M" and sex != "F":
        return _reject(line, values, "sex", f"must be M or F, not {sex!r}")
    try:
        birth = parse_date(birth_text)
    except ValueError as exc:
        return _reject(line, values, "birth_date", f"{exc}: {birth_text!r}")
    problem = check_pin(pin, birth, sex)
    if problem is not None:
        return _reject(line, values, problem.where, problem.why)
    if birth > today:
        return _reject(line, values, "birth_date", "is in the future")
    if not surname:
        return _reject(line, values, "surname", "is empty")
    if not given:
        return _reject(line, values, "given_name", "is empty")
    if len(surname) > MAX_NAME or len(given) > MAX_NAME or len(patronymic) > MAX_NAME:
        field = next(
            name
            for name, value in (
                ("surname", surname),
                ("given_name", given),
                ("patronymic", patronymic),
            )
            if len(value) > MAX_NAME
        )
        return _reject(line, values, field, f"longer than {MAX_NAME} characters")
    for field, part in (("surname", surname), ("given_name", given), ("patronymic", patronymic)):
        why = name_problem(part)
        if why is not None:
            return _reject(line, values, field, why)
    if not _COUNTRY.match(citizenship):
        return _reject(
            line,
            values,
            "citizenship",
            f"must be an ISO 3166-1 alpha-2 code or XX, not {citizenship!r}",
        )
    if others and not all(_COUNTRY.match(c) for c in others.split(";")):
        return _reject(
            line, values, "other_citizenships", "must be ';'-separated ISO alpha-2 codes"
        )
    incapable = _BOOL.get(incapable_text)
    if incapable is None:
        return _reject(line, values, "legally_incapable", "must be 0 or 1")
    confined = _BOOL.get(confined_text)
    if confined is None:
        return _reject(line, values, "in_confinement", "must be 0 or 1")
    biometric = _BOOL.get(biometric_text)
    if biometric is None:
        return _reject(line, values, "biometric_registered", "must be 0 or 1")
    death: date | None = None
    if death_text:
        try:
            death = parse_date(death_text)
        except ValueError as exc:
            return _reject(line, values, "death_date", f"{exc}: {death_text!r}")
        if death < birth:
            return _reject(line, values, "death_date", "is before the birth date")
        if death > today:
            return _reject(line, values, "death_date", "is in the future")
    if not address:
        return _reject(line, values, "address", "is empty")
    if len(address) > MAX_ADDRESS:
        return _reject(line, values, "address", f"longer than {MAX_ADDRESS} characters")
    if not dwelling or len(dwelling) > MAX_DWELLING:
        return _reject(line, values, "dwelling_id", f"must be 1 to {MAX_DWELLING} characters")
    if not (station_text.isascii() and station_text.isdigit()):
        return _reject(
            line, values, "station", f"must be a polling station number, not {station_text!r}"
        )
    station = int(station_text)
    if station not in stations:
        return _reject(line, values, "station", f"unknown polling station {station}")
    return PersonRow(
        pin,
        surname,
        given,
        patronymic,
        sex,
        birth,
        citizenship,
        others,
        incapable,
        confined,
        biometric,
        death,
        address,
        dwelling,
        station,
    )


_CANONICAL_INDEX = {name: i for i, name in enumerate(COLUMNS)}


def _reject(line: int, values: list[str], field: str, reason: str) -> Reject:
    return Reject(field, reason, line, raw=masked_raw(values, _CANONICAL_INDEX))
