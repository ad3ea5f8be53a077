"""The published JSON schemas of the public pages' twins (``docs/public-*.schema.json``): one
validator for every test that checks a document against them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs"


def schema_errors(name: str, document: Any) -> list[str]:
    """Where and why ``document`` breaks ``docs/<name>.schema.json`` (none: it is valid)."""
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads((DOCS / f"{name}.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]
