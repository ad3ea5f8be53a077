"""Election results as NIST SP 1500-100 v2 JSON (``ElectionResults.ElectionReport``).

The results side of the exchange formats: per polling station totals, and the same totals
aggregated to territorial commissions (TECs), regions and the country, as one report any
consumer of the standard can read. The input is plain data (:class:`StationTotals` per
station, :class:`Geography` for names), so the Django side only loads accepted protocols and
calls :func:`build_results_report`.

Where things go:

* ``GpUnit``: one ``ReportingUnit`` for the country (``Type`` country), each region and TEC
  (``Type`` other, ``OtherType`` region / territorial-election-commission), each station
  (``Type`` precinct) and each electoral district of a district contest (``OtherType``
  electoral-district); ``ComposingGpUnitIds`` links country → regions → TECs → stations and
  district → stations. ``VotersRegistered`` and ``VotersParticipated`` (ballots cast) on every
  unit give turnout at every level.
* ``Election.BallotCounts``: per unit, ``Type`` total with ``BallotsCast``; per unit and
  contest with invalid ballots, ``Type`` other, ``OtherType`` ``invalid:<contest id>``, with
  ``BallotsRejected`` the ballots the commission found invalid for that contest (the standard
  has no per-contest invalid count).
* Contests: party lists as ``PartyContest`` with ``PartySelection``; president and districts
  as ``CandidateContest`` with ``CandidateSelection``; "against all" as a
  ``BallotMeasureSelection`` (the only selection type that is neither a candidate nor a party)
  with ``ExternalIdentifier`` other/against-all. Every selection's ``VoteCounts`` (``Type``
  total) holds one count per station that reported the contest and one per TEC, region,
  district and the country that contain such stations.
* ``ExternalIdentifier`` (``Type`` other, ``OtherType`` shailoo-id) carries our identifiers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from shailoo.counting.definition import Contest, ElectionDefinition, LocalText, Option
from shailoo.counting.formats.schemas import LocatedError

ResultsStatus = Literal[
    "certified",
    "correction",
    "pre-election",
    "recount",
    "unofficial-complete",
    "unofficial-partial",
]
ElectionType = Literal["general", "runoff", "special", "other"]


class ResultsInputError(LocatedError):
    """Station totals that cannot be reported: ``where`` names the station, contest, option."""


@dataclass(frozen=True, slots=True)
class StationTotals:
    """One station's accepted counts: the protocol lines the report needs.

    ``votes`` maps contest id → option id → votes; ``invalid`` contest id → invalid ballots.
    ``region`` and ``tec`` are the codes of the region and territorial commission above it.
    """

    station: str
    region: str
    tec: str
    registered: int
    ballots_cast: int
    votes: Mapping[str, Mapping[str, int]]
    invalid: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Geography:
    """Display names of the units; a unit without one is named by its code."""

    country: LocalText
    regions: Mapping[str, LocalText] = field(default_factory=dict)
    tecs: Mapping[str, LocalText] = field(default_factory=dict)
    stations: Mapping[str, LocalText] = field(default_factory=dict)


def _text(text: LocalText | str) -> dict[str, Any]:
    if isinstance(text, str):
        text = LocalText(ky=text, ru=text)
    return {
        "@type": "ElectionResults.InternationalizedText",
        "Text": [
            {"@type": "ElectionResults.LanguageString", "Content": text.ky, "Language": "ky"},
            {"@type": "ElectionResults.LanguageString", "Content": text.ru, "Language": "ru"},
        ],
    }


def _name(text: LocalText) -> str:
    return text.ky if text.ky == text.ru else f"{text.ky} / {text.ru}"


def _ident(value: str, kind: str = "shailoo-id") -> list[dict[str, Any]]:
    return [
        {
            "@type": "ElectionResults.ExternalIdentifier",
            "Type": "other",
            "OtherType": kind,
            "Value": value,
        }
    ]


def _time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("generated must carry a time zone")
    return moment.isoformat(timespec="seconds")


# -- checking and summing ---------------------------------------------------------------------


def _check(definition: ElectionDefinition, totals: list[StationTotals]) -> None:
    """Refuse what would publish a wrong number: unknown ids, negative or double counts."""
    seen: dict[str, StationTotals] = {}
    tec_region: dict[str, str] = {}
    for row in totals:
        where = f"station {row.station}"
        if row.station in seen:
            raise ResultsInputError(where, "reported twice")
        seen[row.station] = row
        if tec_region.setdefault(row.tec, row.region) != row.region:
            raise ResultsInputError(
                where, f"TEC {row.tec} lies in region {tec_region[row.tec]}, not {row.region}"
            )
        for name in ("registered", "ballots_cast"):
            if getattr(row, name) < 0:
                raise ResultsInputError(where, f"{name} is negative")
        for contest_id, counts in row.votes.items():
            try:
                contest = definition.contest(contest_id)
            except KeyError:
                raise ResultsInputError(where, f"unknown contest {contest_id!r}") from None
            options = {o.id for o in contest.options}
            for option_id, count in counts.items():
                if option_id not in options:
                    raise ResultsInputError(
                        f"{where}: contest {contest_id}", f"unknown option {option_id!r}"
                    )
                if count < 0:
                    raise ResultsInputError(
                        f"{where}: contest {contest_id}: option {option_id}", "negative votes"
                    )
        for contest_id, count in row.invalid.items():
            if contest_id not in row.votes:
                raise ResultsInputError(where, f"invalid ballots for unreported {contest_id!r}")
            if count < 0:
                raise ResultsInputError(f"{where}: contest {contest_id}", "negative invalid")


def _districts(definition: ElectionDefinition) -> dict[str, set[str]]:
    """Stations of each contest's electoral district (from the ballot styles carrying it)."""
    found: dict[str, set[str]] = {}
    for contest in definition.contests:
        if contest.district is None:
            continue
        members = found.setdefault(contest.district, set())
        for style in definition.ballot_styles:
            if contest.id in style.contests:
                members.update(style.stations)
    return found


