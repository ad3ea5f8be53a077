"""The ownership export in the Beneficial Ownership Data Standard 0.4, validated against the
standard's own JSON Schema (vendored under ``data/ownership/bods-0.4``, see its README)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from shailoo.finance.ownership import Holding, Node, OwnershipError, OwnershipGraph
from shailoo.finance.ownership.bods import BODS_VERSION, bods_json, bods_statements

SCHEMAS = Path(__file__).parent / "data" / "ownership" / "bods-0.4"
DAY = date(2025, 10, 20)


def validator() -> Draft202012Validator:
    resources = []
    for name in (
        "statement",
        "components",
        "entity-record",
        "person-record",
        "relationship-record",
    ):
        schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    root = registry.contents("urn:statement")
    return Draft202012Validator(root, registry=registry, format_checker=FormatChecker())


VALIDATOR = validator()


def errors(document: object) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(document)]


def world() -> OwnershipGraph:
    """The printing house of the issue: foreign parent, a local holding company, a stateless
    minority holder, an owner whose country is unknown, and a Kyrgyz shareholder who sold."""
    return OwnershipGraph(
        [
            Node(
                "org:printing",
                "entity",
                "Printing House LLC",
                "KG",
                identifiers=(("KG-MOJ", "01234567890123"),),
            ),
            Node("org:holding", "entity", "Holding LLC", "KG"),
            Node("org:parent", "entity", "Foreign Ltd", "DE"),
            Node("person:1", "person", "Aida Sadykova", "KG", identifiers=(("KGZ-IDCARD", "x"),)),
            Node("person:2", "person", "Ivan Petrov", "XX"),
            Node("person:3", "person", "", ""),
        ],
        [
            Holding("org:parent", "org:holding", 1.0, start=date(2019, 3, 1)),
            Holding("org:holding", "org:printing", 0.7, start=date(2020, 1, 15)),
            Holding("person:1", "org:printing", 0.3, start=date(2018, 5, 2), end=date(2020, 1, 15)),
            Holding("person:1", "org:printing", 0.2, start=date(2021, 2, 1)),
            Holding("person:2", "org:printing", 0.05, start=date(2020, 1, 15)),
            Holding("person:3", "org:printing", 0.05, start=date(2020, 1, 15)),
        ],
    )


def test_the_standard_s_own_example_validates_with_this_wiring() -> None:
    example = json.loads((SCHEMAS / "example-indirect-ownership.json").read_text(encoding="utf-8"))
    assert errors(example) == []


def test_an_export_as_of_a_day_is_valid_bods_and_says_what_was_held() -> None:
    statements = bods_statements(world(), "org:printing", day=DAY, publisher="CEC")
    assert errors(statements) == []
    by_record = {s["recordId"]: s for s in statements}
    assert statements[0]["recordId"] == "org:printing"
    assert {s["declarationSubject"] for s in statements} == {"org:printing"}
    assert {s["publicationDetails"]["bodsVersion"] for s in statements} == {BODS_VERSION}
    printing = by_record["org:printing"]["recordDetails"]
    assert printing["jurisdiction"] == {"name": "KG", "code": "KG"}
    assert printing["identifiers"] == [{"scheme": "KG-MOJ", "id": "01234567890123"}]
    relationships = [s["recordDetails"] for s in statements if s["recordType"] == "relationship"]
    held = {
        (r["interestedParty"], r["subject"]): [i["share"]["exact"] for i in r["interests"]]
        for r in relationships
    }
    assert held == {
        ("org:holding", "org:printing"): [70.0],
        ("person:1", "org:printing"): [20.0],  # the 30 % sold in 2020 is no longer held
        ("person:2", "org:printing"): [5.0],
        ("person:3", "org:printing"): [5.0],
        ("org:parent", "org:holding"): [100.0],
    }
    # Parties come before the relationships that name them.
    seen: set[str] = set()
    for statement in statements:
        if statement["recordType"] == "relationship":
            assert statement["recordDetails"]["subject"] in seen
            assert statement["recordDetails"]["interestedParty"] in seen
        seen.add(statement["recordId"])


def test_an_export_of_all_periods_keeps_each_period_as_an_interest() -> None:
    statements = bods_statements(world(), "org:printing", statement_date=DAY)
    assert errors(statements) == []
    [aida] = [
        s["recordDetails"]
        for s in statements
        if s["recordType"] == "relationship" and s["recordDetails"]["interestedParty"] == "person:1"
    ]
    assert aida["interests"] == [
        {
            "type": "shareholding",
            "directOrIndirect": "direct",
            "share": {"exact": 30.0},
            "startDate": "2018-05-02",
            "endDate": "2020-01-15",
        },
        {
            "type": "shareholding",
            "directOrIndirect": "direct",
            "share": {"exact": 20.0},
            "startDate": "2021-02-01",
        },
    ]
    with pytest.raises(OwnershipError):
        bods_statements(world(), "org:printing")


def test_persons_keep_nationality_but_never_their_identifiers() -> None:
    statements = bods_statements(
        world(), "org:printing", day=DAY, country_names={"KG": "Kyrgyzstan"}
    )
    people = {s["recordId"]: s for s in statements if s["recordType"] == "person"}
    aida = people["person:1"]["recordDetails"]
    assert aida["nationalities"] == [{"name": "Kyrgyzstan", "code": "KG"}]
    assert "identifiers" not in aida
    stateless = people["person:2"]
    assert "nationalities" not in stateless["recordDetails"]
    assert stateless["annotations"][0]["description"].startswith("Stateless")
    assert people["person:3"]["recordDetails"]["personType"] == "unknownPerson"


def test_exports_are_reproducible_and_ids_change_with_content() -> None:
    first = bods_json(bods_statements(world(), "org:printing", day=DAY))
    again = bods_json(bods_statements(world(), "org:printing", day=DAY))
    assert first == again
    ids = [s["statementId"] for s in json.loads(first)]
    assert len(ids) == len(set(ids))
    later = bods_statements(world(), "org:printing", day=date(2019, 1, 1))
    assert {s["statementId"] for s in later}.isdisjoint(ids)


def test_the_schema_check_bites_on_a_broken_export() -> None:
    statements = bods_statements(world(), "org:printing", day=DAY)
    broken = copy.deepcopy(statements)
    relationship = next(s for s in broken if s["recordType"] == "relationship")
    relationship["recordDetails"]["interests"][0]["share"]["exact"] = 150
    assert errors(broken)
    broken = copy.deepcopy(statements)
    broken[0]["statementId"] = "short"
    assert errors(broken)
    broken = copy.deepcopy(statements)
    relationship = next(s for s in broken if s["recordType"] == "relationship")
    relationship["recordDetails"]["interests"][0]["startDate"] = "2020-13-01"
    assert errors(broken)


def test_an_unknown_source_type_is_refused() -> None:
    with pytest.raises(OwnershipError):
        bods_statements(world(), "org:printing", day=DAY, source_type="rumour")
