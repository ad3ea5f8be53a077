"""Fuzzing the standalone ledger verifier (``shailoo.integrity.verifier``) on exported
directories.

A ledger of a few entries and signed heads is exported by the product (``integrity.export``,
as ``shailoo ledger export`` does); one of its four files is damaged in its bytes, or one
JSON value of it (a line of ``entries.jsonl`` or ``heads.jsonl``, or ``keys.json``,
``manifest.json``). The verifier answers with a report or refuses the directory naming the
file, never a traceback; and any change to entries, heads or keys is found (the manifest
states each file's SHA-256, and the heads are signed).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fuzzing import assert_located, fuzz_settings, known_defects
from hypothesis import given
from hypothesis import strategies as st

import strategies as sx
from shailoo.common.refusals import Refusal
from shailoo.integrity.verifier import Report, verify_export

FILES = ("entries.jsonl", "heads.jsonl", "keys.json", "manifest.json")


@pytest.fixture
def exported(db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The files of an export of 12 entries with heads signed at 4 and 9."""
    from django.db import transaction

    from shailoo.integrity import heads, keys, ledger
    from shailoo.integrity.export import export
    from shailoo.integrity.models import TREE_HEAD

    key = keys.generate()
    key_file = tmp_path / "keys" / "head.pem"
    keys.write_private_key(key_file, key)
    monkeypatch.setenv("SHAILOO_SIGNING_KEY_FILE", str(key_file))
    keys.register_key(keys.raw_public(key), usage=TREE_HEAD, actor="test", commission_code="CEC")
    for target in (4, 9, 12):
        with transaction.atomic():
            for i in range(ledger.size(), target):
                ledger.append("test.event", {"i": i, "note": f"entry number {i} — №"})
        if target < 12:
            heads.sign_head()
    export(tmp_path / "export")
    files = {name: (tmp_path / "export" / name).read_bytes() for name in FILES}
    assert verify_export(tmp_path / "export").ok
    return files


def _damaged(name: str, valid: bytes) -> st.SearchStrategy[bytes]:
    """``valid`` damaged in its bytes, or in one JSON value (of one line, for JSON lines)."""
    if name.endswith(".json"):
        return sx.mutated_bytes(valid) | sx.mutated_json(json.loads(valid))
    lines = valid.splitlines(keepends=True)

    @st.composite
    def one_line(draw: st.DrawFn) -> bytes:
        at = draw(st.integers(0, len(lines) - 1))
        value = draw(sx.mutated_json(json.loads(lines[at]))) + b"\n"
        return b"".join([*lines[:at], value, *lines[at + 1 :]])

    return sx.mutated_bytes(valid) | one_line()


@fuzz_settings(40)
@given(data=st.data())
def test_a_damaged_export_is_refused_naming_its_file_or_reported_tampered(
    exported: dict[str, bytes], tmp_path: Path, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(FILES), label="file")
    damaged = data.draw(_damaged(name, exported[name]), label="damaged")
    folder = tmp_path / "damaged"
    folder.mkdir(exist_ok=True)
    for each in FILES:
        (folder / each).write_bytes(damaged if each == name else exported[each])
    try:
        with known_defects():
            report = verify_export(folder)
    except Refusal as refusal:
        assert_located(refusal, *FILES, "manifest")
        return
    assert isinstance(report, Report)
    for problem in report.problems:
        assert problem.where and problem.why, problem
    if name != "manifest.json" and damaged != exported[name]:
        assert not report.ok, f"{name} changed, yet the export verifies"
        assert report.problems
