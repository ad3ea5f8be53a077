"""Accepted protocols for the demo's thousands of clean stations, written in bulk.

The station-by-station services (``counting.results.services.record_automatic_count``,
``enter_protocol``, ``decisions.accept_protocol``) cost about 50 queries per station: some two
minutes for 2,500 stations on the 2-core reference machine, most of the demo's budget. This
module writes the *same rows and the same ledger entries* for protocols that the demo knows to
be clean: the law's relations are evaluated by the same pure engine (``counting.results.protocol``),
the content hash and the commission's signature by the same functions, and the ledger payloads
have the same shape, appended with :func:`shailoo.integrity.ledger.append_many` in one
transaction per chunk. The contest and its options are checked against the imported election
definition as the services check them. Anything the engine does not find acceptable is refused
here and goes through the services instead (the demo's planted problems always do).
``tests/test_demo.py`` checks that a bulk-written protocol matches one written by the services.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction

from shailoo.counting.models import BallotStyle, ContestOption
from shailoo.counting.results import services as results
from shailoo.counting.results import signing
from shailoo.counting.results.decisions import acceptance_fields
from shailoo.counting.results.models import (
    AutomaticCount,
    Protocol,
    ProtocolDecision,
    ProtocolVersion,
)
from shailoo.counting.results.protocol import (
    ProtocolInputError,
    StationProtocol,
    Verdict,
    evaluate,
    parse_counts,
    parse_protocol,
)
from shailoo.counting.results.services import STAFF, ProtocolRules
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity import ledger
from shailoo.integrity.canonical import JSONValue

CHUNK = 500
Entry = tuple[str, dict[str, JSONValue]]


class BulkRefused(ValueError):
    """A protocol the bulk path will not write: it must go through the services."""


@dataclass(frozen=True, slots=True)
class CleanProtocol:
    """One contest at one station whose manual count matches its automatic count."""

    station: PollingStation
    contest_id: str
    lines: Mapping[str, int]
    votes: Mapping[str, int]
    automatic: Mapping[str, int]
    entered_by: str  # the precinct commission's operator
    accepted_by: str  # the territorial commission's operator


@dataclass(slots=True)
class _Checked:
    item: CleanProtocol
    protocol: StationProtocol
    counts: dict[str, int]
    verdict: Verdict


def accept_clean(
    election: Election,
    protocols: Sequence[CleanProtocol],
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Store each protocol's automatic count, its version 1 and its signed acceptance.

    Refuses (``BulkRefused``, nothing of the chunk stored) a protocol that already exists,
    that does not fit the election definition, or that the law's relations or the count
    comparison would block.
    """
    rules = results.protocol_rules(election)
    options = _station_options(election)
    private = signing.load_protocol_key()
    done = 0
    for start in range(0, len(protocols), CHUNK):
        chunk = protocols[start : start + CHUNK]
        with transaction.atomic():
            checked = _check(election, chunk, rules, options)
            key_id = signing.signer(private).key_id
            _store(election, checked, rules.tolerance_votes, private, key_id)
        done += len(chunk)
        if on_progress is not None:
            on_progress(done)
    return done


def _station_options(election: Election) -> dict[tuple[int, str], list[str]] | None:
    """(station number, contest) -> option ids, from the imported definition (None: none)."""
    by_contest: dict[str, list[str]] = {}
    for contest, option in (
        ContestOption.objects.filter(contest__election=election)
        .order_by("contest__code", "position")
        .values_list("contest__code", "code")
    ):
        by_contest.setdefault(contest, []).append(option)
    if not by_contest:
        return None
    issued = BallotStyle.stations.through.objects.filter(ballotstyle__election=election)
    out: dict[tuple[int, str], list[str]] = {}
    for number, contests in issued.values_list(
        "pollingstation__number", "ballotstyle__contest_codes"
    ):
        for code in contests:
            out[(number, code)] = by_contest.get(code, [])
    return out


def _check(
    election: Election,
    chunk: Sequence[CleanProtocol],
    rules: ProtocolRules,
    options: dict[tuple[int, str], list[str]] | None,
) -> list[_Checked]:
    """Parse and evaluate each protocol as ``enter_protocol`` does; refuse any problem."""
    taken = set(
        Protocol.objects.filter(
            election=election, station__in=[p.station for p in chunk]
        ).values_list("station__number", "contest_id")
    )
    checked = []
    for item in chunk:
        where = f"station {item.station.number} {item.contest_id}"
        key = (item.station.number, item.contest_id)
        if key in taken:
            raise BulkRefused(f"{where}: already entered")
        allowed = None if options is None else options.get(key)
        if options is not None and allowed is None:
            raise BulkRefused(f"{where}: no ballot style of this station carries the contest")
        try:
            protocol = parse_protocol(dict(item.lines), dict(item.votes), allowed)
            counts = parse_counts(dict(item.automatic), "automatic")
        except ProtocolInputError as exc:
            problems = "; ".join(f"{w}: {r}" for w, r in exc.problems)
            raise BulkRefused(f"{where}: {problems}") from None
        unknown = sorted(o for o in counts if allowed is not None and o not in allowed)
        if unknown:
            raise BulkRefused(f"{where}: automatic count names unknown options {unknown}")
        verdict = evaluate(protocol, rules.relations, counts, rules.tolerance_votes)
        if not verdict.acceptable:
            raise BulkRefused(f"{where}: " + "; ".join(verdict.reasons()))
        checked.append(_Checked(item, protocol, counts, verdict))
    return checked


