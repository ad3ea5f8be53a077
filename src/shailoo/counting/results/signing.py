"""The commission's protocol key: it signs every protocol the commission accepts.

Staff-entered protocols have no device signature, so acceptance is where the commission
vouches for the figures: it signs the canonical statement "election, station, contest,
version, content hash" with its Ed25519 key. The public half is a registered submission key
(``commission_code`` CEC), so anyone with ``keys.json`` can check an accepted protocol.

The private key comes from ``SHAILOO_PROTOCOL_KEY_FILE`` (PEM, readable by its owner only).
In development it is generated into ``var/keys/protocol-commission.pem``; in production a
missing file is refused. The key is never logged or printed.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from shailoo.integrity import keys
from shailoo.integrity.canonical import JSONValue, canonical_json
from shailoo.integrity.models import SUBMISSION, RegisteredKey
from shailoo.integrity.verifier import key_id

PROTOCOL_KEY_ENV = "SHAILOO_PROTOCOL_KEY_FILE"
SCHEME = "shailoo-protocol-acceptance/1"
LABEL = "commission protocol key"
COMMISSION = "CEC"


def protocol_key_path() -> Path:
    configured = os.environ.get(PROTOCOL_KEY_ENV)
    if configured:
        return Path(configured)
    if settings.PRODUCTION:
        raise ImproperlyConfigured(f"SHAILOO_ENV=production needs {PROTOCOL_KEY_ENV}")
    return Path(settings.VAR_DIR) / "keys" / "protocol-commission.pem"


def load_protocol_key() -> Ed25519PrivateKey:
    """The commission's protocol key; generated on first use in development only."""
    path = protocol_key_path()
    if not path.exists():
        if settings.PRODUCTION or os.environ.get(PROTOCOL_KEY_ENV):
            raise ImproperlyConfigured(f"protocol key file {path} does not exist")
        keys.write_private_key(path, keys.generate())
    return keys.load_private_key(path, strict_mode=settings.PRODUCTION)


def signer(private: Ed25519PrivateKey) -> RegisteredKey:
    """The registered key of ``private``, registered on first use (inside the caller's
    transaction, so its ledger entry commits with the acceptance it signs)."""
    raw = keys.raw_public(private)
    key = RegisteredKey.objects.filter(key_id=key_id(raw)).first()
    if key is None:
        key = keys.register_key(
            raw, usage=SUBMISSION, actor="system", commission_code=COMMISSION, label=LABEL
        )
    if key.usage != SUBMISSION or key.status != RegisteredKey.Status.ACTIVE:
        raise ImproperlyConfigured(f"protocol key {key.key_id} is not an active submission key")
    return key


def statement(fields: dict[str, JSONValue]) -> bytes:
    """The exact bytes signed: RFC 8785 canonical JSON of the scheme and ``fields``."""
    return canonical_json({"scheme": SCHEME, **fields})


def sign(fields: dict[str, JSONValue]) -> tuple[str, str, str]:
    """``(key id, base64 signature, hex SHA-256 of the statement)``."""
    private = load_protocol_key()
    key = signer(private)
    message = statement(fields)
    signature = base64.b64encode(private.sign(message)).decode("ascii")
    return key.key_id, signature, hashlib.sha256(message).hexdigest()


def verify(fields: dict[str, JSONValue], kid: str, signature: str) -> bool:
    """Whether ``signature`` by registered key ``kid`` covers ``fields``."""
    key = RegisteredKey.objects.filter(key_id=kid).first()
    if key is None:
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(bytes(key.public_key)).verify(raw, statement(fields))
    except (ValueError, InvalidSignature):
        return False
    return True
