"""Open-data exports of an election: protocols as CSV, results as NIST SP 1500-100 v2 JSON,
cast vote records as NIST SP 1500-103 JSON.

The CSV and the results report hold accepted protocols only unless asked otherwise (what
the commissions vouched for); the cast vote records hold every stored sheet, each with what
the scanner read and, for a sheet a person decided, the decision (``interpreted``).
Columns of the CSV are documented in ``docs/operator/results.md``. The NIST documents are
written with :func:`shailoo.counting.formats.schemas.write_json`, which checks them against the
official schema first (``shailoo results export``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from shailoo.common import csvout
from shailoo.common.refusals import Conflict, Refusal
from shailoo.counting.definition import ElectionDefinition, LocalText
from shailoo.counting.reads import ContestOutcome, ContestRead, SelectionRead, SheetRead
from shailoo.counting.results import aggregation
from shailoo.counting.results.models import Protocol
from shailoo.counting.results.protocol import BASE_LINES, VOTES_VALID
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation

CSV_COLUMNS = (
    "election",
    "contest",
    "region",
    "tec",
    "station",
    "status",
    "version",
    "line",
    "option",
    "value",
    "content_sha256",
)


class ExportError(Conflict):
    """An export that cannot be made yet; the message says what is missing and where."""

    def __init__(self, message: str) -> None:
        super().__init__("export_refused", message)


def _protocols(election: Election, include_unaccepted: bool) -> Any:
    rows = Protocol.objects.filter(election=election, current__isnull=False).select_related(
        "current", "station__tec", "station__region"
    )
    if not include_unaccepted:
        rows = rows.filter(status=Protocol.Status.ACCEPTED)
    return rows.order_by("station__number", "contest_id")


def csv_rows(election: Election, include_unaccepted: bool = False) -> Iterator[list[object]]:
    """One row per protocol line: the base lines, ``votes_valid``, then one per option."""
    for protocol in _protocols(election, include_unaccepted).iterator(chunk_size=2000):
        version, station = protocol.current, protocol.station
        head = [
            election.code,
            protocol.contest_id,
            station.region.code,
            station.tec.code,
            station.number,
            protocol.status,
            version.number,
        ]
        for line in BASE_LINES:
            yield [*head, line, "", version.lines[line], version.content_sha256]
        yield [*head, VOTES_VALID, "", version.votes_valid, version.content_sha256]
        for option, votes in version.votes.items():
            yield [*head, "votes", option, votes, version.content_sha256]


def write_csv(election: Election, out: TextIO, include_unaccepted: bool = False) -> int:
    """Write the CSV; returns the number of data rows."""
    writer = csvout.Writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in csv_rows(election, include_unaccepted):
        writer.writerow(row)
        count += 1
    return count


def _definition(election: Election) -> ElectionDefinition:
    from shailoo.counting.services import current_definition

    try:
        return current_definition(election)
    except Refusal as exc:
        raise ExportError(str(exc)) from None


def results_report(election: Election, generated: datetime) -> dict[str, Any]:
    """NIST SP 1500-100 v2 ``ElectionReport`` of the accepted protocols."""
    from shailoo.counting.formats.nist_err import (
        Geography,
        ResultsInputError,
        StationTotals,
        build_results_report,
    )

    definition = _definition(election)
    by_station: dict[int, dict[str, Any]] = {}
    for protocol in _protocols(election, include_unaccepted=False):
        station, version = protocol.station, protocol.current
        entry = by_station.setdefault(
            station.pk,
            {"station": station, "registered": 0, "cast": 0, "votes": {}, "invalid": {}},
        )
        entry["registered"] = max(entry["registered"], int(version.lines["voters_on_list"]))
        entry["cast"] = max(entry["cast"], int(version.lines["ballots_found"]))
        entry["votes"][protocol.contest_id] = {k: int(v) for k, v in version.votes.items()}
        entry["invalid"][protocol.contest_id] = int(version.lines["ballots_invalid"])
    totals = [
        StationTotals(
            station=str(e["station"].number),
            region=e["station"].region.code,
            tec=e["station"].tec.code,
            registered=e["registered"],
            ballots_cast=e["cast"],
            votes=e["votes"],
            invalid=e["invalid"],
        )
        for e in by_station.values()
    ]
    stations = PollingStation.objects.filter(pk__in=by_station).select_related("region", "tec")
    geography = Geography(
        country=LocalText(ky="Кыргыз Республикасы", ru="Кыргызская Республика"),
        regions={
            s.region.code: LocalText(ky=s.region.name_ky, ru=s.region.name_ru) for s in stations
        },
        tecs={s.tec.code: LocalText(ky=s.tec.name, ru=s.tec.name) for s in stations},
        stations={str(s.number): LocalText(ky=s.name, ru=s.name) for s in stations},
    )
    total, _ = aggregation.status_counts(election, PollingStation.objects.all())
    complete = total.accepted > 0 and not (total.reported or total.disputed or total.missing)
    try:
        return build_results_report(
            definition,
            totals,
            generated=generated,
            geography=geography,
            status="unofficial-complete" if complete else "unofficial-partial",
        )
    except ResultsInputError as exc:
        raise ExportError(f"accepted protocols do not fit the definition: {exc}") from None


def _interpreted(sheet: Any, original: SheetRead, definition: ElectionDefinition) -> SheetRead:
    """What counts after the people's decisions: the interpretations, marks as decided."""
    read_by_contest = {c.contest_id: c for c in original.contests}
    contests = []
    for item in sheet.contests.all():
        code = item.contest.code
        votes = tuple(item.votes)
        read = read_by_contest.get(code)
        if read is not None and read.selections:
            selections = tuple(
                SelectionRead(s.option_id, s.fill, s.option_id in votes) for s in read.selections
            )
        else:
            options = definition.contest(code).options if code in _ids(definition) else ()
            selections = tuple(SelectionRead(o.id, 0.0, o.id in votes) for o in options)
        contests.append(ContestRead(code, ContestOutcome(item.outcome), selections, votes))
    return dataclasses.replace(
        original,
        contests=tuple(contests),
        style_id=sheet.style.code if sheet.style is not None else original.style_id,
        reasons=original.reasons if sheet.state == "invalid" else (),
    )


def _ids(definition: ElectionDefinition) -> set[str]:
    return {c.id for c in definition.contests}


def cvr_entries(election: Election, definition: ElectionDefinition) -> Iterator[Any]:
    """Every stored sheet: the scanner's read, or the read and the people's decisions."""
    from shailoo.counting.formats.nist_cvr import AdjudicatedSheet
    from shailoo.counting.models import ScannedSheet

    sheets = (
        ScannedSheet.objects.filter(election=election)
        .select_related("station", "style")
        .prefetch_related("contests__contest", "decisions")
        .order_by("station__number", "serial")
    )
    for sheet in sheets.iterator(chunk_size=1000):
        original = SheetRead.from_json(sheet.read)
        decisions = list(sheet.decisions.all())
        if not decisions:
            yield original
            continue
        last = decisions[-1]
        note = "; ".join(f"{d.decision}: {d.reason}" for d in decisions)
        yield AdjudicatedSheet(
            original, _interpreted(sheet, original, definition), last.actor, last.decided_at, note
        )


def cvr_report(election: Election, generated: datetime) -> dict[str, Any]:
    """NIST SP 1500-103 ``CastVoteRecordReport`` of the election's stored sheets."""
    from shailoo.counting.formats.nist_cvr import build_cvr_report

    definition = _definition(election)
    return build_cvr_report(
        definition,
        cvr_entries(election, definition),
        generated=generated,
        report_id=f"{election.code}:export",
    )
