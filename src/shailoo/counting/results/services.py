"""Use cases of station protocols: enter them, store automatic counts, compare, alert.

Each function checks who acts (the permission over the station's territory, in the service,
so no caller can skip it), decides with the pure engine (``counting.results.protocol``), and writes
the change, its ledger entry and any alert in one transaction. A refusal raises one
of the shared refusals (:mod:`shailoo.common.refusals`) with a code for programs, a message
for people and, for bad input, every located problem
(``lines.ballots_found: must not be negative``).

Actors are users (staff pages), plain strings naming a system actor (``"cli"``), or
``"key:<id>"`` for signed submissions, whose key binding is checked instead of a role.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import Actor, actor_name
from shailoo.common.refusals import Conflict, InvalidInput, Refusal
from shailoo.counting.results.models import (
    AutomaticCount,
    CountingAlert,
    Protocol,
    ProtocolVersion,
)
from shailoo.counting.results.protocol import (
    ProtocolInputError,
    Relation,
    StationProtocol,
    Verdict,
    evaluate,
    parse_counts,
    parse_protocol,
    relations_from,
)
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.incidents import services as incidents
from shailoo.integrity import ledger
from shailoo.integrity.canonical import JSONValue, canonical_json
from shailoo.integrity.models import LedgerEntry
from shailoo.law.loader import LawError, load_edition

#: Where an automatic count came from (``AutomaticCount.source``).
STAFF, SCANNER, SIGNED = "staff", "scanner", "signed"
#: Why a protocol is blocked (``CountingAlert.kind``).
ALERT_CONTROL, ALERT_DISCREPANCY, ALERT_NO_AUTOMATIC = "control", "discrepancy", "no_automatic"
#: The reason codes of an alert's findings (``protocol_check`` evidence, read by
#: ``counting.alert_text`` in the reader's language): one per failed relation, one per option
#: whose counts differ, one when no automatic count exists.
FINDING_RELATION, FINDING_COUNTS, FINDING_NO_AUTOMATIC = (
    "relation_fails",
    "counts_differ",
    "no_automatic_count",
)
#: The evidence key under which a counting alert carries its structured findings.
CHECK_EVIDENCE = "protocol_check"


@dataclass(frozen=True, slots=True)
class ProtocolRules:
    """The law's control relations and count tolerance for one election."""

    relations: tuple[Relation, ...]
    tolerance_votes: int
    citation: str


@dataclass(frozen=True, slots=True)
class Signed:
    """How a signed submission reached us, stored with the version it created."""

    key_id: str
    body_sha256: str
    signature: str


def record(kind: str, *, actor: str, subject: str, data: dict[str, JSONValue]) -> LedgerEntry:
    """A ledger entry in the caller's transaction; a payload the ledger refuses (text holding
    a 14-digit number, the shape of a PIN) is a refusal for the user, not a crash."""
    try:
        return ledger.record(kind, actor=actor, subject=subject, data=data)
    except ledger.LedgerError as exc:
        raise InvalidInput(
            "ledger_refused",
            gettext("This cannot be recorded: %(reason)s") % {"reason": exc},
        ) from None


# -- actors, law, definition ---------------------------------------------------------------


def require_at(actor: Actor, permission: Permission, station: PollingStation) -> None:
    """:func:`shailoo.accounts.permissions.require`, with the station in the refusal."""
    require(
        actor,
        permission,
        station,
        gettext("Your role does not allow this at polling station №%(number)s.")
        % {"number": station.number},
    )


def protocol_rules(election: Election) -> ProtocolRules:
    """The one place that reads ``counting.protocol`` from the election's law edition."""
    try:
        edition = load_edition(election.law_edition)
    except LawError as exc:
        raise InvalidInput(
            "law_edition_invalid",
            gettext("The law edition %(edition)s cannot be loaded.")
            % {"edition": election.law_edition},
            problems=[(p.where or "(file)", p.why) for p in exc.problems],
        ) from None
    section = getattr(getattr(edition, "counting", None), "protocol", None)
    relations = getattr(section, "control_relations", None)
    tolerance = getattr(section, "tolerance_votes", None)
    if relations is None or tolerance is None:
        raise Refusal(
            "law_lacks_protocol_rules",
            gettext(
                "The law edition %(edition)s does not set the protocol's control relations "
                "and count tolerance (counting.protocol)."
            )
            % {"edition": election.law_edition},
        )
    try:
        parsed = relations_from(relations.value)
    except ProtocolInputError as exc:
        raise InvalidInput(
            "law_protocol_rules_invalid",
            gettext("The law edition's protocol control relations are invalid."),
            problems=[(f"counting.protocol.{where}", why) for where, why in exc.problems],
        ) from None
    citation = "; ".join(dict.fromkeys([relations.citation, tolerance.citation]))
    return ProtocolRules(parsed, int(tolerance.value), citation)


