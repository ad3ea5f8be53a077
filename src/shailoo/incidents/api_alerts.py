"""The signed-request door of the internal alert API: ``POST /api/incidents/alerts/``.

A polling-station device or a commission (a registered Ed25519 submission key, scheme
``shailoo-request/1``: see ``integrity.submissions``) raises an alert with its evidence, as
the domains do in process with :func:`shailoo.incidents.services.raise_alert`. A missing,
bad, stale or replayed signature is refused with 401 and its reason code before the body is
read; a body that cannot be used with 400 and every problem located; a station the key is not
bound to (its own station, its TEC, or the CEC) with 403.

The alert's source is ``device:<key id>``, and its ``dedupe_key`` is kept under that source:
raising the same key again while the case is open adds the alert to that case's timeline
(200) instead of opening another (201), and no key can reach a case another device or a
domain raised.
"""

from __future__ import annotations

import re
from typing import Any, Final

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shailoo.common.api import refusal
from shailoo.common.parsers import SafeJSONParser
from shailoo.common.refusals import InvalidInput, PermissionRefused
from shailoo.geo.models import PollingStation
from shailoo.incidents import services
from shailoo.incidents.categories import CATEGORIES, SEVERITIES
from shailoo.integrity.heads import CEC
from shailoo.integrity.models import RegisteredKey
from shailoo.integrity.submissions import HasSignedKey, SignedRequestAuthentication

TAGS = ["incidents"]
MAX_SUMMARY: Final = 1000
MAX_EVIDENCE_ITEMS: Final = 30
MAX_EVIDENCE_TEXT: Final = 500
MAX_STATION: Final = 999_999
_KIND = re.compile(r"[a-z][a-z0-9_.-]{0,31}")
_EVIDENCE_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AlertRequest(serializers.Serializer[Any]):
    kind = serializers.RegexField(
        f"^{_KIND.pattern}$",  # whitespace is trimmed before the match
        max_length=32,
        help_text="What the device saw, as a code: lowercase letters, digits, '_', '.', '-'",
    )
    category = serializers.ChoiceField(choices=list(CATEGORIES), help_text="The case category")
    summary = serializers.CharField(
        max_length=MAX_SUMMARY, help_text="What happened, for the group handling the case"
    )
    station = serializers.IntegerField(
        min_value=1,
        max_value=MAX_STATION,
        required=False,
        allow_null=True,
        help_text="Polling station number; a station device's own station by default",
    )
    subject = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the alert is about (a ballot box, a scanner's serial number)",
    )
    evidence = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text=f"At most {MAX_EVIDENCE_ITEMS} facts: text of at most "
        f"{MAX_EVIDENCE_TEXT} characters, numbers, true/false or null",
    )
    severity = serializers.ChoiceField(
        choices=list(SEVERITIES),
        required=False,
        allow_null=True,
        help_text="By default the category's",
    )
    dedupe_key = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="The same key again, while the case is open, adds to that case",
    )

    def validate_evidence(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > MAX_EVIDENCE_ITEMS:
            raise serializers.ValidationError(f"at most {MAX_EVIDENCE_ITEMS} facts")
        problems = []
        for key, item in value.items():
            if not _EVIDENCE_KEY.fullmatch(key):
                problems.append(f"{key[:64]!r}: a key is 1-64 letters, digits, '_', '.' or '-'")
            elif isinstance(item, dict | list):
                problems.append(f"{key}: a fact is text, a number, true/false or null")
            elif isinstance(item, str) and (len(item) > MAX_EVIDENCE_TEXT or _CONTROL.search(item)):
                problems.append(
                    f"{key}: at most {MAX_EVIDENCE_TEXT} characters, no control characters"
                )
        if problems:
            raise serializers.ValidationError(problems)
        return value


class AlertResult(serializers.Serializer[Any]):
    reference = serializers.CharField(help_text="The case's reference number")
    new = serializers.BooleanField(help_text="false: the alert was added to an open case")
    status = serializers.CharField(help_text="The case's status")
    category = serializers.CharField()
    severity = serializers.CharField()
    agency = serializers.CharField(help_text="The agency the case is routed to")
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(help_text="The legal deadline of the case")


def _station(key: RegisteredKey, number: int | None) -> int | None:
    """The station the alert is about: checked to exist and to be the key's to speak for."""
    number = number if number is not None else key.station_number
    if number is None:
        return None
    station = PollingStation.objects.select_related("tec").filter(number=number).first()
    if station is None:
        reason = f"no polling station №{number}"
        raise InvalidInput("invalid_alert", reason, problems=[("station", reason)])
    bound = key.station_number == station.number or key.commission_code in (CEC, station.tec.code)
    if not bound:
        raise PermissionRefused(
            "forbidden",
            f"This key is not bound to polling station №{station.number} or its commission.",
        )
    return station.number


class AlertView(APIView):
    """A device or commission raises an alert with its evidence (a signed request)."""

    authentication_classes = [SignedRequestAuthentication]
    permission_classes = [HasSignedKey]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        operation_id="incidents_raise_alert",
        request=AlertRequest,
        responses={
            201: AlertResult,
            200: AlertResult,
            400: refusal("The alert cannot be used: every problem located by field"),
            401: refusal("No signature, or a refused one: the reason is the code"),
            403: refusal("The key may not speak for this station"),
            415: refusal("The body is not JSON"),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        key: RegisteredKey = request.auth
        query = AlertRequest(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        source = f"device:{key.key_id}"
        station = _station(key, data.get("station"))
        dedupe = data["dedupe_key"].strip()
        case = services.raise_alert(
            source,
            data["kind"],
            category=data["category"],
            summary=data["summary"].strip(),
            station=station,
            subject=data["subject"].strip(),
            evidence=data["evidence"],
            severity=data.get("severity"),
            dedupe_key=f"{source}:{dedupe}" if dedupe else "",
        )
        last = case.events.order_by("-pk").values_list("kind", "actor").first()
        new = last != ("alert_again", source)
        body = {
            "reference": case.reference,
            "new": new,
            "status": case.status,
            "category": case.category,
            "severity": case.severity,
            "agency": case.agency,
            "received_at": case.received_at,
            "due_at": case.due_at,
        }
        code = status.HTTP_201_CREATED if new else status.HTTP_200_OK
        return Response(AlertResult(body).data, status=code)