class _Units:
    """The unit tree: which stations every unit holds, in report order."""

    def __init__(self, definition: ElectionDefinition, totals: list[StationTotals]) -> None:
        self.rows = {t.station: t for t in totals}
        self.regions: dict[str, list[str]] = {}
        self.tecs: dict[str, list[str]] = {}
        for row in sorted(totals, key=lambda r: (r.region, r.tec, r.station)):
            tecs = self.regions.setdefault(row.region, [])
            if row.tec not in tecs:
                tecs.append(row.tec)
            self.tecs.setdefault(row.tec, []).append(row.station)
        self.districts = {
            d: sorted(s for s in members if s in self.rows)
            for d, members in sorted(_districts(definition).items())
        }

    def members(self) -> list[tuple[str, list[str]]]:
        """Every unit's ``@id`` with the stations inside it (stations hold themselves)."""
        units = [(f"station:{s}", [s]) for tec in self.tecs.values() for s in tec]
        units += [(f"tec:{t}", stations) for t, stations in self.tecs.items()]
        units += [
            (f"region:{r}", [s for t in tecs for s in self.tecs[t]])
            for r, tecs in self.regions.items()
        ]
        units += [(f"district:{d}", stations) for d, stations in self.districts.items()]
        units.append(("country", list(self.rows)))
        return units


