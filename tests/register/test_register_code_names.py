"""The register's staff pages name what the register stores by code: the eligibility rules a
person fails (not ``AGE,BIOMETRICS``), the law edition's voting-place rule, the fields and
values of a person's history, the regions; a code stays only in a ``title`` or ``<code>``."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.register import services
from shailoo.register.labels import VOTING_PLACE_MODES, history_lines
from shailoo.register.models import ListCorrection, Person, PersonChange
from visible_text import visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting() -> dict[str, object]:
    f.election("kg-2025", datetime.date(2099, 3, 14), name="Выборы 2099")
    region = f.region("KG-Y", name_ky="Ысык-Көл облусу", name_ru="Иссык-Кульская область")
    station = f.station(101, district_=f.district(region))
    child = f.person(
        station,
        birth_date=datetime.date(2090, 1, 1),
        biometric_registered=False,
        eligible=False,
        ineligible_codes="AGE,BIOMETRICS",
    )
    user = make_user("clerk", Role.CEC_ADMIN)
    return {"child": child, "user": user}


def _page(user: object, url: str, lang: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    login_verified(client, user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_person_s_failed_rules_and_the_voting_place_rule_are_named(
    setting: dict[str, object],
) -> None:
    child = setting["child"]
    assert isinstance(child, Person)
    html = _page(setting["user"], reverse("register:person", args=[child.pk]), "ru")
    text = visible(html)
    assert re.search(r"Возраст\s*,\s*Биометрическая регистрация", text)
    assert "AGE" not in text and "BIOMETRICS" not in text
    assert 'title="BIOMETRICS"' in html
    assert "registered_address_with_remote" not in text  # kg-2025's rule, by name
    with translation.override("ru"):
        rule = str(VOTING_PLACE_MODES["registered_address_with_remote"])
    assert rule in text
    assert "kg-2025" not in text and "01.06.2025" in text  # the edition by when it is in force


def test_the_dashboard_names_regions_in_the_reader_s_language(setting: dict[str, object]) -> None:
    for lang, name in (("ky", "Ысык-Көл облусу"), ("ru", "Иссык-Кульская область")):
        text = visible(_page(setting["user"], reverse("register:dashboard"), lang))
        assert name in text and "KG-Y" not in text, lang


def test_a_person_s_history_names_fields_and_values(setting: dict[str, object]) -> None:
    child, user = setting["child"], setting["user"]
    assert isinstance(child, Person)
    correction = services.request_correction(child.pin or "", "wrong_data", "Wrong birth date")
    services.answer_correction(correction, True, "Corrected from the registry.", user)
    PersonChange.objects.create(
        person=child,
        actor="import",
        source=PersonChange.Source.IMPORT,
        changes={"biometric_registered": [False, True], "sex": ["F", "M"]},
    )
    html = _page(user, reverse("register:person", args=[child.pk]), "en")
    history = visible(html, 'id="history"', "</table>")
    with translation.override("en"):
        kind = str(ListCorrection.Kind.WRONG_DATA.label)
        accepted = str(ListCorrection.Status.ACCEPTED.label)
        field = str(Person._meta.get_field("biometric_registered").verbose_name)
    assert kind in history and accepted in history
    assert field.capitalize() in history and "no → yes" in history
    assert "female → male" in history
    for code in ("wrong_data", "biometric_registered", "correction #"):
        assert code not in history


def test_history_lines_keep_an_unknown_field_and_a_missing_value_readable() -> None:
    with translation.override("en"):
        (line,) = history_lines({"future_field": [None, "x"]}, "en")
        assert (line.name, line.old, line.new) == ("future_field", "—", "x")
        (codes,) = history_lines({"ineligible_codes": ["", "AGE,ALIVE"]}, "en")
        assert codes.new == "Age, Death record" and codes.old == "—"
