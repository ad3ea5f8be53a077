"""What a scanner read from one sheet: the hand-off between ballot reading and everything after.

The OMR engine produces :class:`SheetRead` values; adjudication resolves the ones that need a
human; tallying, cast-vote-record export and audits consume them. The reader never guesses, so
every value says *why* it is not a plain vote (``reasons``) and carries the thresholds it was
judged with, which are stored with each cast vote record.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ContestOutcome(StrEnum):
    """How one contest on a sheet reads."""

    VALID = "valid"  # 1..votes_allowed definite marks, no marginal ones
    OVERVOTE = "overvote"  # more definite marks than allowed: no vote counts
    UNDERVOTE = "undervote"  # no definite mark at all (a blank contest)
    MARGINAL = "marginal"  # at least one mark between the thresholds: a human decides


class SheetStatus(StrEnum):
    """Whether the sheet as a whole could be read and belongs here."""

    READABLE = "readable"
    WRONG_STYLE = "wrong-style"  # QR names a style this station does not issue
    WRONG_STATION = "wrong-station"  # QR names another station
    UNREADABLE = "unreadable"  # timing marks or QR not found: a human reads it


class Reason(StrEnum):
    """Why a sheet or contest goes to adjudication; stable codes for logs and the UI."""

    TIMING_MARK_MISSING = "timing-mark-missing"
    TIMING_MARKS_NOT_FOUND = "timing-marks-not-found"
    QR_UNREADABLE = "qr-unreadable"
    QR_FOREIGN = "qr-foreign"  # decodes, but not a Shailoo ballot of this election
    WRONG_STYLE = "wrong-style"
    WRONG_STATION = "wrong-station"
    MARGINAL_MARK = "marginal-mark"
    OVERVOTE = "overvote"
    IMAGE_UNREADABLE = "image-unreadable"  # the file itself does not decode


def fill_ratio(value: object, where: str = "fill") -> float:
    """``value`` as a fill ratio: a finite number in [0, 1] (0 blank oval, 1 solid).

    Accepts a JSON number or its text (NIST writes marks as strings); anything else, ``NaN``,
    an infinity or a value outside [0, 1] is a ``ValueError`` naming ``where``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{where}: {value!r} is not a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ValueError(f"{where}: {value!r} is not a number") from None
    if not 0.0 <= number <= 1.0:  # NaN compares false too
        raise ValueError(f"{where}: {value!r} is not a fill ratio in [0, 1]")
    return number


def finite(value: object, where: str) -> float:
    """``value`` as a finite float (geometry: angles, offsets, counts), else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{where}: {value!r} is not a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ValueError(f"{where}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{where}: {value!r} is not a finite number")
    return number


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key}: expected text or null, got {type(value).__name__}")
    return value


def _items(data: Mapping[str, Any], key: str, where: str = "") -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{where}{key}: expected a list, got {type(value).__name__}")
    return value


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Fill ratios (0 = blank oval, 1 = solid) that separate empty, marginal and definite."""

    marginal: float = 0.12
    definite: float = 0.30

    def __post_init__(self) -> None:
        if not 0.0 < self.marginal < self.definite <= 1.0:
            raise ValueError("thresholds need 0 < marginal < definite <= 1")

    def judge(self, fill: float) -> bool | None:
        """``True`` marked, ``False`` empty, ``None`` marginal (a human must look)."""
        if fill >= self.definite:
            return True
        if fill < self.marginal:
            return False
        return None


@dataclass(frozen=True, slots=True)
class SelectionRead:
    """One oval: its measured fill and what that means under the thresholds."""

    option_id: str
    fill: float
    marked: bool | None


