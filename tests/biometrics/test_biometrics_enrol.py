"""Enrolment: permission and scope, sealed storage, one ledger entry per enrolment naming the
person by reference and templates by SHA-256, supersession, refusals, and no template bytes
leaving through any URL."""

from __future__ import annotations

import base64
import datetime
import hashlib
import math
import re

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import factories as f
from shailoo.accounts.models import PersonalDataAccess
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.biometrics import ansi378, iso19794, services
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.minutiae import FingerTemplate, Minutia
from shailoo.biometrics.models import BiometricEnrolment, BiometricTemplate
from shailoo.common.refusals import Refusal
from shailoo.integrity import ledger
from shailoo.integrity.models import LedgerEntry

pytestmark = pytest.mark.django_db


def finger(position: int, shift: int = 0) -> FingerTemplate:
    minutiae = tuple(
        Minutia(20 + (i * 37 + shift) % 350, 30 + (i * 53) % 420, (i * 0.7) % (2 * math.pi))
        for i in range(40)
    )
    return FingerTemplate(400, 480, minutiae, finger=position, quality=70)


def face(seed: int = 1) -> EmbeddingTemplate:
    vector = np.random.default_rng(seed).standard_normal(512).astype(np.float32)
    return EmbeddingTemplate("synth-face-512", vector)


@pytest.fixture
def country():
    f.election("kg-2025", datetime.date(2099, 3, 14))
    region = f.region("KG-B")
    tec_a, tec_b = f.tec(region, "TA"), f.tec(region, "TB")
    a = f.station(501, district_=f.district(region), tec_=tec_a)
    b = f.station(502, district_=f.district(region), tec_=tec_b)
    return {
        "a": a,
        "b": b,
        "voter": f.person(a),
        "other": f.person(b, surname="Бекова"),
        "tec_a": make_user("tec_a", Role.TEC_OPERATOR, tec_a),
        "pec_a": make_user("pec_a", Role.PEC_OPERATOR, a),
    }


def captures() -> list[services.Capture]:
    return [
        services.Capture("finger_iso", iso19794.to_bytes([finger(2)])),
        services.Capture("finger_ansi", ansi378.to_bytes([finger(7, 5)])),
        services.Capture("embedding", face().quantised().to_bytes()),
    ]


def test_an_operator_enrols_a_voter_of_the_own_territory(country) -> None:
    voter, items = country["voter"], captures()
    enrolment = services.enrol(voter, items, country["tec_a"], device_key="dev-17")
    rows = {t.kind: t for t in enrolment.templates.all()}
    assert set(rows) == {"finger_iso", "finger_ansi", "embedding"}
    assert (rows["finger_iso"].finger, rows["finger_iso"].minutiae) == (2, 40)
    assert rows["finger_ansi"].finger == 7 and rows["embedding"].model_id == "synth-face-512"
    for item in items:
        stored = BiometricTemplate.objects.get(enrolment=enrolment, kind=item.kind)
        assert bytes(stored.data) == item.data
        assert stored.sha256 == hashlib.sha256(item.data).hexdigest()
    assert enrolment.captured_by == "tec_a" and enrolment.device_key == "dev-17"
    assert services.decode_stored(rows["finger_iso"]).minutiae[0].x == finger(2).minutiae[0].x


def test_template_bytes_are_sealed_in_the_database(country) -> None:
    items = captures()
    enrolment = services.enrol(country["voter"], items, "cli")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT data FROM {BiometricTemplate._meta.db_table} WHERE enrolment_id = %s",
            [enrolment.pk],
        )
        raw = [bytes(row[0]) for row in cursor.fetchall()]
    assert len(raw) == 3
    for item in items:
        assert all(item.data not in value and item.data[8:40] not in value for value in raw)


def test_the_ledger_names_person_and_templates_by_reference_only(country) -> None:
    voter, items = country["voter"], captures()
    before = LedgerEntry.objects.count()
    enrolment = services.enrol(voter, items, country["tec_a"])
    entries = list(LedgerEntry.objects.filter(kind=services.ENROL_ENTRY))
    assert LedgerEntry.objects.count() == before + 1 and len(entries) == 1
    text = bytes(entries[0].data).decode("utf-8")
    assert ledger.pin_ref(voter.pin) in text and f"register.person:{voter.pk}" in text
    assert f"biometrics.biometricenrolment:{enrolment.pk}" in text
    for item in items:
        assert hashlib.sha256(item.data).hexdigest() in text
        for encoded in (item.data.hex(), base64.b64encode(item.data).decode()):
            assert encoded[:24] not in text
    assert voter.pin not in text


