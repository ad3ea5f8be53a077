"""The commission workspace in a real browser at 1280 px: a clerk types a protocol into the
per-field form, sees the law's arithmetic fail beside the line as she types, fixes it and
records it; a second person accepts and signs it. The header fits the window in Kyrgyz,
Russian and English, the skip link leads to the content, and a disabled button looks it.

Screenshots go to ``tests/browser/artifacts/`` (or ``$SHAILOO_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect

from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.counting.results import decisions, services
from shailoo.counting.results.models import Protocol

# The protocol helpers live beside the counting tests; not on sys.path when these run alone.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "counting"))
from counting_results_helpers import VOTES, enter, import_definition, setup_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("SHAILOO_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))
WIDTH = 1280


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def say(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Stations 101, 102 (TEC T1) and 201 (T2), contest ``pres`` (Asanov, Bekova, Against
    all) imported, the scanners' count a=300, b=200, c=50 at 101; tolerance 2 votes."""
    found = setup_world(monkeypatch, tmp_path)
    import_definition(found)
    services.record_automatic_count(
        found["election"], found["stations"][0], "pres", VOTES, "cli", source="scanner"
    )
    return found


@pytest.fixture
def tab(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    """A fresh 1280 px wide tab signed in as ``user``, in ``language``."""
    contexts: list[BrowserContext] = []

    def open_tab(user: Any, language: str = "ru", javascript: bool = True) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="ru-RU",
            viewport={"width": WIDTH, "height": 900},
            java_script_enabled=javascript,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        client = Client()
        login_verified(client, user)
        session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session,
                    "url": live_server.url,
                },
                {
                    "name": django_settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": live_server.url,
                },
            ]
        )
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def field(page: Page, label: str) -> Any:
    return page.locator("#protocol-form-pres").get_by_label(label, exact=True)


def fill_protocol(page: Page, **changes: int) -> None:
    """Type station 101's consistent protocol (``changes`` to it) field by field, by label."""
    values = {
        "Voters on the list": 1000,
        "Ballots received": 1000,
        "Ballots issued": 565,
        "Ballots spoiled": 5,
        "Ballots unused (cancelled)": 430,
        "Ballots found in the box": 560,
        "Invalid ballots": 10,
        "Asanov ru": 300,
        "Bekova ru": 200,
        "Against all ru": 50,
    }
    values.update({k.replace("_", " "): v for k, v in changes.items()})
    for label, value in values.items():
        name = label if label.endswith(" ru") else say("ru", label)
        field(page, name).fill(str(value))


def test_a_clerk_enters_a_protocol_and_a_second_person_accepts_it(
    world: dict[str, Any], tab: Callable[..., Page]
) -> None:
    code = world["election"].code
    s101 = world["stations"][0]
    clerk = tab(make_user("pec-101", Role.PEC_OPERATOR, s101))
    problems: list[str] = []
    clerk.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    clerk.on("pageerror", lambda error: problems.append(str(error)))
    clerk.goto(f"/staff/results/stations/101/?election={code}")
    form = clerk.locator("#protocol-form-pres")
    expect(form).to_be_visible()
    received = field(clerk, say("ru", "Ballots received"))
    received_msg = clerk.locator(f"#{received.get_attribute('id')}-msg")

    fill_protocol(clerk, **{"Ballots unused (cancelled)": 431, "Asanov ru": 296})
    # The law's arithmetic, live and in the reader's language: 1000 ≠ 565 + 5 + 431.
    expect(received_msg).to_contain_text(say("ru", "Ballots received"))
    expect(received_msg).to_contain_text("1\xa0001")
    expect(received).to_have_attribute("aria-invalid", "true")
    unused = field(clerk, say("ru", "Ballots unused (cancelled)"))
    expect(unused).to_have_attribute("aria-invalid", "true")
    # ... and 560 found = 10 invalid + 546 valid fails too, beside "found in the box".
    found_msg = clerk.locator(
        f"#{field(clerk, say('ru', 'Ballots found in the box')).get_attribute('id')}-msg"
    )
    expect(found_msg).to_contain_text("556")  # 10 invalid + 546 valid
    # The scanners' count beside the manual one: 296 typed, 300 read, beyond the tolerance.
    row_a = form.locator("tr[data-option=a]")
    expect(row_a.locator("td.auto")).to_have_text("300")
    expect(row_a.locator("td.diff")).to_have_text("-4")
    expect(row_a.locator("td.diff")).to_have_class(re.compile(r"\bover\b"))
    expect(form.locator("output[data-sum]")).to_have_text("546")
    shot(clerk, "protocol-form-live-error-ru")

    unused.fill("430")
    field(clerk, "Asanov ru").fill("300")
    expect(received_msg).to_have_text("")
    expect(found_msg).to_have_text("")
    expect(received).not_to_have_attribute("aria-invalid", "true")
    expect(row_a.locator("td.diff")).to_have_text("0")
    expect(form.locator("output[data-sum]")).to_have_text("550")
    assert problems == []  # no script error, nothing the Content-Security-Policy refused
    form.get_by_role("button", name=say("ru", "Record the protocol")).click()
    expect(clerk).to_have_url(re.compile(r"/staff/results/protocols/\d+/$"))
    expect(clerk.locator("ul.messages li.success")).to_be_visible()
    expect(clerk.get_by_role("button", name=say("ru", "Accept and sign"))).to_have_count(0)
    protocol = Protocol.objects.get()
    assert protocol.current.lines["ballots_unused"] == 430 and protocol.current.votes == VOTES
    assert protocol.current.entered_by == "pec-101"

    chair = tab(make_user("tec-1", Role.TEC_OPERATOR, world["tecs"][0]))
    chair.goto(f"/staff/results/protocols/{protocol.pk}/")
    accept = chair.get_by_role("button", name=say("ru", "Accept and sign"))
    expect(accept).to_be_enabled()
    comparison = chair.locator("#comparison tbody tr").first
    expect(comparison).to_contain_text("Asanov ru")
    expect(comparison.locator("td").nth(2)).to_have_text("0")
    accept.click()
    expect(chair.locator("ul.messages li.success")).to_have_text(
        say("ru", "Protocol accepted and signed.")
    )
    expect(accept).to_be_disabled()
    shot(chair, "protocol-accepted-ru")
    protocol.refresh_from_db()
    assert protocol.status == Protocol.Status.ACCEPTED
    (decision,) = protocol.decisions.all()
    assert decision.actor == "tec-1" and decision.signature