def contest_options(
    election: Election, station: PollingStation, contest_id: str
) -> list[str] | None:
    """Option ids of ``contest_id`` from the imported definition (None: none imported yet).

    Refuses a contest the definition lacks, or one no ballot style of this station carries.
    """
    from shailoo.counting.models import BallotStyle, Contest

    contests = Contest.objects.filter(election=election)
    if not contests.exists():
        return None
    contest = contests.filter(code=contest_id).first()
    if contest is None:
        raise Refusal(
            "unknown_contest",
            gettext("The election has no contest %(contest)s.") % {"contest": contest_id},
            problems=[("contest", "not in the election definition")],
        )
    if not BallotStyle.objects.filter(
        election=election, stations=station, contests=contest
    ).exists():
        raise Refusal(
            "contest_not_at_station",
            gettext("Polling station №%(number)s does not vote in contest %(contest)s.")
            % {"number": station.number, "contest": contest_id},
            problems=[("contest", "no ballot style of this station carries it")],
        )
    return list(contest.options.order_by("position").values_list("code", flat=True))


def content(
    election: Election, station: PollingStation, contest_id: str, lines: Any, votes: Any
) -> dict[str, JSONValue]:
    return {
        "election": election.code,
        "station": station.number,
        "contest": contest_id,
        "lines": dict(lines),
        "votes": dict(votes),
    }


def sha256_of(value: dict[str, JSONValue]) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


# -- automatic counts ----------------------------------------------------------------------


def latest_automatic(
    election: Election, station: PollingStation, contest_id: str
) -> AutomaticCount | None:
    return (
        AutomaticCount.objects.filter(election=election, station=station, contest_id=contest_id)
        .order_by("-id")
        .first()
    )


def record_automatic_count(
    election: Election,
    station: PollingStation,
    contest_id: str,
    counts: object,
    actor: Any,
    *,
    source: str = STAFF,
    key_id: str = "",
) -> AutomaticCount:
    """Store the scanners' count for one contest; a protocol already entered is re-checked."""
    if source == STAFF:
        require_at(actor, Permission.PROTOCOL_ENTER, station)
    try:
        parsed = parse_counts(counts, "automatic")
    except ProtocolInputError as exc:
        raise InvalidInput(
            "invalid_count", gettext("The automatic count has errors."), problems=exc.problems
        ) from None
    options = contest_options(election, station, contest_id)
    if options is not None:
        unknown = [o for o in parsed if o not in options]
        if unknown:
            raise InvalidInput(
                "invalid_count",
                gettext("The automatic count has errors."),
                problems=[(f"automatic.{o}", "is not an option of this contest") for o in unknown],
            )
    with transaction.atomic():
        row = AutomaticCount.objects.create(
            election=election,
            station=station,
            contest_id=contest_id,
            counts=parsed,
            source=source,
            submitted_by=actor_name(actor),
            key_id=key_id,
        )
        entry = record(
            "counting.automatic_count",
            actor=actor_name(actor),
            subject=ledger.ref(row),
            data={
                "election": election.code,
                "station": station.number,
                "contest": contest_id,
                "counts": dict(parsed),
                "source": source,
                "key_id": key_id or None,
            },
        )
        row.ledger_sequence = entry.sequence
        row.save(update_fields=["ledger_sequence"])
        protocol = (
            Protocol.objects.select_for_update()
            .filter(election=election, station=station, contest_id=contest_id)
            .first()
        )
        if protocol is not None and protocol.current is not None:
            reevaluate(protocol, protocol_rules(election), actor_name(actor))
    return row


def pull_scanner_count(election: Election, station: PollingStation, actor: Any) -> int:
    """Store the tally of the station's scanned sheets where it changed; returns how many
    contests got a new automatic count.

    The tally is ``counting.services.automatic_count`` over the cast vote records (votes
    per option, without its bookkeeping keys: blank, overvote, invalid and pending sheets).
    A station with no scanned sheet has no automatic count, not a count of zeros.
    """
    from shailoo.counting import services as counting

    tallied = counting.automatic_count(election, station)
    if not tallied.get(counting.SHEETS, {}).get("total"):
        return 0
    stored = 0
    for contest_id, counts in tallied.items():
        if contest_id.startswith("_"):
            continue
        votes = {option: int(n) for option, n in counts.items() if not option.startswith("_")}
        latest = latest_automatic(election, station, contest_id)
        if latest is not None and latest.counts == votes:
            continue
        record_automatic_count(election, station, contest_id, votes, actor, source=SCANNER)
        stored += 1
    return stored


