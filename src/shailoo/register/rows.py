"""Validation of one population-registry row: pure, so the importer's rules are testable alone.

A row either becomes a :class:`PersonRow` (typed values ready to store) or a
:class:`~shailoo.common.csvsource.Reject` naming the field and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from shailoo.common.csvsource import Reject
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
_MAX_NAME = 100
_MAX_ADDRESS = 300


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


def _date(text: str) -> date:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError("expected an ISO date YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("impossible date") from None


def parse_row(
    line: int, values: list[str], index: dict[str, int], stations: dict[int, int], today: date
) -> PersonRow | Reject:
    """Check one row against the format in docs/formats.md and the known polling stations."""

    def reject(field: str, reason: str) -> Reject:
        return Reject(line, field, reason, masked_raw(values, index))

    get = values.__getitem__
    pin = get(index["pin"]).strip()
    sex = get(index["sex"]).strip()
    if sex not in ("M", "F"):
        return reject("sex", f"must be M or F, not {sex!r}")
    birth_text = get(index["birth_date"]).strip()
    try:
        birth = _date(birth_text)
    except ValueError as exc:
        return reject("birth_date", f"{exc}: {birth_text!r}")
    problem = check_pin(pin, birth, sex)
    if problem is not None:
        return reject(problem.field, problem.reason)
    if birth > today:
        return reject("birth_date", "is in the future")
    surname = get(index["surname"]).strip()
    given = get(index["given_name"]).strip()
    patronymic = get(index["patronymic"]).strip()
    for field, value, required in (
        ("surname", surname, True),
        ("given_name", given, True),
        ("patronymic", patronymic, False),
    ):
        if required and not value:
            return reject(field, "is empty")
        if len(value) > _MAX_NAME:
            return reject(field, f"longer than {_MAX_NAME} characters")
    citizenship = get(index["citizenship"]).strip()
    if not _COUNTRY.match(citizenship):
        return reject(
            "citizenship", f"must be an ISO 3166-1 alpha-2 code or XX, not {citizenship!r}"
        )
    others = get(index["other_citizenships"]).strip()
    if others:
        codes = others.split(";")
        if not all(_COUNTRY.match(c) for c in codes):
            return reject("other_citizenships", "must be ';'-separated ISO alpha-2 codes")
    flags = []
    for field in ("legally_incapable", "in_confinement", "biometric_registered"):
        flag = _BOOL.get(get(index[field]).strip())
        if flag is None:
            return reject(field, "must be 0 or 1")
        flags.append(flag)
    death_text = get(index["death_date"]).strip()
    death: date | None = None
    if death_text:
        try:
            death = _date(death_text)
        except ValueError as exc:
            return reject("death_date", f"{exc}: {death_text!r}")
        if death < birth:
            return reject("death_date", "is before the birth date")
        if death > today:
            return reject("death_date", "is in the future")
    address = get(index["address"]).strip()
    if not address:
        return reject("address", "is empty")
    if len(address) > _MAX_ADDRESS:
        return reject("address", f"longer than {_MAX_ADDRESS} characters")
    dwelling = get(index["dwelling_id"]).strip()
    if not dwelling or len(dwelling) > 40:
        return reject("dwelling_id", "must be 1 to 40 characters")
    station_text = get(index["station"]).strip()
    if not station_text.isdigit():
        return reject("station", f"must be a polling station number, not {station_text!r}")
    station = int(station_text)
    if station not in stations:
        return reject("station", f"unknown polling station {station}")
    return PersonRow(
        pin,
        surname,
        given,
        patronymic,
        sex,
        birth,
        citizenship,
        others,
        flags[0],
        flags[1],
        flags[2],
        death,
        address,
        dwelling,
        station,
    )
