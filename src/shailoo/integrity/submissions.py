"""Signed requests from polling-station devices and commissions (scheme ``shailoo-request/1``).

A device signs each HTTP request with its registered Ed25519 key and sends five headers:

=============================  =====================================================
``X-Shailoo-Key-Id``           the registered key's id
``X-Shailoo-Timestamp``        Unix time in seconds when the request was signed
``X-Shailoo-Sequence``         a positive integer, strictly greater than the last one
                               this key sent (gaps are allowed, going back is not)
``X-Shailoo-Content-SHA256``   hex SHA-256 of the exact body bytes
``X-Shailoo-Signature``        base64 Ed25519 signature over :func:`signing_string`
=============================  =====================================================

The signature covers the method, the path with its query string, the body hash, the key
id, the timestamp and the sequence, one per line after the scheme name. The server refuses,
each with its own :class:`Reason`: missing or malformed headers, an unknown, revoked or
out-of-validity key, a key not registered for submissions, a body that does not match its
hash, a bad signature, a timestamp outside the allowed clock skew, and a sequence number
not above the last accepted one (a replay). The last accepted sequence is stored per key.

Importing this module needs no configured Django, so a device can use :func:`sign_request`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from shailoo.common.refusals import PermissionRefused
from shailoo.integrity.request_signing import (
    BODY_SHA256,
    HEADERS,
    KEY_ID,
    SEQUENCE,
    SIGNATURE,
    TIMESTAMP,
    signing_string,
)
from shailoo.integrity.request_signing import SCHEME as SCHEME  # re-exported: the scheme's home
from shailoo.integrity.request_signing import sign_request as sign_request  # devices sign here

if TYPE_CHECKING:
    from rest_framework.views import APIView

    from shailoo.integrity.models import RegisteredKey

DEFAULT_MAX_SKEW_S = 300


class Reason(StrEnum):
    """Why a signed request was refused (sent back as ``code``)."""

    MISSING_HEADER = "missing_header"
    MALFORMED_HEADER = "malformed_header"
    UNKNOWN_KEY = "unknown_key"
    REVOKED_KEY = "revoked_key"
    KEY_NOT_IN_FORCE = "key_not_in_force"
    WRONG_KEY_USAGE = "wrong_key_usage"
    BODY_HASH_MISMATCH = "body_hash_mismatch"
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    REPLAYED_SEQUENCE = "replayed_sequence"


class SubmissionRejected(PermissionRefused):
    """A signed request refused before it reaches a use case: ``reason`` says which check."""

    #: Signed requests answer an unproven signature with 401, as the API documents.
    http_status = 401

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(str(reason), message)
        self.reason = reason


def _int_header(headers: Mapping[str, str], name: str) -> int:
    text = headers[name]
    if not text.isascii() or not text.isdigit() or len(text) > 15 or int(text) <= 0:
        raise SubmissionRejected(Reason.MALFORMED_HEADER, f"{name} must be a positive integer")
    return int(text)


def verify_request(
    method: str,
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: float | None = None,
    max_skew_s: int | None = None,
) -> RegisteredKey:
    """Check a signed request and record its sequence; returns the signing key.

    Raises :class:`SubmissionRejected` with the first reason that applies.
    """
    from django.conf import settings

    from shailoo.integrity import keys
    from shailoo.integrity.models import SUBMISSION, RegisteredKey

    for name in HEADERS:
        if not headers.get(name):
            raise SubmissionRejected(Reason.MISSING_HEADER, f"header {name} is missing")
    timestamp, sequence = _int_header(headers, TIMESTAMP), _int_header(headers, SEQUENCE)
    digest = headers[BODY_SHA256].lower()
    try:
        signature = base64.b64decode(headers[SIGNATURE], validate=True)
    except (ValueError, binascii.Error):
        signature = b""
    if len(signature) != 64 or len(digest) != 64:
        raise SubmissionRejected(
            Reason.MALFORMED_HEADER, f"{SIGNATURE} must be 64 bytes in base64, {BODY_SHA256} hex"
        )
    kid = headers[KEY_ID]
    if len(kid) > 64 or not kid.isascii() or not kid.isalnum():
        # Key ids are hex; anything else (a NUL byte, say) is no key and never reaches the database.
        raise SubmissionRejected(Reason.MALFORMED_HEADER, f"{KEY_ID} must be a hex key id")
    key = RegisteredKey.objects.filter(key_id=kid).first()
    if key is None:
        raise SubmissionRejected(Reason.UNKNOWN_KEY, f"key {kid[:64]} is not registered")
    if key.status == RegisteredKey.Status.REVOKED:
        raise SubmissionRejected(Reason.REVOKED_KEY, f"key {kid} was revoked")
    if key.usage != SUBMISSION:
        raise SubmissionRejected(Reason.WRONG_KEY_USAGE, f"key {kid} may not sign submissions")
    clock = time.time() if now is None else now
    if not keys.in_force(key, int(clock * 1000)):
        raise SubmissionRejected(Reason.KEY_NOT_IN_FORCE, f"key {kid} is outside its validity")
    if hashlib.sha256(body).hexdigest() != digest:
        raise SubmissionRejected(Reason.BODY_HASH_MISMATCH, "the body does not match its SHA-256")
    message = signing_string(method, path, digest, kid, timestamp, sequence)
    try:
        Ed25519PublicKey.from_public_bytes(bytes(key.public_key)).verify(signature, message)
    except InvalidSignature:
        raise SubmissionRejected(Reason.BAD_SIGNATURE, "the signature does not verify") from None
    skew = getattr(settings, "SHAILOO_SUBMISSION_MAX_SKEW_S", DEFAULT_MAX_SKEW_S)
    skew = skew if max_skew_s is None else max_skew_s
    if abs(clock - timestamp) > skew:
        raise SubmissionRejected(
            Reason.STALE_TIMESTAMP, f"timestamp is {clock - timestamp:+.0f} s off (allowed {skew})"
        )
    bumped = RegisteredKey.objects.filter(pk=key.pk, last_sequence__lt=sequence).update(
        last_sequence=sequence
    )
    if not bumped:
        raise SubmissionRejected(
            Reason.REPLAYED_SEQUENCE, f"sequence {sequence} is not above the last one accepted"
        )
    key.last_sequence = sequence
    return key


class SignedKeyUser:
    """``request.user`` for a signed request: the key, not a person (no staff rights)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, key: RegisteredKey) -> None:
        self.key = key
        self.pk = self.id = None
        self.username = f"key:{key.key_id}"

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


