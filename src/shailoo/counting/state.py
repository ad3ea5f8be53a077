"""Scanned sheets bound to the ledger, and their state check (``ledger verify --state``).

``counting.scan_batch`` (unchanged) records a batch's count and one digest over all its reads,
which can say that a batch changed but not which sheet. With each batch the counting room now
also writes ``counting.scan_state``: for every sheet of the batch its id, a digest of the
sheet as recorded, and a short mark per field, so a changed sheet and field are named.

A sheet *as recorded* is what never changes afterwards: election, station, serial, the style
the scanner read, the read itself (its JSON, re-hashed, and the stored SHA-256), status and
reasons, image, who recorded it, and each contest's outcome and marks as read. What a person
changes later (the sheet's state, a style chosen for an unreadable sheet, a contest decided)
is replayed from the ``counting.adjudication`` entries, and each contest's outcome and votes
are expected to be as read (from the bound read) unless a decision says otherwise.

Batches recorded before ``counting.scan_state`` existed are checked against the batch digest
and station of their ``counting.scan_batch`` entry: a change is named by batch, not by sheet.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from django.db.models import F

from shailoo.counting.models import BallotStyle, ContestInterpretation, ScannedSheet
from shailoo.integrity import ledger
from shailoo.integrity.canonical import JSONValue, canonical_json
from shailoo.integrity.models import LedgerEntry
from shailoo.integrity.state import Entry, StateReport, entries, subject_pk

SCAN_BATCH = "counting.scan_batch"
SCAN_STATE = "counting.scan_state"
ADJUDICATION = "counting.adjudication"
#: The fields of a sheet as recorded, in mark order.
FIELDS: tuple[str, ...] = (
    "election",
    "station",
    "serial",
    "style",
    "read",
    "status",
    "image",
    "recorded",
    "contests",
)
MARK_HEX = 4
_SHEET = "counting.scannedsheet"
_OUTCOME = {"vote": "valid", "overvote": "overvote", "blank": "undervote"}
_CHUNK = 900


def read_sha(read: Any) -> str:
    """The SHA-256 ``record_scan`` stores for a read (sorted-key compact JSON)."""
    text = json.dumps(read, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sheets(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The sheets ``ids`` with their contest rows, read for a state."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for row in ScannedSheet.objects.filter(pk__in=chunk).values(
            "pk",
            "serial",
            "source",
            "image_path",
            "image_sha256",
            "read",
            "read_sha256",
            "status",
            "reasons",
            "needs_adjudication",
            "state",
            "marginal_threshold",
            "definite_threshold",
            "device_key_id",
            "recorded_by",
            "recorded_at",
            "batch_sequence",
            "style_id",
            election_code=F("election__code"),
            station_number=F("station__number"),
            style_code=F("style__code"),
        ):
            row["contests"] = []
            found[row["pk"]] = row
        for contest in ContestInterpretation.objects.filter(sheet_id__in=chunk).values(
            "sheet_id",
            "read_outcome",
            "outcome",
            "votes",
            "fills",
            "needs_decision",
            "decided",
            code=F("contest__code"),
        ):
            found[contest["sheet_id"]]["contests"].append(contest)
    return found


def _recorded(sheet: dict[str, Any], assigned_style: bool) -> dict[str, JSONValue]:
    """The sheet's fields as recorded (a style chosen later, and its contests, left out)."""
    recorded_at = sheet["recorded_at"]
    contests = (
        []
        if assigned_style
        else sorted(
            [c["code"], c["read_outcome"], c["fills"], bool(c["needs_decision"])]
            for c in sheet["contests"]
        )
    )
    return {
        "election": sheet["election_code"],
        "station": sheet["station_number"],
        "serial": sheet["serial"],
        "style": "" if assigned_style else (sheet["style_code"] or ""),
        "read": [read_sha(sheet["read"]), sheet["read_sha256"]],
        "status": [
            sheet["status"],
            list(sheet["reasons"] or []),
            bool(sheet["needs_adjudication"]),
            sheet["marginal_threshold"],
            sheet["definite_threshold"],
        ],
        "image": [sheet["source"], sheet["image_path"], sheet["image_sha256"]],
        "recorded": [
            sheet["device_key_id"],
            sheet["recorded_by"],
            recorded_at.astimezone(UTC).isoformat() if recorded_at is not None else "",
            sheet["batch_sequence"],
        ],
        "contests": contests,
    }


