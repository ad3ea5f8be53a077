"""A polling station's protocols in public: the signed figures, every correction, how to check.

For each contest voted at the station: its status; for an accepted protocol the figures as
the commission signed them (every line and option), who accepted it and when, the
commission's signature (key, algorithm, value, the exact statement signed) and the hash of
the signed content, with the canonical JSON a reader hashes to check it; and for every
protocol **every version** ever entered: when, by whom, why (the dispute that led to it) and
what changed, each with its ledger entry, so a rewritten protocol can never pass unseen
(about half of the protocols observers examined in 2021 had been rewritten).

A reported or disputed protocol's figures are never shown as the station's result: only
its history says what each version changed. People are named by their role and commission,
never by their account: the law makes the commission's decision public, not its clerk's
login (the ledger entries themselves carry the acting account, as the ledger requires).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from django.urls import reverse

from shailoo.accounts.models import RoleAssignment
from shailoo.counting.results import aggregation, decisions, services, signing
from shailoo.counting.results.models import Protocol, ProtocolDecision, ProtocolVersion
from shailoo.counting.results.protocol import BASE_LINES
from shailoo.counting.results.public_figures import FORMAT, election_json, path_to
from shailoo.counting.results.public_names import ContestInfo, contests_of, names_of
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity.canonical import canonical_json
from shailoo.integrity.models import RegisteredKey

#: System actors (``common.actors``): the command line, an import, the demo, the system
#: itself, alone (``"cli"``) or with what they stand for (``"demo:pec-101"``). They are no
#: person: what they do to a protocol is done in the name of the commission the law gives
#: that act (:data:`ACTING_COMMISSION`).
SYSTEM_ACTORS = frozenset({"cli", "import", "demo", "system"})
#: What is done to a protocol, and whose act it is in law: the precinct commission draws up
#: and enters its protocol; the territorial commission accepts it or disputes it.
Act = Literal["enter", "decide"]
ACTING_COMMISSION: dict[str, str] = {"enter": "pec", "decide": "tec"}
ALGORITHM = "Ed25519"


def proof_url(sequence: int | None) -> str | None:
    if sequence is None:
        return None
    return reverse("integrity-inclusion", args=[str(sequence)])


def ledger_json(sequence: int | None) -> dict[str, Any] | None:
    return None if sequence is None else {"index": sequence, "proof": proof_url(sequence)}


def system_of(actor: str) -> str | None:
    """The system actor ``actor`` is (``"demo"`` for ``"demo:tec-T1"``), or ``None``."""
    name = actor.partition(":")[0]
    return name if name in SYSTEM_ACTORS else None


class Who:
    """Role and commission of whoever acted, looked up once per page (never the account).

    A staff account is named by its roles and their commissions at the time; a device or
    commission key by what it was registered for; a system actor (the command line, an
    import, the demo) by the commission of ``station`` in whose name it acted: the precinct
    commission for a protocol entered, the territorial commission for a decision on it.
    """

    def __init__(self, station: PollingStation | None = None) -> None:
        self.station = station
        self.found: dict[tuple[str, str, str], dict[str, Any]] = {}

    def __call__(self, actor: str, when: datetime, act: Act = "decide") -> dict[str, Any]:
        key = (actor, when.isoformat(), act)
        if key not in self.found:
            self.found[key] = self._describe(actor, when, act)
        return self.found[key]

    def _describe(self, actor: str, when: datetime, act: Act) -> dict[str, Any]:
        kind, _, key_id = actor.partition(":")
        if kind in ("key", "device") and key_id:
            return self._key(key_id)
        system = system_of(actor)
        if system is not None:
            return self._system(system, act)
        assignments = [
            a
            for a in RoleAssignment.objects.filter(user__username=actor)
            .select_related("region", "tec", "station")
            .order_by("granted_at", "id")
            if a.granted_at <= when and (a.revoked_at is None or a.revoked_at > when)
        ]
        if not assignments:
            return {"kind": "unknown"}
        return {"kind": "staff", "roles": [self._role(a) for a in assignments]}

    def _system(self, system: str, act: Act) -> dict[str, Any]:
        """The commission a system actor acted for, from the protocol's station."""
        station = self.station
        if station is None:
            return {"kind": "system", "system": system}
        role = ACTING_COMMISSION[act]
        if role == "tec":
            tec = station.tec
            commission = {"level": "tec", "code": tec.code, "name": tec.name}
        else:
            commission = {"level": "station", "code": str(station.number)}
        return {"kind": "commission", "system": system, "role": role, "commission": commission}

    @staticmethod
    def _role(assignment: RoleAssignment) -> dict[str, Any]:
        commission: dict[str, Any] = {"level": assignment.scope}
        if assignment.tec is not None:
            commission.update(code=assignment.tec.code, name=assignment.tec.name)
        elif assignment.region is not None:
            region = assignment.region
            commission.update(code=region.code, name=region.name_ru, names=names_of(region, "name"))
        elif assignment.station is not None:
            commission.update(code=str(assignment.station.number))
        return {"role": assignment.role, "commission": commission}

    @staticmethod
    def _key(key_id: str) -> dict[str, Any]:
        key = RegisteredKey.objects.filter(key_id=key_id).first()
        if key is None:
            return {"kind": "key", "key_id": key_id}
        return {
            "kind": "key",
            "key_id": key.key_id,
            "station": key.station_number,
            "commission": key.commission_code or None,
        }


