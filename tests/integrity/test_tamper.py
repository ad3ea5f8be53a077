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


# -- values no Shailoo code writes, edited into the database with sqlite3 ----------------------

#: name: (SQL, the finding's kind and position, what it says). SQLite stores whatever is written
#: into a column: text in a BLOB column once made `ledger verify` and `ledger export` crash
#: (TypeError), an integer made them allocate that many bytes (MemoryError).
DAMAGED_COLUMNS: dict[str, tuple[str, str, str]] = {
    "text in an entry's data": (
        "UPDATE integrity_ledgerentry SET data='x' WHERE sequence=3",
        "entry 3",
        "column data holds text 'x', not bytes",
    ),
    "a number in an entry's data": (
        "UPDATE integrity_ledgerentry SET data=99999999999 WHERE sequence=3",
        "entry 3",
        "column data holds int 99999999999, not bytes",
    ),
    "text in a leaf hash": (
        "UPDATE integrity_ledgerentry SET leaf_hash='x' WHERE sequence=3",
        "entry 3",
        "column leaf_hash holds text 'x'",
    ),
    "text in a time": (
        "UPDATE integrity_ledgerentry SET created_at='x' WHERE sequence=3",
        "entry 3",
        "column created_at holds no valid date-time",
    ),
    "text that is not UTF-8 in a kind": (
        "UPDATE integrity_ledgerentry SET kind=CAST(x'ff' AS TEXT) WHERE sequence=3",
        "entry 3",
        "the row cannot be read (OperationalError: Could not decode to UTF-8",
    ),
    "text that is not UTF-8 in a time": (
        "UPDATE integrity_ledgerentry SET created_at=CAST(x'ff' AS TEXT) WHERE sequence=3",
        "entry 3",
        "the row cannot be read (UnicodeDecodeError",
    ),
    "bytes in a kind": (
        "UPDATE integrity_ledgerentry SET kind=x'00ff' WHERE sequence=3",
        "entry 3",
        "column kind holds bytes",
    ),
    "text in a tree node": (
        "UPDATE integrity_merklenode SET hash='x' WHERE level=1 AND \"index\"=2",
        "node 4",
        "column hash of node (level 1, index 2): holds text 'x'",
    ),
    "text in a head's root": (
        "UPDATE integrity_treehead SET root_hash='x' WHERE id=(SELECT min(id) FROM "
        "integrity_treehead)",
        "head 0",
        "column root_hash holds text 'x'",
    ),
    "text in a head's signature": (
        "UPDATE integrity_treehead SET signature='x' WHERE id=(SELECT max(id) FROM "
        "integrity_treehead)",
        "head 2",
        "column signature holds text 'x'",
    ),
    "text in a head's size": (
        "UPDATE integrity_treehead SET size='x' WHERE id=(SELECT min(id) FROM integrity_treehead)",
        "head 0",
        "column size holds text 'x', not an integer",
    ),
    "text in the ledger state's root": (
        "UPDATE integrity_ledgerstate SET root_hash='x'",
        "node 0",
        "column root_hash of the ledger state holds text 'x'",
    ),
    "text in a key": (
        "UPDATE integrity_registeredkey SET public_key='x'",
        "key 0",
        "column public_key holds text 'x'",
    ),
}


def _edit_with_sqlite(sql: str) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("only SQLite keeps a value of another type than its column's")
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.parametrize("name", list(DAMAGED_COLUMNS))
def test_a_damaged_column_is_reported_as_damage_never_a_traceback(
    ledger20, tmp_path: Path, name: str
) -> None:
    sql, where, why = DAMAGED_COLUMNS[name]
    _edit_with_sqlite(sql)
    report = verify_database()
    assert not report.ok and report.entries == 20  # every row in its place, damaged or not
    found = [p for p in report.problems if p.where == where and why in p.why]
    assert found, report.lines()
    assert found[0].why.endswith(": the database was edited")
    damaged: list[tuple[str, int, str]] = []
    export(tmp_path / "export", lambda kind, i, reason: damaged.append((kind, i, reason)))
    exported = where.startswith(("entry", "head", "key"))  # an export has no nodes, no state
    assert [f"{kind} {i}" for kind, i, reason in damaged if why in reason] == [where] * exported
    assert verify_export(tmp_path / "export").ok is not exported  # as stored: the verifier judges


