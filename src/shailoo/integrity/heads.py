"""Signed tree heads: the commission's Ed25519 signature over (size, root, time).

A signed head is what observers keep: with it, an inclusion proof shows an entry is in the
ledger, and a consistency proof shows a later ledger still holds everything the head
covered. ``shailoo ledger head`` signs one on demand; production runs it periodically (see
``docs/integrity.md``). Before signing, the current tree is checked to extend the previous
head, so a tampered ledger is never signed over.

The private key comes from ``SHAILOO_SIGNING_KEY_FILE`` (a PEM file readable by its owner
only). In development a key is generated into ``var/keys/ledger-head.pem`` (0600); in
production a missing key file is refused. The key itself is never logged or printed.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from shailoo.common.refusals import Conflict
from shailoo.integrity import keys, ledger
from shailoo.integrity.merkle import MissingNodeError, ProofError, verify_consistency
from shailoo.integrity.models import TREE_HEAD, RegisteredKey, TreeHead
from shailoo.integrity.verifier import (
    DamagedValue,
    HeadRecord,
    head_message,
    key_id,
    stored_bytes,
)

SIGNING_KEY_ENV = "SHAILOO_SIGNING_KEY_FILE"
CEC = "CEC"


class HeadError(Conflict):
    """The head cannot be signed; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__("head_refused", message)


def signing_key_path() -> Path:
    """Where the tree-head private key lives (the env variable, or var/keys in development)."""
    configured = os.environ.get(SIGNING_KEY_ENV)
    if configured:
        return Path(configured)
    if settings.PRODUCTION:
        raise ImproperlyConfigured(f"SHAILOO_ENV=production needs {SIGNING_KEY_ENV}")
    return Path(settings.VAR_DIR) / "keys" / "ledger-head.pem"


def load_signing_key() -> Ed25519PrivateKey:
    """The tree-head private key; generated on first use in development only."""
    path = signing_key_path()
    if not path.exists():
        if settings.PRODUCTION or os.environ.get(SIGNING_KEY_ENV):
            raise ImproperlyConfigured(f"signing key file {path} does not exist")
        keys.write_private_key(path, keys.generate())
    return keys.load_private_key(path, strict_mode=settings.PRODUCTION)


def head_record(head: TreeHead) -> HeadRecord:
    return HeadRecord(
        head.size,
        stored_bytes(head.root_hash),
        head.timestamp_ms,
        head.key_id,
        stored_bytes(head.signature),
    )


def latest_head() -> TreeHead | None:
    return TreeHead.objects.order_by("-id").first()


def _signer(private: Ed25519PrivateKey) -> RegisteredKey:
    """The registered key for ``private``; the very first tree-head key registers itself."""
    raw = keys.raw_public(private)
    kid = key_id(raw)
    key = RegisteredKey.objects.filter(key_id=kid).first()
    if key is None:
        if RegisteredKey.objects.filter(usage=TREE_HEAD).exists():
            raise HeadError(
                f"signing key {kid} is not registered: switch keys with "
                "`shailoo keys rotate-head-key`, never by replacing the file"
            )
        key = keys.register_key(
            raw,
            usage=TREE_HEAD,
            actor="system",
            commission_code=CEC,
            label="ledger tree-head key",
        )
    if key.usage != TREE_HEAD:
        raise HeadError(f"key {kid} is registered for {key.usage}, not for tree heads")
    return key


def sign_head(private: Ed25519PrivateKey | None = None) -> TreeHead:
    """Sign the ledger's current size and root, after checking it extends the last head."""
    private = private or load_signing_key()
    with transaction.atomic():
        signer = _signer(private)
        previous = latest_head()
        at_ms = max(keys.now_ms(), previous.timestamp_ms if previous else 0)
        if not keys.in_force(signer, at_ms):
            raise HeadError(f"key {signer.key_id} is revoked or outside its validity period")
        state = ledger.lock_state()
        try:
            size, root = state.size, stored_bytes(state.root_hash)
            if ledger.root_at(size) != root:
                raise HeadError(
                    "stored tree nodes disagree with the ledger state: run ledger verify"
                )
        except (DamagedValue, MissingNodeError) as exc:
            raise HeadError(f"the ledger is damaged ({exc}): run ledger verify") from None
        if previous is not None:
            _check_extends(previous, size, root)
        signature = private.sign(head_message(size, root, at_ms, signer.key_id))
        return TreeHead.objects.create(
            size=size,
            root_hash=root,
            timestamp_ms=at_ms,
            key_id=signer.key_id,
            signature=signature,
        )


def _check_extends(previous: TreeHead, size: int, root: bytes) -> None:
    try:
        old_root = stored_bytes(previous.root_hash)
    except DamagedValue as exc:
        raise HeadError(f"head {previous.pk}'s root {exc.what}: run ledger verify") from None
    try:
        if previous.size > size:
            raise ProofError(f"the ledger shrank from {previous.size} to {size} entries")
        proof = []
        if 0 < previous.size < size:
            proof = ledger.consistency_proof(previous.size, size)[0]
        if previous.size or not size:
            verify_consistency(previous.size, size, old_root, root, proof)
    except ProofError as exc:
        raise HeadError(
            f"the ledger no longer extends head {previous.pk} (size {previous.size}): "
            f"{exc.reason}; refusing to sign, run `shailoo ledger verify`"
        ) from None
    except MissingNodeError as exc:
        raise HeadError(f"the ledger's tree is damaged ({exc}): run ledger verify") from None


def rotate_head_key(new_private: Ed25519PrivateKey, *, actor: str) -> RegisteredKey:
    """Register ``new_private``'s public key as the tree-head key, closing the old one.

    Sign a head with the old key just before (the CLI does), so the last state it vouched
    for is on record; old heads keep verifying against the old key's validity period.
    """
    current = (
        RegisteredKey.objects.filter(
            usage=TREE_HEAD,
            status=RegisteredKey.Status.ACTIVE,
            valid_to__isnull=True,
        )
        .order_by("-valid_from")
        .first()
    )
    raw = keys.raw_public(new_private)
    if current is None:
        return keys.register_key(
            raw,
            usage=TREE_HEAD,
            actor=actor,
            commission_code=CEC,
            label="ledger tree-head key",
        )
    return keys.rotate_key(current.key_id, raw, actor=actor)
