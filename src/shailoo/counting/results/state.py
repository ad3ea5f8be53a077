"""The protocols' state check (``shailoo ledger verify --state``): rows against the ledger.

Nothing new is written for protocols: their entries already hold what binds them.
``counting.protocol_version`` carries a version's whole content (lines and votes) and its
SHA-256; ``counting.protocol_accepted`` the digest the commission signed and the signature;
``counting.automatic_count`` the counts. The check replays those entries and reports

* a version whose lines, votes, station, contest or election differ from its entry (each
  line or option named), or a version, protocol or automatic count no entry recorded;
* an accepted version whose current figures no longer hash to the digest its acceptance
  recorded, or whose signature (by the registered commission key) no longer verifies over
  the current figures, and an acceptance row that differs from its entry;
* a protocol whose status or current version is not what its last entry left.

Acceptances are checked twice on purpose: the signature holds for an observer with the
commission's public key alone, and the ledger digest holds even where a signing key leaked.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F

from shailoo.counting.results import signing
from shailoo.counting.results.models import (
    AutomaticCount,
    Protocol,
    ProtocolDecision,
    ProtocolVersion,
)
from shailoo.counting.results.services import sha256_of
from shailoo.integrity.canonical import JSONValue
from shailoo.integrity.state import Entry, StateReport, entries, subject_pk

VERSION = "counting.protocol_version"
ACCEPTED = "counting.protocol_accepted"
DISPUTED = "counting.protocol_disputed"
AUTOMATIC = "counting.automatic_count"
_STATUS = {VERSION: "reported", ACCEPTED: "accepted", DISPUTED: "disputed"}
_PROTOCOL = "counting_results.protocol"
_AUTOMATIC = "counting_results.automaticcount"


def _diff(report: StateReport, record: str, prefix: str, now: Any, then: Any, e: Entry) -> None:
    """Report each key of two mappings whose values differ, as ``prefix.key``."""
    now = now if isinstance(now, dict) else {}
    then = then if isinstance(then, dict) else {}
    for key in sorted(set(now) | set(then), key=str):
        if now.get(key) != then.get(key):
            report.mismatch(
                record,
                f"{prefix}.{key}",
                f"is {now.get(key)!r}, the ledger recorded {then.get(key)!r}",
                e,
            )


class _Protocols:
    """The protocol rows, read once: protocols, versions, acceptance rows."""

    def __init__(self) -> None:
        self.protocols: dict[int, dict[str, Any]] = {
            row["pk"]: row
            for row in Protocol.objects.values(
                "pk",
                "status",
                "contest_id",
                "current__number",
                election_code=F("election__code"),
                station_number=F("station__number"),
            )
        }
        self.versions: dict[tuple[int, int], dict[str, Any]] = {
            (row["protocol_id"], row["number"]): row
            for row in ProtocolVersion.objects.values(
                "pk",
                "protocol_id",
                "number",
                "lines",
                "votes",
                "content_sha256",
                "source",
                "key_id",
                "body_sha256",
            )
        }
        self.acceptances: dict[int, dict[str, Any]] = {
            row["ledger_sequence"]: row
            for row in ProtocolDecision.objects.filter(kind=ProtocolDecision.Kind.ACCEPT).values(
                "pk", "protocol_id", "version__number", "key_id", "signature", "ledger_sequence"
            )
        }

    def name(self, pk: int, number: object = None) -> str:
        row = self.protocols.get(pk)
        where = f" №{row['station_number']} {row['contest_id']}" if row else ""
        version = f" v{number}" if number is not None else ""
        return f"counting_results.protocol:{pk}{where}{version}"

    def content(self, pk: int, version: dict[str, Any]) -> dict[str, JSONValue]:
        row = self.protocols[pk]
        return {
            "election": row["election_code"],
            "station": row["station_number"],
            "contest": row["contest_id"],
            "lines": dict(version["lines"] or {}),
            "votes": dict(version["votes"] or {}),
        }


def check_protocols(report: StateReport) -> int:
    """Replay the protocol entries against the rows; see the module doc."""
    rows = _Protocols()
    seen_versions: set[tuple[int, int]] = set()
    seen_protocols: set[int] = set()
    last: dict[int, Entry] = {}
    latest_version: dict[int, int] = {}
    for e in entries([VERSION, ACCEPTED, DISPUTED]):
        pk = subject_pk(e.subject, _PROTOCOL)
        number = e.data.get("version")
        if pk is None or not isinstance(number, int):
            continue
        seen_protocols.add(pk)
        last[pk] = e
        if pk not in rows.protocols:
            report.mismatch(rows.name(pk), "", "deleted: the ledger recorded it", e)
            continue
        if e.kind == VERSION:
            seen_versions.add((pk, number))
            latest_version[pk] = max(number, latest_version.get(pk, 0))
            _check_version(report, rows, pk, number, e)
        elif e.kind == ACCEPTED:
            _check_acceptance(report, rows, pk, number, e)
    for pk, e in sorted(last.items()):
        row = rows.protocols.get(pk)
        if row is None:
            continue
        if row["status"] != _STATUS[e.kind]:
            report.mismatch(
                rows.name(pk),
                "status",
                f"is {row['status']!r}, the ledger's last entry left it {_STATUS[e.kind]!r}",
                e,
            )
        top = latest_version.get(pk)
        if top is not None and row["current__number"] != top:
            report.mismatch(
                rows.name(pk),
                "current",
                f"points at version {row['current__number']}, the ledger's latest is {top}",
                e,
            )
    for pk in sorted(set(rows.protocols) - seen_protocols):
        report.mismatch(rows.name(pk), "", "no ledger entry recorded this protocol")
    for pk, number in sorted(set(rows.versions) - seen_versions):
        report.mismatch(rows.name(pk, number), "", "no ledger entry recorded this version")
    return len(rows.versions) + _check_automatic(report)


def _check_version(report: StateReport, rows: _Protocols, pk: int, number: int, e: Entry) -> None:
    name = rows.name(pk, number)
    version = rows.versions.get((pk, number))
    if version is None:
        report.mismatch(name, "", "deleted: the ledger recorded this version", e)
        return
    data, protocol = e.data, rows.protocols[pk]
    for field, now, then in (
        ("election", protocol["election_code"], data.get("election")),
        ("station", protocol["station_number"], data.get("station")),
        ("contest", protocol["contest_id"], data.get("contest")),
        ("content_sha256", version["content_sha256"], data.get("content_sha256")),
        ("source", version["source"], data.get("source")),
        ("key_id", version["key_id"] or None, data.get("key_id")),
        ("body_sha256", version["body_sha256"] or None, data.get("body_sha256")),
    ):
        if now != then:
            report.mismatch(name, field, f"is {now!r}, the ledger recorded {then!r}", e)
    _diff(report, name, "lines", version["lines"], data.get("lines"), e)
    _diff(report, name, "votes", version["votes"], data.get("votes"), e)


def _check_acceptance(
    report: StateReport, rows: _Protocols, pk: int, number: int, e: Entry
) -> None:
    name = rows.name(pk, number)
    version = rows.versions.get((pk, number))
    if version is None:
        report.mismatch(name, "", "deleted: the ledger recorded its acceptance", e)
        return
    data = e.data
    digest = sha256_of(rows.content(pk, version))
    if digest != data.get("content_sha256"):
        report.mismatch(
            name,
            "content",
            "the accepted figures no longer hash to the digest the acceptance recorded",
            e,
        )
    fields: dict[str, JSONValue] = {
        "election": rows.protocols[pk]["election_code"],
        "station": rows.protocols[pk]["station_number"],
        "contest": rows.protocols[pk]["contest_id"],
        "version": number,
        "content_sha256": digest,
    }
    key_id, signature = data.get("key_id"), data.get("signature")
    if not (
        isinstance(key_id, str)
        and isinstance(signature, str)
        and signing.verify(fields, key_id, signature)
    ):
        report.mismatch(
            name,
            "signature",
            f"the commission's signature (key {key_id}) does not verify over the current figures",
            e,
        )
    decision = rows.acceptances.get(e.seq)
    if decision is None:
        report.mismatch(name, "acceptance", "the acceptance row of this entry is gone", e)
    elif (
        decision["protocol_id"] != pk
        or decision["version__number"] != number
        or decision["key_id"] != key_id
        or decision["signature"] != signature
    ):
        report.mismatch(name, "acceptance", "the acceptance row differs from its entry", e)


def _check_automatic(report: StateReport) -> int:
    counts = {
        row["pk"]: row
        for row in AutomaticCount.objects.values(
            "pk",
            "contest_id",
            "counts",
            "source",
            election_code=F("election__code"),
            station_number=F("station__number"),
        )
    }
    seen: set[int] = set()
    for e in entries([AUTOMATIC]):
        pk = subject_pk(e.subject, _AUTOMATIC)
        if pk is None:
            continue
        seen.add(pk)
        name = f"{_AUTOMATIC}:{pk}"
        row = counts.get(pk)
        if row is None:
            report.mismatch(name, "", "deleted: the ledger recorded this automatic count", e)
            continue
        data = e.data
        name = f"{name} №{row['station_number']} {row['contest_id']}"
        for field, now, then in (
            ("election", row["election_code"], data.get("election")),
            ("station", row["station_number"], data.get("station")),
            ("contest", row["contest_id"], data.get("contest")),
            ("source", row["source"], data.get("source")),
        ):
            if now != then:
                report.mismatch(name, field, f"is {now!r}, the ledger recorded {then!r}", e)
        _diff(report, name, "counts", row["counts"], data.get("counts"), e)
    for pk in sorted(set(counts) - seen):
        report.mismatch(f"{_AUTOMATIC}:{pk}", "", "no ledger entry recorded this count")
    return len(counts)