def test_damaged_columns_through_the_commands(ledger20, tmp_path: Path, monkeypatch) -> None:
    import shailoo.common.cli
    from shailoo.cli import app

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)
    _edit_with_sqlite("UPDATE integrity_ledgerentry SET data='x' WHERE sequence=3")
    runner = CliRunner()
    verified = runner.invoke(app, ["ledger", "verify"])
    assert verified.exit_code == 1 and isinstance(verified.exception, SystemExit)
    assert "first bad entry: entry 3: column data holds text 'x', not bytes" in verified.output
    exported = runner.invoke(app, ["ledger", "export", str(tmp_path / "e")])
    assert exported.exit_code == 1 and isinstance(exported.exception, SystemExit)
    assert (
        "DAMAGED: 1 stored value" in exported.output and "entry 3: column data" in exported.output
    )
    assert main([str(tmp_path / "e")]) == 1


def test_appends_and_heads_refuse_a_damaged_tree_by_name(ledger20) -> None:
    from shailoo.integrity import heads, ledger

    _edit_with_sqlite("UPDATE integrity_merklenode SET hash='x' WHERE level=2 AND \"index\"=4")
    with pytest.raises(ledger.LedgerError, match="tree is damaged"), transaction.atomic():
        ledger.append("test.event", {"i": 100})
    with pytest.raises(heads.HeadError, match="damaged"):
        heads.sign_head()
    rebuild_nodes()
    _edit_with_sqlite("UPDATE integrity_ledgerstate SET root_hash='x'")
    with pytest.raises(ledger.LedgerError, match="root holds text 'x'"), transaction.atomic():
        ledger.append("test.event", {"i": 100})


@pytest.mark.urls("integrity_test_urls")
def test_the_public_api_answers_a_damaged_ledger_with_503(ledger20, client) -> None:
    _edit_with_sqlite(
        "UPDATE integrity_treehead SET root_hash='x' WHERE id=(SELECT max(id) FROM "
        "integrity_treehead)"
    )
    _edit_with_sqlite("UPDATE integrity_ledgerentry SET data='x' WHERE sequence=3")
    _edit_with_sqlite("UPDATE integrity_registeredkey SET public_key='x'")
    for path in ("head/", "entries/3/proof/?size=5", "keys/"):
        answer = client.get(f"/api/integrity/{path}")
        assert answer.status_code == 503, (path, answer.content)
        assert answer.json()["code"] == "ledger_damaged"


# -- the standalone verifier on hostile exports --------------------------------------------------


def _deep(depth: int = 200_000) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("line", [_deep(), '{"seq": NaN}', '{"seq": 1, "seq": 2}', "9" * 5000])
def test_an_unreadable_entry_line_is_a_located_finding(ledger20, tmp_path: Path, line) -> None:
    export(tmp_path)
    _edit_export(tmp_path / "entries.jsonl", lambda ls: [*ls[:6], line, *ls[7:]])
    report = verify_export(tmp_path)
    first = report.first("entry")
    assert first is not None and first.where == "entry 6", report.lines()
    assert first.why.startswith("entries.jsonl line 7 column ")
    assert main([str(tmp_path)]) == 1


@pytest.mark.parametrize("name", ["heads.jsonl", "keys.json", "manifest.json"])
def test_a_deep_line_elsewhere_makes_the_export_unreadable_not_a_crash(
    ledger20, tmp_path: Path, name: str, capsys
) -> None:
    export(tmp_path)
    (tmp_path / name).write_text(_deep() + "\n")
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{name}:1: nested deeper than 64 levels at" in err and "column 65" in err