def test_without_javascript_the_server_puts_the_error_beside_the_line(
    world: dict[str, Any], tab: Callable[..., Page]
) -> None:
    code = world["election"].code
    clerk = tab(make_user("pec-101", Role.PEC_OPERATOR, world["stations"][0]), javascript=False)
    clerk.goto(f"/staff/results/stations/101/?election={code}")
    fill_protocol(clerk, **{"Ballots unused (cancelled)": 431})
    clerk.locator("#protocol-form-pres button[type=submit]").click()
    received = field(clerk, say("ru", "Ballots received"))
    message = clerk.locator(f"#{received.get_attribute('id')}-msg")
    expect(message).to_contain_text("1\xa0001")
    expect(received).to_have_attribute("aria-invalid", "true")
    expect(field(clerk, say("ru", "Ballots unused (cancelled)"))).to_have_value("431")
    assert not Protocol.objects.exists()
    shot(clerk, "protocol-form-server-error-ru")


def test_a_blocked_protocols_accept_button_looks_and_is_disabled(
    world: dict[str, Any], tab: Callable[..., Page]
) -> None:
    version = enter(world, world["stations"][0], automatic={"a": 290, "b": 200, "c": 50})
    chair = tab(make_user("tec-1", Role.TEC_OPERATOR, world["tecs"][0]))
    chair.goto(f"/staff/results/protocols/{version.protocol_id}/")
    accept = chair.get_by_role("button", name=say("ru", "Accept and sign"))
    expect(accept).to_be_disabled()
    expect(accept).to_have_accessible_description(re.compile(".+"))
    style = accept.evaluate(
        "b => { const s = getComputedStyle(b); return [s.cursor, s.backgroundColor]; }"
    )
    enabled = chair.locator("#dispute-form button[type=submit]").evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert style[0] == "not-allowed"
    assert style[1] != enabled and style[1] != "rgb(184, 0, 46)"  # not the action colour
    shot(chair, "protocol-blocked-ru")


@pytest.mark.parametrize("language", ["ky", "ru", "en"])
def test_the_header_fits_1280_px_with_everything_reachable(
    world: dict[str, Any], tab: Callable[..., Page], language: str
) -> None:
    s101, s102, _ = world["stations"]
    enter(world, s101, automatic={"a": 290, "b": 200, "c": 50})  # an alert
    decisions.accept_protocol(enter(world, s102).protocol, "cli")
    page = tab(make_user("cec-admin-1", Role.CEC_ADMIN), language)
    page.goto(f"/staff/results/?election={world['election'].code}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    header = page.locator("header.top")
    logout = header.get_by_role("button", name=say(language, "Log out"))
    for control in (logout, header.locator("form.lang button[value=ky]")):
        expect(control).to_be_in_viewport()
        box = control.bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH
    protocols = header.get_by_role("link", name=say(language, "Protocols"), exact=True)
    expect(protocols).to_have_attribute("aria-current", "page")
    public = page.locator("nav.public li")
    tops = {round(item.bounding_box()["y"]) for item in public.all()}  # type: ignore[index]
    assert len(tops) == 1, "the public links stay in one row"

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=say(language, "Skip to content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")  # the first control of the content, not the menu again
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused
    alerts = page.locator("h2").first
    expect(alerts).to_have_text(say(language, "Counting alerts"))
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4 * 900, height
    shot(page, f"results-dashboard-{language}")
