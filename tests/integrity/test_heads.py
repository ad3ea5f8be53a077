"""Signed tree heads: signing, the signing key's file, rotation keeping old heads valid."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from typer.testing import CliRunner

from shailoo.integrity import heads, keys, ledger
from shailoo.integrity.export import export, verify_database
from shailoo.integrity.merkle import leaf_hash
from shailoo.integrity.models import TREE_HEAD, LedgerEntry, MerkleNode, RegisteredKey, TreeHead
from shailoo.integrity.verifier import head_message, key_id, verify_export

pytestmark = pytest.mark.django_db


def _events(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            ledger.append("test.event", {"i": i})


def test_first_head_registers_its_key_and_signs_size_and_root(head_key) -> None:
    _events(3)
    head = heads.sign_head()
    kid = key_id(keys.raw_public(head_key))
    registered = RegisteredKey.objects.get(key_id=kid)
    assert registered.usage == TREE_HEAD and registered.commission_code == "CEC"
    # The registration is itself entry 3; the head covers it.
    assert head.size == 4 and LedgerEntry.objects.get(sequence=3).kind == "key.register"
    assert bytes(head.root_hash) == ledger.root_at(4)
    message = head_message(head.size, bytes(head.root_hash), head.timestamp_ms, kid)
    head_key.public_key().verify(bytes(head.signature), message)


def test_heads_are_dated_in_order_and_verify(head_key) -> None:
    for n in (2, 0, 5):
        _events(n)
        heads.sign_head()
    stamps = list(TreeHead.objects.order_by("id").values_list("timestamp_ms", flat=True))
    assert stamps == sorted(stamps)
    assert verify_database().ok


def test_development_generates_a_private_key_file_0600(settings, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SHAILOO_SIGNING_KEY_FILE", raising=False)
    settings.VAR_DIR = tmp_path
    heads.sign_head()
    path = tmp_path / "keys" / "ledger-head.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert heads.load_signing_key().public_key() == keys.load_private_key(path).public_key()


def test_production_refuses_a_missing_key(settings, monkeypatch, tmp_path: Path) -> None:
    settings.PRODUCTION = True
    monkeypatch.delenv("SHAILOO_SIGNING_KEY_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SHAILOO_SIGNING_KEY_FILE"):
        heads.sign_head()
    monkeypatch.setenv("SHAILOO_SIGNING_KEY_FILE", str(tmp_path / "absent.pem"))
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        heads.sign_head()


def test_production_refuses_a_readable_key_file(settings, head_key, monkeypatch) -> None:
    settings.PRODUCTION = True
    path = heads.signing_key_path()
    path.chmod(0o644)
    with pytest.raises(keys.KeyRegistryError, match="0600"):
        heads.load_signing_key()


def test_an_unregistered_second_key_is_refused(head_key) -> None:
    heads.sign_head()
    with pytest.raises(heads.HeadError, match="rotate-head-key"):
        heads.sign_head(keys.generate())


def test_a_revoked_key_signs_no_more(head_key) -> None:
    heads.sign_head()
    keys.revoke_key(key_id(keys.raw_public(head_key)), actor="t", reason="laptop stolen")
    with pytest.raises(heads.HeadError, match="revoked"):
        heads.sign_head()


def test_a_tampered_tree_is_never_signed_over(head_key, rebuild_nodes) -> None:
    _events(6)
    signed = heads.sign_head()
    _events(3)
    # An edit that keeps entries, nodes and state in step (a careful attacker) is caught by
    # the consistency check against the previous signed head.
    raw = b'{"kind":"test.event","payload":{"i":9},"seq":2,"time":"x"}'
    LedgerEntry.objects.filter(sequence=2).update(data=raw, leaf_hash=leaf_hash(raw))
    rebuild_nodes()
    with pytest.raises(heads.HeadError, match=f"no longer extends head {signed.pk}"):
        heads.sign_head()
    # Nodes out of step with the state: refused before any signature too.
    MerkleNode.objects.filter(level=1, index=4).update(hash=bytes(32))  # right edge of 10
    with pytest.raises(heads.HeadError, match="disagree"):
        heads.sign_head()
    assert TreeHead.objects.count() == 1


def test_rotation_keeps_old_heads_verifiable(head_key, tmp_path: Path) -> None:
    _events(4)
    old_head = heads.sign_head()
    new_key = keys.generate()
    new = heads.rotate_head_key(new_key, actor="t")
    old = RegisteredKey.objects.get(key_id=old_head.key_id)
    assert old.valid_to == new.valid_from and new.replaces == old
    with pytest.raises(heads.HeadError, match="outside its validity"):
        heads.sign_head(head_key)
    _events(2)
    new_head = heads.sign_head(new_key)
    assert new_head.key_id == new.key_id != old_head.key_id
    assert verify_database().ok
    export(tmp_path)
    report = verify_export(tmp_path)
    assert report.ok and report.heads == 2
    kinds = list(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds.count("key.register") == 2 and "key.rotate" in kinds


def test_rotate_head_key_command(head_key, monkeypatch, tmp_path: Path) -> None:
    import shailoo.common.cli
    from shailoo.integrity.cli import audit_app, keys_app

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)
    runner = CliRunner()
    first = runner.invoke(audit_app, ["head"])
    assert first.exit_code == 0 and "head size=1" in first.output
    out = tmp_path / "new-head.pem"
    result = runner.invoke(keys_app, ["rotate-head-key", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "PRIVATE" not in result.output
    monkeypatch.setenv("SHAILOO_SIGNING_KEY_FILE", str(out))
    assert runner.invoke(audit_app, ["head"]).exit_code == 0
    assert TreeHead.objects.count() == 4  # before, after rotation, and the last one
    assert runner.invoke(audit_app, ["verify"]).exit_code == 0
