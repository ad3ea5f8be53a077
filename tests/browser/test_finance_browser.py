"""Campaign finance in a real browser: a finance auditor signs in, opens the flag on a company
owned from abroad two layers up, sees the ownership picture, confirms the flag, decides on the
money (the response groups get a case) and discloses it; the fund's public page then shows
the disclosed flag — and never a donor's name or PIN."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from playwright.sync_api import ConsoleMessage, Page, expect

from finance.test_finance_pages import FUND, funded, secrets  # noqa: F401 (fixture by name)
from finance.test_finance_services import world  # noqa: F401 (fixture by name)
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.finance.models import Flag
from shailoo.incidents.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ru(message: str) -> str:
    with translation.override("ru"):
        return translation.gettext(message)


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


def test_an_auditor_confirms_decides_and_discloses_a_flag(
    page: Page,
    browser: Any,
    live_server: Any,
    funded: dict[str, Any],  # noqa: F811
) -> None:
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    flag = Flag.objects.get(kind="foreign_participation")
    auditor = make_user("auditor-kg", Role.FINANCE_AUDITOR)
    context = signed_in(browser, live_server, auditor)
    desk = context.new_page()
    desk.on("console", watch)
    desk.goto("/")
    desk.locator("#nav-finance-audit").click()
    expect(desk).to_have_url(re.compile(r"/staff/finance/$"))
    desk.locator(f'#flags tr[data-flag="{flag.pk}"] a').click()
    expect(desk).to_have_url(re.compile(rf"/staff/finance/flags/{flag.pk}/$"))
    expect(desk.locator("#evidence")).to_contain_text("Fremd GmbH")
    picture = desk.locator("#ownership-picture")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")

    review = desk.locator("#review-form")
    review.locator("input[value=confirm]").check()
    review.locator("textarea[name=reasons]").fill("Выписка из реестра: Fremd GmbH владеет 100 %")
    review.locator("button[type=submit]").click()
    expect(desk.locator("#status")).to_have_attribute("data-status", "confirmed")
    desk.locator("#decide-form button[type=submit]").click()
    expect(desk.locator("#status")).to_have_attribute("data-status", "decided")
    flag.refresh_from_db()
    case = Case.objects.get(reference=flag.case_reference)
    expect(desk.locator("#case-reference")).to_have_text(case.reference)
    expect(desk.locator("ul.messages li.success")).to_contain_text(case.reference)
    expect(desk.locator("#notice-ru")).to_contain_text("бюджет")
    expect(desk.locator("#notice-ky")).to_contain_text(FUND)
    desk.locator("#disclose-form button[type=submit]").click()
    expect(desk.locator("#disclosed")).to_be_visible()
    context.close()

    page.on("console", watch)
    page.goto("/")
    page.locator("#nav-finance").click()
    expect(page).to_have_url(re.compile(r"/finance/$"))
    row = page.locator(f'#funds tr[data-account="{FUND}"]')
    expect(row).to_have_attribute("data-flagged", "250000.00")
    row.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/finance/{FUND}/$"))
    disclosed = page.locator("#flags tr.flag")
    expect(disclosed).to_have_count(1)
    expect(disclosed).to_contain_text(ru("Legal entity with foreign participation"))
    expect(disclosed.locator(".disposition")).to_have_text(ru("transferred to the state budget"))
    expect(page.locator("#chart-income svg rect").first).to_be_visible()
    body = page.content()
    leaked = [s for s in secrets(funded) if s in body]
    assert leaked == []
    assert violations == []
