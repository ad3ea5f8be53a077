"""No full PIN leaves the server in a log record or a response header.

An outsider found full PINs in the server log: the eligibility API carried the PIN in its
path, and every 4xx logs the path. This scan drives the API and the pages, public and staff
(self-check, person search, eligibility API, voting-place change, corrections, precinct
lists, the dedup pair pages, the admin, 4xx and 5xx answers, old PIN-in-the-URL addresses)
over synthetic persons, records every log record at DEBUG (on the root logger and on
``django.server``, which does not propagate), and asserts that no 14-digit run equal to a
PIN of the synthetic register appears in any record — message, arguments, traceback, extras
— or in any response header (``Location`` of a redirect, ``Content-Disposition``, cookies).

The capture handler is added after the platform's own handlers, so it sees a record as any
further handler (an error tracker, a log shipper) would.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.biometrics.dedup.models import DedupRun, DuplicateCandidate
from shailoo.portal.views import SelfCheckThrottle
from shailoo.register.models import ListCorrection, Person
from shailoo.register.pin import build_pin, mask_pin

LOGGERS = ("", "django", "django.request", "django.server", "django.db.backends", "shailoo")
UNKNOWN_PIN = build_pin("M", datetime.date(1985, 1, 2), 4242)  # well formed, nobody's


class Capture(logging.Handler):
    """Keeps every record it is handed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def record_text(record: logging.LogRecord) -> str:
    """Everything a handler could write from ``record``: message, traceback, stack, extras."""
    parts = [logging.Formatter().format(record), repr(record.msg), repr(record.args)]
    parts += [
        repr(value) for value in record.__dict__.values() if isinstance(value, str | tuple | list)
    ]
    return "\n".join(parts)


@pytest.fixture
def logs() -> Iterator[Capture]:
    capture = Capture()
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    for name in ("", "django.server"):
        logging.getLogger(name).addHandler(capture)
    try:
        yield capture
    finally:
        for name in ("", "django.server"):
            logging.getLogger(name).removeHandler(capture)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def assert_no_pin(pins: set[str], capture: Capture, responses: list[tuple[str, Any]]) -> None:
    assert capture.records, "the scan captured no log record at all"
    for record in capture.records:
        text = record_text(record)
        leaked = [pin for pin in pins if pin in text]
        assert not leaked, f"{record.name}: {text[:400]}"
    for what, response in responses:
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        headers += "\n" + response.cookies.output()
        leaked = [pin for pin in pins if pin in headers]
        assert not leaked, f"{what}: {headers}"


@pytest.fixture
def country() -> dict[str, Any]:
    """A current election, two TECs, a handful of synthetic voters, a correction, a pair."""
    f.election("kg-2025", datetime.date(2099, 3, 14))
    region = f.region("KG-C")
    tec = f.tec(region, "T1")
    home = f.station(101, region=region, district_=f.district(region), tec_=tec)
    other = f.station(102, region=region, district_=f.district(region), tec_=tec)
    voter = f.person(home)
    twin = f.person(home, "Өмүрова", "Айгүл", "Талантовна", birth_date=datetime.date(1991, 1, 2))
    mover = f.person(other, "Асанов", "Бакыт", "", sex="M")
    f.person(home, "Бекова", "Жылдыз", "", eligible=False, biometric_registered=False)
    correction = ListCorrection.objects.create(
        pin=voter.pin,
        person=voter,
        kind="wrong_data",
        details="typo in the surname",
        requested_at=timezone.now(),
        due_by=datetime.date(2099, 1, 1),
    )
    run = DedupRun.objects.create(actor="cli", run_dir="/nonexistent", status="finished")
    low, high = sorted((voter, twin), key=lambda p: p.pk)
    pair = DuplicateCandidate.objects.create(
        run=run, person_a=low, person_b=high, face_score=0.9, fused_strength=12.0
    )
    return {"voter": voter, "mover": mover, "correction": correction, "pair": pair, "tec": tec}


@pytest.fixture
def sql_logged() -> Iterator[None]:
    """SQL statements and their parameters logged (``django.db.backends``), as with DEBUG."""
    connection.force_debug_cursor = True
    try:
        yield
    finally:
        connection.force_debug_cursor = False


