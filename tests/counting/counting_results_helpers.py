"""Shared builders and fixtures for the protocol and results tests (not a conftest: imported).

The law's control relations are fixed here (the standard Kyrgyz protocol checks) so the
tests do not depend on the edition files another capability is still extending.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

import factories as f
from shailoo.counting.results import services
from shailoo.counting.results.protocol import Relation

RELATIONS = (
    Relation(
        "ballots_accounted",
        ("ballots_received",),
        "=",
        ("ballots_issued", "ballots_spoiled", "ballots_unused"),
    ),
    Relation("found_not_above_issued", ("ballots_found",), "<=", ("ballots_issued",)),
    Relation("found_split", ("ballots_found",), "=", ("ballots_invalid", "votes_valid")),
    Relation("issued_not_above_list", ("ballots_issued",), "<=", ("voters_on_list",)),
)
TOLERANCE = 2
# The official schemas the package carries (src/shailoo/counting/formats/schemas/).
STANDARDS = files("shailoo.counting.formats") / "schemas"


def lines(**changes: int) -> dict[str, int]:
    """A consistent protocol for votes a=300, b=200, c=50 (550 valid, 10 invalid)."""
    base = {
        "voters_on_list": 1000,
        "ballots_received": 1000,
        "ballots_issued": 565,
        "ballots_spoiled": 5,
        "ballots_unused": 430,
        "ballots_found": 560,
        "ballots_invalid": 10,
    }
    return {**base, **changes}


VOTES = {"a": 300, "b": 200, "c": 50}


def setup_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Fixed protocol rules, a commission key in a temporary file, and a small country:
    an election, two regions with a TEC each, three stations (101, 102 in T1; 201 in T2)."""
    from shailoo.integrity import keys

    fixed = services.ProtocolRules(RELATIONS, TOLERANCE, "Art. 35(14), test")
    monkeypatch.setattr(services, "protocol_rules", lambda election: fixed)
    path = tmp_path / "keys" / "protocol.pem"
    keys.write_private_key(path, keys.generate())
    monkeypatch.setenv("SHAILOO_PROTOCOL_KEY_FILE", str(path))
    region_a, region_b = f.region("KG-C"), f.region("KG-N")
    tec_a, tec_b = f.tec(region_a, "T1"), f.tec(region_b, "T2")
    s1 = f.station(101, district_=f.district(region_a), tec_=tec_a)
    s2 = f.station(102, district_=f.district(region_a), tec_=tec_a)
    s3 = f.station(201, district_=f.district(region_b), tec_=tec_b)
    election = f.election("kg-2025", code="parl-2027")
    return {
        "election": election,
        "stations": (s1, s2, s3),
        "tecs": (tec_a, tec_b),
        "regions": (region_a, region_b),
        "rules": fixed,
    }


def enter(world: dict[str, Any], station: Any, contest: str = "pres", **kw: Any) -> Any:
    """Automatic count equal to the votes, then the manual protocol, as the CLI actor."""
    votes = kw.pop("votes", VOTES)
    automatic = kw.pop("automatic", votes)
    if automatic is not None:
        services.record_automatic_count(
            world["election"], station, contest, automatic, "cli", source="scanner"
        )
    return services.enter_protocol(
        world["election"], station, contest, kw.pop("lines", lines()), votes, "cli"
    )


def standard(name: str) -> dict[str, Any]:
    return json.loads((STANDARDS / name).read_text(encoding="utf-8"))


def schema_errors(name: str, doc: dict[str, Any]) -> list[str]:
    """The first violations of the official schema ``name``, located by JSON path."""
    from jsonschema import Draft4Validator

    errors = sorted(Draft4Validator(standard(name)).iter_errors(doc), key=str)
    return [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def import_definition(world: dict[str, Any]) -> Any:
    """A definition for the world: contest ``pres`` (a, b, against-all c) at every station."""
    from shailoo.counting import services as counting
    from shailoo.counting.definition import parse_definition

    def text(word: str) -> dict[str, str]:
        return {"ky": f"{word} ky", "ru": f"{word} ru"}

    document = {
        "format": "shailoo-election-definition/1",
        "election_id": world["election"].code,
        "name": text("Election"),
        "election_date": "2027-03-14",
        "law_edition": world["election"].law_edition,
        "contests": [
            {
                "id": "pres",
                "kind": "president",
                "title": text("President"),
                "options": [
                    {"id": "a", "kind": "candidate", "name": text("Asanov")},
                    {"id": "b", "kind": "candidate", "name": text("Bekova")},
                    {"id": "c", "kind": "against_all", "name": text("Against all")},
                ],
            }
        ],
        "ballot_styles": [
            {
                "id": "s1",
                "contests": ["pres"],
                "stations": [str(s.number) for s in world["stations"]],
            }
        ],
    }
    definition = parse_definition(document)
    counting.import_definition(world["election"], definition, "cli")
    return definition
