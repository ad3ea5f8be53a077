"""Public ledger API: the latest signed head, inclusion and consistency proofs, head keys.

Anyone may call these: they reveal hashes, signed heads and entries that carry no personal
data in clear. Hashes and keys are hex, signatures and entry bytes base64. Bad input (not
an integer, out of range) is answered 400 with the reason. One signed-request endpoint lets
a device check its key, clock and sequence before polling day.
"""

from __future__ import annotations

import base64
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shailoo.common.api import refusal
from shailoo.common.refusals import InvalidInput, NotFound, Unavailable
from shailoo.integrity import keys, ledger
from shailoo.integrity.merkle import MissingNodeError
from shailoo.integrity.models import TREE_HEAD, LedgerEntry, RegisteredKey, TreeHead
from shailoo.integrity.submissions import HasSignedKey, SignedRequestAuthentication
from shailoo.integrity.verifier import ms_text, stored_bytes

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


class InclusionSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    leaf_hash = serializers.CharField(help_text="hex SHA-256(0x00 || entry)")
    entry = serializers.CharField(help_text="base64 of the canonical JSON entry")
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
    """Proof that entry ``index`` is in the tree of ``size`` entries (default: latest head)."""

    @extend_schema(
        operation_id="ledger_inclusion_proof",
        parameters=[
            OpenApiParameter(
                "index", _bounded(0), OpenApiParameter.PATH, description="The entry's sequence"
            ),
            OpenApiParameter("size", _bounded(1), description="Tree size; default latest head"),
        ],
        responses={200: InclusionSerializer, 400: BAD, 503: DAMAGED},
        tags=TAGS,
    )
    def get(self, request: Request, index: str) -> Response:
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
        entry = LedgerEntry.objects.filter(sequence=n).values_list("data", flat=True).first()
        body = {
            "index": n,
            "tree_size": size,
            "leaf_hash": leaf.hex(),
            "entry": base64.b64encode(stored_bytes(entry or b"")).decode("ascii"),
            "proof": [p.hex() for p in proof],
            "root_hash": root.hex(),
            "head": _head_json(signed) if signed is not None else None,
        }
        return Response(InclusionSerializer(body).data)


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
