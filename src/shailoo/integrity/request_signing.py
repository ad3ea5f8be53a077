"""Signing a request in scheme ``shailoo-request/1`` (pure: what a device needs, no Django).

The server side (checking, sequences, keys) is ``integrity.submissions``; a station device
(``polling.client``) or any other client signs with :func:`sign_request` from here, so that the
bytes signed are defined once.
"""

from __future__ import annotations

import base64
import hashlib
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SCHEME = "shailoo-request/1"
KEY_ID = "X-Shailoo-Key-Id"
TIMESTAMP = "X-Shailoo-Timestamp"
SEQUENCE = "X-Shailoo-Sequence"
BODY_SHA256 = "X-Shailoo-Content-SHA256"
SIGNATURE = "X-Shailoo-Signature"
HEADERS = (KEY_ID, TIMESTAMP, SEQUENCE, BODY_SHA256, SIGNATURE)


def signing_string(
    method: str, path: str, body_sha256: str, key_id: str, timestamp: int, sequence: int
) -> bytes:
    """The bytes signed: scheme, METHOD, path?query, body hash, key id, timestamp, sequence."""
    parts = (SCHEME, method.upper(), path, body_sha256, key_id, str(timestamp), str(sequence))
    return "\n".join(parts).encode("utf-8")


def sign_request(
    private_key: Ed25519PrivateKey,
    method: str,
    path: str,
    body: bytes,
    *,
    sequence: int,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The five headers a device sends with ``body`` to ``path`` (path with query string)."""
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    kid = hashlib.sha256(raw).hexdigest()[:32]
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hashlib.sha256(body).hexdigest()
    signature = private_key.sign(signing_string(method, path, digest, kid, ts, sequence))
    return {
        KEY_ID: kid,
        TIMESTAMP: str(ts),
        SEQUENCE: str(sequence),
        BODY_SHA256: digest,
        SIGNATURE: base64.b64encode(signature).decode("ascii"),
    }
