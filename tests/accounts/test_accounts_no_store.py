"""Nothing with personal data stays in a cache: ``Cache-Control: no-store`` by default.

Staff pages with personal data and the protocol PDF used to be sent with no caching header,
so a shared computer's browser cache or a proxy kept them. Every answer now carries
``Cache-Control: no-store`` and ``Pragma: no-cache`` unless it is a public read that may be
cached (static files, public results, the public ledger): the walk below requests every URL
pattern (the permission matrix walk's list), anonymously and as a CEC administrator.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from test_accounts_matrix_walk import url_of, walk

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.register.models import ListCorrection

pytestmark = pytest.mark.django_db

PUBLIC_CACHEABLE = (
    "results:",
    "api-results-election",
    "api-results-station",
    "integrity-head",
    "integrity-keys",
    "integrity-inclusion",
    "integrity-consistency",
    # The public pages' JSON twins: public data, one body for every language.
    "portal:calendar_json",
    "portal:ledger_json",
    "portal:open_data_json",
    "portal:stations_json",
    "candidates:public_json",
    "incidents:register_json",
    "finance:funds_json",
    "finance:fund_json",
    "polling:public_json",
)


@pytest.fixture
def world() -> dict[str, Any]:
    f.election("kg-2025", datetime.date(2099, 3, 14))
    station = f.station(101)
    person = f.person(station)
    correction = ListCorrection.objects.create(
        pin=person.pin,
        person=person,
        kind="missing",
        details="x",
        requested_at=timezone.now(),
        due_by="2099-01-01",
    )
    return {"station": station, "person": person, "correction": correction}


def no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


@pytest.mark.parametrize("case", ["anonymous", "cec_admin"])
def test_every_url_but_public_reads_is_sent_no_store(case: str, world: dict[str, Any]) -> None:
    client = Client(raise_request_exception=False)
    user = make_user("cec", Role.CEC_ADMIN) if case == "cec_admin" else None
    if user is not None:
        login_verified(client, user)
    missing, cached = [], []
    for route in walk():
        url = url_of(route, world)
        response = client.get(url)
        method = "GET"
        if response.status_code == 405:
            response, method = client.post(url), "POST"
        public = route.key.startswith(PUBLIC_CACHEABLE) and method == "GET"
        if not public and not no_store(response):
            missing.append((route.key, url, response.status_code, response.get("Cache-Control")))
        if public and no_store(response):
            cached.append(route.key)  # public results keep their own caching
        if route.key in ("logout", "admin:logout") and user is not None:
            login_verified(client, user)
    assert missing == [], missing
    assert cached == [], cached


def test_personal_data_answers_are_no_store(client: Client, world: dict[str, Any]) -> None:
    person = world["person"]
    login_verified(client, make_user("cec", Role.CEC_ADMIN))
    answers = [
        client.get(f"/staff/persons/{person.pk}/"),
        client.post("/staff/persons/", {"q": person.pin}),
        client.post(
            "/api/persons/eligibility/", {"pin": person.pin}, content_type="application/json"
        ),
        client.post("/check/", {"pin": person.pin, "birth_date": "1990-05-17"}),
        client.get("/stations/101/list/"),  # the count, or names where the edition allows
    ]
    for response in answers:
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"


def test_a_view_cannot_weaken_no_store(rf: Any) -> None:
    from django.http import HttpResponse

    from shailoo.accounts.security import SecurityHeadersMiddleware

    def cached_view(request: Any) -> HttpResponse:
        response = HttpResponse("personal data")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    answer = SecurityHeadersMiddleware(cached_view)(rf.get("/staff/persons/1/"))
    assert answer["Cache-Control"] == "no-store" and answer["Pragma"] == "no-cache"
    public = SecurityHeadersMiddleware(cached_view)(rf.get("/results/"))
    assert public["Cache-Control"] == "public, max-age=3600" and "Pragma" not in public


def test_static_files_and_public_results_stay_cacheable(client: Client, rf: Any) -> None:
    from shailoo.accounts.security import cacheable

    css = client.get("/static/shailoo/shailoo.css")
    assert css.status_code == 200 and "no-store" not in css.get("Cache-Control", "")
    assert cacheable(rf.get("/results/")) and cacheable(rf.head("/api/integrity/head/"))
    assert cacheable(rf.get("/finance/KG12/index.json")) and cacheable(rf.get("/calendar.json"))
    # The twins' HTML pages (CSRF tokens) and look-alike addresses stay uncached.
    assert not cacheable(rf.get("/finance/KG12/")) and not cacheable(
        rf.get("/finance/a/b/index.json")
    )
    assert not cacheable(rf.post("/calendar.json")) and not cacheable(rf.get("/calendar.jsonx"))
    assert not cacheable(rf.post("/api/results/protocols/"))
    assert not cacheable(rf.get("/api/results/protocols/"))
    assert not cacheable(rf.get("/staff/results/protocols/1/pdf/"))
    assert not cacheable(rf.get("/stations/101/list.csv"))
