"""Envelope encryption of sensitive values at rest (pure: ``cryptography`` only, no Django).

Each value gets its own random 256-bit data key; the value is sealed with AES-256-GCM under
that data key, and the data key is sealed (wrapped) with AES-256-GCM under the master key.
The master key never touches the database, so a database dump or backup alone reveals
nothing, and a changed byte anywhere in a sealed value is detected (GCM tag) instead of being
decrypted into garbage.

Sealed layout (bytes)::

    b"SHL1" | master key id (8) | wrap nonce (12) | wrapped data key (32 + 16 tag)
           | data nonce (12) | ciphertext + tag (16)

Both encryptions authenticate the header and a *context* string (the model field, e.g.
``accounts.totpdevice.secret``), so a sealed value copied into another field does not open.

Key rotation: a key ring holds the current master key and any previous ones; values open
with whichever key their id names, and :meth:`KeyRing.reseal` moves a value to the current
key with a fresh data key. Master keys come from ``SHAILOO_MASTER_KEY`` (base64, 32 bytes)
or a key file (``SHAILOO_MASTER_KEY_FILE``: one base64 key per line, current first);
previous keys from ``SHAILOO_PREVIOUS_MASTER_KEYS`` (comma-separated) or the file's later
lines. Development creates ``var/keys/master.key`` (mode 0600); production refuses to start
without a configured, non-default key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"SHL1"
KEY_BYTES = 32
KEY_ID_BYTES = 8
NONCE_BYTES = 12
TAG_BYTES = 16
_WRAPPED = KEY_BYTES + TAG_BYTES
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + NONCE_BYTES + _WRAPPED + NONCE_BYTES
OVERHEAD = HEADER_BYTES + TAG_BYTES

ENV_KEY = "SHAILOO_MASTER_KEY"
ENV_KEY_FILE = "SHAILOO_MASTER_KEY_FILE"
ENV_PREVIOUS = "SHAILOO_PREVIOUS_MASTER_KEYS"
DEV_KEY_FILE = Path("keys") / "master.key"

#: The example key printed in docs/operator/accounts.md; production refuses it.
EXAMPLE_MASTER_KEY = "c2hhaWxvby1leGFtcGxlLWtleS1kby1ub3QtdXNlISE="


class CryptoError(Exception):
    """A sealed value that cannot be opened, or a master key that cannot be used."""


class KeyConfigError(CryptoError):
    """The master key configuration is missing, malformed or unsafe."""


def key_id(key: bytes) -> bytes:
    """A short public fingerprint of a master key, stored in every value it seals."""
    return hashlib.sha256(b"shailoo master key id\x00" + key).digest()[:KEY_ID_BYTES]


@dataclass(frozen=True, slots=True)
class MasterKey:
    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise KeyConfigError(f"a master key is {KEY_BYTES} bytes, not {len(self.key)}")

    @property
    def id(self) -> bytes:
        return key_id(self.key)

    def __repr__(self) -> str:  # never print key material
        return f"MasterKey(id={self.id.hex()})"


def parse_key(text: str, source: str) -> MasterKey:
    """A master key from its base64 text; ``source`` names where it came from in errors."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyConfigError(f"{source}: not valid base64") from exc
    if len(raw) != KEY_BYTES:
        raise KeyConfigError(f"{source}: a master key is {KEY_BYTES} bytes, got {len(raw)}")
    return MasterKey(raw)