def _reporting_units(units: _Units, geography: Geography) -> list[dict[str, Any]]:
    def unit(
        ref: str, kind: str, name: LocalText | str, stations: list[str], parts: list[str]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "@id": ref,
            "@type": "ElectionResults.ReportingUnit",
            "Name": _text(name),
            "VotersRegistered": sum(units.rows[s].registered for s in stations),
            "VotersParticipated": sum(units.rows[s].ballots_cast for s in stations),
        }
        if kind in ("country", "precinct"):
            body["Type"] = kind
        else:
            body["Type"], body["OtherType"] = "other", kind
        if parts:
            body["ComposingGpUnitIds"] = parts
        if ref != "country":
            body["ExternalIdentifier"] = _ident(ref.partition(":")[2])
        return body

    found = [
        unit(
            "country",
            "country",
            geography.country,
            list(units.rows),
            [f"region:{r}" for r in units.regions],
        )
    ]
    for region, tecs in units.regions.items():
        stations = [s for t in tecs for s in units.tecs[t]]
        name = geography.regions.get(region, region)
        found.append(unit(f"region:{region}", "region", name, stations, [f"tec:{t}" for t in tecs]))
    for tec, stations in units.tecs.items():
        found.append(
            unit(
                f"tec:{tec}",
                "territorial-election-commission",
                geography.tecs.get(tec, tec),
                stations,
                [f"station:{s}" for s in stations],
            )
        )
    for stations in units.tecs.values():
        for station in stations:
            name = geography.stations.get(station, station)
            found.append(unit(f"station:{station}", "precinct", name, [station], []))
    for district, stations in units.districts.items():
        found.append(
            unit(
                f"district:{district}",
                "electoral-district",
                district,
                stations,
                [f"station:{s}" for s in stations],
            )
        )
    return found


# -- contests ---------------------------------------------------------------------------------


def _counts(
    contest: Contest, option: Option, units: list[tuple[str, list[str]]], rows: Mapping[str, Any]
) -> list[dict[str, Any]]:
    found = []
    for ref, stations in units:
        reporting = [rows[s] for s in stations if contest.id in rows[s].votes]
        if not reporting:
            continue
        found.append(
            {
                "@type": "ElectionResults.VoteCounts",
                "GpUnitId": ref,
                "Type": "total",
                "Count": sum(int(r.votes[contest.id].get(option.id, 0)) for r in reporting),
            }
        )
    return found


def _party_key(text: LocalText) -> tuple[str, str]:
    return (text.ky, text.ru)


def _parties(definition: ElectionDefinition) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for contest in definition.contests:
        for option in contest.options:
            text = option.name if option.kind == "party" else option.party
            if text is not None and _party_key(text) not in found:
                found[_party_key(text)] = f"party:{len(found) + 1}"
    return found


def _contest(
    definition: ElectionDefinition,
    contest: Contest,
    order: int,
    units: _Units,
    parties: Mapping[tuple[str, str], str],
) -> dict[str, Any]:
    party_list = contest.kind in ("party_list", "local_list")
    members = units.members()
    selections = []
    for position, option in enumerate(contest.options, start=1):
        ref = f"option:{contest.id}:{option.id}"
        body: dict[str, Any] = {"@id": ref, "SequenceOrder": position}
        if option.kind == "party":
            body["@type"] = "ElectionResults.PartySelection"
            body["PartyIds"] = [parties[_party_key(option.name)]]
        elif option.kind == "candidate":
            body["@type"] = "ElectionResults.CandidateSelection"
            body["CandidateIds"] = [f"candidate:{contest.id}:{option.id}"]
        else:
            body["@type"] = "ElectionResults.BallotMeasureSelection"
            body["Selection"] = _text(option.name)
            body["ExternalIdentifier"] = _ident("against-all", "shailoo-option-kind")
        body["VoteCounts"] = _counts(contest, option, members, units.rows)
        selections.append(body)
    styles = [style for style in definition.ballot_styles if contest.id in style.contests]
    issuing = {s for style in styles for s in style.stations}
    reported = sum(1 for row in units.rows.values() if contest.id in row.votes)
    result: dict[str, Any] = {
        "@id": f"contest:{contest.id}",
        "@type": f"ElectionResults.{'Party' if party_list else 'Candidate'}Contest",
        "Name": _name(contest.title),
        "BallotTitle": _text(contest.title),
        "ElectionDistrictId": (
            "country" if contest.district is None else f"district:{contest.district}"
        ),
        "ExternalIdentifier": _ident(contest.id),
        "SequenceOrder": order,
        "ContestSelection": selections,
        "SubUnitsReported": reported,
        "TotalSubUnits": max(len(issuing), reported),
        "VoteVariation": "proportional" if party_list else "plurality",
    }
    if not party_list:
        result["VotesAllowed"] = contest.votes_allowed
        result["NumberElected"] = contest.seats
        if contest.votes_allowed > 1:
            result["VoteVariation"] = "n-of-m"
    return result


