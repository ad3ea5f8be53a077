"""The election definition: contests, options and ballot styles, as one documented JSON file.

Counting must work before candidate registration exists, so the definition is a file that
the synthetic-data tools can generate and that the registration capability will later produce. The
same model drives ballot rendering, ballot reading, tallying and result export, which is why it
is strict (no unknown keys, no coercion) and checked as a whole: a ballot style naming a
contest that does not exist would otherwise surface as a misread on election night.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shailoo.common import safe_json
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

FORMAT = "shailoo-election-definition/1"
#: Seats a contest fills, and marks a voter may make: no elected body of the Kyrgyz Republic
#: has more than 90 seats (the Jogorku Kenesh); the bound refuses absurd numbers (2^63, ...)
#: with their key path before they reach a database column.
MAX_SEATS = 500
#: A national definition is a few MiB; a file far larger is not one.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: At most this many seats or marks: a whole number from 1 to :data:`MAX_SEATS`.
SeatCount = Annotated[int, Field(ge=1, le=MAX_SEATS)]

Identifier = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]
ContestKind = Literal["president", "party_list", "district", "local_list", "local_district"]
OptionKind = Literal["candidate", "party", "against_all"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LocalText(_Strict):
    """A text as printed on the ballot, in the state language and the official language."""

    ky: Annotated[str, Field(min_length=1)]
    ru: Annotated[str, Field(min_length=1)]


class Option(_Strict):
    """One oval on the ballot: a candidate, a party list, or "against all"."""

    id: Identifier
    kind: OptionKind
    name: LocalText
    party: LocalText | None = None
    #: Candidates of a party list in registered order (names as registered), for seat filling.
    list_candidates: tuple[LocalText, ...] = ()
    #: A candidate's sex, as registered: the 2025 district seat rule (at most two winners of
    #: one sex) needs it. Absent for parties, "against all" and older definitions.
    sex: Literal["F", "M"] | None = None


class Contest(_Strict):
    """One question on a ballot: who is president, which list, which district members."""

    id: Identifier
    kind: ContestKind
    title: LocalText
    #: How many ovals a voter may mark; more is an overvote, fewer an undervote.
    votes_allowed: SeatCount = 1
    #: Seats the contest fills (1 for president and single-member districts).
    seats: SeatCount = 1
    #: Electoral district (for district contests) or territory the contest covers.
    district: Identifier | None = None
    options: Annotated[tuple[Option, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _options_consistent(self) -> Contest:
        ids = [o.id for o in self.options]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"option ids repeat: {', '.join(duplicates)}")
        if sum(o.kind == "against_all" for o in self.options) > 1:
            raise ValueError("at most one 'against_all' option per contest")
        choosable = sum(o.kind != "against_all" for o in self.options)
        if self.votes_allowed > max(choosable, 1):
            raise ValueError(
                f"votes_allowed={self.votes_allowed} exceeds the {choosable} options to choose"
            )
        return self


class BallotStyle(_Strict):
    """One printed sheet: which contests it carries, in order, and where it is used."""

    id: Identifier
    contests: Annotated[tuple[Identifier, ...], Field(min_length=1)]
    #: Polling-station numbers (as in ``geo.PollingStation.number``) that issue this sheet.
    stations: tuple[Annotated[str, Field(min_length=1)], ...] = ()


class ElectionDefinition(_Strict):
    """The whole definition; ``format`` pins the version of this file layout."""

    format: Literal["shailoo-election-definition/1"]
    election_id: Identifier
    name: LocalText
    election_date: date
    law_edition: Annotated[str, Field(pattern=r"^[a-z]{2}-[0-9]{4}(-[a-z0-9]+)*$")]
    contests: Annotated[tuple[Contest, ...], Field(min_length=1)]
    ballot_styles: Annotated[tuple[BallotStyle, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _references_resolve(self) -> ElectionDefinition:
        contest_ids = [c.id for c in self.contests]
        repeated = sorted({i for i in contest_ids if contest_ids.count(i) > 1})
        if repeated:
            raise ValueError(f"contest ids repeat: {', '.join(repeated)}")
        style_ids = [s.id for s in self.ballot_styles]
        repeated = sorted({i for i in style_ids if style_ids.count(i) > 1})
        if repeated:
            raise ValueError(f"ballot style ids repeat: {', '.join(repeated)}")
        known = set(contest_ids)
        for style in self.ballot_styles:
            missing = [c for c in style.contests if c not in known]
            if missing:
                raise ValueError(f"ballot style {style.id!r} names unknown contests: {missing}")
            if len(set(style.contests)) != len(style.contests):
                raise ValueError(f"ballot style {style.id!r} lists a contest twice")
        return self

    # -- look-ups used by rendering, reading and tallying -------------------------------------

    def contest(self, contest_id: str) -> Contest:
        for contest in self.contests:
            if contest.id == contest_id:
                return contest
        raise KeyError(contest_id)

    def style(self, style_id: str) -> BallotStyle:
        for style in self.ballot_styles:
            if style.id == style_id:
                return style
        raise KeyError(style_id)

    def styles_for_station(self, station: str) -> tuple[BallotStyle, ...]:
        return tuple(s for s in self.ballot_styles if station in s.stations)

    def style_contests(self, style_id: str) -> tuple[Contest, ...]:
        return tuple(self.contest(c) for c in self.style(style_id).contests)

    def stations(self) -> Iterator[str]:
        seen: set[str] = set()
        for style in self.ballot_styles:
            for station in style.stations:
                if station not in seen:
                    seen.add(station)
                    yield station


class DefinitionError(InvalidInput):
    """A definition file that cannot be used (``definition_invalid``), with where and why.

    Each problem's ``where`` is the key path (empty for the file as a whole), its ``source``
    the file: ``str()`` lists them as ``FILE: key.path: reason``.
    """

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        super().__init__(
            "definition_invalid",
            f"The election definition {source} cannot be used.",
            problems=[problem.located(source) for problem in problems],
        )


def parse_definition(data: object, source: str = "<definition>") -> ElectionDefinition:
    """Validate already-decoded JSON; errors name the key path (``contests.2.options.0.id``)."""
    try:
        # Through JSON mode: strict about types, yet a date may be an ISO string and an array a
        # tuple, exactly as in the file. NaN and infinities are no JSON: refused here too.
        text = json.dumps(data, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise DefinitionError(source, [Problem("", f"not a JSON document: {exc}")]) from None
    try:
        return ElectionDefinition.model_validate_json(text)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()
        ]
        raise DefinitionError(source, problems) from None


def load_definition(path: str | Path) -> ElectionDefinition:
    """Read and validate a definition file; bad JSON is reported with its line and column.

    Read through :mod:`shailoo.common.safe_json`: a file over :data:`MAX_FILE_BYTES`, nested
    too deeply, or holding ``NaN`` or a number of too many digits is refused, located.
    """
    path = Path(path)
    try:
        data = safe_json.load(path, max_bytes=MAX_FILE_BYTES)
    except safe_json.JsonInputError as exc:
        problems = [Problem(p.where, p.why, p.line) for p in exc.problems]
        raise DefinitionError(str(path), problems) from None
    return parse_definition(data, str(path))


def dump_definition(definition: ElectionDefinition) -> str:
    """The canonical text of a definition (what ``synth`` writes and tests compare)."""
    return json.dumps(definition.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
