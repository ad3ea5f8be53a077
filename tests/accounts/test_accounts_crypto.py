"""Envelope encryption: round trip, tamper detection, key ring, key configuration."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.accounts.crypto import (
    DEV_KEY_FILE,
    EXAMPLE_MASTER_KEY,
    OVERHEAD,
    CryptoError,
    KeyConfigError,
    KeyRing,
    MasterKey,
    load_keyring,
    new_key_text,
    parse_key,
    sealed_key_id,
)

CONTEXT = "register.template.data"


def ring() -> KeyRing:
    return KeyRing(MasterKey(base64.b64decode(new_key_text())))


RING = ring()


@given(st.binary(max_size=2048))
def test_round_trip(data: bytes) -> None:
    sealed = RING.seal(data, CONTEXT)
    assert len(sealed) == len(data) + OVERHEAD
    assert RING.open(sealed, CONTEXT) == data


def test_sealing_is_randomised_and_hides_the_plaintext() -> None:
    data = b"fingerprint template 0123456789" * 4
    one, two = RING.seal(data, CONTEXT), RING.seal(data, CONTEXT)
    assert one != two and data not in one and data[:16] not in one


@settings(max_examples=60)
@given(st.binary(min_size=1, max_size=64), st.data())
def test_any_changed_byte_is_detected(data: bytes, draw: st.DataObject) -> None:
    sealed = bytearray(RING.seal(data, CONTEXT))
    at = draw.draw(st.integers(min_value=0, max_value=len(sealed) - 1))
    sealed[at] ^= draw.draw(st.integers(min_value=1, max_value=255))
    with pytest.raises(CryptoError):
        RING.open(bytes(sealed), CONTEXT)


@pytest.mark.parametrize("cut", [1, 16, OVERHEAD])
def test_truncated_or_extended_values_are_refused(cut: int) -> None:
    sealed = RING.seal(b"scan", CONTEXT)
    with pytest.raises(CryptoError):
        RING.open(sealed[:-cut], CONTEXT)
    with pytest.raises(CryptoError):
        RING.open(sealed + b"\x00", CONTEXT)


def test_a_value_moved_to_another_field_does_not_open() -> None:
    sealed = RING.seal(b"template of person 1", CONTEXT)
    with pytest.raises(CryptoError, match="authentication"):
        RING.open(sealed, "register.scan.content")


def test_other_keys_cannot_open_and_say_which_key_is_missing() -> None:
    sealed = RING.seal(b"x", CONTEXT)
    other = ring()
    with pytest.raises(CryptoError, match=sealed_key_id(sealed).hex()):
        other.open(sealed, CONTEXT)
    with pytest.raises(CryptoError, match="not a sealed value"):
        other.open(b"plain text, never sealed" * 4, CONTEXT)


def test_rotation_keeps_old_values_readable_and_reseals_them() -> None:
    old = ring()
    sealed = old.seal(b"secret", CONTEXT)
    rotated = KeyRing(ring().current, (old.current,))
    assert rotated.open(sealed, CONTEXT) == b"secret" and not rotated.is_current(sealed)
    moved = rotated.reseal(sealed, CONTEXT)
    assert rotated.is_current(moved)
    assert KeyRing(rotated.current).open(moved, CONTEXT) == b"secret"  # old key not needed
    with pytest.raises(CryptoError):
        KeyRing(rotated.current).open(sealed, CONTEXT)


def test_keys_never_appear_in_repr() -> None:
    key = RING.current
    assert base64.b64encode(key.key).decode() not in repr(key) + repr(RING)


# -- configuration -------------------------------------------------------------------------


def test_development_creates_a_private_key_file_once(tmp_path: Path) -> None:
    first = load_keyring({}, tmp_path, production=False)
    path = tmp_path / DEV_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keyring({}, tmp_path, production=False).current.id == first.current.id


def test_environment_key_and_previous_keys(tmp_path: Path) -> None:
    current, old = new_key_text(), new_key_text()
    env = {"SHAILOO_MASTER_KEY": current, "SHAILOO_PREVIOUS_MASTER_KEYS": f" {old} ,"}
    loaded = load_keyring(env, tmp_path, production=True)
    assert loaded.current.id == parse_key(current, "x").id
    assert [k.id for k in loaded.previous] == [parse_key(old, "x").id]
    assert not (tmp_path / DEV_KEY_FILE).exists()


def test_key_file_lists_current_then_previous(tmp_path: Path) -> None:
    current, old = new_key_text(), new_key_text()
    path = tmp_path / "master.key"
    path.write_text(f"# rotated 2027-01-01\n{current}\n\n{old}\n")
    loaded = load_keyring({"SHAILOO_MASTER_KEY_FILE": str(path)}, tmp_path, production=True)
    assert loaded.current.id == parse_key(current, "x").id and len(loaded.previous) == 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "needs SHAILOO_MASTER_KEY"),
        ({"SHAILOO_MASTER_KEY": "not base64!"}, "not valid base64"),
        ({"SHAILOO_MASTER_KEY": base64.b64encode(b"short").decode()}, "32 bytes"),
        ({"SHAILOO_MASTER_KEY": EXAMPLE_MASTER_KEY}, "example key"),
        ({"SHAILOO_MASTER_KEY": base64.b64encode(bytes(32)).decode()}, "not random"),
        ({"SHAILOO_MASTER_KEY_FILE": "/nonexistent/master.key"}, "cannot read"),
        (
            {"SHAILOO_MASTER_KEY": new_key_text(), "SHAILOO_MASTER_KEY_FILE": "/x"},
            "not both",
        ),
        (
            {"SHAILOO_MASTER_KEY": new_key_text(), "SHAILOO_PREVIOUS_MASTER_KEYS": "AAAA"},
            "PREVIOUS",
        ),
    ],
)
def test_production_refuses_bad_key_configuration(tmp_path: Path, env, message: str) -> None:
    with pytest.raises(KeyConfigError, match=message):
        load_keyring(env, tmp_path, production=True)


def test_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    path.write_text("# nothing here\n")
    with pytest.raises(KeyConfigError, match="no master key"):
        load_keyring({"SHAILOO_MASTER_KEY_FILE": str(path)}, tmp_path, production=False)
