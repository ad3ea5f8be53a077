"""The station devices' API, mounted under ``/api/polling/`` (signed requests only).

Every request is signed (``integrity.submissions``: a missing, forged, stale, replayed or
revoked signature is refused with 401 and its reason before the body is read, and leaves a
security event); then the key must belong to an active device of the station (403
``not_a_device`` / ``revoked_device`` / ``foreign_station``); a clock reading that does not
move forward is refused with 409 ``out_of_order``. Every answer carries the server's time in
``X-Shailoo-Server-Time`` (ms since the epoch), so a device whose clock is wrong learns by how
much from its first refusal.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import time
from typing import Any, Final

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shailoo.biometrics.services import Capture
from shailoo.common.api import refusal
from shailoo.common.parsers import SafeJSONParser
from shailoo.common.refusals import InvalidInput, Refusal
from shailoo.elections.services import current_election
from shailoo.integrity import security_events
from shailoo.integrity.models import RegisteredKey
from shailoo.integrity.submissions import HasSignedKey, SignedRequestAuthentication
from shailoo.law.loader import load_edition
from shailoo.polling import checkin, devices, offline, package, reports, warm
from shailoo.polling.models import Device

TAGS = ["polling"]
SERVER_TIME: Final = "X-Shailoo-Server-Time"
MAX_TEMPLATES: Final = 12
MAX_TEMPLATE_BYTES: Final = 64 * 1024
MAX_SYNC: Final = 1000
_KEY = r"^[A-Za-z0-9_-]{8,64}$"
_HLC_MAX: Final = (1 << 63) - 1

_REFUSALS = {
    400: refusal("The body cannot be used: every problem located by field"),
    401: refusal("No signature, or a refused one: the reason is the code"),
    403: refusal("The key is not an active device of this station"),
    409: refusal("The device's clock reading goes back (out_of_order), or a second report"),
    415: refusal("The body is not JSON"),
}


class PackageAnswer(serializers.Serializer[Any]):
    format = serializers.CharField(help_text="shailoo-station-package/1")
    station = serializers.IntegerField()
    election = serializers.CharField()
    created_at = serializers.CharField()
    recipient = serializers.CharField(help_text="The device's X25519 key, hashed")
    ephemeral = serializers.CharField(help_text="base64 X25519 public key")
    nonce = serializers.CharField(help_text="base64")
    ciphertext = serializers.CharField(help_text="base64 AES-256-GCM of the content")
    sha256 = serializers.CharField(help_text="hex SHA-256 of the ciphertext")
    signer = serializers.CharField(help_text="The commission key's id")
    signature = serializers.CharField(help_text="base64 Ed25519 over the header")


class OpenAnswer(serializers.Serializer[Any]):
    station = serializers.IntegerField()
    opened_at = serializers.DateTimeField()


class CloseAnswer(serializers.Serializer[Any]):
    station = serializers.IntegerField()
    ballots_unused = serializers.IntegerField()
    ballots_spoiled = serializers.IntegerField()
    issued = serializers.IntegerField(help_text="Ballots the devices recorded at the station")
    difference = serializers.IntegerField(
        required=False, help_text="Received - issued - second issues - unused - spoiled"
    )


class CheckInAnswer(serializers.Serializer[Any]):
    key = serializers.CharField()
    station = serializers.IntegerField()
    outcome = serializers.ChoiceField(
        choices=[
            checkin.ISSUED,
            checkin.ALREADY_VOTED,
            checkin.NOT_ON_LIST,
            checkin.NOT_IDENTIFIED,
            checkin.INELIGIBLE,
            checkin.NO_HOME_REQUEST,
        ]
    )
    message = serializers.CharField(help_text="What the commission member does, in words")
    repeat = serializers.BooleanField(help_text="true: the stored answer to an earlier send")
    hlc = serializers.CharField(help_text="The request's clock reading, as text")
    voter = serializers.DictField(required=False, help_text="ref, names, birth_year")
    ballot_style = serializers.CharField(required=False)
    method = serializers.CharField(required=False)
    kind = serializers.CharField(required=False)
    voted_station = serializers.IntegerField(required=False)
    voted_at = serializers.CharField(required=False)
    listed_at = serializers.IntegerField(required=False)
    codes = serializers.ListField(child=serializers.CharField(), required=False)


class SyncAnswer(serializers.Serializer[Any]):
    answers = serializers.ListField(
        child=serializers.DictField(),
        help_text="One per issue: outcome issued, second_issue, irregular or refused",
    )


class _Template(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["finger_iso", "finger_ansi", "embedding"])
    data = serializers.CharField(help_text="base64 of the template record")

    def validate_data(self, value: str) -> bytes:
        try:
            raw = base64.b64decode(value, validate=True)
        except (ValueError, binascii.Error):
            raise serializers.ValidationError("not base64") from None
        if not raw or len(raw) > MAX_TEMPLATE_BYTES:
            raise serializers.ValidationError(f"1 to {MAX_TEMPLATE_BYTES} bytes")
        return raw


class CheckInRequest(serializers.Serializer[Any]):
    key = serializers.RegexField(_KEY, help_text="Idempotency key: a retry sends the same key")
    hlc = serializers.IntegerField(min_value=1, max_value=_HLC_MAX, help_text="Device HLC reading")
    mode = serializers.ChoiceField(choices=list(checkin.MODES))
    kind = serializers.ChoiceField(choices=list(checkin.KINDS), default="station")
    templates = _Template(many=True, required=False, default=list)
    pin = serializers.RegexField(r"^\d{14}$", required=False, default="", allow_blank=True)
    manual_reason = serializers.RegexField(
        r"^[a-z_]{1,40}$", required=False, default="", allow_blank=True
    )
    attempts = serializers.IntegerField(min_value=0, max_value=100, default=0)

    def validate_templates(self, value: list[Any]) -> list[Any]:
        if len(value) > MAX_TEMPLATES:
            raise serializers.ValidationError(f"at most {MAX_TEMPLATES} templates")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        mode = attrs["mode"]
        if mode in ("identify", "verify") and not attrs["templates"]:
            raise serializers.ValidationError({"templates": "biometric modes need templates"})
        if mode in ("verify", "manual") and not attrs["pin"]:
            raise serializers.ValidationError({"pin": f"mode {mode} needs the document's PIN"})
        if mode == "manual" and not attrs["manual_reason"]:
            raise serializers.ValidationError({"manual_reason": "say which manual procedure"})
        return attrs


class _Issue(serializers.Serializer[Any]):
    key = serializers.RegexField(_KEY)
    hlc = serializers.IntegerField(min_value=1, max_value=_HLC_MAX)
    person = serializers.IntegerField(min_value=1, help_text="The list row's ref")
    method = serializers.ChoiceField(choices=["identified", "verified", "manual"])
    kind = serializers.ChoiceField(choices=list(checkin.KINDS), default="station")
    manual_reason = serializers.RegexField(
        r"^[a-z_]{1,40}$", required=False, default="", allow_blank=True
    )


class SyncRequest(serializers.Serializer[Any]):
    issues = _Issue(many=True, help_text="Ballots issued offline, in the order issued")

    def validate_issues(self, value: list[Any]) -> list[Any]:
        if not value or len(value) > MAX_SYNC:
            raise serializers.ValidationError(f"1 to {MAX_SYNC} issues per request")
        return value


class OpenRequest(serializers.Serializer[Any]):
    hlc = serializers.IntegerField(min_value=1, max_value=_HLC_MAX)
    ballots_received = serializers.IntegerField(min_value=0, max_value=100_000)
    package_sha256 = serializers.RegexField(r"^[0-9a-f]{64}$")


class CloseRequest(serializers.Serializer[Any]):
    hlc = serializers.IntegerField(min_value=1, max_value=_HLC_MAX)
    ballots_unused = serializers.IntegerField(min_value=0, max_value=100_000)
    ballots_spoiled = serializers.IntegerField(min_value=0, max_value=100_000)


def _max_skew_s() -> int:
    try:
        return int(
            load_edition(current_election().law_edition).election_day.max_device_clock_skew_s.value
        )
    except Refusal:  # no current election yet: the technical default
        return devices.DEFAULT_MAX_SKEW_S


class DeviceView(APIView):
    """Signed requests of enrolled station devices; adds the server time to every answer."""

    authentication_classes = [SignedRequestAuthentication]
    permission_classes = [HasSignedKey]
    parser_classes = [SafeJSONParser]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response[SERVER_TIME] = str(int(time.time() * 1000))
        return response

    def device(self, request: Request) -> Device:
        key: RegisteredKey = request.auth
        device = devices.device_of(key, path=request.path)
        warm.warm_once()  # after a restart: the opened stations' galleries, in the background
        return device

    def validated(self, serializer: serializers.Serializer[Any]) -> dict[str, Any]:
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def clock(self, device: Device, value: int) -> None:
        devices.read_clock(device, value, now_ms=int(time.time() * 1000), max_skew_s=_max_skew_s())

    def guarded(self, device: Device, request: Request, work: Any) -> Any:
        """Run ``work``; a reading out of order leaves a security event (outside the
        rolled-back transaction) before the 409 goes back."""
        try:
            return work()
        except devices.OutOfOrder as exc:
            security_events.record(
                "device.out_of_order",
                key_id=device.key.key_id,
                station_number=device.station.number,
                path=request.path,
                detail=exc.message,
            )
            raise


class PackageView(DeviceView):
    @extend_schema(
        operation_id="polling_package",
        responses={200: PackageAnswer, **_REFUSALS},
        tags=TAGS,
        description="The device's station package, sealed to its X25519 key and signed.",
    )
    def get(self, request: Request) -> Response:
        device = self.device(request)
        return Response(json.loads(package.sealed(device).to_json()))


class OpenView(DeviceView):
    @extend_schema(
        operation_id="polling_open",
        request=OpenRequest,
        responses={201: OpenAnswer, **_REFUSALS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        device = self.device(request)
        data = self.validated(OpenRequest(data=request.data))
        self.clock(device, data["hlc"])
        report = self.guarded(
            device,
            request,
            lambda: reports.open_station(
                device,
                hlc_value=data["hlc"],
                ballots_received=data["ballots_received"],
                package_sha256=data["package_sha256"],
            ),
        )
        return Response({"station": device.station.number, "opened_at": report.at}, status=201)


class CloseView(DeviceView):
    @extend_schema(
        operation_id="polling_close",
        request=CloseRequest,
        responses={201: CloseAnswer, **_REFUSALS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        device = self.device(request)
        data = self.validated(CloseRequest(data=request.data))
        self.clock(device, data["hlc"])
        report = self.guarded(
            device,
            request,
            lambda: reports.close_station(
                device,
                hlc_value=data["hlc"],
                ballots_unused=data["ballots_unused"],
                ballots_spoiled=data["ballots_spoiled"],
            ),
        )
        return Response({"station": device.station.number, **report.data}, status=201)


class CheckInView(DeviceView):
    @extend_schema(
        operation_id="polling_check_in",
        request=CheckInRequest,
        responses={200: CheckInAnswer, **_REFUSALS},
        tags=TAGS,
        description=(
            "Identify the voter and issue at most one ballot. The answer's `outcome` is one of "
            "issued, already_voted, not_on_list, not_identified, ineligible, no_home_request; "
            "a retry with the same `key` gets the first answer back with `repeat: true`."
        ),
    )
    def post(self, request: Request) -> Response:
        device = self.device(request)
        data = self.validated(CheckInRequest(data=request.data))
        self.clock(device, data["hlc"])
        call = checkin.Request(
            key=data["key"],
            hlc=data["hlc"],
            mode=data["mode"],
            kind=data["kind"],
            captures=tuple(Capture(t["kind"], t["data"]) for t in data["templates"]),
            pin=data["pin"],
            manual_reason=data["manual_reason"],
            attempts=data["attempts"],
        )
        return Response(self.guarded(device, request, lambda: checkin.check_in(device, call)))


class SyncView(DeviceView):
    @extend_schema(
        operation_id="polling_sync",
        request=SyncRequest,
        responses={200: SyncAnswer, **_REFUSALS},
        tags=TAGS,
        description=(
            "Ballots issued offline, in the order issued: one answer per issue (issued, "
            "second_issue, irregular, or refused with out_of_order)."
        ),
    )
    def post(self, request: Request) -> Response:
        device = self.device(request)
        data = self.validated(SyncRequest(data=request.data))
        issues = [offline.OfflineIssue(**item) for item in data["issues"]]
        if any(b.hlc <= a.hlc for a, b in itertools.pairwise(issues)):
            raise InvalidInput("order", "issues must be sent in the order they were issued")
        answers = offline.sync(device, issues)
        refused = [a for a in answers if a.get("outcome") == "refused"]
        for answer in refused:
            security_events.record(
                "device.out_of_order",
                key_id=device.key.key_id,
                station_number=device.station.number,
                path=request.path,
                detail=f"offline issue {answer['key']} out of order",
            )
        return Response({"answers": answers})
