"""The public ledger page: the latest signed tree head, how anyone verifies it, and an export
of the ledger that the public may download.

The ledger is what lets a reader check that no figure, decision or correction was changed
after it was recorded; this page is where a reader starts. It shows the commission's latest
signed head (size, root hash, time, signer key, signature), numbered steps with the
verifier the project ships and the public API, and ``entries.jsonl``.

What the export holds, and why. An entry's payload names its actor (a staff user name) and
refers to persons only by keyed hashes (``pin_ref``) and row ids; bulk, those would let
anyone link every change of one person across the whole ledger. The public export therefore
holds, per entry, only its public summary (:mod:`shailoo.integrity.public`, which also says
which subjects are public matters): its index, kind, time, leaf hash and a *reference* to
what it is about. The leaf hashes are exactly those the signed heads cover, so the export is
enough to recompute each head's root (RFC 9162); the inclusion-proof API gives the same
summary for one entry with the path from its leaf hash to a signed head. An entry's content
(its bytes) is checked by whoever holds it: an auditor through the proof API's full view,
anyone with the commission's export through the standalone verifier.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from shailoo.common.conditional import json_refusal, json_response
from shailoo.common.refusals import Refusal
from shailoo.integrity import export, heads
from shailoo.integrity.merkle import EMPTY_ROOT
from shailoo.integrity.models import LedgerState, RegisteredKey, TreeHead
from shailoo.integrity.public import public_entry
from shailoo.integrity.verifier import DamagedValue, head_message, stored_bytes

#: Lines written per chunk of the streamed export (about 100 KiB).
CHUNK_LINES = 600
EXPORT_TYPE = "application/jsonl; charset=utf-8"


def export_lines(size: int) -> Iterator[str]:
    """The first ``size`` entries as JSON Lines, ``CHUNK_LINES`` lines per yielded string."""
    chunk: list[str] = []
    for entry in export.entry_records():
        if entry.seq >= size:
            break
        row = public_entry(entry.seq, entry.kind, entry.time, entry.data, entry.leaf_hash)
        line = json.dumps(row.to_json(), ensure_ascii=False, separators=(",", ":"))
        chunk.append(line + "\n")
        if len(chunk) >= CHUNK_LINES:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


@dataclass(frozen=True, slots=True)
class LedgerNow:
    """The ledger's size and root now, and when it last changed (the export's validators)."""

    size: int
    root: bytes
    changed: datetime | None

    @property
    def etag(self) -> str:
        return f'"{self.size}-{self.root.hex()[:32]}"'


def ledger_now() -> LedgerNow:
    """The state row read once (a damaged root raises ``DamagedValue``, a 503 refusal)."""
    state = LedgerState.objects.filter(pk=1).first()
    if state is None:
        return LedgerNow(0, EMPTY_ROOT, None)
    return LedgerNow(int(state.size), stored_bytes(state.root_hash), state.updated_at)


def _validators(response: HttpResponseBase, etag: str, at: datetime | None) -> None:
    response["ETag"] = etag
    if at is not None:
        response["Last-Modified"] = http_date(at.timestamp())
    response["Cache-Control"] = "public, max-age=0, must-revalidate"


def _conditional(request: HttpRequest, etag: str, at: datetime | None) -> HttpResponse | None:
    modified = int(at.timestamp()) if at is not None else None
    found = get_conditional_response(request, etag=etag, last_modified=modified)
    if found is not None:
        _validators(found, etag, at)
    return found


@require_GET
def ledger_export(request: HttpRequest) -> HttpResponseBase:
    """``entries.jsonl``: every entry up to the size read at the start, streamed; ``ETag``
    (size and root) and ``Last-Modified`` so a mirror fetches it again only when it grew."""
    now = ledger_now()
    cached = _conditional(request, now.etag, now.changed)
    if cached is not None:
        return cached
    response = StreamingHttpResponse(
        (text.encode("utf-8") for text in export_lines(now.size)), content_type=EXPORT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="ledger-{now.size}.jsonl"'
    _validators(response, now.etag, now.changed)
    return response


# -- the page -------------------------------------------------------------------------------


def _head_facts(head: TreeHead) -> dict[str, Any]:
    """The head as the API gives it (``/api/integrity/head/``), plus what the page shows."""
    root = stored_bytes(head.root_hash)
    signature = stored_bytes(head.signature)
    size, stamp, signer = int(head.size), int(head.timestamp_ms), str(head.key_id)
    _check_signature(signer, signature, head_message(size, root, stamp, signer))
    try:
        moment: datetime | None = datetime.fromtimestamp(stamp / 1000, UTC)
    except (OverflowError, ValueError, OSError):
        moment = None
    return {
        "size": size,
        "root_hash": root.hex(),
        "timestamp_ms": stamp,
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if moment else "",
        "signed_at": moment,
        "key_id": signer,
        "signature": base64.b64encode(signature).decode("ascii"),
        "message": head_message(size, root, stamp, signer).decode("utf-8"),
    }


def _check_signature(key_id: str, signature: bytes, message: bytes) -> None:
    """The page shows a head only if its signature verifies under its registered key: a head
    edited in the database is a damaged ledger (503), never a number shown as signed."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = RegisteredKey.objects.filter(key_id=key_id).first()
    if key is None:
        raise DamagedValue("names a signing key that is not registered")
    try:
        Ed25519PublicKey.from_public_bytes(stored_bytes(key.public_key)).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise DamagedValue("does not verify under its signing key") from None