# -- evaluation and alerts -----------------------------------------------------------------


def _evaluate(protocol: Protocol, rules: ProtocolRules) -> tuple[Verdict, dict[str, int] | None]:
    version = protocol.current
    assert version is not None
    automatic = latest_automatic(protocol.election, protocol.station, protocol.contest_id)
    counts = dict(automatic.counts) if automatic is not None else None
    station_protocol = StationProtocol(dict(version.lines), dict(version.votes))
    return evaluate(station_protocol, rules.relations, counts, rules.tolerance_votes), counts


def _alert_kinds(verdict: Verdict) -> dict[str, list[str]]:
    """The English reasons of each kind of alert: what ``CountingAlert.reasons`` and the
    ``counting.alert`` ledger entry say (their shape never changes)."""
    kinds: dict[str, list[str]] = {}
    if verdict.failures:
        kinds[ALERT_CONTROL] = [f.explain() for f in verdict.failures]
    if verdict.differences:
        kinds[ALERT_DISCREPANCY] = [d.explain() for d in verdict.differences]
    if verdict.missing_automatic:
        kinds[ALERT_NO_AUTOMATIC] = [verdict.reasons()[-1]]
    return kinds


def alert_findings(
    verdict: Verdict, relations: tuple[Relation, ...]
) -> dict[str, list[dict[str, JSONValue]]]:
    """The findings of each kind of alert as data: a reason code and its figures, so a page
    names them in its reader's language (``counting.alert_text``) instead of quoting the
    engine's English. A failed relation keeps its sides as the law writes them (``votes.*``,
    ``votes_valid``) and every line's value; a count difference its option and both counts."""
    sides = {r.name: r for r in relations}
    found: dict[str, list[dict[str, JSONValue]]] = {}
    for f in verdict.failures:
        relation = sides.get(f.relation)
        found.setdefault(ALERT_CONTROL, []).append(
            {
                "code": FINDING_RELATION,
                "relation": f.relation,
                "op": f.op,
                "left_lines": list(relation.left if relation else [n for n, _ in f.left]),
                "right_lines": list(relation.right if relation else [n for n, _ in f.right]),
                "left": [[n, v] for n, v in f.left],
                "right": [[n, v] for n, v in f.right],
                "left_total": f.left_total,
                "right_total": f.right_total,
            }
        )
    for d in verdict.differences:
        found.setdefault(ALERT_DISCREPANCY, []).append(
            {
                "code": FINDING_COUNTS,
                "option": d.option,
                "automatic": d.automatic,
                "manual": d.manual,
                "difference": d.difference,
                "tolerance": d.tolerance,
            }
        )
    if verdict.missing_automatic:
        found[ALERT_NO_AUTOMATIC] = [{"code": FINDING_NO_AUTOMATIC}]
    return found


def _sync_alerts(
    protocol: Protocol, verdict: Verdict, actor: str, relations: tuple[Relation, ...]
) -> None:
    """Open an alert for each reason the current version is blocked; close stale ones."""
    version = protocol.current
    assert version is not None
    wanted = _alert_kinds(verdict)
    findings = alert_findings(verdict, relations)
    open_alerts = list(CountingAlert.objects.filter(protocol=protocol, resolved=False))
    for alert in open_alerts:
        if alert.version_id == version.pk and wanted.get(alert.kind) == alert.reasons:
            wanted.pop(alert.kind)
            continue
        alert.resolved = True
        alert.save(update_fields=["resolved"])
        record(
            "counting.alert_resolved",
            actor=actor,
            subject=ledger.ref(alert),
            data={"protocol": ledger.ref(protocol), "kind": alert.kind},
        )
        incidents.alert_resolved("counting", ledger.ref(alert))
    for kind, reasons in wanted.items():
        alert = CountingAlert.objects.create(
            election=protocol.election,
            station=protocol.station,
            protocol=protocol,
            version=version,
            kind=kind,
            reasons=reasons,
        )
        record(
            "counting.alert",
            actor=actor,
            subject=ledger.ref(alert),
            data={
                "election": protocol.election.code,
                "station": protocol.station.number,
                "contest": protocol.contest_id,
                "version": version.number,
                "kind": kind,
                "reasons": list(reasons),
            },
        )
        # The rapid-response groups' one door: the commission's members see it as a case.
        incidents.raise_alert(
            "counting",
            kind,
            category="count_irregularity",
            summary=f"{kind}: station {protocol.station.number}, contest {protocol.contest_id}",
            station=protocol.station.number,
            subject=ledger.ref(alert),
            evidence={
                "version": version.number,
                CHECK_EVIDENCE: {
                    "election": protocol.election.code,
                    "station": protocol.station.number,
                    "contest": protocol.contest_id,
                    "protocol": ledger.ref(protocol),
                    "findings": findings.get(kind, []),
                },
            },
            severity="low" if kind == ALERT_NO_AUTOMATIC else "high",
            dedupe_key=f"counting:{protocol.pk}:{kind}",
        )


