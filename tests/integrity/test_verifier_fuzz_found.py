"""Found by the fuzz suite (``tests/fuzz``) (fixed: this is its regression test).

A signed head in ``heads.jsonl`` whose ``size`` or ``timestamp_ms`` is 2**53 or more (an
altered export) makes ``verify_export`` raise ``CanonicalError("$.size: integer beyond
±(2**53 - 1)…")`` from ``head_message`` while checking signatures: the whole export is refused
("cannot verify", exit 2) naming neither the file nor the line, instead of a finding on that
head (exit 1, TAMPERED).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shailoo.integrity.export import export
from shailoo.integrity.verifier import position, verify_export


@pytest.mark.parametrize("field", ["size", "timestamp_ms"])
def test_a_head_number_past_2_53_is_a_finding_on_that_head(
    fill, tmp_path: Path, field: str
) -> None:
    fill(20)
    export(tmp_path)
    heads = (tmp_path / "heads.jsonl").read_text().splitlines()
    row = json.loads(heads[1])
    row[field] = 2**63
    heads[1] = json.dumps(row)
    (tmp_path / "heads.jsonl").write_text("\n".join(heads) + "\n")
    report = verify_export(tmp_path)
    assert not report.ok
    assert ("head", 1) in [position(p) for p in report.problems]
