"""The key registry: register, bind, revoke, rotate (services and `shailoo keys`)."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

from shailoo.integrity import keys
from shailoo.integrity.canonical import canonical_loads
from shailoo.integrity.models import SUBMISSION, TREE_HEAD, LedgerEntry, RegisteredKey
from shailoo.integrity.verifier import key_id

pytestmark = pytest.mark.django_db


def _device(station: int = 1234) -> tuple[bytes, RegisteredKey]:
    raw = keys.raw_public(keys.generate())
    return raw, keys.register_key(raw, usage=SUBMISSION, actor="t", station_number=station)


def _ledger_kinds() -> list[str]:
    return list(LedgerEntry.objects.values_list("kind", flat=True))


def test_register_binds_and_logs() -> None:
    raw, key = _device()
    assert key.key_id == key_id(raw) and len(key.key_id) == 32
    assert key.status == RegisteredKey.Status.ACTIVE and key.station_number == 1234
    assert keys.in_force(key, keys.now_ms())
    entry = canonical_loads(bytes(LedgerEntry.objects.get().data))
    assert entry["kind"] == "key.register"  # type: ignore[index]
    assert entry["payload"]["data"]["public_key"] == raw.hex()  # type: ignore[index]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"usage": SUBMISSION}, "binding"),
        ({"usage": SUBMISSION, "station_number": 5, "commission_code": "T1"}, "binding"),
        ({"usage": SUBMISSION, "station_number": 0}, "binding"),
        ({"usage": TREE_HEAD, "station_number": 5}, "binding"),
        ({"usage": "everything", "station_number": 5}, "usage"),
    ],
)
def test_bad_registrations_are_refused(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(keys.KeyRegistryError) as caught:
        keys.register_key(keys.raw_public(keys.generate()), actor="t", **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert not RegisteredKey.objects.exists() and not LedgerEntry.objects.exists()


def test_a_key_registers_once() -> None:
    raw, _ = _device()
    with pytest.raises(keys.KeyRegistryError, match="already registered"):
        keys.register_key(raw, usage=SUBMISSION, actor="t", station_number=9)


def test_parse_public_key_formats() -> None:
    private = keys.generate()
    raw = keys.raw_public(private)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert keys.parse_public_key(raw.hex()) == raw
    assert keys.parse_public_key(base64.b64encode(raw).decode()) == raw
    assert keys.parse_public_key(pem.decode()) == raw
    for bad in ("", "zz" * 32, "abcd", "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----"):
        with pytest.raises(keys.KeyRegistryError):
            keys.parse_public_key(bad)


def test_bind_moves_a_key() -> None:
    _, key = _device()
    moved = keys.bind_key(key.key_id, actor="t", station_number=77)
    assert moved.station_number == 77
    moved = keys.bind_key(key.key_id, actor="t", commission_code="T05")
    assert moved.station_number is None and moved.commission_code == "T05"
    assert _ledger_kinds() == ["key.register", "key.bind", "key.bind"]


def test_revoke_needs_a_reason_and_happens_once() -> None:
    _, key = _device()
    with pytest.raises(keys.KeyRegistryError, match="why"):
        keys.revoke_key(key.key_id, actor="t", reason=" ")
    revoked = keys.revoke_key(key.key_id, actor="t", reason="device stolen")
    assert revoked.status == RegisteredKey.Status.REVOKED and revoked.revoked_at is not None
    assert not keys.in_force(revoked, keys.now_ms())
    for call in (
        lambda: keys.revoke_key(key.key_id, actor="t", reason="again"),
        lambda: keys.bind_key(key.key_id, actor="t", station_number=1),
        lambda: keys.rotate_key(key.key_id, keys.raw_public(keys.generate()), actor="t"),
    ):
        with pytest.raises(keys.KeyRegistryError, match="revoked"):
            call()


def test_rotate_keeps_the_binding_and_closes_the_old_key() -> None:
    _, old = _device(station=42)
    new = keys.rotate_key(old.key_id, keys.raw_public(keys.generate()), actor="t")
    old.refresh_from_db()
    assert new.station_number == 42 and new.usage == SUBMISSION and new.replaces == old
    assert old.valid_to == new.valid_from and old.status == RegisteredKey.Status.ACTIVE
    assert not keys.in_force(old, keys.to_ms(old.valid_to) + 1)  # type: ignore[operator]
    with pytest.raises(keys.KeyRegistryError, match="already rotated"):
        keys.rotate_key(old.key_id, keys.raw_public(keys.generate()), actor="t")
    assert _ledger_kinds() == ["key.register", "key.register", "key.rotate"]


def test_unknown_keys_are_refused() -> None:
    for call in (
        lambda: keys.bind_key("0" * 32, actor="t", station_number=1),
        lambda: keys.revoke_key("0" * 32, actor="t", reason="x"),
        lambda: keys.rotate_key("0" * 32, bytes(32), actor="t"),
        lambda: keys.get_key("0" * 32),
    ):
        with pytest.raises(keys.KeyRegistryError) as caught:
            call()
        assert caught.value.code == "unknown_key"


def test_private_key_files_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "device.pem"
    private = keys.generate()
    keys.write_private_key(path, private)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.raw_public(keys.load_private_key(path, strict_mode=True)) == keys.raw_public(
        private
    )
    path.chmod(0o640)
    with pytest.raises(keys.KeyRegistryError, match="0600"):
        keys.load_private_key(path, strict_mode=True)
    (tmp_path / "junk.pem").write_text("not a key")
    with pytest.raises(keys.KeyRegistryError, match="not a PEM"):
        keys.load_private_key(tmp_path / "junk.pem")
    with pytest.raises(keys.KeyRegistryError, match="cannot read"):
        keys.load_private_key(tmp_path / "absent.pem")


def test_keys_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shailoo.common.cli
    from shailoo.integrity.cli import keys_app

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)
    runner = CliRunner()
    out = tmp_path / "device.pem"
    made = runner.invoke(keys_app, ["generate", "--out", str(out)])
    assert made.exit_code == 0 and "PRIVATE" not in made.output
    public = made.output.split("public_key=")[1].split()[0]
    kid = made.output.split("key_id=")[1].split()[0]
    assert runner.invoke(keys_app, ["generate", "--out", str(out)]).exit_code == 1

    registered = runner.invoke(keys_app, ["register", public, "--station", "1234"])
    assert registered.exit_code == 0 and kid in registered.output
    again = runner.invoke(keys_app, ["register", public, "--station", "1234"])
    assert again.exit_code == 1 and "duplicate" in again.output
    assert runner.invoke(keys_app, ["bind", kid, "--station", "1300"]).exit_code == 0
    listed = runner.invoke(keys_app, ["list"])
    assert "station=1300" in listed.output
    assert runner.invoke(keys_app, ["revoke", kid, "--reason", "lost"]).exit_code == 0
    assert RegisteredKey.objects.get(key_id=kid).status == RegisteredKey.Status.REVOKED
    other = keys.raw_public(keys.generate()).hex()
    rotated = runner.invoke(keys_app, ["rotate", kid, other])
    assert rotated.exit_code == 1 and "revoked" in rotated.output
