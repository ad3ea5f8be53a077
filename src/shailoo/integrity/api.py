"""Public ledger API: the latest signed head, inclusion and consistency proofs, head keys.

Anyone may call these: they reveal hashes, signed heads and, of an entry, only what the
portal's public export shows (:mod:`.public`: position, kind, time, leaf hash, what it is
about) — never its bytes, which name the staff account that acted. The leaf hash is what
the signed heads cover, so an inclusion proof still proves the entry is in a head. An
auditor (signed in with the second factor, allowed to read the ledger's entries) asks for
``?view=full`` and gets the bytes too. Hashes and keys are hex, signatures and entry bytes
base64. Bad input (not an integer, out of range) is answered 400 with the reason. One
signed-request endpoint lets a device check its key, clock and sequence before polling day.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shailoo.common.api import refusal
from shailoo.common.refusals import InvalidInput, NotFound, PermissionRefused, Unavailable
from shailoo.integrity import keys, ledger
from shailoo.integrity.merkle import MissingNodeError
from shailoo.integrity.models import TREE_HEAD, LedgerEntry, RegisteredKey, TreeHead
from shailoo.integrity.public import public_entry
from shailoo.integrity.submissions import HasSignedKey, SignedRequestAuthentication
from shailoo.integrity.verifier import format_time, ms_text, stored_bytes

TAGS = ["integrity"]


class SignedRequestScheme(OpenApiAuthenticationExtension):
    """Documents the signed-request scheme (see ``integrity.submissions``) in the OpenAPI."""

    target_class = "shailoo.integrity.submissions.SignedRequestAuthentication"
    name = "shailooSignedRequest"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Shailoo-Signature",
            "description": (
                "Ed25519 signature (base64) over 'shailoo-request/1', METHOD, path?query, "
                "body SHA-256, key id, timestamp and sequence, one per line; send also "
                "X-Shailoo-Key-Id, X-Shailoo-Timestamp, X-Shailoo-Sequence and "
                "X-Shailoo-Content-SHA256."
            ),
        }


class HeadSerializer(serializers.Serializer[Any]):
    size = serializers.IntegerField()
    root_hash = serializers.CharField(help_text="hex")
    timestamp_ms = serializers.IntegerField(help_text="milliseconds since 1970-01-01 UTC")
    timestamp = serializers.CharField()
    key_id = serializers.CharField()
    signature = serializers.CharField(help_text="base64 Ed25519 over the canonical head")


#: What ``?view=`` asks for: the public summary, or (auditors) the entry's bytes as well.
PUBLIC_VIEW, FULL_VIEW = "public", "full"
VIEWS = (PUBLIC_VIEW, FULL_VIEW)
#: The Django permission behind the admin's ledger-entry pages; the roles matrix grants it
#: with ``integrity.view`` (country-wide), so whoever may read the entries there may here.
FULL_ENTRY_PERMISSION = "integrity.view_ledgerentry"


class EntrySummarySerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField(help_text="the entry's position, from 0")
    kind = serializers.CharField(help_text="what happened, e.g. counting.protocol_version")
    time = serializers.CharField(help_text="when it was recorded: UTC, ISO 8601")
    subject = serializers.CharField(
        allow_blank=True,
        help_text="what it is about: the record (app.model:id) for a public matter, the "
        "table alone otherwise; the same as the entry's line of the public export",
    )


class InclusionSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    leaf_hash = serializers.CharField(help_text="hex SHA-256(0x00 || entry bytes)")
    view = serializers.ChoiceField(choices=VIEWS, help_text="what this answer shows of the entry")
    summary = EntrySummarySerializer(help_text="the entry without its bytes, as the public sees it")
    entry = serializers.CharField(
        allow_null=True,
        help_text="base64 of the canonical JSON entry (view=full only; null in the public "
        "view: the bytes name the staff account that acted)",
    )
    proof = serializers.ListField(child=serializers.CharField(), help_text="hex, leaf upwards")
    root_hash = serializers.CharField(help_text="hex root at tree_size")
    head = HeadSerializer(allow_null=True, help_text="a signed head of this size, if any")


class ConsistencySerializer(serializers.Serializer[Any]):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    first_root = serializers.CharField()
    second_root = serializers.CharField()
    proof = serializers.ListField(child=serializers.CharField())


class KeySerializer(serializers.Serializer[Any]):
    key_id = serializers.CharField()
    public_key = serializers.CharField(help_text="hex raw Ed25519 public key")
    status = serializers.CharField()
    valid_from_ms = serializers.IntegerField()
    valid_to_ms = serializers.IntegerField(allow_null=True)
    revoked_at_ms = serializers.IntegerField(allow_null=True)


class SignedPingSerializer(serializers.Serializer[Any]):
    key_id = serializers.CharField()
    station_number = serializers.IntegerField(allow_null=True)
    commission_code = serializers.CharField()
    sequence = serializers.IntegerField()


BAD = refusal("Bad input: not an integer or out of range (reason given)")
FULL_ONLY = refusal("view=full asked by someone not signed in as an auditor of the ledger")
DAMAGED = refusal("The ledger's stored tree is damaged; an audit is under way")
#: The largest integer a parameter may have (18 digits).
MAX_INTEGER = 10**18 - 1


def _bounded(minimum: int) -> dict[str, object]:
    return {"type": "integer", "minimum": minimum, "maximum": MAX_INTEGER}


def _head_json(head: TreeHead) -> dict[str, object]:
    return {
        "size": head.size,
        "root_hash": stored_bytes(head.root_hash).hex(),  # DamagedValue: 503
        "timestamp_ms": head.timestamp_ms,
        "timestamp": ms_text(head.timestamp_ms),
        "key_id": head.key_id,
        "signature": base64.b64encode(stored_bytes(head.signature)).decode("ascii"),
    }


def _bad(exc: ValueError) -> InvalidInput:
    if isinstance(exc, InvalidInput):
        return exc
    return InvalidInput("invalid_parameter", str(exc))


def _integer(value: str | None, name: str) -> int:
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 18:
        reason = f"{name} must be a non-negative integer, got {value!r}"
        raise InvalidInput("invalid_parameter", reason, problems=[(name, reason)])
    return int(value)


def reads_full_entries(user: Any) -> bool:
    """Whether ``user`` may read entries' bytes: signed in, second factor passed, and allowed
    to read the ledger's entries (``FULL_ENTRY_PERMISSION``, answered from the roles)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    verified = getattr(user, "is_verified", None)
    return bool(callable(verified) and verified() and user.has_perm(FULL_ENTRY_PERMISSION))


