"""Election day in a real browser: a TEC operator signs in, opens the election-day dashboard,
reads the turnout of the TEC and its manual issuances, opens a station's record from the
list and finds the second ballot issued there while the devices were offline — with the case
of the response groups, and without a PIN anywhere. The public then reads the published
turnout, not the live one."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import ConsoleMessage, Page, expect

from polling.day_kit import calibration_files, day  # noqa: F401 (fixtures used by name)
from polling.test_pages import manual, yesterday  # noqa: F401 (fixture used by name)
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.polling import turnout
from shailoo.polling.models import SecondIssue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser: Any, live_server: Any, user: Any) -> Any:
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    context.set_default_timeout(15_000)
    client = Client()
    login_verified(client, user)
    name = django_settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    return context


def test_a_tec_operator_follows_turnout_and_finds_a_second_ballot(
    page: Page,
    browser: Any,
    live_server: Any,
    yesterday: dict[str, Any],  # noqa: F811
) -> None:
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    station_a = yesterday["a"]
    extra = SecondIssue.objects.get()
    operator = make_user("tec-a", Role.TEC_OPERATOR, station_a.tec)
    context = signed_in(browser, live_server, operator)
    desk = context.new_page()
    desk.on("console", watch)
    desk.goto("/staff/polling/")
    summary = desk.locator("#summary")
    # Station A: two ballots stand (one of them manual) of six voters on its list.
    expect(summary).to_have_attribute("data-voted", "2")
    expect(desk.locator("#turnout strong")).to_have_text("33,33 %")
    expect(desk.locator("#manual-count")).to_have_attribute("data-count", "1")
    expect(desk.locator("#manual-count")).to_have_class(re.compile(r"\balert\b"))
    expect(desk.locator(f'#tecs tr[data-tec="{station_a.tec.code}"]')).to_be_visible()
    expect(desk.locator("#stations tr[data-station]")).to_have_count(1)
    expect(desk.locator("#hour-chart g.bar[data-hour='9']")).to_have_attribute("data-ballots", "1")
    expect(desk.locator("#second-count")).to_have_attribute("data-count", "1")

    desk.locator('#stations tr[data-station="801"] a').click()
    expect(desk).to_have_url(re.compile(r"/staff/polling/station/801/$"))
    second = desk.locator("#second-issues tr.second")
    expect(second).to_have_count(1)
    expect(second).to_have_attribute("data-side", "second")
    expect(second).to_have_attribute("data-case", extra.case_reference)
    expect(second).to_contain_text("№804")
    expect(second).to_contain_text(extra.case_reference)
    expect(desk.locator("#manual tr.manual")).to_have_count(1)
    body = desk.content()
    assert all(person.pin not in body for person in yesterday["voters"])
    context.close()

    turnout.publish_due(yesterday["election"])
    assert manual(yesterday["kit_b"], yesterday["at_b"][0], "late-1")["outcome"] == "issued"
    page.on("console", watch)
    page.goto("/turnout/")
    expect(page.locator("#country")).to_have_attribute("data-voted", "4")
    page.locator("#id_at").select_option("12:00")
    page.locator("#time-choice button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/turnout/\?at=12%3A00$"))
    expect(page.locator("#country")).to_have_attribute("data-voted", "3")
    assert violations == []