def test_a_new_enrolment_supersedes_the_previous_one(country) -> None:
    voter = country["voter"]
    first = services.enrol(voter, [finger(2)], "cli")
    second = services.enrol(voter, [finger(2, 3), finger(3)], "cli")
    first.refresh_from_db()
    assert not first.active and second.active
    assert BiometricEnrolment.objects.filter(person=voter, active=True).get() == second
    last = LedgerEntry.objects.filter(kind=services.ENROL_ENTRY).order_by("-sequence").first()
    assert f'"superseded":[{first.pk}]' in bytes(last.data).decode()


@pytest.mark.parametrize("who", ["tec_a_other_person", "pec_a", "nobody"])
def test_enrolment_outside_the_actors_rights_is_refused_and_writes_nothing(country, who) -> None:
    person = country["other"] if who == "tec_a_other_person" else country["voter"]
    actor = {
        "tec_a_other_person": country["tec_a"],
        "pec_a": country["pec_a"],
        "nobody": make_user("plain"),
    }[who]
    before = LedgerEntry.objects.count()
    with pytest.raises(Refusal) as caught:
        services.enrol(person, captures(), actor)
    assert caught.value.code == "forbidden"
    assert not BiometricEnrolment.objects.exists() and LedgerEntry.objects.count() == before


def test_a_malformed_template_is_refused_with_its_offset_and_nothing_is_written(country) -> None:
    bad = bytearray(iso19794.to_bytes([finger(2)]))
    bad[30] |= 0x40  # a reserved bit above the first minutia's y
    items = [*captures()[1:], services.Capture("finger_iso", bytes(bad))]
    with pytest.raises(Refusal) as caught:
        services.enrol(country["voter"], items, "cli")
    assert caught.value.code == "template_invalid"
    assert "3 (finger_iso)" in caught.value.message  # the message is in the active language
    assert "byte 30: reserved bits" in caught.value.message
    assert not BiometricEnrolment.objects.exists()


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([], "no_templates"),
        ([finger(2), finger(2, 9)], "finger_twice"),
        ([face(1), face(2)], "embedding_twice"),
        ([services.Capture("iris", b"x")], "template_kind"),
        ([FingerTemplate(10, 10, (Minutia(20, 5, 0.0),))], "template_invalid"),
        ([services.Capture("embedding", b"SEMB\x01")], "template_invalid"),
    ],
)
def test_inconsistent_enrolments_are_refused(country, items, code) -> None:
    with pytest.raises(Refusal) as caught:
        services.enrol(country["voter"], items, "cli")
    assert caught.value.code == code


def test_a_multi_finger_record_is_stored_one_finger_per_row(country) -> None:
    record = ansi378.to_bytes([finger(1), finger(6, 2)])
    enrolment = services.enrol(country["voter"], [services.Capture("finger_ansi", record)], "cli")
    rows = {t.finger: t for t in enrolment.templates.all()}
    assert set(rows) == {1, 6}
    for position, row in rows.items():
        (decoded,) = ansi378.from_bytes(bytes(row.data))
        assert decoded.finger == position
        assert decoded.minutiae == ansi378.from_bytes(record)[0 if position == 1 else 1].minutiae


def test_staff_see_template_metadata_in_the_admin_and_each_view_is_logged(country) -> None:
    items = captures()
    enrolment = services.enrol(country["voter"], items, "cli")
    cec = make_user("cec", Role.CEC_ADMIN)
    client = Client()
    login_verified(client, cec)
    response = client.get(f"/admin/biometrics/biometricenrolment/{enrolment.pk}/change/")
    assert response.status_code == 200
    body = response.content
    assert hashlib.sha256(items[0].data).hexdigest().encode() in body
    access = PersonalDataAccess.objects.get()
    assert access.subject_id == country["voter"].pk and access.username == "cec"
    assert (
        access.subject_type == "register.person"
        and country["voter"].pin not in access.subject_label
    )