def _store(
    election: Election,
    checked: list[_Checked],
    tolerance: int,
    private: Ed25519PrivateKey,
    key_id: str,
) -> None:
    """The rows of every checked protocol, then their ledger entries, then the links."""
    automatic = AutomaticCount.objects.bulk_create(
        AutomaticCount(
            election=election,
            station=c.item.station,
            contest_id=c.item.contest_id,
            counts=c.counts,
            source=AutomaticCount.Source.STAFF,
            submitted_by=c.item.entered_by,
        )
        for c in checked
    )
    protocols = Protocol.objects.bulk_create(
        Protocol(
            election=election,
            station=c.item.station,
            contest_id=c.item.contest_id,
            status=Protocol.Status.ACCEPTED,
            acceptable=True,
            verdict=c.verdict.to_json(),
            automatic=c.counts,
        )
        for c in checked
    )
    contents = [
        results.content(
            election, c.item.station, c.item.contest_id, c.protocol.lines, c.protocol.votes
        )
        for c in checked
    ]
    versions = ProtocolVersion.objects.bulk_create(
        ProtocolVersion(
            protocol=row,
            number=1,
            lines=dict(c.protocol.lines),
            votes=dict(c.protocol.votes),
            automatic=c.counts,
            verdict=c.verdict.to_json(),
            acceptable=True,
            tolerance_votes=tolerance,
            source=ProtocolVersion.Source.STAFF,
            entered_by=c.item.entered_by,
            content_sha256=results.sha256_of(fields),
        )
        for row, c, fields in zip(protocols, checked, contents, strict=True)
    )
    accepted = []
    for row, version in zip(protocols, versions, strict=True):
        row.current = version
        fields = acceptance_fields(row, version)
        message = signing.statement(fields)
        signature = base64.b64encode(private.sign(message)).decode("ascii")
        accepted.append((fields, signature, hashlib.sha256(message).hexdigest()))
    decisions = ProtocolDecision.objects.bulk_create(
        ProtocolDecision(
            protocol=row,
            version=version,
            kind=ProtocolDecision.Kind.ACCEPT,
            actor=c.item.accepted_by,
            key_id=key_id,
            signature=signature,
            signed_message_sha256=digest,
        )
        for row, version, c, (_, signature, digest) in zip(
            protocols, versions, checked, accepted, strict=True
        )
    )
    items = [_automatic_entry(election, row, c) for row, c in zip(automatic, checked, strict=True)]
    items += [
        _version_entry(row, version, c, fields)
        for row, version, c, fields in zip(protocols, versions, checked, contents, strict=True)
    ]
    items += [
        _entry(
            "counting.protocol_accepted",
            c.item.accepted_by,
            ledger.ref(row),
            {**fields, "key_id": key_id, "signature": signature},
        )
        for row, c, (fields, signature, _) in zip(protocols, checked, accepted, strict=True)
    ]
    entries = ledger.append_many(items)
    n = len(checked)
    for auto, entry in zip(automatic, entries[:n], strict=True):
        auto.ledger_sequence = entry.sequence
    for version, entry in zip(versions, entries[n : 2 * n], strict=True):
        version.ledger_sequence = entry.sequence
    for decision, entry in zip(decisions, entries[2 * n :], strict=True):
        decision.ledger_sequence = entry.sequence
    AutomaticCount.objects.bulk_update(automatic, ["ledger_sequence"])
    ProtocolVersion.objects.bulk_update(versions, ["ledger_sequence"])
    ProtocolDecision.objects.bulk_update(decisions, ["ledger_sequence"])
    Protocol.objects.bulk_update(protocols, ["current"])


def _entry(kind: str, actor: str, subject: str, data: dict[str, JSONValue]) -> Entry:
    """The payload :func:`ledger.record` would append."""
    return kind, {"actor": actor, "data": data, "subject": subject}


def _automatic_entry(election: Election, row: AutomaticCount, c: _Checked) -> Entry:
    """``counting.automatic_count`` as ``record_automatic_count`` writes it."""
    return _entry(
        "counting.automatic_count",
        c.item.entered_by,
        ledger.ref(row),
        {
            "election": election.code,
            "station": c.item.station.number,
            "contest": c.item.contest_id,
            "counts": dict(c.counts),
            "source": STAFF,
            "key_id": None,
        },
    )


def _version_entry(
    row: Protocol, version: ProtocolVersion, c: _Checked, fields: dict[str, JSONValue]
) -> Entry:
    """``counting.protocol_version`` as ``enter_protocol`` writes it."""
    return _entry(
        "counting.protocol_version",
        c.item.entered_by,
        ledger.ref(row),
        {
            **fields,
            "version": version.number,
            "content_sha256": version.content_sha256,
            "acceptable": True,
            "source": STAFF,
            "key_id": None,
            "body_sha256": None,
        },
    )
