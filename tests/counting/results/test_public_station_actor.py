"""A protocol entered and accepted by a system process (the demo's ``demo:pec-101`` and
``demo:tec-T1``, the command line) is named by the commission it acted for, never "not
recorded" and never by the process's own name: the precinct commission of the station for
the protocol entered, the territorial commission for its acceptance or dispute.
"""

from __future__ import annotations

import json
from typing import Any

import pypdfium2
import pytest
from django.core.cache import cache as django_cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from public_world import lines, named_world, schema_errors, visible

from shailoo.counting.results import decisions, services

pytestmark = pytest.mark.django_db

VOTES = {"a": 300, "b": 200, "c": 50}


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    django_cache.clear()
    return named_world(monkeypatch, tmp_path)


def demo_protocol(world: dict[str, Any], number: int, *, disputed: bool = False) -> Any:
    """As the demo does it: the station's precinct commission enters the count, its
    territorial commission accepts it (and, for a disputed one, disputes it after)."""
    station = next(s for s in world["stations"] if s.number == number)
    pec, tec = f"demo:pec-{station.number}", f"demo:tec-{station.tec.code}"
    election = world["election"]
    services.record_automatic_count(election, station, "pres", VOTES, pec, source="scanner")
    version = services.enter_protocol(election, station, "pres", lines(), VOTES, pec)
    decisions.accept_protocol(version.protocol, tec)
    if disputed:
        decisions.dispute_protocol(version.protocol, tec, "the seal on the box was broken")
    return version


def station_json(world: dict[str, Any], number: int) -> dict[str, Any]:
    url = reverse("results:station_json", args=[world["election"].code, number])
    return Client().get(url).json()


def ru(message: str) -> str:
    with translation.override("ru"):
        return gettext(message)


def test_a_demo_acceptance_names_the_territorial_commission(world: dict[str, Any]) -> None:
    demo_protocol(world, 101)
    data = station_json(world, 101)
    assert schema_errors(data) == []
    (protocol,) = data["protocols"]
    accepted = protocol["accepted"]
    assert accepted["by"] == {
        "kind": "commission",
        "system": "demo",
        "role": "tec",
        "commission": {"level": "tec", "code": "T1", "name": "Аламүдүн районунун ТШК"},
    }
    (version,) = protocol["history"]
    assert version["by"] == {
        "kind": "commission",
        "system": "demo",
        "role": "pec",
        "commission": {"level": "station", "code": "101"},
    }
    code = world["election"].code
    text = visible(Client().get(reverse("results:station", args=[code, 101])).content.decode())
    tec = f"{ru('territorial election commission')}, Аламүдүн районунун ТШК"
    pec = ru("precinct commission №%(number)s") % {"number": 101}
    assert tec in text, "the acceptance names the territorial commission"
    assert pec in text, "the version names the precinct commission"
    assert ru("not recorded") not in text
    raw = json.dumps(data, ensure_ascii=False)
    for actor in ("demo:pec-101", "demo:tec-T1"):
        assert actor not in raw and actor not in text


def test_a_station_of_another_tec_names_its_own_commission(world: dict[str, Any]) -> None:
    """The commission comes from the protocol's station, not from a fixed name: station 201
    is in Naryn's TEC, and a dispute is the territorial commission's act too."""
    demo_protocol(world, 201, disputed=True)
    (protocol,) = station_json(world, 201)["protocols"]
    assert protocol["status"] == "disputed" and protocol["accepted"] is None
    accept, dispute = protocol["history"][0]["decisions"]
    for decision in (accept, dispute):
        assert decision["by"]["role"] == "tec"
        assert decision["by"]["commission"] == {
            "level": "tec",
            "code": "T2",
            "name": "Нарын районунун ТШК",
        }
    assert protocol["history"][0]["by"]["commission"] == {"level": "station", "code": "201"}


def test_the_pdf_names_the_commission_that_accepted(world: dict[str, Any]) -> None:
    demo_protocol(world, 101)
    code = world["election"].code
    response = Client().get(reverse("results:protocol_pdf", args=[code, 101, "pres"]))
    assert response.status_code == 200
    text = "".join(
        page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(response.content)
    )
    flat = " ".join(text.split())  # a long line wraps at the margin
    accepted = flat.split("Принял:")[1].split("Key:")[0]
    assert "Аламүдүн районунун ТШК" in accepted
    assert ru("territorial election commission") in accepted
    assert ru("not recorded") not in flat and "demo:" not in flat
    version = flat.split("Версия / Нуска")[1].split("1. ")[0]
    assert ru("precinct commission №%(number)s") % {"number": 101} in version


def test_a_staff_account_is_still_named_by_its_role(world: dict[str, Any]) -> None:
    """A person acting is named by the role they held, not by the act's commission."""
    from shailoo.accounts.roles import Role
    from shailoo.accounts.testing import make_user

    s101 = world["stations"][0]
    clerk = make_user("aigul.pec101", Role.PEC_OPERATOR, s101)
    services.record_automatic_count(world["election"], s101, "pres", VOTES, "cli")
    version = services.enter_protocol(world["election"], s101, "pres", lines(), VOTES, clerk)
    decisions.accept_protocol(version.protocol, "cli")
    (protocol,) = station_json(world, 101)["protocols"]
    (entered,) = protocol["history"]
    assert entered["by"]["kind"] == "staff"
    assert entered["by"]["roles"][0]["role"] == "pec_operator"
    assert protocol["accepted"]["by"]["kind"] == "commission"
    assert protocol["accepted"]["by"]["system"] == "cli"