@pytest.mark.django_db
@pytest.mark.usefixtures("sql_logged")
def test_no_pin_in_any_log_record_or_header(
    logs: Capture, country: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ROOT_URLCONF = "leak_urls"  # the site plus a page and an API view that fail
    cache.clear()
    voter, mover = country["voter"], country["mover"]
    pin, birth = voter.pin, voter.birth_date.isoformat()
    responses: list[tuple[str, Any]] = []

    def ask(client: Client, method: str, url: str, data: Any = None, **extra: Any) -> Any:
        response = getattr(client, method)(url, data, **extra)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        responses.append((f"{method.upper()} {url}", response))
        return response

    public = Client(raise_request_exception=False)
    htmx = {"headers": {"HX-Request": "true"}}
    # -- the public portal and API
    ask(public, "get", "/")
    ask(public, "get", "/check/")
    ask(public, "post", "/check/", {"pin": pin, "birth_date": birth})
    ask(public, "post", "/check/", {"pin": pin, "birth_date": "1990-01-01"}, **htmx)
    ask(public, "post", "/check/", {"pin": pin[:13], "birth_date": birth}, **htmx)
    ask(public, "get", "/check/", {"pin": pin, "birth_date": birth})  # typed into the URL
    ask(public, "post", "/api/selfcheck/", {"pin": pin, "birth_date": birth}, format="json")
    ask(public, "post", "/api/selfcheck/", {"pin": pin, "birth_date": "1990-01-01"})
    ask(public, "post", "/api/selfcheck/", {"pin": pin + "0", "birth_date": birth})
    ask(public, "get", "/stations/", {"q": "101"})
    ask(public, "get", "/stations/101/list/")
    ask(public, "get", "/stations/101/list.csv")
    ask(public, "get", "/stations/999/list/")
    ask(public, "post", "/api/persons/eligibility/", {"pin": pin}, content_type="application/json")
    ask(public, "get", f"/api/persons/{pin}/eligibility/")  # the old address: 404, logged
    ask(public, "get", f"/no-such-page/{pin}/")
    ask(public, "get", f"/staff/persons/?q={pin}")  # to the login, next= without the query
    ask(public, "get", f"/accounts/login/?next=/staff/persons/%3Fq%3D{pin}")
    # -- 5xx: a page and an API view that fail, naming the PIN in their exception
    ask(public, "post", "/boom/", {"pin": pin})
    ask(public, "post", "/api/boom/", {"pin": pin}, content_type="application/json")
    # -- a throttled self-check
    monkeypatch.setitem(SelfCheckThrottle.THROTTLE_RATES, "selfcheck", "1/min")
    cache.clear()
    for _ in range(2):
        ask(public, "post", "/check/", {"pin": pin, "birth_date": birth})
        ask(public, "post", "/api/selfcheck/", {"pin": pin, "birth_date": birth}, format="json")

    # -- staff: a CEC administrator, and a clerk of another TEC (403s and 404s)
    staff = Client(raise_request_exception=False)
    login_verified(staff, make_user("cec", Role.CEC_ADMIN))
    outsider = Client(raise_request_exception=False)
    login_verified(outsider, make_user("other", Role.TEC_OPERATOR, f.tec()))
    person_url = f"/staff/persons/{voter.pk}/"
    for client in (staff, outsider):
        ask(client, "get", "/staff/")
        ask(client, "get", "/staff/persons/")
        ask(client, "post", "/staff/persons/", {"q": pin})
        ask(client, "post", "/staff/persons/", {"q": "Омурова"}, **htmx)
        ask(client, "get", "/staff/persons/", {"q": pin})
        ask(client, "get", person_url)
        ask(client, "get", f"{person_url}voting-place/")  # 405
        ask(client, "post", f"/staff/persons/{mover.pk}/voting-place/", {"station_number": 101})
        ask(client, "post", f"{person_url}voting-place/", {"station_number": 99999})
        ask(client, "get", "/staff/corrections/")
        ask(client, "post", "/staff/corrections/", {"pin": pin, "kind": "missing", "details": "x"})
        ask(client, "post", "/staff/corrections/", {"pin": pin[:-1] + "x", "kind": "missing"})
        ask(
            client,
            "post",
            "/staff/corrections/",
            {"pin": UNKNOWN_PIN, "kind": "missing", "details": "not found by the clerk"},
        )
        answer = f"/staff/corrections/{country['correction'].pk}/answer/"
        ask(client, "post", answer, {"decision": "accept", "answer": "corrected"})
        for body in ({"pin": pin, "lang": "ky"}, {"pin": UNKNOWN_PIN}, {"pin": pin, "lang": "fr"}):
            ask(client, "post", "/api/persons/eligibility/", body, content_type="application/json")
        ask(client, "post", "/api/persons/eligibility/", f"pin={pin}", content_type="text/plain")
        ask(client, "get", f"/api/persons/{pin}/eligibility/")
        pair = f"/staff/dedup/{country['pair'].pk}/"
        ask(client, "get", "/staff/dedup/")
        ask(client, "get", pair)
        ask(client, "post", f"{pair}decide/", {"outcome": "different_persons", "reason": pin})
        ask(client, "get", "/staff/dedup/999999/")
        ask(client, "get", "/admin/register/person/", {"q": pin})
        ask(client, "get", f"/admin/register/person/{voter.pk}/change/")
        ask(client, "get", "/admin/register/listcorrection/", {"q": pin})
        ask(client, "get", "/accounts/access-log/", {"subject": voter.pk})
        ask(client, "post", "/boom/", {"pin": pin})

    pins = set(Person.objects.values_list("pin", flat=True))
    pins |= set(ListCorrection.objects.values_list("pin", flat=True)) | {UNKNOWN_PIN}
    assert len(pins) >= 5
    assert_no_pin(pins, logs, responses)
    # The scan saw the paths that used to leak, masked: the old eligibility address, the
    # 500's traceback, and SQL with its parameters.
    text = "\n".join(record_text(record) for record in logs.records)
    assert f"Not Found: /api/persons/{mask_pin(pin)}/eligibility/" in text
    assert f"could not load the person with PIN {mask_pin(pin)}" in text
    assert any(record.name == "django.db.backends" for record in logs.records)
    statuses = {response.status_code for _, response in responses}
    assert {200, 302, 400, 403, 404, 405, 415, 429, 500} <= statuses


def test_the_development_server_request_line_is_masked(logs: Capture) -> None:
    """``runserver`` logs every request line (``django.server``), query string included."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    pin = build_pin("F", datetime.date(1990, 5, 17), 77)
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler, ipv6=False)
    server.set_app(WSGIHandler())  # not get_wsgi_application: it reconfigures logging
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/no-such-page/{pin}/?pin={pin}"
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(url, timeout=10)
        assert answer.value.code == 404
        assert pin not in json.dumps(dict(answer.value.headers))
    finally:
        server.shutdown()
        server.server_close()
    lines = [r for r in logs.records if r.name == "django.server"]
    assert lines and all(pin not in record_text(r) for r in lines)
    assert f"GET /no-such-page/{mask_pin(pin)}/?pin={mask_pin(pin)}" in lines[0].getMessage()
    assert_no_pin({pin}, logs, [])