def _key_facts(key_id: str) -> dict[str, Any] | None:
    key = RegisteredKey.objects.filter(key_id=key_id).first()
    if key is None:
        return None
    return {
        "key_id": key.key_id,
        "public_key": stored_bytes(key.public_key).hex(),
        "status": key.status,
        "valid_from": key.valid_from,
        "valid_to": key.valid_to,
        "label": key.label,
    }


def ledger_facts() -> dict[str, Any]:
    """The latest signed head, its signer's key, the ledger's size now and the entries no
    head covers yet. Raises ``DamagedValue`` (503) when a stored value was edited by hand."""
    now = ledger_now()
    head = heads.latest_head()
    facts: dict[str, Any] = {
        "size": now.size,
        "root_hash": now.root.hex(),
        "changed": now.changed,
        "head": None,
        "key": None,
        "unsigned": now.size,
    }
    if head is not None:
        shown = _head_facts(head)
        facts["head"] = shown
        facts["key"] = _key_facts(shown["key_id"])
        facts["unsigned"] = max(0, now.size - shown["size"])
        # A head signed over an unchanged ledger changes the page, not the ledger state.
        signed = head.created_at
        if signed is not None and (now.changed is None or signed > now.changed):
            facts["changed"] = signed
    return facts


def _api(request: HttpRequest, facts: dict[str, Any]) -> dict[str, str]:
    head = facts["head"]
    size = head["size"] if head else max(1, facts["size"])
    last = max(0, size - 1)
    first = max(1, size // 2)
    return {
        "head": request.build_absolute_uri(reverse("integrity-head")),
        "keys": request.build_absolute_uri(reverse("integrity-keys")),
        "proof": request.build_absolute_uri(
            reverse("integrity-inclusion", kwargs={"index": str(last)}) + f"?size={size}"
        ),
        "consistency": request.build_absolute_uri(
            reverse("integrity-consistency") + f"?first={first}&second={size}"
        ),
        "export": request.build_absolute_uri(reverse("portal:ledger_export")),
        "json": request.build_absolute_uri(reverse("portal:ledger_json")),
    }


@require_GET
def ledger_page(request: HttpRequest) -> HttpResponse:
    """``/ledger/``: the latest signed head, how to verify it, the export."""
    try:
        facts = ledger_facts()
    except Refusal as error:
        return render(request, "portal/ledger.html", {"refusal": error}, status=error.http_status)
    return render(request, "portal/ledger.html", {**facts, "api": _api(request, facts)})


def ledger_document(request: HttpRequest, facts: dict[str, Any]) -> dict[str, Any]:
    head, key = facts["head"], facts["key"]
    return {
        "format": "shailoo-ledger-page/1",
        "size": facts["size"],
        "unsigned_entries": facts["unsigned"],
        "head": None
        if head is None
        else {
            name: head[name]
            for name in ("size", "root_hash", "timestamp_ms", "timestamp", "key_id", "signature")
        },
        "signed_message": head["message"] if head else None,
        "key": None
        if key is None
        else {
            "key_id": key["key_id"],
            "public_key": key["public_key"],
            "status": key["status"],
            "valid_from": key["valid_from"].isoformat() if key["valid_from"] else None,
            "valid_to": key["valid_to"].isoformat() if key["valid_to"] else None,
        },
        "links": _api(request, facts),
    }


@require_GET
def ledger_json(request: HttpRequest) -> HttpResponse:
    """The page as JSON, with ``ETag`` and ``Last-Modified`` (304 while nothing changed)."""
    try:
        facts = ledger_facts()
    except Refusal as error:
        return json_refusal(error)
    return json_response(request, ledger_document(request, facts), last_modified=facts["changed"])