@dataclass(frozen=True, slots=True)
class ContestRead:
    """One contest on one sheet; ``votes`` are the option ids that count (empty unless valid)."""

    contest_id: str
    outcome: ContestOutcome
    selections: tuple[SelectionRead, ...]
    votes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SheetRead:
    """Everything read from one sheet image."""

    source: str  # file name (or other handle) of the image
    status: SheetStatus
    thresholds: Thresholds
    election_id: str | None = None
    style_id: str | None = None
    station: str | None = None
    serial: str | None = None
    contests: tuple[ContestRead, ...] = ()
    reasons: tuple[Reason, ...] = ()
    #: Degrees rotated to upright, skew found, and other facts useful to an adjudicator.
    geometry: dict[str, float] = field(default_factory=dict)

    @property
    def needs_adjudication(self) -> bool:
        return (
            bool(self.reasons)
            or self.status is not SheetStatus.READABLE
            or any(c.outcome is ContestOutcome.MARGINAL for c in self.contests)
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (for queues and debugging; the exchange format is NIST SP 1500-103)."""
        return {
            "source": self.source,
            "status": self.status.value,
            "thresholds": {
                "marginal": self.thresholds.marginal,
                "definite": self.thresholds.definite,
            },
            "election_id": self.election_id,
            "style_id": self.style_id,
            "station": self.station,
            "serial": self.serial,
            "reasons": [r.value for r in self.reasons],
            "geometry": dict(self.geometry),
            "contests": [
                {
                    "contest_id": c.contest_id,
                    "outcome": c.outcome.value,
                    "votes": list(c.votes),
                    "selections": [
                        {"option_id": s.option_id, "fill": s.fill, "marked": s.marked}
                        for s in c.selections
                    ],
                }
                for c in self.contests
            ],
        }

    def value_problems(self) -> Iterator[tuple[str, str]]:
        """``(where, why)`` for every value no store should take: a fill outside [0, 1] (or
        NaN), thresholds that are not ``0 < marginal < definite <= 1``, non-finite geometry,
        text holding U+0000 (which no PostgreSQL text or JSON column can hold)."""
        texts = {
            "source": self.source,
            "election_id": self.election_id,
            "style_id": self.style_id,
            "station": self.station,
            "serial": self.serial,
        }
        for key, text in texts.items():
            if text is not None and "\x00" in text:
                yield key, "contains a NUL character (U+0000)"
        marginal, definite = self.thresholds.marginal, self.thresholds.definite
        if not 0.0 < marginal < definite <= 1.0:
            yield "thresholds", "need 0 < marginal < definite <= 1"
        for key, value in self.geometry.items():
            if "\x00" in key:
                yield "geometry", "a key contains a NUL character (U+0000)"
            elif not math.isfinite(value):
                yield f"geometry.{key}", f"{value!r} is not a finite number"
        for i, contest in enumerate(self.contests):
            for j, selection in enumerate(contest.selections):
                if not 0.0 <= selection.fill <= 1.0:
                    where = f"contests.{i}.selections.{j}.fill"
                    yield where, f"{selection.fill!r} is not a fill ratio in [0, 1]"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SheetRead:
        """Read :meth:`to_json`'s form back, checking every value.

        Raises ``KeyError`` for a missing key and ``ValueError`` (or ``TypeError``) naming
        the field for a wrong one: a fill outside [0, 1], ``NaN``, a station that is no text.
        """
        geometry = data.get("geometry", {})
        if not isinstance(geometry, Mapping):
            raise ValueError(f"geometry: expected an object, got {type(geometry).__name__}")
        return cls(
            source=str(data["source"]),
            status=SheetStatus(data["status"]),
            thresholds=Thresholds(**data["thresholds"]),
            election_id=_text(data, "election_id"),
            style_id=_text(data, "style_id"),
            station=_text(data, "station"),
            serial=_text(data, "serial"),
            reasons=tuple(Reason(r) for r in _items(data, "reasons")),
            geometry={k: finite(v, f"geometry.{k}") for k, v in geometry.items()},
            contests=tuple(
                _contest_from_json(c, f"contests.{i}.")
                for i, c in enumerate(_items(data, "contests"))
            ),
        )


def _contest_from_json(data: Mapping[str, Any], where: str) -> ContestRead:
    selections = []
    for j, s in enumerate(_items(data, "selections", where)):
        here = f"{where}selections.{j}"
        marked = s["marked"]
        if marked is not None and not isinstance(marked, bool):
            raise ValueError(f"{here}.marked: expected true, false or null, got {marked!r}")
        selections.append(
            SelectionRead(str(s["option_id"]), fill_ratio(s["fill"], f"{here}.fill"), marked)
        )
    return ContestRead(
        contest_id=str(data["contest_id"]),
        outcome=ContestOutcome(data["outcome"]),
        votes=tuple(str(v) for v in _items(data, "votes", where)),
        selections=tuple(selections),
    )


def classify_contest(
    contest_id: str,
    fills: list[tuple[str, float]],
    votes_allowed: int,
    thresholds: Thresholds,
    against_all: str | None = None,
) -> ContestRead:
    """Turn measured fills into a contest outcome, the one rule every reader must share.

    Any marginal oval makes the contest marginal (never guess); otherwise more definite marks
    than allowed is an overvote, none an undervote. "Against all" marked together with any other
    option is an overvote whatever ``votes_allowed`` says, because the law counts it as a
    rejection of every option.
    """
    selections = tuple(SelectionRead(oid, fill, thresholds.judge(fill)) for oid, fill in fills)
    if any(s.marked is None for s in selections):
        return ContestRead(contest_id, ContestOutcome.MARGINAL, selections)
    marked = tuple(s.option_id for s in selections if s.marked)
    if not marked:
        return ContestRead(contest_id, ContestOutcome.UNDERVOTE, selections)
    if len(marked) > votes_allowed or (against_all in marked and len(marked) > 1):
        return ContestRead(contest_id, ContestOutcome.OVERVOTE, selections)
    return ContestRead(contest_id, ContestOutcome.VALID, selections, marked)