def line_values(version: ProtocolVersion) -> dict[str, int]:
    """Every line of a version by name: the base lines, ``votes_valid``, ``votes.<option>``."""
    values = {name: int(version.lines.get(name, 0)) for name in BASE_LINES}
    values["votes_valid"] = version.votes_valid
    values.update({f"votes.{o}": int(n) for o, n in version.votes.items()})
    return values


def changes(previous: ProtocolVersion | None, version: ProtocolVersion) -> list[dict[str, Any]]:
    """Each line whose value differs from the previous version's: ``from`` and ``to``."""
    if previous is None:
        return []
    old, new = line_values(previous), line_values(version)
    return [
        {"line": name, "from": old.get(name), "to": new.get(name)}
        for name in dict.fromkeys([*new, *old])
        if old.get(name) != new.get(name)
    ]


def options_json(info: ContestInfo) -> list[dict[str, Any]]:
    """The contest's options in ballot order with their names (history lines name them)."""
    return [{"option": o.id, "kind": o.kind, "names": o.names} for o in info.options]


def figures_json(info: ContestInfo, version: ProtocolVersion) -> dict[str, Any]:
    """The accepted version's figures in the protocol's order, options in ballot order."""
    return {
        "version": version.number,
        "lines": {name: int(version.lines.get(name, 0)) for name in BASE_LINES},
        "votes_valid": version.votes_valid,
        "votes": [
            {"option": o, "names": info.option_names(o), "votes": int(version.votes[o])}
            for o in info.order(version.votes)
        ],
    }


def acceptance_json(
    protocol: Protocol, version: ProtocolVersion, decision: ProtocolDecision, who: Who
) -> dict[str, Any]:
    """The commission's acceptance: who and when, the key, the signature, what it covers."""
    key = RegisteredKey.objects.filter(key_id=decision.key_id).first()
    content = services.content(
        protocol.election, protocol.station, protocol.contest_id, version.lines, version.votes
    )
    statement = signing.statement(decisions.acceptance_fields(protocol, version))
    return {
        "at": decision.created_at.isoformat(),
        "by": who(decision.actor, decision.created_at),
        "content_sha256": version.content_sha256,
        "content": canonical_json(content).decode("utf-8"),
        "signature": {
            "algorithm": ALGORITHM,
            "scheme": signing.SCHEME,
            "key_id": decision.key_id,
            "public_key": bytes(key.public_key).hex() if key is not None else None,
            "commission": (key.commission_code or None) if key is not None else None,
            "value": decision.signature,
            "statement": statement.decode("utf-8"),
            "statement_sha256": decision.signed_message_sha256,
            "verifies": decisions.verify_acceptance(decision),
        },
        "ledger": {
            "version": ledger_json(version.ledger_sequence),
            "acceptance": ledger_json(decision.ledger_sequence),
        },
    }