def _rewrite_tail_entry(lines: list[str], seq: int = 15) -> list[str]:
    """Change an entry and its leaf hash consistently, as an attacker would."""
    row = json.loads(lines[seq])
    envelope = canonical_loads(base64.b64decode(row["data"]))
    assert isinstance(envelope, dict)
    raw = canonical_json({**envelope, "payload": {"i": seq, "note": "a different story"}})
    row["data"] = base64.b64encode(raw).decode()
    row["leaf_hash"] = leaf_hash(raw).hex()
    return [*lines[:seq], json.dumps(row, separators=(",", ":")), *lines[seq + 1 :]]


def _drop_the_latest_head_and_rewrite_the_tail(directory: Path) -> None:
    _edit_export(directory / "heads.jsonl", lambda ls: ls[:-1])
    _edit_export(directory / "entries.jsonl", _rewrite_tail_entry)


def test_a_removed_head_counted_by_the_manifest_is_missing(ledger20, tmp_path: Path) -> None:
    """The attack: the latest head removed, an entry after the previous one rewritten."""
    export(tmp_path)
    _drop_the_latest_head_and_rewrite_the_tail(tmp_path)
    report = verify_export(tmp_path)
    assert not report.ok
    head = report.first("head")
    assert head is not None and head.where == "head 2"
    assert "missing: manifest.json counts 3 heads, heads.jsonl holds 2" in head.why
    wheres = {p.where for p in report.problems}
    assert {"entries.jsonl", "heads.jsonl"} <= wheres  # their bytes differ from the manifest's
    assert report.signed == 12 and report.unsigned == 8
    assert main([str(tmp_path)]) == 1


def _restate_manifest(directory: Path) -> None:
    """What a careful attacker does next: a manifest that agrees with the edited files."""
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    heads = _lines(directory / "heads.jsonl")
    manifest["heads"] = len(heads)
    manifest["latest_head_size"] = json.loads(heads[-1])["size"]
    for name in manifest["files"]:
        data = (directory / name).read_bytes()
        manifest["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    path.write_text(json.dumps(manifest))


def test_entries_no_signed_head_covers_are_stated_and_fail_by_default(
    ledger20, tmp_path: Path, capsys
) -> None:
    export(tmp_path)
    _drop_the_latest_head_and_rewrite_the_tail(tmp_path)
    _restate_manifest(tmp_path)
    report = verify_export(tmp_path)
    assert report.ok and report.unsigned == 8, report.lines()
    assert main([str(tmp_path)]) == 3
    out = capsys.readouterr()
    assert "UNSIGNED: 8 entries (12..19) come after the last good signed head (size 12)" in out.out
    assert "NOT VERIFIED: 8 entries are covered by no signed head" in out.err
    assert main([str(tmp_path), "--allow-unsigned-tail"]) == 0
    assert "UNSIGNED: 8 entries" in capsys.readouterr().out


def test_an_export_of_before_the_file_digests_still_verifies(ledger20, tmp_path: Path) -> None:
    export(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert set(manifest["files"]) == {"entries.jsonl", "heads.jsonl", "keys.json"}
    del manifest["files"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert verify_export(tmp_path).ok and main([str(tmp_path)]) == 0


def test_an_over_long_entry_line_is_a_finding(ledger20, tmp_path: Path, monkeypatch) -> None:
    import shailoo.integrity.verifier as verifier

    export(tmp_path)
    monkeypatch.setattr(verifier, "MAX_LINE_BYTES", 1000)
    _edit_export(tmp_path / "entries.jsonl", lambda ls: [*ls[:2], "x" * 5000, *ls[3:]])
    report = verify_export(tmp_path)
    first = report.first("entry")
    assert first is not None and first.where == "entry 2", report.lines()
    assert "entries.jsonl line 3: longer than 1000 bytes" in first.why
    assert report.entries == 20  # the lines after it are read where they are
