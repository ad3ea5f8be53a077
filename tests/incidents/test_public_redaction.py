"""No complainant's name, phone, e-mail or PIN of the synthetic world reaches a public page.

Complaints come from ``shailoo.synth.incidents`` (the demo's own complainants), with PINs
written into their descriptions as people do ("my neighbour, PIN …"); a third of them are
decided, and a careless handler pastes the complainant's name, phone, e-mail and a PIN into the
public summary, the measures and the legal basis of one. Then every public page — the form,
the look-up, each case's status page, the register with every filter, every page of it, in
every language — is fetched and searched for each of those strings, written as the
complainant wrote them and as bare digits.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

import factories as f
from shailoo.incidents import clock, services
from shailoo.incidents.categories import CATEGORIES
from shailoo.incidents.models import Case
from shailoo.register.pin import build_pin
from shailoo.synth.incidents import generate_reports

pytestmark = pytest.mark.django_db
POLLING_DAY = datetime.date(2027, 3, 14)
LANGS = ("ky", "ru", "en")


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world() -> dict[str, Any]:
    f.election("kg-2025", polling_day=POLLING_DAY)
    stations = [f.station(number).number for number in (1001, 1002, 2001)]
    reports = generate_reports(7, stations, POLLING_DAY, campaign=24, day=12)
    secrets: list[str] = []
    cases: list[Case] = []
    for n, r in enumerate(reports):
        pin = build_pin("F" if n % 2 else "M", datetime.date(1970 + n % 30, 1 + n % 12, 3), n + 1)
        with clock.frozen_at(r.received_at):
            case = services.open_case(
                "public" if r.source == "public_web" else r.source,
                services.Report(
                    category=r.category,
                    description=f"{r.description} Свидетель: {r.complainant_name}, ПИН {pin}, "
                    f"тел. {r.complainant_phone}, {r.complainant_email}",
                    source=r.source,
                    station=r.station,
                    place=r.place,
                    complainant_name=r.complainant_name,
                    complainant_phone=r.complainant_phone,
                    complainant_email=r.complainant_email,
                ),
            )
        cases.append(case)
        secrets += [r.complainant_name, r.complainant_phone, r.complainant_email, pin]
        if n % 3 == 0:
            with clock.frozen_at(r.received_at + datetime.timedelta(hours=1)):
                services.decide(
                    "cli",
                    case,
                    outcome=r.outcome,
                    legal_basis="Constitutional Law No. 68, Art. 43",
                    measures="Materials handed to the prosecutor",
                    referral="Prosecutor's office" if r.outcome == "referred" else "",
                    public_summary=f"Checked at the place; outcome {r.outcome}.",
                )
    # a careless handler: personal data pasted into what is published
    careless = cases[1]
    phone = careless.complainant_phone
    spaced = f"{phone[:4]} {phone[4:7]} {phone[7:10]} {phone[10:]}"
    careless_pin = build_pin("M", datetime.date(1988, 8, 8), 4242)
    secrets += [careless_pin, spaced]
    services.decide(
        "cli",
        careless,
        outcome="upheld",
        legal_basis=f"Art. 43; complaint of {careless.complainant_name}",
        measures=f"Called {careless.complainant_name.split()[0]} back on {spaced}; "
        f"wrote to {careless.complainant_email.upper()}",
        public_summary=f"{careless.complainant_name} (ПИН {careless_pin}) saw cash handed out.",
    )
    return {"cases": cases, "secrets": secrets, "careless": careless}


def public_urls(cases: list[Case]) -> list[str]:
    regions = {c.region.code for c in cases if c.region is not None}
    days = {c.received_at.astimezone(clock.now().tzinfo).date() for c in cases}
    urls = ["/report/", "/report/status/", "/cases/", "/cases/?page=2"]
    urls += [f"/report/{c.reference}/" for c in cases]
    urls += [f"/cases/?category={c}" for c in CATEGORIES]
    urls += [f"/cases/?territory={code}" for code in sorted(regions)]
    urls += [f"/cases/?day={day.isoformat()}" for day in sorted(days)]
    urls += [f"/cases/?status={s}" for s in ("open", "received", "decided", "closed")]
    return urls


def forms_of(secret: str) -> set[str]:
    """The secret as written, and as bare digits where it holds a number."""
    found = {secret}
    digits = re.sub(r"\D", "", secret)
    if len(digits) >= 9:
        found |= {digits, digits[-9:]}
    return found


def test_no_personal_data_on_any_public_page(world) -> None:
    cases: list[Case] = world["cases"]
    assert len(cases) == 36 and sum(c.status == "decided" for c in Case.objects.all()) >= 12
    needles = set().union(*(forms_of(s) for s in world["secrets"]))
    client = Client()
    fetched = 0
    for lang in LANGS:
        for url in public_urls(cases):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
            assert response.status_code == 200, url
            page = response.content.decode()
            leaked = sorted(n for n in needles if n.lower() in page.lower())
            assert leaked == [], f"{url} ({lang}) shows {leaked}"
            fetched += 1
    assert fetched == 3 * len(public_urls(cases))


def test_the_pages_still_say_what_was_done(world) -> None:
    """Redaction removes the person, not the case: the register still lists every case
    with its summary and measures, and the careless summary keeps its facts."""
    careless: Case = world["careless"]
    client = Client()
    listed: set[str] = set()
    for page in (1, 2):
        response = client.get("/cases/", {"page": str(page)})
        listed |= {c.reference for c in response.context["cases"]}
    assert listed == {c.reference for c in world["cases"]}
    status = client.get(f"/report/{careless.reference}/").content.decode()
    assert "saw cash handed out." in status and "Called" in status
    assert "Art. 43; complaint of" in status
    register = client.get("/cases/", {"status": "decided"}).content.decode()
    assert "Materials handed to the prosecutor" in register
    assert "Checked at the place; outcome" in register