def new_key_text() -> str:
    """A fresh random master key, as the base64 text the configuration expects."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def weak_key_reason(key: MasterKey) -> str | None:
    """Why a key is a default or obviously non-random one, or None."""
    if base64.b64encode(key.key).decode("ascii") == EXAMPLE_MASTER_KEY:
        return "it is the example key from the documentation"
    if len(set(key.key)) < 12:
        return "it is not random (too few distinct bytes)"
    return None


def sealed_key_id(sealed: bytes) -> bytes:
    """The id of the master key that sealed ``sealed`` (raises on a value that is not sealed)."""
    if len(sealed) < OVERHEAD or sealed[: len(MAGIC)] != MAGIC:
        raise CryptoError("not a sealed value (wrong header or too short)")
    return sealed[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES]


class KeyRing:
    """The current master key, which seals, and previous ones, which still open."""

    def __init__(self, current: MasterKey, previous: tuple[MasterKey, ...] = ()) -> None:
        self.current = current
        self.previous = tuple(k for k in previous if k.id != current.id)
        self._by_id = {k.id: k for k in (current, *self.previous)}

    def __repr__(self) -> str:
        return f"KeyRing(current={self.current.id.hex()}, previous={len(self.previous)})"

    def seal(self, plaintext: bytes, context: str) -> bytes:
        """Encrypt ``plaintext`` under a fresh data key wrapped by the current master key."""
        kid = self.current.id
        aad = MAGIC + kid + context.encode("utf-8")
        data_key = AESGCM.generate_key(bit_length=256)
        wrap_nonce = os.urandom(NONCE_BYTES)
        wrapped = AESGCM(self.current.key).encrypt(wrap_nonce, data_key, aad)
        nonce = os.urandom(NONCE_BYTES)
        body = AESGCM(data_key).encrypt(nonce, bytes(plaintext), aad)
        return MAGIC + kid + wrap_nonce + wrapped + nonce + body

    def open(self, sealed: bytes, context: str) -> bytes:
        """Decrypt a sealed value; any change to it, or the wrong context, raises."""
        sealed = bytes(sealed)
        kid = sealed_key_id(sealed)
        master = self._by_id.get(kid)
        if master is None:
            raise CryptoError(
                f"sealed with master key {kid.hex()}, which is not configured "
                f"(current key {self.current.id.hex()}; add the old key to {ENV_PREVIOUS})"
            )
        aad = MAGIC + kid + context.encode("utf-8")
        at = len(MAGIC) + KEY_ID_BYTES
        wrap_nonce = sealed[at : at + NONCE_BYTES]
        at += NONCE_BYTES
        wrapped = sealed[at : at + _WRAPPED]
        at += _WRAPPED
        nonce = sealed[at : at + NONCE_BYTES]
        body = sealed[at + NONCE_BYTES :]
        try:
            data_key = AESGCM(master.key).decrypt(wrap_nonce, wrapped, aad)
            return AESGCM(data_key).decrypt(nonce, body, aad)
        except InvalidTag as exc:
            raise CryptoError(
                f"sealed value failed authentication (tampered, truncated or not for {context!r})"
            ) from exc

    def is_current(self, sealed: bytes) -> bool:
        return sealed_key_id(bytes(sealed)) == self.current.id

    def reseal(self, sealed: bytes, context: str) -> bytes:
        """The same plaintext sealed again under the current key, with a new data key."""
        return self.seal(self.open(sealed, context), context)


# -- configuration -------------------------------------------------------------------------


def _keys_from_file(path: Path) -> list[MasterKey]:
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyConfigError(f"{path}: cannot read the master key file ({exc})") from exc
    keys = [
        parse_key(line, f"{path} line {number}")
        for number, line in enumerate(lines, 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not keys:
        raise KeyConfigError(f"{path}: no master key in the file")
    return keys


def _create_key_file(path: Path) -> None:
    """Write a fresh key with mode 0600, unless another process just did (first one wins)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(new_key_text() + "\n")


def write_key_file(path: Path, keys: list[str]) -> None:
    """Replace the key file atomically with ``keys`` (current first), mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write("".join(k.strip() + "\n" for k in keys))
    os.replace(tmp, path)


def key_file_path(env: Mapping[str, str], var_dir: Path) -> Path | None:
    """The key file in use: the configured one, or the development one when no key is set."""
    if env.get(ENV_KEY_FILE):
        return Path(env[ENV_KEY_FILE])
    if env.get(ENV_KEY):
        return None
    return var_dir / DEV_KEY_FILE


def load_keyring(
    env: Mapping[str, str], var_dir: Path, *, production: bool, create: bool = True
) -> KeyRing:
    """The key ring the environment configures.

    Production needs ``SHAILOO_MASTER_KEY`` or ``SHAILOO_MASTER_KEY_FILE`` and refuses weak or
    example keys; development falls back to ``var/keys/master.key``, created when missing.
    """
    keys: list[MasterKey]
    if env.get(ENV_KEY):
        keys = [parse_key(env[ENV_KEY], ENV_KEY)]
        if env.get(ENV_KEY_FILE):
            raise KeyConfigError(f"set {ENV_KEY} or {ENV_KEY_FILE}, not both")
    elif env.get(ENV_KEY_FILE):
        keys = _keys_from_file(Path(env[ENV_KEY_FILE]))
    elif production:
        raise KeyConfigError(
            f"SHAILOO_ENV=production needs {ENV_KEY} (base64 of 32 random bytes) or {ENV_KEY_FILE}"
        )
    else:
        path = var_dir / DEV_KEY_FILE
        if create:
            _create_key_file(path)
        keys = _keys_from_file(path)
    previous = [
        parse_key(text, f"{ENV_PREVIOUS} item {number}")
        for number, text in enumerate(env.get(ENV_PREVIOUS, "").split(","), 1)
        if text.strip()
    ]
    if production:
        reason = weak_key_reason(keys[0])
        if reason is not None:
            raise KeyConfigError(f"SHAILOO_ENV=production refuses the master key: {reason}")
    return KeyRing(keys[0], tuple(keys[1:]) + tuple(previous))
