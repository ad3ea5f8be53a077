"""An entity's ownership network in the Beneficial Ownership Data Standard (BODS) 0.4.

BODS is Open Ownership's JSON format for who owns and controls companies, read by the
Open Ownership register and its tools: a list of statements, one per entity, person and
relationship (``recordType``), each with its ``recordDetails``. A holding becomes a
relationship whose ``interests`` are ``shareholding`` with the ``exact`` percentage and the
holding's ``startDate`` and ``endDate`` (BODS' ``endDate`` is, as ours, the day the interest
ceased). Several periods of the same owner in the same entity are several interests of one
relationship record.

Exports are reproducible: a statement's ``statementId`` is a UUID 5 of its own content, and
record ids are the graph's node ids (relationships: a UUID 5 of owner and owned), so the same
graph exports the same bytes. A person's identifiers (a PIN) are never exported.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import deque
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from shailoo.common.problems import Problem

from .graph import OwnershipGraph
from .model import STATELESS, Holding, Node, OwnershipError

__all__ = ["BODS_VERSION", "SOURCE_TYPES", "bods_json", "bods_statements"]

BODS_VERSION: Final = "0.4"
#: BODS' sourceType codelist.
SOURCE_TYPES: Final = frozenset(
    {"selfDeclaration", "officialRegister", "thirdParty", "primaryResearch", "verified"}
)
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:shailoo:finance:ownership:bods")


def bods_statements(
    graph: OwnershipGraph,
    entity: str,
    *,
    day: date | None = None,
    statement_date: date | None = None,
    publisher: str = "Shailoo",
    publication_date: date | None = None,
    source_type: str = "officialRegister",
    source_description: str = "",
    country_names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The BODS 0.4 statements of ``entity``'s ownership network.

    With ``day``: the holdings active on that day, every owner up every chain. Without: all
    holdings ever recorded, each period an interest. ``statement_date`` (the day the registry
    data was true; defaults to ``day``) and ``publication_date`` (defaults to it) are given
    by the caller so an export does not depend on the clock. ``country_names`` names the
    ISO codes (BODS requires a name; the code stands in for a missing one).
    """
    stated = statement_date or day
    if stated is None:
        raise OwnershipError(
            message="a BODS export of all periods needs its statement date",
            problems=[Problem("statement_date", "required when no day is given")],
        )
    if source_type not in SOURCE_TYPES:
        raise OwnershipError(
            message="unknown BODS source type",
            problems=[Problem("source_type", f"not in the sourceType codelist: {source_type}")],
        )
    names = country_names or {}
    common = {
        "declarationSubject": entity,
        "statementDate": stated.isoformat(),
        "publicationDetails": {
            "publicationDate": (publication_date or stated).isoformat(),
            "bodsVersion": BODS_VERSION,
            "publisher": {"name": publisher},
        },
        "source": {
            "type": [source_type],
            "description": source_description or "Registry of legal entities and their owners",
        },
    }
    order, held = _network(graph, entity, day)
    statements = [
        _statement(common, node.id, node.kind, _node_details(node, names), _annotations(node))
        for node in (graph.node(node_id) for node_id in order)
    ]
    for owned in order:
        by_owner: dict[str, list[Holding]] = {}
        for holding in held.get(owned, ()):
            by_owner.setdefault(holding.owner, []).append(holding)
        for owner in sorted(by_owner):
            details = {
                "isComponent": False,
                "subject": owned,
                "interestedParty": owner,
                "interests": [_interest(h) for h in _by_period(by_owner[owner])],
            }
            record = str(uuid.uuid5(_NAMESPACE, f"relationship\x1f{owner}\x1f{owned}"))
            statements.append(_statement(common, record, "relationship", details, []))
    return statements


def bods_json(statements: list[dict[str, Any]]) -> str:
    """The statements as a BODS JSON document (an array), UTF-8 text, stable layout."""
    return json.dumps(statements, ensure_ascii=False, indent=2) + "\n"


def _network(
    graph: OwnershipGraph, entity: str, day: date | None
) -> tuple[list[str], dict[str, tuple[Holding, ...]]]:
    """Every node up every chain from ``entity`` (breadth first, owners by id) and the
    holdings in each entity among them."""
    order = [entity]
    seen = {entity}
    held: dict[str, tuple[Holding, ...]] = {}
    queue = deque([entity])
    while queue:
        current = queue.popleft()
        if graph.node(current).kind != "entity":
            continue
        held[current] = graph.owners(current, day)
        for owner in sorted({h.owner for h in held[current]}):
            if owner not in seen:
                seen.add(owner)
                order.append(owner)
                queue.append(owner)
    return order, held


def _by_period(holdings: list[Holding]) -> list[Holding]:
    return sorted(holdings, key=lambda h: (h.start or date.min, h.end or date.max))


def _interest(holding: Holding) -> dict[str, Any]:
    interest: dict[str, Any] = {
        "type": "shareholding",
        "directOrIndirect": "direct",
        "share": {"exact": round(float(holding.share) * 100, 8)},
    }
    if holding.start is not None:
        interest["startDate"] = holding.start.isoformat()
    if holding.end is not None:
        interest["endDate"] = holding.end.isoformat()
    return interest


def _country(code: str, names: Mapping[str, str]) -> dict[str, str]:
    return {"name": names.get(code, code), "code": code}


def _node_details(node: Node, names: Mapping[str, str]) -> dict[str, Any]:
    if node.kind == "entity":
        details: dict[str, Any] = {
            "isComponent": False,
            "entityType": {"type": "registeredEntity"},
        }
        if node.name:
            details["name"] = node.name
        if node.country:
            details["jurisdiction"] = _country(node.country, names)
        if node.identifiers:
            details["identifiers"] = [
                {"scheme": scheme, "id": number} for scheme, number in node.identifiers
            ]
        return details
    if not node.name:
        return {
            "isComponent": False,
            "personType": "unknownPerson",
            "unspecifiedPersonDetails": {"reason": "informationUnknownToPublisher"},
        }
    details = {
        "isComponent": False,
        "personType": "knownPerson",
        "names": [{"type": "legal", "fullName": node.name}],
    }
    if node.country and node.country != STATELESS:
        details["nationalities"] = [_country(node.country, names)]
    return details


def _annotations(node: Node) -> list[dict[str, Any]]:
    if node.kind == "person" and node.country == STATELESS:
        return [
            {
                "statementPointerTarget": "/recordDetails",
                "motivation": "commenting",
                "description": "Stateless person: no nationality.",
            }
        ]
    return []


def _statement(
    common: Mapping[str, Any],
    record: str,
    record_type: str,
    details: dict[str, Any],
    annotations: list[dict[str, Any]],
) -> dict[str, Any]:
    body: dict[str, Any] = {
        **copy.deepcopy(dict(common)),
        "recordId": record,
        "recordType": record_type,
        "recordStatus": "new",
        "recordDetails": details,
    }
    if annotations:
        body["annotations"] = annotations
    digest = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {"statementId": str(uuid.uuid5(_NAMESPACE, digest)), **body}
