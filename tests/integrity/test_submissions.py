"""Signed submissions: the happy path and one test per rejection reason."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shailoo.integrity import keys
from shailoo.integrity.models import SUBMISSION, TREE_HEAD, RegisteredKey
from shailoo.integrity.submissions import (
    BODY_SHA256,
    HEADERS,
    SEQUENCE,
    SIGNATURE,
    TIMESTAMP,
    Reason,
    SubmissionRejected,
    sign_request,
    verify_request,
)

pytestmark = pytest.mark.django_db

PATH = "/api/polling/turnout/?station=1234"
BODY = b'{"station": 1234, "turnout": 512}'


@pytest.fixture
def device() -> Ed25519PrivateKey:
    private = keys.generate()
    keys.register_key(keys.raw_public(private), usage=SUBMISSION, actor="t", station_number=1234)
    return private


def _verify(headers: dict[str, str], method: str = "POST", path: str = PATH, body: bytes = BODY):
    return verify_request(method, path, body, headers)


def _rejected(reason: Reason, headers: dict[str, str], **kwargs: object) -> SubmissionRejected:
    with pytest.raises(SubmissionRejected) as caught:
        _verify(headers, **kwargs)  # type: ignore[arg-type]
    assert caught.value.reason == reason, caught.value.message
    return caught.value


def test_a_signed_request_is_accepted_and_its_sequence_stored(device) -> None:
    key = _verify(sign_request(device, "POST", PATH, BODY, sequence=7))
    assert key.station_number == 1234
    assert RegisteredKey.objects.get(pk=key.pk).last_sequence == 7
    assert _verify(sign_request(device, "POST", PATH, BODY, sequence=9)).last_sequence == 9


@pytest.mark.parametrize("missing", HEADERS)
def test_missing_header(device, missing: str) -> None:
    headers = sign_request(device, "POST", PATH, BODY, sequence=1)
    del headers[missing]
    _rejected(Reason.MISSING_HEADER, headers)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (TIMESTAMP, "yesterday"),
        (SEQUENCE, "-3"),
        (SEQUENCE, "0"),
        (SEQUENCE, "1e5"),
        (SIGNATURE, "not base64!"),
        (SIGNATURE, "AAAA"),
        (BODY_SHA256, "abc"),
    ],
)
def test_malformed_header(device, name: str, value: str) -> None:
    headers = sign_request(device, "POST", PATH, BODY, sequence=1)
    headers[name] = value
    _rejected(Reason.MALFORMED_HEADER, headers)


def test_unknown_key() -> None:
    stranger = keys.generate()
    _rejected(Reason.UNKNOWN_KEY, sign_request(stranger, "POST", PATH, BODY, sequence=1))


def test_revoked_key(device) -> None:
    headers = sign_request(device, "POST", PATH, BODY, sequence=1)
    keys.revoke_key(headers["X-Shailoo-Key-Id"], actor="t", reason="device lost")
    _rejected(Reason.REVOKED_KEY, headers)


def test_rotated_out_key_is_not_in_force(device) -> None:
    headers = sign_request(device, "POST", PATH, BODY, sequence=1)
    keys.rotate_key(headers["X-Shailoo-Key-Id"], keys.raw_public(keys.generate()), actor="t")
    with pytest.raises(SubmissionRejected) as caught:
        verify_request("POST", PATH, BODY, headers, now=time.time() + 5)
    assert caught.value.reason == Reason.KEY_NOT_IN_FORCE


def test_a_tree_head_key_may_not_sign_submissions() -> None:
    commission = keys.generate()
    keys.register_key(
        keys.raw_public(commission), usage=TREE_HEAD, actor="t", commission_code="CEC"
    )
    _rejected(Reason.WRONG_KEY_USAGE, sign_request(commission, "POST", PATH, BODY, sequence=1))


def test_body_hash_mismatch(device) -> None:
    headers = sign_request(device, "POST", PATH, BODY, sequence=1)
    _rejected(Reason.BODY_HASH_MISMATCH, headers, body=BODY.replace(b"512", b"612"))


@pytest.mark.parametrize(
    "change",
    [
        {"path": "/api/polling/turnout/?station=9999"},
        {"method": "PUT"},
    ],
)
def test_bad_signature(device, change: dict[str, str]) -> None:
    headers = sign_request(device, "POST", PATH, BODY, sequence=1)
    _rejected(Reason.BAD_SIGNATURE, headers, **change)


def test_a_forged_signature_by_another_key(device) -> None:
    headers = sign_request(device, "POST", PATH, BODY, sequence=1)
    forged = sign_request(keys.generate(), "POST", PATH, BODY, sequence=1)
    headers[SIGNATURE] = forged[SIGNATURE]
    _rejected(Reason.BAD_SIGNATURE, headers)


@pytest.mark.parametrize("offset", [-301, 301, -86400])
def test_stale_timestamp(device, offset: int) -> None:
    stamp = int(time.time()) + offset
    headers = sign_request(device, "POST", PATH, BODY, sequence=1, timestamp=stamp)
    _rejected(Reason.STALE_TIMESTAMP, headers)


def test_skew_is_configurable(device, settings) -> None:
    settings.SHAILOO_SUBMISSION_MAX_SKEW_S = 3600
    stamp = int(time.time()) - 1800
    assert _verify(sign_request(device, "POST", PATH, BODY, sequence=1, timestamp=stamp))


def test_replayed_sequence(device) -> None:
    headers = sign_request(device, "POST", PATH, BODY, sequence=5)
    _verify(headers)
    _rejected(Reason.REPLAYED_SEQUENCE, headers)
    older = sign_request(device, "POST", PATH, BODY, sequence=4)
    _rejected(Reason.REPLAYED_SEQUENCE, older)
    assert RegisteredKey.objects.get().last_sequence == 5


@pytest.mark.urls("integrity_test_urls")
class TestAuthenticationClass:
    url = "/api/integrity/signed/ping/"

    def test_a_device_pings_with_a_signed_request(self, client, device) -> None:
        headers = sign_request(device, "POST", self.url, b"", sequence=3)
        response = client.post(self.url, data=b"", content_type="text/plain", headers=headers)
        assert response.status_code == 200, response.content
        assert response.json()["station_number"] == 1234
        assert response.json()["sequence"] == 3

    def test_a_refused_signature_says_why(self, client, device) -> None:
        headers = sign_request(device, "POST", self.url, b"", sequence=3)
        client.post(self.url, data=b"", content_type="text/plain", headers=headers)
        response = client.post(self.url, data=b"", content_type="text/plain", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "replayed_sequence"
        assert response.headers["WWW-Authenticate"].startswith("Shailoo-Signature")

    def test_an_unsigned_request_is_refused(self, client) -> None:
        response = client.post(self.url, data=b"", content_type="text/plain")
        assert response.status_code in (401, 403)


def test_a_view_reads_the_signed_json_body(device) -> None:
    """Authentication reads the raw body; the view can still parse it as request.data."""
    from rest_framework.permissions import AllowAny
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    from shailoo.integrity.submissions import HasSignedKey, SignedRequestAuthentication

    class Turnout(APIView):
        authentication_classes = [SignedRequestAuthentication]
        permission_classes = [AllowAny, HasSignedKey]

        def post(self, request):  # type: ignore[no-untyped-def]
            return Response({"turnout": request.data["turnout"], "key": request.auth.key_id})

    path = "/api/polling/turnout/"
    body = b'{"turnout": 512}'
    headers = sign_request(device, "POST", path, body, sequence=1)
    request = APIRequestFactory().post(
        path, data=body, content_type="application/json", headers=headers
    )
    response = Turnout.as_view()(request)
    assert response.status_code == 200
    assert response.data == {"turnout": 512, "key": headers["X-Shailoo-Key-Id"]}