def sheet_state(recorded: dict[str, JSONValue]) -> tuple[str, str]:
    """``(digest, marks)``: 16-byte SHA-256 prefix of the whole, a 2-byte mark per field."""
    digest = hashlib.sha256(canonical_json(recorded)).hexdigest()[:32]
    marks = "".join(
        hashlib.sha256(canonical_json(recorded[name])).hexdigest()[:MARK_HEX] for name in FIELDS
    )
    return digest, marks


def record_batch(
    batch: LedgerEntry,
    sheet_ids: Sequence[int],
    *,
    actor: str,
    subject: str,
    election: str,
    station: int,
) -> LedgerEntry:
    """``counting.scan_state`` for the sheets a ``counting.scan_batch`` entry just stored, in
    its transaction: each sheet's id, digest and field marks, as read back from the rows."""
    sheets = _sheets(sorted(sheet_ids))
    listed: list[JSONValue] = []
    for pk in sorted(sheets):
        digest, marks = sheet_state(_recorded(sheets[pk], assigned_style=False))
        listed.append([pk, digest, marks])
    return ledger.record(
        SCAN_STATE,
        actor=actor,
        subject=subject,
        data={"batch": batch.sequence, "election": election, "station": station, "sheets": listed},
    )


# -- checking -------------------------------------------------------------------------------


class _Decisions:
    """What people decided on each sheet, replayed from the adjudication entries."""

    def __init__(self) -> None:
        self.state: dict[int, tuple[str, Entry]] = {}
        self.style: dict[int, tuple[str, Entry]] = {}
        self.contests: dict[int, dict[str, tuple[str, list[str], Entry]]] = defaultdict(dict)
        self.last: dict[int, Entry] = {}
        for e in entries([ADJUDICATION]):
            pk = subject_pk(e.subject, _SHEET)
            if pk is None:
                continue
            data = e.data
            self.last[pk] = e
            self.state[pk] = (str(data.get("sheet_state")), e)
            if data.get("style"):
                self.style[pk] = (str(data["style"]), e)
            decision, contest = data.get("decision"), data.get("contest")
            if isinstance(contest, str) and contest and decision in _OUTCOME:
                votes = data.get("votes")
                self.contests[pk][contest] = (
                    _OUTCOME[str(decision)],
                    [str(v) for v in votes] if isinstance(votes, list) else [],
                    e,
                )


def _name(sheet: dict[str, Any]) -> str:
    return f"{_SHEET}:{sheet['pk']} (№{sheet['station_number']} {sheet['serial']})"


def _check_current(
    report: StateReport,
    sheet: dict[str, Any],
    decisions: _Decisions,
    styles: dict[int, list[str]],
    since: Entry | None,
) -> None:
    """What people may change, against the replayed decisions and the bound read."""
    pk, name = sheet["pk"], _name(sheet)
    state, when = decisions.state.get(pk, ("", since))
    if not state:
        state = "pending" if sheet["needs_adjudication"] else "counted"
    if sheet["state"] != state:
        report.mismatch(name, "state", f"is {sheet['state']!r}, expected {state!r}", when)
    assigned = decisions.style.get(pk)
    if assigned is not None and sheet["style_code"] != assigned[0]:
        report.mismatch(
            name,
            "style",
            f"is {sheet['style_code']!r}, a person chose {assigned[0]!r}",
            assigned[1],
        )
    read = sheet["read"] if isinstance(sheet["read"], dict) else {}
    as_read = {
        c.get("contest_id"): list(c.get("votes") or [])
        for c in read.get("contests") or []
        if isinstance(c, dict)
    }
    if assigned is not None:
        wanted = set(styles.get(sheet["style_id"], []))
        got = {c["code"] for c in sheet["contests"]}
        if wanted != got:
            report.mismatch(
                name,
                "contests",
                f"are {sorted(got)}, the chosen style has {sorted(wanted)}",
                assigned[1],
            )
    decided = decisions.contests.get(pk, {})
    for contest in sheet["contests"]:
        code = contest["code"]
        by: Entry | None
        if code in decided:
            outcome, votes, by = decided[code]
            expected: tuple[str, list[str], bool] = (outcome, votes, True)
        else:
            by = since
            fresh = assigned is not None
            expected = (contest["read_outcome"], [] if fresh else as_read.get(code, []), False)
        for field, now, then in (
            ("outcome", contest["outcome"], expected[0]),
            ("votes", list(contest["votes"] or []), expected[1]),
            ("decided", bool(contest["decided"]), expected[2]),
        ):
            if now != then:
                report.mismatch(
                    name, f"contests.{code}.{field}", f"is {now!r}, expected {then!r}", by
                )