def _routes(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def _concrete(route: str, values: dict[str, str]) -> str:
    url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "x"), url)
    return url.replace("^", "").rstrip("$")


@pytest.mark.slow
def test_no_url_returns_template_bytes(country) -> None:
    """Every URL pattern, as a CEC administrator (every permission), with the enrolled
    person's and enrolment's ids: no answer carries a template, raw, hex or base64."""
    items = captures()
    voter = country["voter"]
    enrolment = services.enrol(voter, items, "cli")
    cec = make_user("cec", Role.CEC_ADMIN)
    client = Client()
    login_verified(client, cec)
    needles = []
    for item in items:
        needles += [item.data[:48], item.data.hex()[:48].encode()]
        needles += [base64.b64encode(item.data)[:48], base64.b64encode(item.data[1:])[:48]]
        needles += [base64.b64encode(item.data[2:])[:48]]
    seen, reached = 0, set()
    for route in sorted(set(_routes())):
        ids = (str(enrolment.pk), str(voter.pk)) if "<" in route or "(?P" in route else ("",)
        for object_id in ids:
            values = {
                "pk": object_id,
                "object_id": object_id,
                "number": str(country["a"].number),
                "pin": voter.pin,
                "app_label": "biometrics",
                "url": "x/",
            }
            url = _concrete(route, values)
            response = client.get(url)
            seen += 1
            if "biometrics/biometricenrolment" in url and response.status_code == 200:
                reached.add(url)
            body = b"".join(response) if response.streaming else response.content
            assert not any(n in body for n in needles), route
    assert seen > 40
    assert f"/admin/biometrics/biometricenrolment/{enrolment.pk}/change/" in reached


def test_cli_enrol_synth_enrols_fingers_and_a_face_per_person(country, monkeypatch) -> None:
    from typer.testing import CliRunner

    from shailoo.cli import app

    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready
    f.person(country["a"], surname="Үчүнчү")
    result = CliRunner().invoke(
        app, ["biometrics", "enrol-synth", "--persons", "2", "--seed", "5", "--station", "501"]
    )
    assert result.exit_code == 0, result.output
    enrolments = BiometricEnrolment.objects.filter(active=True)
    assert enrolments.count() == 2 and {e.person.station.number for e in enrolments} == {501}
    kinds = sorted(BiometricTemplate.objects.values_list("kind", "finger"))
    assert kinds == [("embedding", None)] * 2 + [("finger_iso", 2)] * 2 + [("finger_iso", 7)] * 2
    first = sorted(BiometricTemplate.objects.values_list("sha256", flat=True))
    BiometricEnrolment.objects.update(active=False)
    again = CliRunner().invoke(
        app, ["biometrics", "enrol-synth", "--persons", "2", "--seed", "5", "--station", "501"]
    )
    assert again.exit_code == 0
    active = BiometricTemplate.objects.filter(enrolment__active=True)
    assert sorted(active.values_list("sha256", flat=True)) == first  # same seed, same bytes
    assert LedgerEntry.objects.filter(kind=services.ENROL_ENTRY).count() == 4
    bad = CliRunner().invoke(app, ["biometrics", "enrol-synth", "--station", "999"])
    assert bad.exit_code == 2 and "no such polling station" in bad.output


def test_the_biometrics_admin_pages_are_in_the_permission_matrix() -> None:
    from shailoo.accounts.roles import URLS, AdminPage, Open, Permission

    names = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "admin":
            names |= {
                f"admin:{p.name}"
                for p in entry.url_patterns
                if isinstance(p, URLResolver)
                for p in p.url_patterns
                if isinstance(p, URLPattern)
                and p.name
                and p.name.startswith(
                    ("biometrics_biometricenrolment_", "biometrics_identificationlog_")
                )
            }
    assert len(names) == 10
    for name in names:
        expected = Open.NOBODY if name.endswith(("_add", "_delete")) else None
        access = URLS[name]
        assert access == expected or access == AdminPage(Permission.BIOMETRIC_VIEW), name
