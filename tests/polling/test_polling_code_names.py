"""Election-day staff pages name what devices and the law send by code: a manual issuance's
reason in the law edition's words (not ``fingerprint_unreadable``), the conflict rule of a
second ballot (not ``earliest_issue``), a security event (not ``device.clock_wrong``), a TEC
by its name (its code muted beside it)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.integrity import security_events
from shailoo.law.loader import load_edition
from shailoo.polling.labels import CONFLICT_RULE_LABELS, SECURITY_EVENT_LABELS
from shailoo.polling.models import SecondIssue
from visible_text import visible

from .day_kit import day  # noqa: F401 (the fixture is used by name)
from .test_pages import yesterday  # noqa: F401 (the fixture is used by name)

pytestmark = pytest.mark.django_db


def _named_tec(station: Any) -> Any:
    """The station's TEC under a name that does not repeat its code."""
    tec = station.tec
    tec.name = "Октябрьская районная избирательная комиссия"
    tec.save(update_fields=["name"])
    return tec


def _page(url: str, lang: str = "ru") -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    user = get_user_model().objects.filter(username="cec").first()
    login_verified(client, user or make_user("cec", Role.CEC_ADMIN))
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_station_record_names_reasons_rules_events_and_its_tec(yesterday: Any) -> None:  # noqa: F811
    kit = yesterday["kit_a"]
    tec = _named_tec(yesterday["a"])
    security_events.record("device.clock_wrong", key_id=kit.device.key.key_id, detail="+400 s")
    html = _page(reverse("polling:station", args=[801]))
    text = visible(html)
    law = load_edition("kg-2025").election_day
    reason = law.manual_reasons.value["fingerprint_unreadable"].ru
    manual = visible(html, 'id="manual"', "</table>")
    assert reason in manual and "fingerprint_unreadable" not in manual
    rule = SecondIssue.objects.get().rule
    with translation.override("ru"):
        rule_name = str(CONFLICT_RULE_LABELS[rule])
        event = str(SECURITY_EVENT_LABELS["device.clock_wrong"])
    assert rule_name in visible(html, 'id="second-issues"', "</table>") and rule not in text
    events = visible(html, 'id="security-events"', "</table>")
    assert event in events and "device.clock_wrong" not in events
    assert 'data-kind="device.clock_wrong"' in html  # the code stays for scripts and tests
    assert tec.name in text and tec.code not in text


def test_the_dashboard_names_each_tec(yesterday: Any) -> None:  # noqa: F811
    tec = _named_tec(yesterday["a"])
    html = _page(reverse("polling:dashboard"))
    tecs = visible(html, 'id="tecs"', "</table>")
    assert tec.name in tecs and tec.code not in tecs
    assert re.search(rf'<code class="muted">{re.escape(tec.code)}</code>', html)
    chosen = _page(reverse("polling:dashboard") + f"?tec={tec.code}")
    heading = visible(chosen, 'id="stations-heading"', "</h2>")
    assert tec.name in heading and tec.code not in heading


def test_every_conflict_rule_and_event_kind_has_a_name() -> None:
    from typing import get_args

    from shailoo.integrity.submissions import Reason
    from shailoo.law.schema import ConflictRule

    assert set(get_args(ConflictRule)) == set(CONFLICT_RULE_LABELS)
    assert {f"request.{r.value}" for r in Reason} <= set(SECURITY_EVENT_LABELS)
