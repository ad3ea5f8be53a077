"""Mutation tests of a stored ledger: each tampering is detected and located, the same way
by ``ledger verify`` (database) and by the standalone verifier on an export.

The ledger: 20 entries (entry 0 registers the head key), heads signed at sizes 5, 12, 20.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import transaction
from ledger_tampering import rebuild_nodes
from typer.testing import CliRunner

from shailoo.integrity import keys
from shailoo.integrity.canonical import canonical_json, canonical_loads
from shailoo.integrity.export import export, verify_database
from shailoo.integrity.merkle import leaf_hash
from shailoo.integrity.models import LedgerEntry, MerkleNode, TreeHead
from shailoo.integrity.verifier import (
    Report,
    format_time,
    head_message,
    key_id,
    main,
    position,
    verify_export,
)

pytestmark = pytest.mark.django_db


def _entry(seq: int) -> LedgerEntry:
    return LedgerEntry.objects.get(sequence=seq)


def _forged(seq: int, note: str) -> tuple[bytes, bytes]:
    data = canonical_loads(bytes(_entry(seq).data))
    assert isinstance(data, dict)
    data = {**data, "payload": {"i": seq, "note": note}}
    raw = canonical_json(data)
    return raw, leaf_hash(raw)


def flip_byte() -> None:
    entry = _entry(7)
    data = bytearray(entry.data)
    data[data.index(b"number")] ^= 0x01
    LedgerEntry.objects.filter(sequence=7).update(data=bytes(data))


def delete_entry() -> None:
    LedgerEntry.objects.filter(sequence=7).delete()


def insert_entry() -> None:
    for seq in reversed(range(7, 20)):
        LedgerEntry.objects.filter(sequence=seq).update(sequence=seq + 1)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    envelope = {"kind": "test.event", "payload": {"i": 99}, "seq": 7, "time": format_time(moment)}
    raw = canonical_json(envelope)
    LedgerEntry.objects.create(
        sequence=7, kind="test.event", data=raw, leaf_hash=leaf_hash(raw), created_at=moment
    )


def swap_entries() -> None:
    a, b = _entry(3), _entry(9)
    for target, source in ((3, b), (9, a)):
        LedgerEntry.objects.filter(sequence=target).update(
            data=bytes(source.data), leaf_hash=bytes(source.leaf_hash), kind=source.kind
        )


def truncate_ledger() -> None:
    LedgerEntry.objects.filter(sequence__gte=15).delete()
    rebuild_nodes()


def rewrite_consistently() -> None:
    raw, digest = _forged(7, "a different story")
    LedgerEntry.objects.filter(sequence=7).update(data=raw, leaf_hash=digest)
    rebuild_nodes()


def _second_head() -> TreeHead:
    return TreeHead.objects.order_by("id")[1]


def truncate_signature() -> None:
    head = _second_head()
    TreeHead.objects.filter(pk=head.pk).update(signature=bytes(head.signature)[:40])


def forge_head_root() -> None:
    TreeHead.objects.filter(pk=_second_head().pk).update(root_hash=hashlib.sha256(b"x").digest())


def _sign_as(head: TreeHead, private: object, kid: str) -> None:
    message = head_message(head.size, bytes(head.root_hash), head.timestamp_ms, kid)
    signature = private.sign(message)  # type: ignore[attr-defined]
    TreeHead.objects.filter(pk=head.pk).update(key_id=kid, signature=signature)


def wrong_key() -> None:
    head = _second_head()
    _sign_as(head, keys.generate(), head.key_id)


def unknown_key() -> None:
    attacker = keys.generate()
    _sign_as(_second_head(), attacker, key_id(keys.raw_public(attacker)))


MUTATIONS: dict[str, tuple[Callable[[], None], int | None, int | None]] = {
    # name: (mutation, first bad entry, first bad head)
    "byte flip in a payload": (flip_byte, 7, 1),
    "deleted entry": (delete_entry, 7, 1),
    "inserted entry": (insert_entry, 7, 1),
    "swapped entries": (swap_entries, 3, 0),
    "truncated ledger": (truncate_ledger, 15, 2),
    "consistent rewrite of nodes": (rewrite_consistently, None, 1),
    "truncated head signature": (truncate_signature, None, 1),
    "forged head root": (forge_head_root, None, 1),
    "head signed by a wrong key": (wrong_key, None, 1),
    "head signed by an unknown key": (unknown_key, None, 1),
}


def _located(report: Report) -> tuple[int | None, int | None]:
    entry, head = report.first("entry"), report.first("head")
    return (position(entry)[1] if entry else None, position(head)[1] if head else None)


@pytest.fixture
def ledger20(fill):
    return fill(20)


def test_an_untouched_ledger_verifies(ledger20, tmp_path: Path) -> None:
    assert verify_database().ok
    export(tmp_path / "export")
    report = verify_export(tmp_path / "export")
    assert report.ok and report.entries == 20 and report.heads == 3


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_tampering_is_detected_and_located(ledger20, tmp_path: Path, name: str) -> None:
    mutate, bad_entry, bad_head = MUTATIONS[name]
    mutate()
    in_db = verify_database()
    assert not in_db.ok
    assert _located(in_db) == (bad_entry, bad_head), in_db.lines()
    export(tmp_path / "export")
    exported = verify_export(tmp_path / "export")
    assert not exported.ok
    assert _located(exported) == (bad_entry, bad_head), exported.lines()


def test_consistent_rewrite_names_the_range_between_good_heads(ledger20) -> None:
    rewrite_consistently()
    first = verify_database().first("head")
    assert first is not None and "an entry in 5..11" in first.why


def test_a_signed_rollback_is_refused(ledger20) -> None:
    """Even a head with a valid signature may not shrink the tree (compromised signer)."""
    latest = TreeHead.objects.order_by("-id").first()
    assert latest is not None
    from shailoo.integrity import ledger

    head = TreeHead.objects.create(
        size=8,
        root_hash=ledger.root_at(8),
        timestamp_ms=latest.timestamp_ms + 1,
        key_id=latest.key_id,
        signature=b"",
    )
    _sign_as(head, ledger20.key, latest.key_id)
    report = verify_database()
    problem = report.first("head")
    assert problem is not None and problem.where == "head 3" and "rolled back" in problem.why


def test_a_damaged_node_is_located(ledger20) -> None:
    MerkleNode.objects.filter(level=2, index=1).update(hash=bytes(32))
    report = verify_database()
    assert [position(p) for p in report.problems] == [("node", 4)]
    assert "level 2, index 1" in report.problems[0].why


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def _edit_export(path: Path, edit: Callable[[list[str]], list[str]]) -> None:
    path.write_text("\n".join(edit(_lines(path))) + "\n")


def _flip_in_line(lines: list[str]) -> list[str]:
    row = json.loads(lines[7])
    data = bytearray(base64.b64decode(row["data"]))
    data[data.index(b"number")] ^= 0x01
    row["data"] = base64.b64encode(bytes(data)).decode()
    return [*lines[:7], json.dumps(row), *lines[8:]]


EXPORT_EDITS: dict[str, tuple[str, Callable[[list[str]], list[str]], int | None, int | None]] = {
    "byte flip": ("entries.jsonl", _flip_in_line, 7, 1),
    "deleted line": ("entries.jsonl", lambda ls: ls[:7] + ls[8:], 7, 1),
    "swapped lines": (
        "entries.jsonl",
        lambda ls: [*ls[:3], ls[9], *ls[4:9], ls[3], *ls[10:]],
        3,
        0,
    ),
    "garbled line": ("entries.jsonl", lambda ls: [*ls[:4], "{not json", *ls[5:]], 4, 0),
    "dropped head signature": (
        "heads.jsonl",
        lambda ls: [ls[0], ls[1].replace('"signature":"', '"signature":"AAAA'), ls[2]],
        None,
        1,
    ),
}


@pytest.mark.parametrize("name", list(EXPORT_EDITS))
def test_an_altered_export_is_detected(ledger20, tmp_path: Path, name: str) -> None:
    file, edit, bad_entry, bad_head = EXPORT_EDITS[name]
    export(tmp_path)
    _edit_export(tmp_path / file, edit)
    report = verify_export(tmp_path)
    assert _located(report) == (bad_entry, bad_head), report.lines()


def test_trusted_keys_pin_the_commission_key(ledger20, tmp_path: Path) -> None:
    export(tmp_path)
    good = frozenset({keys.raw_public(ledger20.key)})
    assert verify_export(tmp_path, good).ok
    other = frozenset({keys.raw_public(keys.generate())})
    assert _located(verify_export(tmp_path, other)) == (None, 0)


def test_verify_command_exits_one_and_names_the_first_bad_entry(ledger20, monkeypatch) -> None:
    import shailoo.common.cli
    from shailoo.cli import app

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)
    runner = CliRunner()
    assert runner.invoke(app, ["ledger", "verify"]).exit_code == 0
    flip_byte()
    result = runner.invoke(app, ["ledger", "verify"])
    assert result.exit_code == 1
    assert "first bad entry: entry 7" in result.output
    old_name = runner.invoke(app, ["audit", "verify"])  # hidden alias, for one release
    assert old_name.exit_code == 1 and old_name.output == result.output
    listed = runner.invoke(app, ["--help"]).output
    assert " ledger " in listed and " audit " not in listed


def test_standalone_verifier_runs_without_django(ledger20, tmp_path: Path) -> None:
    export(tmp_path / "ok")
    flip_byte()
    export(tmp_path / "bad")
    code = (
        "import sys; sys.modules['django'] = None; sys.modules['rest_framework'] = None\n"
        "from shailoo.integrity.verifier import main; sys.exit(main(sys.argv[1:]))"
    )
    runs = {
        name: subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / name)], capture_output=True, text=True
        )
        for name in ("ok", "bad", "missing")
    }
    assert runs["ok"].returncode == 0, runs["ok"].stderr
    assert runs["bad"].returncode == 1 and "first bad entry: entry 7" in runs["bad"].stdout
    assert runs["missing"].returncode == 2 and "missing" in runs["missing"].stderr


def test_main_reports_ok(ledger20, tmp_path: Path, capsys) -> None:
    export(tmp_path)
    assert main([str(tmp_path)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main([str(tmp_path), "--trusted-key", "zz"]) == 2


def test_appends_and_new_heads_after_verification_still_verify(ledger20) -> None:
    from shailoo.integrity import heads, ledger

    assert verify_database().ok
    with transaction.atomic():
        for i in range(3):
            ledger.append("test.event", {"i": 100 + i})
    heads.sign_head()
    report = verify_database()
    assert report.ok and report.entries == 23 and report.heads == 4