def check_sheets(report: StateReport) -> int:
    """Every sheet against its bound state and the decisions on it; see the module doc."""
    decisions = _Decisions()
    styles = dict(BallotStyle.objects.values_list("pk", "contest_codes"))
    listed: set[int] = set()
    covered_batches: set[int] = set()
    checked = 0
    for e in entries([SCAN_STATE]):
        batch = e.data.get("batch")
        if isinstance(batch, int):
            covered_batches.add(batch)
        listing = e.data.get("sheets")
        items = [
            i
            for i in (listing if isinstance(listing, list) else [])
            if isinstance(i, list) and len(i) == 3 and isinstance(i[0], int)
        ]
        bound = {int(str(i[0])): (str(i[1]), str(i[2])) for i in items}
        listed.update(bound)
        rows = _sheets(sorted(bound))
        for pk, (digest, marks) in sorted(bound.items()):
            sheet = rows.get(pk)
            if sheet is None:
                report.mismatch(f"{_SHEET}:{pk}", "", "deleted: the ledger bound this sheet", e)
                continue
            checked += 1
            recorded = _recorded(sheet, assigned_style=pk in decisions.style)
            now_digest, now_marks = sheet_state(recorded)
            if now_digest != digest:
                fields = [
                    name
                    for i, name in enumerate(FIELDS)
                    if now_marks[i * MARK_HEX : (i + 1) * MARK_HEX]
                    != marks[i * MARK_HEX : (i + 1) * MARK_HEX]
                ]
                report.mismatch(
                    _name(sheet),
                    ", ".join(fields) or "a field (not located)",
                    "differs from the sheet as the ledger recorded it",
                    e,
                )
            if recorded["read"][0] != recorded["read"][1]:  # type: ignore[index]
                report.mismatch(_name(sheet), "read", "the read no longer hashes to its SHA-256", e)
            _check_current(report, sheet, decisions, styles, e)
    checked += _check_old_batches(report, covered_batches, listed, decisions, styles)
    return checked


def _check_old_batches(
    report: StateReport,
    covered: set[int],
    listed: set[int],
    decisions: _Decisions,
    styles: dict[int, list[str]],
) -> int:
    """Sheets no ``counting.scan_state`` lists: those of batches recorded before it existed,
    against their batch's digest and station; any other is reported as unrecorded."""
    batches = {e.seq: e for e in entries([SCAN_BATCH]) if e.seq not in covered}
    by_batch: dict[int, list[int]] = defaultdict(list)
    for pk, seq in ScannedSheet.objects.values_list("pk", "batch_sequence").iterator(5000):
        if pk not in listed:
            by_batch[seq].append(pk)
    checked = 0
    for seq, ids in sorted(by_batch.items()):
        sheets = _sheets(sorted(ids))
        e = batches.get(seq)
        if e is None:
            for pk in sorted(sheets):
                report.mismatch(_name(sheets[pk]), "", "no ledger entry recorded this sheet")
            continue
        checked += len(sheets)
        data = e.data
        reads = "\n".join(sorted(f"{s['serial']}:{read_sha(s['read'])}" for s in sheets.values()))
        if hashlib.sha256(reads.encode("utf-8")).hexdigest() != data.get("reads_sha256") or len(
            sheets
        ) != data.get("sheets"):
            report.mismatch(
                f"{SCAN_BATCH} #{seq} (№{data.get('station')})",
                "reads",
                "a sheet of this batch was changed, added or removed (recorded before sheets "
                "were bound one by one: the sheet cannot be named)",
                e,
            )
        for sheet in sheets.values():
            if sheet["station_number"] != data.get("station"):
                report.mismatch(
                    _name(sheet),
                    "station",
                    f"the batch that recorded it was station {data.get('station')}",
                    e,
                )
            _check_current(report, sheet, decisions, styles, e)
    return checked