def _view(request: Request) -> str:
    """The ``view`` asked for; ``full`` only for an auditor (403 for anyone else)."""
    asked = request.query_params.get("view", PUBLIC_VIEW)
    if asked not in VIEWS:
        reason = f"view must be one of {', '.join(VIEWS)}, got {asked!r}"
        raise InvalidInput("invalid_parameter", reason, problems=[("view", reason)])
    if asked == FULL_VIEW and not reads_full_entries(request.user):
        raise PermissionRefused(
            "forbidden",
            gettext(
                "Only an auditor of the ledger, signed in with the second factor, may read "
                "its entries in full."
            ),
        )
    return asked


def _damaged(exc: MissingNodeError) -> Unavailable:
    return Unavailable(
        "ledger_damaged", f"the ledger's tree is damaged ({exc}); an audit is under way"
    )


class PublicView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []


class LatestHeadView(PublicView):
    """The newest signed tree head."""

    @extend_schema(
        operation_id="ledger_head",
        responses={200: HeadSerializer, 404: refusal("No head signed yet")},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        head = TreeHead.objects.order_by("-id").first()
        if head is None:
            raise NotFound("no_head", "no tree head signed yet")
        return Response(HeadSerializer(_head_json(head)).data)


class InclusionProofView(PublicView):
    """Proof that entry ``index`` is in the tree of ``size`` entries (default: latest head).

    The public view gives the entry's leaf hash and summary, never its bytes; with
    ``view=full`` an auditor gets the bytes too (never cached).
    """

    # A session only matters to ``view=full``; without one, the caller is the public.
    authentication_classes = [SessionAuthentication]

    @extend_schema(
        operation_id="ledger_inclusion_proof",
        description=(
            "Proof that entry `index` is in the tree of `size` entries. Anyone gets the "
            "entry's leaf hash and its public summary (the line of the public export): "
            "hash the path from the leaf to `root_hash` as RFC 9162 says and check the "
            "signed head's signature. The entry's bytes name the staff account that acted, "
            "so only an auditor of the ledger (signed in, second factor passed) gets them, "
            "with `view=full`."
        ),
        parameters=[
            OpenApiParameter(
                "index", _bounded(0), OpenApiParameter.PATH, description="The entry's sequence"
            ),
            OpenApiParameter("size", _bounded(1), description="Tree size; default latest head"),
            OpenApiParameter(
                "view",
                str,
                enum=list(VIEWS),
                default=PUBLIC_VIEW,
                description="public: the summary only; full: the bytes too (auditors only)",
            ),
        ],
        responses={200: InclusionSerializer, 400: BAD, 403: FULL_ONLY, 503: DAMAGED},
        tags=TAGS,
    )
    def get(self, request: Request, index: str) -> Response:
        view = _view(request)
        head = TreeHead.objects.order_by("-id").first()
        try:
            n = _integer(index, "index")
            given = request.query_params.get("size")
            size = _integer(given, "size") if given is not None else None
            if size is None:
                size = head.size if head is not None and head.size > n else ledger.size()
            leaf, proof, root = ledger.inclusion_proof(n, size)
        except ValueError as exc:
            raise _bad(exc) from None
        except MissingNodeError as exc:
            raise _damaged(exc) from None
        signed = TreeHead.objects.filter(size=size).order_by("-id").first()
        row = LedgerEntry.objects.filter(sequence=n).values_list("kind", "created_at", "data")
        found = row.first()
        if found is None:  # the tree has the leaf, the table lost the entry
            raise Unavailable(
                "ledger_damaged", f"entry {n} is missing from the ledger; an audit is under way"
            )
        kind, created_at, stored = found
        data = stored_bytes(stored)  # DamagedValue: 503
        moment = format_time(created_at) if isinstance(created_at, datetime) else ""
        summary = public_entry(n, str(kind), moment, data, leaf)
        body = {
            "index": n,
            "tree_size": size,
            "leaf_hash": leaf.hex(),
            "view": view,
            "summary": {k: v for k, v in summary.to_json().items() if k != "leaf_hash"},
            "entry": base64.b64encode(data).decode("ascii") if view == FULL_VIEW else None,
            "proof": [p.hex() for p in proof],
            "root_hash": root.hex(),
            "head": _head_json(signed) if signed is not None else None,
        }
        response = Response(InclusionSerializer(body).data)
        if view == FULL_VIEW:
            response["Cache-Control"] = "private, no-store"
        return response


class ConsistencyProofView(PublicView):
    """Proof that the tree of ``second`` entries extends the tree of ``first`` entries."""

    @extend_schema(
        operation_id="ledger_consistency_proof",
        parameters=[
            OpenApiParameter(
                "first", _bounded(1), required=True, description="Older tree size (>0)"
            ),
            OpenApiParameter("second", _bounded(1), required=True, description="Newer tree size"),
        ],
        responses={200: ConsistencySerializer, 400: BAD, 503: DAMAGED},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        try:
            first = _integer(request.query_params.get("first"), "first")
            second = _integer(request.query_params.get("second"), "second")
            proof, root1, root2 = ledger.consistency_proof(first, second)
        except ValueError as exc:
            raise _bad(exc) from None
        except MissingNodeError as exc:
            raise _damaged(exc) from None
        body = {
            "first": first,
            "second": second,
            "first_root": root1.hex(),
            "second_root": root2.hex(),
            "proof": [p.hex() for p in proof],
        }
        return Response(ConsistencySerializer(body).data)


class HeadKeysView(PublicView):
    """Every commission key that ever signed tree heads, with its validity (milliseconds)."""

    @extend_schema(operation_id="ledger_keys", responses={200: KeySerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        rows = []
        for key in RegisteredKey.objects.filter(usage=TREE_HEAD):
            record = keys.key_record(key)
            rows.append(
                {
                    "key_id": key.key_id,
                    "public_key": record.public_key.hex(),
                    "status": key.status,
                    "valid_from_ms": record.valid_from_ms,
                    "valid_to_ms": record.valid_to_ms,
                    "revoked_at_ms": record.revoked_at_ms,
                }
            )
        return Response(KeySerializer(rows, many=True).data)


class SignedPingView(APIView):
    """A device checks its key, clock and sequence with a signed, empty-bodied POST."""

    authentication_classes = [SignedRequestAuthentication]
    permission_classes = [HasSignedKey]

    @extend_schema(
        operation_id="signed_ping",
        request=None,
        responses={
            200: SignedPingSerializer,
            401: refusal("No signature, or a refused one: the reason is the code"),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        key: RegisteredKey = request.auth
        body = {
            "key_id": key.key_id,
            "station_number": key.station_number,
            "commission_code": key.commission_code,
            "sequence": key.last_sequence,
        }
        return Response(SignedPingSerializer(body).data)
