"""Checking registry rows through caches of the values that repeat (pure, the import's hot path).

A national extract has millions of rows but few distinct values in most columns: the sex,
birth date, citizenship, flags and death date of a row take some tens of thousands of
combinations; surnames, given names and patronymics some thousands; polling stations a few
thousand. :class:`CachedRowChecker` validates and decides each distinct value (or combination)
once and then only looks it up, so the per-row work is a handful of dictionary look-ups, the
PIN's comparison with the prefix its birth date and sex imply, and the row digest.

Only rows that are valid in the common, simple way take this path. Anything else — a field
that needs stripping, a Latin letter in a name, any invalid value — goes through the general
:func:`~shailoo.register.rows.parse_row`, which also names the first problem exactly as it
always has; a property test holds the two paths to the same results.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from shailoo.common.csvsource import Reject
from shailoo.register.eligibility import CODES, CompiledRules
from shailoo.register.names import key_and_latin, name_problem, plain_part
from shailoo.register.pin import DIGIT_FOR_SEX
from shailoo.register.rows import (
    MAX_ADDRESS,
    MAX_DWELLING,
    MAX_NAME,
    PersonRow,
    parse_date,
    parse_row,
)
from shailoo.register.statedigest import (
    assembled_state,
    facts_digest,
    imported_state,
    text_mark,
)

_CACHE_LIMIT = 400_000
_MISSING: Any = object()
_BOOL = {"0": False, "1": True}
_SEP = "\x1f"
_COUNTRY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

_SEX_DIGIT = DIGIT_FOR_SEX
# A birth date's (date, stored form, DDMMYYYY as in the PIN, age failure bit, state mark).
_Birth = tuple[date, Any, str, int, bytes]
# Columns 6..11 checked: citizenship, other citizenships, the three flags, the stored death
# date, the failure bits of the rules other than age, the death date, and the six fields'
# state marks.
_Status = tuple[Any, ...]


def digest(values: list[str]) -> str:
    """Digest of a registry row as read (columns in canonical order), for idempotency."""
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).hexdigest()


def person_values(
    row: PersonRow, row_digest: str, stations: dict[int, int], rules: CompiledRules, as_text: bool
) -> tuple[Any, ...]:
    """A checked row as the tuple the importer stores (``prepare.PERSON_FIELDS`` order).

    For SQLite (``as_text``) dates are ISO text and booleans 0/1, what SQLite stores anyway:
    binding a ``bool`` goes through the driver's adaptation and costs a third more.
    """
    codes = rules.fail_codes(
        row.birth_date,
        row.citizenship,
        row.legally_incapable,
        row.in_confinement,
        row.biometric_registered,
        row.death_date,
        row.other_citizenships,
    )
    birth: Any = row.birth_date
    death: Any = row.death_date
    flags: tuple[Any, ...] = (
        row.legally_incapable,
        row.in_confinement,
        row.biometric_registered,
        not codes,
    )
    if as_text:
        birth = birth.isoformat()
        death = None if death is None else death.isoformat()
        flags = tuple(int(flag) for flag in flags)
    key, latin = key_and_latin(row.surname, row.given_name, row.patronymic)
    return (
        row.pin,
        row.surname,
        row.given_name,
        row.patronymic,
        key,
        latin,
        row.sex,
        birth,
        row.citizenship,
        row.other_citizenships,
        *flags[:3],
        death,
        row.address,
        row.dwelling_id,
        stations[row.station],
        flags[3],
        codes,
        row_digest,
    )


class CachedRowChecker:
    """Turn rows (``COLUMNS`` order) into stored tuples or rejects, caching repeated values."""

    def __init__(
        self,
        stations: dict[int, int],
        rules: CompiledRules,
        today: date,
        as_text: bool,
        *,
        stating: bool = False,
    ) -> None:
        self.stations = stations
        self.rules = rules
        self.today = today
        self.as_text = as_text
        self._births: dict[str, _Birth | None] = {}
        self._status: dict[tuple[str, ...], _Status | None] = {}
        self._parts: dict[str, tuple[str, str, str, bytes] | None] = {}
        self._station_ids: dict[str, int | None] = {}
        truth: tuple[Any, Any] = (0, 1) if as_text else (False, True)
        self._truth = truth
        # (eligible, codes) for each failure mask.
        self._decisions = [
            (truth[not codes], codes) for codes in map(rules.codes, range(1 << len(CODES)))
        ]
        #: With ``stating``, the state (``register.statedigest``) of each accepted row, in
        #: order, computed while the row as read is at hand (:meth:`take_states`).
        self.states: list[bytes] | None = [] if stating else None
        self._numbers = {pk: str(number) for number, pk in stations.items()}
        # The registry row's digest is the facts digest of a row read in canonical form.
        probe = ["1", "\u0430"]
        self._reuse = digest(probe) == facts_digest(probe).hex()
        self._station_marks: dict[str, bytes] = {}
        self._sex_marks = {sex: text_mark(sex) for sex in _SEX_DIGIT}
        # For each failure mask: the state's text after the name keys (the verdict, codes,
        # an empty remote station) and their marks.
        self._decided = [
            (f"\x1f{flag}\x1f{codes}\x1f", text_mark(flag) + text_mark(codes) + text_mark(""))
            for codes in map(rules.codes, range(1 << len(CODES)))
            for flag in ("0" if codes else "1",)
        ]

    def check(self, line: int, values: list[str]) -> tuple[Any, ...] | Reject:
        """The row's stored tuple, or the reject naming its first problem."""
        row_digest = digest(values)
        quick = self._quick(values, row_digest)
        if quick is not None:
            return quick
        parsed = parse_row(line, values, self.stations, self.today)
        if isinstance(parsed, Reject):
            return parsed
        stored = person_values(parsed, row_digest, self.stations, self.rules, self.as_text)
        if self.states is not None:
            self.states.append(imported_state(values, stored, self._numbers, self._reuse))
        return stored

    def take_states(self) -> bytes:
        """The states of the rows accepted since the last call, end to end (``stating``)."""
        states, self.states = b"".join(self.states or ()), []
        return states

    def _quick(self, values: list[str], row_digest: str) -> tuple[Any, ...] | None:
        """The stored tuple of a plainly valid row; None sends the row to the general path."""
        remember = self._remember
        birth = self._births.get(values[5], _MISSING)
        if birth is _MISSING:
            birth = remember(self._births, values[5], self._birth(values[5]))
        status_key = tuple(values[6:12])
        status = self._status.get(status_key, _MISSING)
        if status is _MISSING:
            status = remember(self._status, status_key, self._decide_status(status_key))
        if birth is None or status is None:
            return None
        sex = values[4]
        pin = values[0]
        if (
            len(pin) != 14
            or pin[0] != _SEX_DIGIT.get(sex)
            or pin[1:9] != birth[2]
            or not (pin.isdigit() and pin.isascii())
        ):
            return None
        if status[7] is not None and status[7] < birth[0]:
            return None  # died before being born
        parts = self._parts
        surname = parts.get(values[1], _MISSING)
        if surname is _MISSING:
            surname = remember(parts, values[1], self._part(values[1]))
        given = parts.get(values[2], _MISSING)
        if given is _MISSING:
            given = remember(parts, values[2], self._part(values[2]))
        patronymic = parts.get(values[3], _MISSING)
        if patronymic is _MISSING:
            patronymic = remember(parts, values[3], self._part(values[3]))
        if surname is None or given is None or patronymic is None:
            return None
        if not (surname[1] and given[1]) or (patronymic[0] and not patronymic[1]):
            return None  # a part whose key is empty: the general path decides how to join
        station = self._station_ids.get(values[14], _MISSING)
        if station is _MISSING:
            station = remember(self._station_ids, values[14], self._station(values[14]))
        if station is None:
            return None
        address = values[12].strip()
        dwelling = values[13].strip()
        if (
            not address
            or len(address) > MAX_ADDRESS
            or not dwelling
            or len(dwelling) > MAX_DWELLING
        ):
            return None
        if patronymic[0]:
            key = f"{surname[1]} {given[1]} {patronymic[1]}"
            latin = f"{surname[2]} {given[2]} {patronymic[2]}"
        else:
            key = f"{surname[1]} {given[1]}"
            latin = f"{surname[2]} {given[2]}"
        eligible, codes = self._decisions[birth[3] | status[6]]
        stored = (
            pin,
            surname[0],
            given[0],
            patronymic[0],
            key,
            latin,
            sex,
            birth[1],
            status[0],
            status[1],
            status[2],
            status[3],
            status[4],
            status[5],
            address,
            dwelling,
            station,
            eligible,
            codes,
            row_digest,
        )
        if self.states is not None:
            names = surname[3] + given[3] + patronymic[3]
            self.states.append(self._quick_state(values, stored, names, birth, status))
        return stored

    def _quick_state(
        self, values: list[str], stored: tuple[Any, ...], names: bytes, birth: Any, status: Any
    ) -> bytes:
        """The state of a row the quick path accepted, mostly from cached marks.

        Only a row read in canonical form (no spaces around the address or dwelling, the
        station number as it is written in the register, dates and flags as text) can reuse
        its digest; any other takes ``imported_state``'s general way to the same state.
        """
        address, dwelling, station_text = stored[14], stored[15], values[14]
        station = self._station_marks.get(station_text)
        if station is None:
            station = self._remember(
                self._station_marks, station_text, self._station_mark(station_text)
            )
        if (
            not station
            or not self.as_text
            or not self._reuse
            or address != values[12]
            or dwelling != values[13]
            or _SEP in address
            or _SEP in dwelling
        ):
            return imported_state(values, stored, self._numbers, self._reuse)
        tail, decided = self._decided[birth[3] | status[6]]
        # The reader hands over decoded text only (a row with bad UTF-8 is rejected).
        return assembled_state(
            stored[19],
            f"{stored[4]}\x1f{stored[5]}{tail}",
            stored[0],
            names,
            self._sex_marks[stored[6]] + birth[4] + status[8],
            address,
            dwelling,
            station + decided,
        )

    def _station_mark(self, text: str) -> bytes:
        """The station's mark, or empty when ``text`` is not the number's canonical form."""
        station = self._station(text)
        if station is None or self._numbers.get(station) != text:
            return b""
        return text_mark(text)

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, value: Any) -> Any:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()  # bounded memory on any file; a real extract never comes close
        cache[key] = value
        return value

    def _birth(self, text: str) -> _Birth | None:
        """(date, stored form, DDMMYYYY, age failure bit) of a plain valid birth date."""
        when = _plain_date(text)
        if when is None or when > self.today:
            return None
        stored: Any = text if self.as_text else when
        return (
            when,
            stored,
            f"{text[8:10]}{text[5:7]}{text[0:4]}",
            self.rules.age_mask(when),
            text_mark(text),
        )

    def _decide_status(self, key: tuple[str, ...]) -> _Status | None:
        """Citizenship, flags and death checked the way ``parse_row`` does, and their bits."""
        citizenship, others, incapable, confined, biometric, death_text = key
        death = _plain_date(death_text) if death_text else None
        if death_text and (death is None or death > self.today):
            return None
        if not _country(citizenship) or (others and not all(map(_country, others.split(";")))):
            return None
        a, b, c = _BOOL.get(incapable), _BOOL.get(confined), _BOOL.get(biometric)
        if a is None or b is None or c is None:
            return None
        stored: Any = death_text if (death is not None and self.as_text) else death
        mask = self.rules.status_mask(citizenship, a, b, c, death, others)
        truth = self._truth
        marks = b"".join(map(text_mark, key))  # the state's marks of these six fields
        return (citizenship, others, truth[a], truth[b], truth[c], stored, mask, death, marks)

    @staticmethod
    def _part(part: str) -> tuple[str, str, str, bytes] | None:
        """A name part's (text, key, Latin) when it is plain, trimmed Cyrillic of legal length.

        Checked once per distinct value (the result is cached): a part that is no name
        (``names.name_problem``) takes the general path, which refuses it.
        """
        if len(part) > MAX_NAME or part != part.strip() or name_problem(part) is not None:
            return None
        plain = plain_part(part)
        if plain is None:
            return None
        return (part, plain[0], plain[1], text_mark(part))

    def _station(self, text: str) -> int | None:
        if not (text.isdigit() and text.isascii()):
            return None
        return self.stations.get(int(text))


def _plain_date(text: str) -> date | None:
    """The date ``rows`` accepts (exactly YYYY-MM-DD), or None."""
    try:
        return parse_date(text)
    except ValueError:
        return None


def _country(code: str) -> bool:
    return len(code) == 2 and code[0] in _COUNTRY_CHARS and code[1] in _COUNTRY_CHARS
