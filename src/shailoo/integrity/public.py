"""What the public may see of a ledger entry: where it is, what kind, when, its leaf hash and
a reference to what it is about — never its bytes.

Every entry's payload names its actor (a staff account's user name) and refers to persons by
keyed hashes (``pin_ref``) and row ids. Published, the bytes would name the clerk behind
every change; published without the actor beside the leaf hash, they would still let anyone
confirm a guessed user name (the actor is the only unknown left in the hashed bytes). So the
public's view of an entry is this summary, the same for one entry (the inclusion-proof API)
as for all of them (the portal's ``entries.jsonl``): the leaf hash is exactly what the
signed heads cover, so the summary is enough to check that the entry is in a signed head;
its content is checked by whoever holds the full bytes (an auditor's proof, the
commission's export and the standalone verifier).

What it is about: the row (``elections.election:3``) for public matters (elections,
stations, protocols, candidates, parties, funds, keys, turnout publications), the table only
(``register.person``) for everything else. Deny by default: a new kind of subject is
published as its table until it is added to :data:`PUBLIC_SUBJECTS`.

Pure: the standard library and the canonical-JSON engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shailoo.integrity.canonical import CanonicalError, canonical_loads

#: Tables (``app_label.model``, or the prefix of a subject such as ``key:<id>``) whose row
#: references are public matters; any other subject is published as its table only.
PUBLIC_SUBJECTS = frozenset(
    {
        "elections.election",
        "geo.region",
        "geo.district",
        "geo.territorialcommission",
        "geo.pollingstation",
        "station",
        "key",
        "counting.definition",
        "counting_results.protocol",
        "counting_results.protocolversion",
        "counting_results.protocoldecision",
        "counting_results.automaticcount",
        "candidates.party",
        "candidates.partylist",
        "candidates.candidate",
        "candidates.registrationdecision",
        "candidates.appeal",
        "finance.fund",
        "finance.designatedbank",
        "polling.device",
        "polling.stationreport",
        "polling.turnoutpublication",
    }
)
_TABLE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_ROW = re.compile(r"[A-Za-z0-9_-]{1,64}")


def public_reference(subject: object) -> str:
    """What the public may read of an entry's subject: the whole reference for a public
    matter, the table alone otherwise, nothing for a subject that is no reference at all."""
    if not isinstance(subject, str) or not subject:
        return ""
    table, sep, row = subject.partition(":")
    if not _TABLE.fullmatch(table):
        return ""
    if sep and table in PUBLIC_SUBJECTS and _ROW.fullmatch(row):
        return subject
    return table


def entry_subject(data: bytes) -> object:
    """The ``payload.subject`` of an entry's canonical bytes ("" if they are not readable:
    ``ledger verify`` reports such an entry; its leaf is still listed)."""
    try:
        envelope = canonical_loads(data)
    except CanonicalError:
        return ""
    payload = envelope.get("payload") if isinstance(envelope, dict) else None
    return payload.get("subject", "") if isinstance(payload, dict) else ""


@dataclass(frozen=True, slots=True)
class PublicEntry:
    """One entry as the public sees it (the line of ``entries.jsonl``)."""

    seq: int
    kind: str
    time: str
    leaf_hash: bytes
    subject: str

    def to_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "time": self.time,
            "leaf_hash": self.leaf_hash.hex(),
            "subject": self.subject,
        }


def public_entry(seq: int, kind: str, time: str, data: bytes, leaf_hash: bytes) -> PublicEntry:
    """The public view of an entry from its stored columns (``time`` as ``format_time``)."""
    return PublicEntry(seq, kind, time, leaf_hash, public_reference(entry_subject(data)))


__all__ = ["PUBLIC_SUBJECTS", "PublicEntry", "entry_subject", "public_entry", "public_reference"]