class SignedRequestAuthentication(BaseAuthentication):
    """DRF authentication by signed request; ``request.auth`` is the RegisteredKey.

    Requests without ``X-Shailoo-Key-Id`` are left to the other authentication classes.
    """

    def authenticate(self, request: Request) -> tuple[SignedKeyUser, RegisteredKey] | None:
        if not request.headers.get(KEY_ID):
            return None
        try:
            key = verify_request(
                request.method or "GET",
                request.get_full_path(),
                request.body,
                request.headers,
            )
        except SubmissionRejected as exc:
            from shailoo.integrity import security_events

            security_events.record(
                f"request.{exc.reason.value}",
                key_id=request.headers.get(KEY_ID, ""),
                path=request.path,
                detail=exc.message,
                remote=request.META.get("REMOTE_ADDR", ""),
            )
            raise AuthenticationFailed({"code": exc.reason.value, "detail": exc.message}) from None
        return SignedKeyUser(key), key

    def authenticate_header(self, request: Request) -> str:
        return 'Shailoo-Signature realm="shailoo"'


class HasSignedKey(BasePermission):
    """Allows requests authenticated by a registered submission key only."""

    message = "a signed request from a registered device or commission key is required"

    def has_permission(self, request: Request, view: APIView) -> bool:
        from shailoo.integrity.models import RegisteredKey

        auth: Any = request.auth
        return isinstance(auth, RegisteredKey)
