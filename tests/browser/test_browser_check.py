"""The voter self-check in a real browser always shows the answer to the latest question.

htmx drops 4xx/5xx responses unless told otherwise, which once left the previous voter's
"You are on the voter list" on screen after a malformed PIN (400) or the rate limit (429).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import translation
from playwright.sync_api import ConsoleMessage, Page, Route, expect

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import code, device_for, make_user
from shailoo.register.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ru(message: str) -> str:
    with translation.override("ru"):
        return translation.gettext(message)


ON_LIST = ru("You are on the voter list.")
CORRECT = ru("Please correct the details:")
PIN_LENGTH = ru("must be exactly 14 digits")
THROTTLED = ru("Too many checks from this address. Please wait a minute and try again.")
FAILED = ru("The answer could not be loaded. Check your connection and try again.")


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    cache.clear()  # the live server runs in this process: one local-memory cache
    yield
    cache.clear()


@pytest.fixture
def voter() -> Person:
    f.election("kg-2025", datetime.date(2099, 3, 14))
    station = f.station(101, name="Мектеп №5", address="Ош ш., Курманжан Датка көч., 5")
    return f.person(station)


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    found: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", watch)
    return found


def ask(page: Page, pin: str, birth: datetime.date) -> None:
    page.fill("#id_pin", pin)
    page.fill("#id_birth_date", birth.isoformat())
    page.click("#check-form button[type=submit]")


def test_a_malformed_pin_replaces_the_previous_answer(
    page: Page, voter: Person, csp_violations: list[str]
) -> None:
    assert PIN_LENGTH != "must be exactly 14 digits", "the PIN reasons must be translated"
    page.goto("/check/")
    page.evaluate("window.samePage = true")
    result = page.locator("#check-result")
    ask(page, voter.pin, voter.birth_date)
    expect(result.locator(".status.ok")).to_have_text(ON_LIST)
    expect(result).to_contain_text("№101")

    ask(page, "123", voter.birth_date)
    expect(result).to_contain_text(PIN_LENGTH)  # the field's problem, in Russian
    expect(result).to_contain_text(CORRECT)
    expect(result).not_to_contain_text(ON_LIST)
    expect(result).not_to_contain_text("№101")
    expect(result.locator("#check-answer")).to_have_count(1)
    assert page.evaluate("window.samePage") is True  # swapped in by htmx, no reload

    ask(page, voter.pin, voter.birth_date)  # and the next good question is answered again
    expect(result.locator(".status.ok")).to_have_text(ON_LIST)
    expect(result).not_to_contain_text(PIN_LENGTH)
    assert csp_violations == []


def test_the_rate_limit_answer_is_shown(
    page: Page, voter: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"selfcheck": "2/min"})
    page.goto("/check/")
    result = page.locator("#check-result")
    for _ in range(2):
        ask(page, voter.pin, voter.birth_date)
        expect(result.locator(".status.ok")).to_have_text(ON_LIST)
    with page.expect_response(re.compile(r"/check/$")) as answer:
        ask(page, voter.pin, voter.birth_date)
    assert answer.value.status == 429  # still a meaningful status for programs
    expect(result).to_contain_text(THROTTLED)
    expect(result).not_to_contain_text(ON_LIST)


@pytest.mark.parametrize("failure", ["server_error", "network"])
def test_a_failed_request_never_leaves_the_old_answer(
    page: Page, voter: Person, failure: str
) -> None:
    page.goto("/check/")
    result = page.locator("#check-result")
    ask(page, voter.pin, voter.birth_date)
    expect(result.locator(".status.ok")).to_have_text(ON_LIST)

    def fail(route: Route) -> None:
        if failure == "network":
            route.abort("connectionreset")
        else:
            route.fulfill(status=500, body="<h1>Server Error (500)</h1>", content_type="text/html")

    page.route(re.compile(r"/check/$"), fail)
    ask(page, voter.pin, voter.birth_date)
    expect(result).to_contain_text(FAILED)
    expect(result).not_to_contain_text(ON_LIST)
    expect(result).not_to_contain_text("Server Error")


@pytest.fixture
def no_js_page(browser, live_server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, locale="ru-RU", java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_without_javascript_the_page_shows_every_answer(no_js_page: Page, voter: Person) -> None:
    page = no_js_page
    page.goto("/check/")
    ask(page, voter.pin, voter.birth_date)
    expect(page.locator("#check-result .status.ok")).to_have_text(ON_LIST)
    ask(page, "123", voter.birth_date)
    result = page.locator("#check-result")
    expect(result).to_contain_text(PIN_LENGTH)
    expect(result).not_to_contain_text(ON_LIST)


def test_staff_search_shows_a_failure_instead_of_old_results(page: Page, voter: Person) -> None:
    clerk = make_user("clerk", Role.TEC_OPERATOR, voter.station.tec, password="pw-12345-long")
    device = device_for(clerk)
    page.goto("/accounts/login/?next=/staff/persons/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw-12345-long")
    page.click("form.card button[type=submit]")
    page.fill("#id_token", code(device))
    page.click("form.card button[type=submit]")
    expect(page).to_have_url(re.compile(r"/staff/persons/$"))
    results = page.locator("#results")
    page.fill("#id_q", "Өмүрова")
    page.click("form.search button[type=submit]")
    expect(results.locator("a", has_text="Өмүрова Айгүл")).to_be_visible()

    page.route(
        re.compile(r"/staff/persons/$"),  # the search is a POST: no query in the URL
        lambda route: route.fulfill(status=500, body="oops", content_type="text/html"),
    )
    page.fill("#id_q", "Омурова Айгүл")
    page.click("form.search button[type=submit]")
    expect(results).to_contain_text(FAILED)
    expect(results.locator("a", has_text="Өмүрова Айгүл")).to_have_count(0)