def reevaluate(protocol: Protocol, rules: ProtocolRules, actor: str) -> Verdict:
    verdict, counts = _evaluate(protocol, rules)
    protocol.acceptable = verdict.acceptable
    protocol.verdict = verdict.to_json()
    protocol.automatic = counts
    protocol.save(update_fields=["acceptable", "verdict", "automatic", "updated_at"])
    _sync_alerts(protocol, verdict, actor, rules.relations)
    return verdict


# -- entering protocols --------------------------------------------------------------------


def enter_protocol(
    election: Election,
    station: PollingStation,
    contest_id: str,
    lines: object,
    votes: object,
    actor: Any,
    *,
    signed: Signed | None = None,
) -> ProtocolVersion:
    """Record what the commission wrote as a new version and compare it with the scanners.

    A protocol already accepted cannot be rewritten: a TEC disputes it first, and the new
    version is then reported again. Blocked versions are stored too (with their alerts):
    the commission's figures are evidence even when they do not add up.
    """
    if signed is None:
        require_at(actor, Permission.PROTOCOL_ENTER, station)
    if not isinstance(contest_id, str) or not contest_id.strip() or len(contest_id) > 64:
        raise InvalidInput(
            "invalid_protocol",
            gettext("The protocol has errors."),
            problems=[("contest", "a contest id of 1-64 characters is required")],
        )
    options = contest_options(election, station, contest_id)
    try:
        parsed = parse_protocol(lines, votes, options)
    except ProtocolInputError as exc:
        raise InvalidInput(
            "invalid_protocol", gettext("The protocol has errors."), problems=exc.problems
        ) from None
    rules = protocol_rules(election)
    name = actor_name(actor)
    pull_scanner_count(election, station, name)
    fields = content(election, station, contest_id, parsed.lines, parsed.votes)
    with transaction.atomic():
        protocol, _ = Protocol.objects.select_for_update().get_or_create(
            election=election, station=station, contest_id=contest_id
        )
        if protocol.status == Protocol.Status.ACCEPTED:
            raise Conflict(
                "already_accepted",
                gettext(
                    "This protocol was accepted; the territorial commission must dispute it "
                    "before a corrected version can be entered."
                ),
            )
        last = protocol.versions.aggregate(top=Max("number"))["top"] or 0
        automatic = latest_automatic(election, station, contest_id)
        counts = dict(automatic.counts) if automatic is not None else None
        verdict = evaluate(parsed, rules.relations, counts, rules.tolerance_votes)
        version = ProtocolVersion.objects.create(
            protocol=protocol,
            number=last + 1,
            lines=dict(parsed.lines),
            votes=dict(parsed.votes),
            automatic=counts,
            verdict=verdict.to_json(),
            acceptable=verdict.acceptable,
            tolerance_votes=rules.tolerance_votes,
            source=ProtocolVersion.Source.SIGNED if signed else ProtocolVersion.Source.STAFF,
            entered_by=name,
            key_id=signed.key_id if signed else "",
            body_sha256=signed.body_sha256 if signed else "",
            request_signature=signed.signature if signed else "",
            content_sha256=sha256_of(fields),
        )
        entry = record(
            "counting.protocol_version",
            actor=name,
            subject=ledger.ref(protocol),
            data={
                **fields,
                "version": version.number,
                "content_sha256": version.content_sha256,
                "acceptable": verdict.acceptable,
                "source": version.source,
                "key_id": version.key_id or None,
                "body_sha256": version.body_sha256 or None,
            },
        )
        version.ledger_sequence = entry.sequence
        version.save(update_fields=["ledger_sequence"])
        protocol.current = version
        protocol.status = Protocol.Status.REPORTED
        protocol.save(update_fields=["current", "status", "updated_at"])
        reevaluate(protocol, rules, name)
    return version
