"""Cast vote records as NIST SP 1500-103 JSON (``CVR.CastVoteRecordReport``), both ways.

One report stands alone: it carries the election, its contests, options (as candidate, party
or plain selections), candidates, parties and the polling stations (``GpUnit``), so a reader
needs nothing else to interpret it. Every sheet becomes one ``CVR``:

* ``BallotStyleId`` the ballot style, ``BallotStyleUnitId`` the station's ``GpUnit``,
  ``BallotSheetId`` and ``UniqueId`` the sheet serial printed in the QR code;
* an ``original`` snapshot with every oval: ``MarkMetricValue`` is the measured fill (as
  Python's shortest round-tripping decimal), ``HasIndication`` yes/no/unknown (marked, empty,
  marginal), ``IsAllocable`` yes only where the mark counts as a vote, ``NumberVotes`` 1 for
  any definite mark (the standard's convention: overvoted marks are votes, not allocable);
* snapshot ``Status`` ``needs-adjudication`` when the sheet needs a human;
* for an adjudicated sheet also an ``interpreted`` snapshot (the adjudicator's reading),
  which then is the ``CurrentSnapshotId``.

Where Shailoo facts go (the schema forbids extra properties, so no private keys):
the reader's thresholds, the sheet status, the reasons a sheet goes to a human, the image
name and the geometry are written as ``Annotation.Message`` strings of the form
``shailoo:<key>=<JSON>`` on each snapshot. ``Annotation`` is the standard's place for notes
attached to a snapshot (it already carries adjudicator names and times), its messages are
free text any consumer shows to a person, and the ``shailoo:`` prefix keeps ours apart from
anyone else's; JSON values make them exact to read back. A contest that needs a human has
``Status`` ``other`` with ``OtherStatus`` ``marginal``; overvotes and undervotes use the
standard's ``overvoted``/``undervoted``.

Identifiers: ``@id`` values are built from our identifiers with ``:`` separators
(``contest:pres``, ``option:pres:c1``, ``station:1001``); definition identifiers never hold a
``:``, so each ``@id`` maps back to exactly one identifier.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shailoo.common import safe_json
from shailoo.counting.definition import Contest, ElectionDefinition, LocalText, Option
from shailoo.counting.formats.schemas import LocatedError
from shailoo.counting.reads import (
    ContestOutcome,
    ContestRead,
    Reason,
    SelectionRead,
    SheetRead,
    SheetStatus,
    Thresholds,
    fill_ratio,
    finite,
)

VERSION = "1.0.0"
PREFIX = "shailoo:"
MARK_METRIC = "fill ratio of the oval against the blank template (0 blank, 1 solid)"
#: A ``shailoo:<key>=<JSON>`` annotation value is small: thresholds, reasons, geometry.
FACT_BYTES = 64 * 1024


class CvrFormatError(LocatedError):
    """A CVR document that cannot be read back: ``where`` is its JSON path."""


@dataclass(frozen=True, slots=True)
class AdjudicatedSheet:
    """A sheet a person resolved: what the scanner read and what the adjudicator decided."""

    original: SheetRead
    interpreted: SheetRead
    adjudicator: str
    decided: datetime
    note: str = ""


# -- identifiers -----------------------------------------------------------------------------


def election_ref(election_id: str) -> str:
    return f"election:{election_id}"


def contest_ref(contest_id: str) -> str:
    return f"contest:{contest_id}"


def option_ref(contest_id: str, option_id: str) -> str:
    return f"option:{contest_id}:{option_id}"


def station_ref(station: str) -> str:
    return f"station:{station}"


def _strip(value: str, prefix: str, where: str) -> str:
    if not value.startswith(prefix):
        raise CvrFormatError(where, f"expected an id starting {prefix!r}, found {value!r}")
    return value[len(prefix) :]


def _name(text: LocalText) -> str:
    """One display string: Kyrgyz, then Russian where it differs."""
    return text.ky if text.ky == text.ru else f"{text.ky} / {text.ru}"


def _code(kind: str, value: str) -> dict[str, Any]:
    return {"@type": "CVR.Code", "Type": "other", "OtherType": kind, "Value": value}


def _time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("generated/decided times must carry a time zone")
    return moment.isoformat(timespec="seconds")


# -- definitions: election, contests, parties, stations --------------------------------------


def _party_key(text: LocalText) -> tuple[str, str]:
    return (text.ky, text.ru)


def _parties(definition: ElectionDefinition) -> dict[tuple[str, str], str]:
    """Every party named on any ballot, in first-seen order, with its ``@id``."""
    found: dict[tuple[str, str], str] = {}
    for contest in definition.contests:
        for option in contest.options:
            text = option.name if option.kind == "party" else option.party
            if text is not None and _party_key(text) not in found:
                found[_party_key(text)] = f"party:{len(found) + 1}"
    return found


def _selection(contest: Contest, option: Option, parties: Mapping[tuple[str, str], str]) -> Any:
    ref = option_ref(contest.id, option.id)
    codes = [_code("shailoo-option", option.id), _code("shailoo-option-kind", option.kind)]
    if option.kind == "party":
        return {
            "@id": ref,
            "@type": "CVR.PartySelection",
            "PartyIds": [parties[_party_key(option.name)]],
            "Code": codes,
        }
    if option.kind == "candidate":
        return {
            "@id": ref,
            "@type": "CVR.CandidateSelection",
            "CandidateIds": [f"candidate:{contest.id}:{option.id}"],
            "Code": codes,
        }
    return {"@id": ref, "@type": "CVR.ContestSelection", "Code": codes}


def _contest(contest: Contest, parties: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    party_list = contest.kind in ("party_list", "local_list")
    body: dict[str, Any] = {
        "@id": contest_ref(contest.id),
        "@type": "CVR.PartyContest" if party_list else "CVR.CandidateContest",
        "Name": _name(contest.title),
        "Code": [_code("shailoo-contest", contest.id), _code("shailoo-contest-kind", contest.kind)],
        "ContestSelection": [_selection(contest, o, parties) for o in contest.options],
        "VoteVariation": "proportional" if party_list else "plurality",
    }
    if not party_list:
        body["VotesAllowed"] = contest.votes_allowed
        body["NumberElected"] = contest.seats
        if contest.votes_allowed > 1:
            body["VoteVariation"] = "n-of-m"
    return body


def _candidates(
    definition: ElectionDefinition, parties: Mapping[tuple[str, str], str]
) -> list[dict[str, Any]]:
    found = []
    for contest in definition.contests:
        for option in contest.options:
            if option.kind != "candidate":
                continue
            item: dict[str, Any] = {
                "@id": f"candidate:{contest.id}:{option.id}",
                "@type": "CVR.Candidate",
                "Name": _name(option.name),
            }
            if option.party is not None:
                item["PartyId"] = parties[_party_key(option.party)]
            found.append(item)
    return found


def _gp_units(
    definition: ElectionDefinition, stations: Iterable[str], device: str
) -> list[dict[str, Any]]:
    units: list[dict[str, Any]] = [
        {
            "@id": "country",
            "@type": "CVR.GpUnit",
            "Type": "other",
            "OtherType": "country",
            "Name": _name(definition.name),
            "ReportingDeviceIds": [device],
        }
    ]
    for station in stations:
        units.append(
            {
                "@id": station_ref(station),
                "@type": "CVR.GpUnit",
                "Type": "precinct",
                "Name": station,
                "Code": [_code("shailoo-station", station)],
            }
        )
    return units


# -- sheets -----------------------------------------------------------------------------------


def _indication(marked: bool | None) -> str:
    return "unknown" if marked is None else "yes" if marked else "no"


def _cvr_contest(read: ContestRead) -> dict[str, Any]:
    votes = set(read.votes)
    selections = []
    for position, sel in enumerate(read.selections):
        status: list[str] = []
        if sel.marked is None:
            status = ["needs-adjudication"]
        allocable = "yes" if sel.option_id in votes else "unknown" if sel.marked is None else "no"
        selections.append(
            {
                "@type": "CVR.CVRContestSelection",
                "ContestSelectionId": option_ref(read.contest_id, sel.option_id),
                "OptionPosition": position,
                "Status": status,
                "SelectionPosition": [
                    {
                        "@type": "CVR.SelectionPosition",
                        "HasIndication": _indication(sel.marked),
                        "IsAllocable": allocable,
                        "NumberVotes": 1 if sel.marked else 0,
                        "MarkMetricValue": [repr(float(sel.fill))],
                        "Position": position,
                    }
                ],
            }
        )
    body: dict[str, Any] = {
        "@type": "CVR.CVRContest",
        "ContestId": contest_ref(read.contest_id),
        "CVRContestSelection": selections,
        "Selections": len(read.votes),
    }
    marks = sum(1 for s in read.selections if s.marked)
    if read.outcome is ContestOutcome.OVERVOTE:
        body["Status"] = ["overvoted"]
        body["Overvotes"] = marks
    elif read.outcome is ContestOutcome.UNDERVOTE:
        body["Status"] = ["undervoted"]
    elif read.outcome is ContestOutcome.MARGINAL:
        body["Status"] = ["other"]
        body["OtherStatus"] = "marginal"
    return body


def _facts(sheet: SheetRead, current: SheetRead, election_id: str) -> list[str]:
    """Shailoo facts of one snapshot, as ``shailoo:<key>=<JSON>`` annotation messages."""
    facts: dict[str, Any] = {
        "thresholds": {
            "marginal": sheet.thresholds.marginal,
            "definite": sheet.thresholds.definite,
        },
        "sheet-status": sheet.status.value,
        "reasons": [r.value for r in sheet.reasons],
        "source": sheet.source,
        "geometry": dict(sorted(sheet.geometry.items())),
    }
    # CVR-level fields hold the current snapshot's view; a snapshot that saw otherwise (or a
    # sheet from another election) says so here, so nothing the scanner read is lost.
    if sheet.election_id != election_id:
        facts["election"] = sheet.election_id
    for key, mine, cvr_level in (
        ("style", sheet.style_id, current.style_id),
        ("station", sheet.station, current.station),
        ("serial", sheet.serial, current.serial),
    ):
        if mine != cvr_level:
            facts[key] = mine
    return [
        PREFIX + key + "=" + json.dumps(value, ensure_ascii=False, sort_keys=True)
        for key, value in facts.items()
    ]


def _snapshot(
    sheet: SheetRead,
    current: SheetRead,
    election_id: str,
    snap_id: str,
    kind: str,
    adjudication: AdjudicatedSheet | None = None,
) -> dict[str, Any]:
    annotation: dict[str, Any] = {
        "@type": "CVR.Annotation",
        "Message": _facts(sheet, current, election_id),
    }
    if adjudication is not None:
        annotation["AdjudicatorName"] = [adjudication.adjudicator]
        annotation["TimeStamp"] = _time(adjudication.decided)
        if adjudication.note:
            annotation["Message"].append(adjudication.note)
    return {
        "@id": snap_id,
        "@type": "CVR.CVRSnapshot",
        "Type": kind,
        "Status": ["needs-adjudication"] if sheet.needs_adjudication else [],
        "Annotation": [annotation],
        "CVRContest": [_cvr_contest(c) for c in sheet.contests],
    }


def _cvr(
    entry: SheetRead | AdjudicatedSheet, number: int, election_id: str, device: str
) -> dict[str, Any]:
    adjudicated = entry if isinstance(entry, AdjudicatedSheet) else None
    original = entry.original if isinstance(entry, AdjudicatedSheet) else entry
    current = entry.interpreted if isinstance(entry, AdjudicatedSheet) else entry
    snaps = [_snapshot(original, current, election_id, f"cvr:{number}:original", "original")]
    if adjudicated is not None:
        snaps.append(
            _snapshot(
                current,
                current,
                election_id,
                f"cvr:{number}:interpreted",
                "interpreted",
                adjudicated,
            )
        )
    body: dict[str, Any] = {
        "@type": "CVR.CVR",
        "ElectionId": election_ref(election_id),
        "CreatingDeviceId": device,
        "BatchSequenceId": number,
        "CurrentSnapshotId": snaps[-1]["@id"],
        "CVRSnapshot": snaps,
    }
    if current.style_id is not None:
        body["BallotStyleId"] = current.style_id
    if current.station is not None:
        body["BallotStyleUnitId"] = station_ref(current.station)
    if current.serial is not None:
        body["BallotSheetId"] = current.serial
        body["UniqueId"] = current.serial
    return body


def build_cvr_report(
    definition: ElectionDefinition,
    sheets: Iterable[SheetRead | AdjudicatedSheet],
    *,
    generated: datetime,
    device_id: str = "shailoo",
    report_id: str | None = None,
) -> dict[str, Any]:
    """The whole report for ``sheets`` (plain reads, or :class:`AdjudicatedSheet` values).

    ``generated`` must carry a time zone; ``report_id`` (e.g. the scan batch) goes in
    ``Notes`` so a consumer can tell reports apart.
    """
    entries = list(sheets)
    device = f"device:{device_id}"
    parties = _parties(definition)
    stations = list(definition.stations())
    known = set(stations)
    for entry in entries:
        reads = (
            (entry.original, entry.interpreted) if isinstance(entry, AdjudicatedSheet) else (entry,)
        )
        for read in reads:
            if read.station is not None and read.station not in known:
                known.add(read.station)
                stations.append(read.station)
    report: dict[str, Any] = {
        "@type": "CVR.CastVoteRecordReport",
        "Version": VERSION,
        "GeneratedDate": _time(generated),
        "ReportType": ["originating-device-export"],
        "ReportGeneratingDeviceIds": [device],
        "ReportingDevice": [
            {
                "@id": device,
                "@type": "CVR.ReportingDevice",
                "Application": "Shailoo",
                "SerialNumber": device_id,
                "MarkMetricType": MARK_METRIC,
            }
        ],
        "GpUnit": _gp_units(definition, stations, device),
        "Party": [
            {"@id": ref, "@type": "CVR.Party", "Name": f"{ky} / {ru}" if ky != ru else ky}
            for (ky, ru), ref in parties.items()
        ],
        "Election": [
            {
                "@id": election_ref(definition.election_id),
                "@type": "CVR.Election",
                "Name": _name(definition.name),
                "ElectionScopeId": "country",
                "Code": [
                    _code("shailoo-election", definition.election_id),
                    _code("shailoo-law-edition", definition.law_edition),
                    _code("shailoo-election-date", definition.election_date.isoformat()),
                ],
                "Candidate": _candidates(definition, parties),
                "Contest": [_contest(c, parties) for c in definition.contests],
            }
        ],
        "CVR": [
            _cvr(entry, number, definition.election_id, device)
            for number, entry in enumerate(entries, start=1)
        ],
    }
    if any(isinstance(e, AdjudicatedSheet) for e in entries):
        report["ReportType"].append("adjudicated")
    if report_id is not None:
        report["Notes"] = f"report {report_id}"
    return report


# -- reading back -----------------------------------------------------------------------------


def _get(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(obj, Mapping) or key not in obj:
        raise CvrFormatError(where, f"missing {key!r}")
    return obj[key]


def _read_facts(snapshot: Mapping[str, Any], where: str) -> tuple[dict[str, Any], list[str]]:
    facts: dict[str, Any] = {}
    notes: list[str] = []
    for a, annotation in enumerate(snapshot.get("Annotation", ())):
        for m, message in enumerate(annotation.get("Message", ())):
            if not message.startswith(PREFIX) or "=" not in message:
                notes.append(message)
                continue
            key, _, text = message[len(PREFIX) :].partition("=")
            try:
                # U+0000 round-trips in the format; the store refuses it (SheetRead.value_problems)
                facts[key] = safe_json.loads(text, max_bytes=FACT_BYTES, allow_nul=True)
            except safe_json.JsonInputError as exc:
                raise CvrFormatError(
                    f"{where}.Annotation[{a}].Message[{m}]", f"bad JSON value: {exc.reason}"
                ) from None
    if "thresholds" not in facts or "sheet-status" not in facts:
        raise CvrFormatError(where, "no shailoo:thresholds / shailoo:sheet-status annotation")
    return facts, notes


def _read_contest(body: Mapping[str, Any], where: str) -> ContestRead:
    contest_id = _strip(_get(body, "ContestId", where), "contest:", f"{where}.ContestId")
    status = body.get("Status", [])
    if "overvoted" in status:
        outcome = ContestOutcome.OVERVOTE
    elif "undervoted" in status:
        outcome = ContestOutcome.UNDERVOTE
    elif body.get("OtherStatus") == "marginal":
        outcome = ContestOutcome.MARGINAL
    else:
        outcome = ContestOutcome.VALID
    selections, votes = [], []
    for i, sel in enumerate(body.get("CVRContestSelection", ())):
        here = f"{where}.CVRContestSelection[{i}]"
        ref = _strip(_get(sel, "ContestSelectionId", here), f"option:{contest_id}:", here)
        position = _get(sel, "SelectionPosition", here)[0]
        indication = _get(position, "HasIndication", f"{here}.SelectionPosition[0]")
        marked = None if indication == "unknown" else indication == "yes"
        try:
            value = position["MarkMetricValue"][0]
        except (KeyError, IndexError, TypeError):
            raise CvrFormatError(
                f"{here}.SelectionPosition[0]", "no numeric MarkMetricValue"
            ) from None
        try:
            fill = fill_ratio(value, "MarkMetricValue[0]")
        except ValueError as exc:  # "MarkMetricValue[0]: 'NaN' is not a fill ratio in [0, 1]"
            raise CvrFormatError(f"{here}.SelectionPosition[0]", str(exc)) from None
        selections.append(SelectionRead(ref, fill, marked))
        if position.get("IsAllocable") == "yes":
            votes.append(ref)
    return ContestRead(contest_id, outcome, tuple(selections), tuple(votes))


def _read_snapshot(
    cvr: Mapping[str, Any], snapshot: Mapping[str, Any], election_id: str, where: str
) -> tuple[SheetRead, list[str]]:
    facts, notes = _read_facts(snapshot, where)
    station = cvr.get("BallotStyleUnitId")
    level = {
        "style": cvr.get("BallotStyleId"),
        "station": None if station is None else _strip(station, "station:", where),
        "serial": cvr.get("BallotSheetId"),
        "election": election_id,
    }
    level.update({k: facts[k] for k in level if k in facts})
    try:
        thresholds = Thresholds(**facts["thresholds"])
        sheet = SheetRead(
            source=str(facts.get("source", "")),
            status=SheetStatus(facts["sheet-status"]),
            thresholds=thresholds,
            election_id=level["election"],
            style_id=level["style"],
            station=level["station"],
            serial=level["serial"],
            reasons=tuple(Reason(r) for r in facts.get("reasons", ())),
            geometry={k: finite(v, f"geometry.{k}") for k, v in facts.get("geometry", {}).items()},
            contests=tuple(
                _read_contest(c, f"{where}.CVRContest[{i}]")
                for i, c in enumerate(snapshot.get("CVRContest", ()))
            ),
        )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, CvrFormatError):
            raise
        raise CvrFormatError(where, str(exc)) from None
    return sheet, notes


def read_cvr_entries(
    doc: Mapping[str, Any], definition: ElectionDefinition
) -> list[SheetRead | AdjudicatedSheet]:
    """Every CVR as written: a plain read, or the original and interpreted snapshots.

    Whatever the document's shape, a problem is a :class:`CvrFormatError` at its JSON path
    (a value of the wrong kind included), never another exception.
    """
    if not isinstance(doc, Mapping) or doc.get("@type") != "CVR.CastVoteRecordReport":
        raise CvrFormatError("$", "not a CVR.CastVoteRecordReport")
    with _structure("$.Election"):
        elections = {e.get("@id") for e in doc.get("Election", ())}
    if election_ref(definition.election_id) not in elections:
        raise CvrFormatError("$.Election", f"no election {definition.election_id!r} here")
    entries: list[SheetRead | AdjudicatedSheet] = []
    with _structure("$.CVR"):
        cvrs = list(doc.get("CVR", ()))
    for n, cvr in enumerate(cvrs):
        where = f"$.CVR[{n}]"
        with _structure(where):
            entries.append(_read_entry(cvr, definition, where))
    return entries


@contextmanager
def _structure(where: str) -> Iterator[None]:
    """Turn a value of the wrong kind (a list for an object, a number for a list) into a
    located :class:`CvrFormatError`."""
    try:
        yield
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        raise CvrFormatError(where, f"unexpected structure ({type(exc).__name__}: {exc})") from None


def _read_entry(
    cvr: Mapping[str, Any], definition: ElectionDefinition, where: str
) -> SheetRead | AdjudicatedSheet:
    snaps = {s.get("Type"): (i, s) for i, s in enumerate(_get(cvr, "CVRSnapshot", where))}
    if "original" not in snaps:
        raise CvrFormatError(where, "no 'original' snapshot")
    i, snap = snaps["original"]
    original, _ = _read_snapshot(cvr, snap, definition.election_id, f"{where}.CVRSnapshot[{i}]")
    if "interpreted" not in snaps:
        return original
    i, snap = snaps["interpreted"]
    here = f"{where}.CVRSnapshot[{i}]"
    interpreted, notes = _read_snapshot(cvr, snap, definition.election_id, here)
    annotation = snap.get("Annotation", [{}])[0]
    try:
        decided = datetime.fromisoformat(_get(annotation, "TimeStamp", here))
    except ValueError:
        raise CvrFormatError(f"{here}.Annotation[0].TimeStamp", "not a date-time") from None
    return AdjudicatedSheet(
        original=original,
        interpreted=interpreted,
        adjudicator=(annotation.get("AdjudicatorName") or [""])[0],
        decided=decided,
        note="\n".join(notes),
    )


def read_cvr_report(doc: Mapping[str, Any], definition: ElectionDefinition) -> list[SheetRead]:
    """The current reading of every sheet: the adjudicated one where a person decided."""
    return [
        e.interpreted if isinstance(e, AdjudicatedSheet) else e
        for e in read_cvr_entries(doc, definition)
    ]