def history_json(
    versions: list[ProtocolVersion], rulings: list[ProtocolDecision], who: Who
) -> list[dict[str, Any]]:
    """Every version, oldest first: who entered it, why (the dispute before it), what changed,
    and the decisions taken on it."""
    history = []
    previous: ProtocolVersion | None = None
    for version in versions:
        on_it = [d for d in rulings if d.version_id == version.pk]
        before = [
            d
            for d in rulings
            if previous is not None
            and d.version_id == previous.pk
            and d.kind == ProtocolDecision.Kind.DISPUTE
        ]
        history.append(
            {
                "version": version.number,
                "at": version.created_at.isoformat(),
                "source": version.source,
                "by": who(version.entered_by, version.created_at, "enter"),
                "why": before[-1].reason if before else None,
                "content_sha256": version.content_sha256,
                "ledger": ledger_json(version.ledger_sequence),
                "changes": changes(previous, version),
                "decisions": [
                    {
                        "kind": d.kind,
                        "at": d.created_at.isoformat(),
                        "by": who(d.actor, d.created_at),
                        "reason": d.reason or None,
                        "ledger": ledger_json(d.ledger_sequence),
                    }
                    for d in on_it
                ],
            }
        )
        previous = version
    return history


def protocol_json(
    election: Election, station: PollingStation, info: ContestInfo, protocol: Protocol, who: Who
) -> dict[str, Any]:
    versions = list(protocol.versions.order_by("number"))
    rulings = list(protocol.decisions.order_by("created_at", "id"))
    accepted = None
    current = protocol.current
    if protocol.status == Protocol.Status.ACCEPTED and current is not None:
        decision = next(
            (
                d
                for d in reversed(rulings)
                if d.version_id == current.pk and d.kind == ProtocolDecision.Kind.ACCEPT
            ),
            None,
        )
        if decision is not None:
            accepted = {
                **figures_json(info, current),
                **acceptance_json(protocol, current, decision, who),
                "pdf": reverse(
                    "results:protocol_pdf", args=[election.code, station.number, info.id]
                ),
            }
    return {
        **info.to_json(),
        "options": options_json(info),
        "status": protocol.status,
        "accepted": accepted,
        "history": history_json(versions, rulings, who),
    }


def station_page(election: Election, station: PollingStation) -> dict[str, Any]:
    """Every contest voted at the station: its protocol (or that none arrived yet)."""
    protocols = {
        p.contest_id: p
        for p in Protocol.objects.filter(election=election, station=station).select_related(
            "election", "station", "current"
        )
    }
    here = PollingStation.objects.filter(pk=station.pk)
    expected = [c for c, ids in aggregation.expected_pairs(election, here).items() if ids]
    contests = contests_of(election, [*protocols, *expected])
    who = Who(station)
    rows = []
    for info in _voted(contests.values(), protocols, expected):
        protocol = protocols.get(info.id)
        if protocol is None:
            rows.append(
                {
                    **info.to_json(),
                    "options": options_json(info),
                    "status": "missing",
                    "accepted": None,
                    "history": [],
                }
            )
        else:
            rows.append(protocol_json(election, station, info, protocol, who))
    return {
        "format": FORMAT,
        "level": "station",
        "election": election_json(election),
        "path": path_to(election, station.region, station.tec, station),
        "station": {
            "number": station.number,
            "name": station.name,
            "address": station.address,
            "region": station.region.code,
            "tec": station.tec.code,
        },
        "protocols": rows,
        "verify": {
            "head": reverse("integrity-head"),
            "keys": reverse("integrity-keys"),
            "proof": reverse("integrity-inclusion", args=["0"]).replace("/0/", "/{index}/"),
        },
    }


def _voted(
    contests: Iterable[ContestInfo], protocols: dict[str, Protocol], expected: list[str]
) -> list[ContestInfo]:
    return [c for c in contests if c.id in protocols or c.id in expected]
