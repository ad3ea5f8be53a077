"""A case raised by a check speaks in names: which alert (not ``counting.control``), which
domain raised it and which routine routed it (not ``counting``, ``routing``), which TEC (not
``TEC-…``); the codes stay in a muted ``<code>`` for cross-reference."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.incidents import clock, services
from shailoo.incidents.forms import ALERT_LABELS
from shailoo.incidents.views_staff import actor_label, alert_name
from visible_text import visible

pytestmark = pytest.mark.django_db
BISHKEK = ZoneInfo("Asia/Bishkek")


@pytest.fixture
def case() -> Iterator[Any]:
    f.election("kg-2025", polling_day=datetime.date(2027, 3, 14))
    region = f.region("KG-GB")
    tec = f.tec(region, "TEC-KG-GB-04", name="ТИК Свердловского района")
    station = f.station(1001, district_=f.district(region), tec_=tec)
    with clock.frozen_at(datetime.datetime(2027, 3, 14, 21, tzinfo=BISHKEK)):
        yield services.raise_alert(
            "counting",
            "control",
            category="count_irregularity",
            summary="control relation fails",
            station=station.number,
            subject="counting_results.countingalert:4",
        )


def _case_page(case: Any, lang: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    login_verified(client, make_user("cec", Role.RESPONSE_GROUP, agency="commission"))
    response = client.get(reverse("incidents:case", args=[case.reference]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_alert_case_names_its_alert_its_source_and_its_tec(case: Any) -> None:
    html = _case_page(case, "en")
    text = visible(html)
    with translation.override("en"):
        alert = str(ALERT_LABELS["counting.control"])
    assert alert in visible(html, 'id="alert"', "</dd>")
    assert "counting.control" not in text and "countingalert" not in text
    assert '<code class="muted">counting.control counting_results.countingalert:4</code>' in html
    timeline = visible(html, 'id="timeline"', "</table>")
    assert "vote counting" in timeline and "automatic routing" in timeline
    assert "ТИК Свердловского района" in timeline and "TEC-KG-GB-04" not in timeline
    facts = visible(html, 'id="case-facts"', "</dl>")
    assert "· vote counting" in facts and "· counting" not in facts


def test_every_alert_a_domain_raises_has_a_name() -> None:
    """The alerts the domains raise (grep ``raise_alert``), by source and kind."""
    raised = {
        "counting.control",
        "counting.discrepancy",
        "counting.no_automatic",
        "biometrics.duplicate_enrolment",
        "register.likely_duplicate",
        "register.crowded_dwelling",
        "polling.ballot_balance",
        "polling.offline_off_list",
        "polling.second_ballot",
        "polling.double_vote_attempt",
        "candidates.foreign_participant",
    }
    from shailoo.finance.screening.model import FLAG_KINDS

    raised |= {f"finance.{kind}" for kind in FLAG_KINDS}
    assert raised <= set(ALERT_LABELS)
    with translation.override("en"):
        for kind in raised:
            assert alert_name(kind) != kind
        assert alert_name("outside.system_alert") == "outside.system_alert"
        assert actor_label("Асанова Гүлзат") == "Асанова Гүлзат"  # a person stays a person
