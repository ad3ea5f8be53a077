"""Sealed model fields in the database, and online master-key rotation (service and CLI)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import serializers
from django.core.exceptions import FieldError
from django.db import connection
from typer.testing import CliRunner

from shailoo.accounts import keys
from shailoo.accounts.crypto import MAGIC, CryptoError, new_key_text, parse_key, sealed_key_id
from shailoo.accounts.fields import EncryptedTextField
from shailoo.accounts.models import TOTPDevice
from shailoo.accounts.rotation import _swap, encrypted_fields, rotate
from shailoo.accounts.testing import device_for, make_user
from shailoo.cli import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "master.key"
    path.write_text(new_key_text() + "\n")
    monkeypatch.setenv("SHAILOO_MASTER_KEY_FILE", str(path))
    monkeypatch.delenv("SHAILOO_MASTER_KEY", raising=False)
    monkeypatch.delenv("SHAILOO_PREVIOUS_MASTER_KEYS", raising=False)
    keys.reset()
    yield path
    keys.reset()


def raw_secrets() -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice ORDER BY id")
        return [bytes(row[0]) for row in cursor.fetchall()]


def key_ids(path: Path) -> list[bytes]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return [parse_key(line, "test").id for line in lines]


def devices(count: int) -> list[TOTPDevice]:
    return [device_for(make_user(f"user{i}")) for i in range(count)]


def test_the_database_holds_only_sealed_bytes(key_file: Path) -> None:
    device = devices(1)[0]
    (stored,) = raw_secrets()
    assert stored.startswith(MAGIC) and device.secret not in stored
    assert sealed_key_id(stored) == key_ids(key_file)[0]
    assert TOTPDevice.objects.get(pk=device.pk).secret == device.secret


def test_sealed_fields_offer_no_equality_lookups(key_file: Path) -> None:
    device = devices(1)[0]
    with pytest.raises(FieldError):
        list(TOTPDevice.objects.filter(secret=device.secret))
    assert TOTPDevice.objects.filter(secret__isnull=False).count() == 1


def test_serialised_rows_stay_sealed_and_load_back(key_file: Path) -> None:
    device = devices(1)[0]
    text = serializers.serialize("json", [device])
    assert device.secret_base32 not in text and device.secret.hex() not in text
    (loaded,) = serializers.deserialize("json", text)
    assert loaded.object.secret == device.secret


def test_text_field_round_trip_and_type_check() -> None:
    field = EncryptedTextField(context="tests.scan.note")
    prepared = field.get_db_prep_value("Өмүрова: паспорт", connection)
    # The driver's Binary wrapper: sqlite3's is a memoryview, psycopg's keeps the bytes in .obj.
    sealed = bytes(getattr(prepared, "obj", prepared))
    assert sealed.startswith(MAGIC)
    assert field.from_db_value(sealed, None, connection) == "Өмүрова: паспорт"
    assert field.from_db_value(None, None, connection) is None
    with pytest.raises(TypeError):
        field.get_db_prep_value(b"bytes", connection)


def test_every_sealed_field_is_found() -> None:
    found = {(m._meta.label_lower, f.name) for m, f in encrypted_fields()}
    assert ("accounts.totpdevice", "secret") in found


def test_rotation_reseals_everything_in_batches(key_file: Path) -> None:
    made = devices(7)
    old_id = key_ids(key_file)[0]
    new = new_key_text()
    key_file.write_text(f"{new}\n{key_file.read_text()}")
    keys.reset()
    batches: list[int] = []
    report = rotate(batch_size=3, on_batch=lambda _name, n: batches.append(n))
    assert batches == [3, 3, 1]
    assert report.resealed == {"accounts.totpdevice.secret": 7}
    new_id = parse_key(new, "x").id
    assert {sealed_key_id(s) for s in raw_secrets()} == {new_id} != {old_id}
    key_file.write_text(new + "\n")  # the old key can go now
    keys.reset()
    assert [d.secret for d in TOTPDevice.objects.order_by("id")] == [d.secret for d in made]
    again = rotate()
    assert again.total_resealed == 0 and again.current == {"accounts.totpdevice.secret": 7}


def test_rotation_never_overwrites_a_value_changed_meanwhile(key_file: Path) -> None:
    device = devices(1)[0]
    (stale,) = raw_secrets()
    TOTPDevice.objects.filter(pk=device.pk).update(secret=b"new secret 1234567890")
    assert not _swap(TOTPDevice, "secret", device.pk, stale, b"whatever")
    assert TOTPDevice.objects.get(pk=device.pk).secret == b"new secret 1234567890"


def test_rotation_names_the_row_it_cannot_open(key_file: Path) -> None:
    device = devices(1)[0]
    key_file.write_text(new_key_text() + "\n")  # the old key is lost
    keys.reset()
    with pytest.raises(CryptoError, match=f"accounts.totpdevice.secret pk={device.pk}"):
        rotate()


def test_cli_rotate_master_key_generates_and_reseals(key_file: Path, monkeypatch) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready
    devices(2)
    old_id = key_ids(key_file)[0]
    result = CliRunner().invoke(app, ["accounts", "rotate-master-key", "--generate"])
    assert result.exit_code == 0, result.output
    ids = key_ids(key_file)
    assert len(ids) == 2 and ids[1] == old_id
    assert {sealed_key_id(s) for s in raw_secrets()} == {ids[0]}
    assert "resealed 2" in result.output


def test_running_processes_follow_the_key_file_without_restart(key_file: Path) -> None:
    device = devices(1)[0]
    before = keys.keyring()
    new = new_key_text()
    key_file.write_text(f"{new}\n{key_file.read_text()}")
    stat = key_file.stat()
    os.utime(key_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = keys.keyring()  # no reset: the changed file is noticed
    assert after.current.id == parse_key(new, "x").id != before.current.id
    rotate()
    assert TOTPDevice.objects.get(pk=device.pk).secret == device.secret
