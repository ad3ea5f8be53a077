"""The API's JSON parser: a hostile body is a 400 with its place, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The self-check is throttled per client: each test starts with no request counted."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels at line 1 column 65"),
        ('{"pin": NaN}', "NaN is not a number JSON allows at line 1 column 9"),
        ('{"pin": 1, "pin": 2}', "key 'pin' given twice in one object"),
        ('{"pin": ' + "1" * 5000 + "}", "an integer of 5000 digits (at most 20)"),
    ],
)
def test_the_public_self_check_refuses_a_hostile_body(client, body: str, reason: str) -> None:
    """Once: RecursionError, HTTP 500 (DRF's JSONParser hands the body to json.load)."""
    answer = client.post("/api/selfcheck/", data=body, content_type="application/json")
    assert answer.status_code == 400, answer.content
    payload = answer.json()
    assert payload["code"] == "json_invalid"
    assert payload["problems"][0]["source"] == "body" and reason in payload["problems"][0]["reason"]


def test_a_body_over_the_bound_is_refused(client, monkeypatch) -> None:
    from shailoo.common import parsers

    monkeypatch.setattr(parsers, "MAX_BODY_BYTES", 100)
    answer = client.post(
        "/api/selfcheck/", data="[" + "0," * 100 + "0]", content_type="application/json"
    )
    assert answer.status_code == 400 and "more than the 100 allowed" in answer.json()["detail"]
