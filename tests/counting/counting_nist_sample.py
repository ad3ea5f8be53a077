"""A small election definition and schema validation shared by the NIST export tests."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft4Validator

from shailoo.counting.definition import ElectionDefinition, parse_definition

# The official schemas the package carries (src/shailoo/counting/formats/schemas/), read as
# an installed package reads them; the tests use their own validator, not the product's.
STANDARDS = files("shailoo.counting.formats") / "schemas"


def _text(word: str) -> dict[str, str]:
    return {"ky": f"{word} (ky)", "ru": f"{word} (ru)"}


DEFINITION_DATA: dict[str, Any] = {
    "format": "shailoo-election-definition/1",
    "election_id": "kg-2026-test",
    "name": _text("Test election"),
    "election_date": "2026-11-30",
    "law_edition": "kg-2021",
    "contests": [
        {
            "id": "president",
            "kind": "president",
            "title": _text("President"),
            "options": [
                {"id": "c1", "kind": "candidate", "name": _text("Asanov"), "party": _text("Ata")},
                {"id": "c2", "kind": "candidate", "name": _text("Bekova")},
                {"id": "aa", "kind": "against_all", "name": _text("Against all")},
            ],
        },
        {
            "id": "jk-list",
            "kind": "party_list",
            "title": _text("Jogorku Kenesh"),
            "seats": 54,
            "options": [
                {"id": "p1", "kind": "party", "name": _text("Ata")},
                {"id": "p2", "kind": "party", "name": _text("Yntymak")},
            ],
        },
        {
            "id": "d7",
            "kind": "district",
            "title": _text("District 7"),
            "votes_allowed": 2,
            "seats": 3,
            "district": "d7",
            "options": [
                {"id": "x1", "kind": "candidate", "name": _text("X1")},
                {"id": "x2", "kind": "candidate", "name": _text("X2"), "party": _text("Yntymak")},
                {"id": "x3", "kind": "candidate", "name": _text("X3")},
            ],
        },
    ],
    "ballot_styles": [
        {"id": "s1", "contests": ["president", "jk-list"], "stations": ["1001", "1002"]},
        {"id": "s2", "contests": ["president", "jk-list", "d7"], "stations": ["1003"]},
    ],
}
DEFINITION: ElectionDefinition = parse_definition(DEFINITION_DATA)


@cache
def validator(name: str) -> Draft4Validator:
    schema = json.loads((STANDARDS / name).read_text(encoding="utf-8"))
    return Draft4Validator(schema)


def schema_errors(name: str, doc: dict[str, Any]) -> list[str]:
    """The first few violations of ``name``'s schema, located by JSON path."""
    errors = sorted(validator(name).iter_errors(doc), key=str)
    return [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
