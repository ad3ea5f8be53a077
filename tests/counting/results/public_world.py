"""A small country for the public results tests: real names for regions and TECs, a
definition with a presidential contest, and builders for party-list and district contests.

The protocol world itself (rules, key, three stations) is ``counting_results_helpers``;
this module gives its places the names a reader sees, so a test can tell a name from a code.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

from counting_results_helpers import enter, import_definition, lines, setup_world

from shailoo.counting import services as counting
from shailoo.counting.definition import parse_definition
from shailoo.counting.results import decisions
from shailoo.geo.models import Region, TerritorialCommission

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "public-results.schema.json"
REGION_NAMES = {
    "KG-C": {"name_ky": "Чүй облусу", "name_ru": "Чуйская область", "name_en": "Chüy Region"},
    "KG-N": {"name_ky": "Нарын облусу", "name_ru": "Нарынская область", "name_en": "Naryn Region"},
}
TEC_NAMES = {"T1": "Аламүдүн районунун ТШК", "T2": "Нарын районунун ТШК"}


def named_world(monkeypatch: Any, tmp_path: Path, definition: bool = True) -> dict[str, Any]:
    """``setup_world`` with real region and TEC names and (by default) the ``pres`` contest."""
    world = setup_world(monkeypatch, tmp_path)
    for code, names in REGION_NAMES.items():
        Region.objects.filter(code=code).update(**names)
    for code, name in TEC_NAMES.items():
        TerritorialCommission.objects.filter(code=code).update(name=name)
    for item in ("regions", "tecs"):
        for row in world[item]:
            row.refresh_from_db()
    if definition:
        import_definition(world)
    return world


def accept(world: dict[str, Any], station: Any, **kw: Any) -> Any:
    """Enter the protocol (automatic count equal to the votes) and accept it as ``cli``."""
    version = enter(world, station, **kw)
    decisions.accept_protocol(version.protocol, "cli")
    return version


def balanced(votes: dict[str, int], invalid: int = 10, voters: int = 5000) -> dict[str, int]:
    """Protocol lines that satisfy every control relation for ``votes``."""
    found = sum(votes.values()) + invalid
    return lines(
        voters_on_list=voters,
        ballots_received=voters,
        ballots_issued=found + 5,
        ballots_spoiled=5,
        ballots_unused=voters - found - 10,
        ballots_found=found,
        ballots_invalid=invalid,
    )


def text(word: str) -> dict[str, str]:
    return {"ky": f"{word} ky", "ru": f"{word} ru"}


def define(
    world: dict[str, Any], contests: list[dict[str, Any]], styles: list[dict[str, Any]]
) -> None:
    """Import a definition of ``contests`` voted as ``styles`` say (replacing any before)."""
    document = {
        "format": "shailoo-election-definition/1",
        "election_id": world["election"].code,
        "name": text("Election"),
        "election_date": "2027-03-14",
        "law_edition": world["election"].law_edition,
        "contests": contests,
        "ballot_styles": styles,
    }
    counting.import_definition(world["election"], parse_definition(document), "cli")


def visible(html: str) -> str:
    """The text a reader sees: no tags, no SVG internals, no code blocks, spaces collapsed."""
    body = html.split("<main", 1)[-1]
    for tag in ("svg", "pre", "code", "script"):
        body = re.sub(rf"<{tag}\b.*?</{tag}>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


def schema_errors(doc: Any) -> list[str]:
    """Violations of ``docs/public-results.schema.json``, located by JSON path."""
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{list(e.absolute_path)}: {e.message}"[:300] for e in errors[:5]]


__all__ = [
    "accept",
    "balanced",
    "define",
    "enter",
    "lines",
    "named_world",
    "schema_errors",
    "text",
    "visible",
]