def _candidates(
    definition: ElectionDefinition, parties: Mapping[tuple[str, str], str]
) -> list[dict[str, Any]]:
    found = []
    for contest in definition.contests:
        for option in contest.options:
            if option.kind != "candidate":
                continue
            body: dict[str, Any] = {
                "@id": f"candidate:{contest.id}:{option.id}",
                "@type": "ElectionResults.Candidate",
                "BallotName": _text(option.name),
                "ExternalIdentifier": _ident(option.id),
            }
            if option.party is not None:
                body["PartyId"] = parties[_party_key(option.party)]
            found.append(body)
    return found


def _ballot_counts(units: _Units) -> list[dict[str, Any]]:
    found = []
    for ref, stations in units.members():
        rows = [units.rows[s] for s in stations]
        if not rows:
            continue
        found.append(
            {
                "@type": "ElectionResults.BallotCounts",
                "GpUnitId": ref,
                "Type": "total",
                "BallotsCast": sum(r.ballots_cast for r in rows),
            }
        )
        contests = sorted({c for r in rows for c in r.invalid})
        for contest_id in contests:
            found.append(
                {
                    "@type": "ElectionResults.BallotCounts",
                    "GpUnitId": ref,
                    "Type": "other",
                    "OtherType": f"invalid:{contest_id}",
                    "BallotsRejected": sum(r.invalid.get(contest_id, 0) for r in rows),
                }
            )
    return found


def build_results_report(
    definition: ElectionDefinition,
    results: Iterable[StationTotals],
    *,
    generated: datetime,
    geography: Geography | None = None,
    status: ResultsStatus = "unofficial-partial",
    election_type: ElectionType = "general",
    issuer: str = "Central Election Commission",
    issuer_abbreviation: str = "CEC",
    sequence: tuple[int, int] = (1, 1),
    is_test: bool = False,
) -> dict[str, Any]:
    """The ``ElectionResults.ElectionReport`` for the stations in ``results``.

    ``sequence`` is (SequenceStart, SequenceEnd) for a report published in parts; raises
    :class:`ResultsInputError` for totals naming unknown contests/options or counted twice.
    """
    totals = list(results)
    _check(definition, totals)
    units = _Units(definition, totals)
    geography = geography or Geography(country=LocalText(ky="country", ru="country"))
    parties = _parties(definition)
    day = definition.election_date.isoformat()
    return {
        "@type": "ElectionResults.ElectionReport",
        "Format": "precinct-level",
        "GeneratedDate": _time(generated),
        "Issuer": issuer,
        "IssuerAbbreviation": issuer_abbreviation,
        "SequenceStart": sequence[0],
        "SequenceEnd": sequence[1],
        "Status": status,
        "VendorApplicationId": "Shailoo",
        "IsTest": is_test,
        "GpUnit": _reporting_units(units, geography),
        "Party": [
            {"@id": ref, "@type": "ElectionResults.Party", "Name": _text(LocalText(ky=ky, ru=ru))}
            for (ky, ru), ref in parties.items()
        ],
        "Election": [
            {
                "@type": "ElectionResults.Election",
                "Name": _text(definition.name),
                "Type": election_type,
                "StartDate": day,
                "EndDate": day,
                "ElectionScopeId": "country",
                "ExternalIdentifier": _ident(definition.election_id)
                + _ident(definition.law_edition, "shailoo-law-edition"),
                "Candidate": _candidates(definition, parties),
                "Contest": [
                    _contest(definition, c, n, units, parties)
                    for n, c in enumerate(definition.contests, start=1)
                ],
                "BallotCounts": _ballot_counts(units),
            }
        ],
    }
