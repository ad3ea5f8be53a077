"""A complaint in a real browser: a citizen files it on the public form, gets the reference
number, follows it on the status page; a member of the agency it was routed to decides it in
the staff workspace, and the public status then shows the outcome — and never the citizen.
An observer signed in files a report and follows it under "My reports"."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from playwright.sync_api import ConsoleMessage, Page, expect

import factories as f
from shailoo.accounts.models import PersonalDataAccess
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.incidents import forms, services
from shailoo.incidents.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ru(message: str) -> str:
    with translation.override("ru"):
        return translation.gettext(message)


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    cache.clear()  # the live server runs in this process: one local-memory cache
    yield
    cache.clear()


@pytest.fixture
def station() -> Any:
    f.election("kg-2025", polling_day=datetime.date(2099, 3, 14))
    return f.station(1001, name="Мектеп №5")


def test_a_citizen_files_and_follows_a_complaint_and_sees_the_decision(
    page: Page, browser: Any, live_server: Any, station: Any
) -> None:
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    page.goto("/report/")
    expect(page.locator("h1")).to_have_text(ru("Report an election violation"))
    form = page.locator("#report-form")
    expect(form.locator("input[name=leave_empty]")).to_be_hidden()
    form.locator("select[name=category]").select_option(label=ru("Vote buying"))
    form.locator("textarea[name=description]").fill("У входа раздают деньги, 500 сомов за голос")
    form.locator("input[name=station]").fill("1001")
    form.locator("input[name=name]").fill("Сыдыкова Гүлнара")
    form.locator("input[name=phone]").fill("+996 700 123 456")
    page.wait_for_timeout(forms.MIN_FILL_SECONDS * 1000 + 300)  # as long as a person takes
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/report/KG-[A-Z0-9]{5}-[A-Z0-9]{5}/$"))
    reference = page.locator("#reference").inner_text()
    case = Case.objects.get()
    assert reference == case.reference and case.agency == "police"
    expect(page.locator("ul.messages li.success")).to_contain_text(reference)
    expect(page.locator("#status")).to_have_text(ru("received, not yet examined"))
    expect(page.locator("#category")).to_have_text(ru("Vote buying"))
    expect(page.locator("#no-decision")).to_be_visible()

    # follow it later, typing the number as people read it out
    page.goto("/report/status/")
    code = reference[3:].replace("-", "")
    page.locator("#lookup-form input[name=reference]").fill(f"kg {code[:5].lower()} {code[5:]}")
    page.locator("#lookup-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/report/{reference}/$"))
    expect(page.locator("#place")).to_contain_text("№1001")

    # a police member of the station's TEC decides it
    staff = browser.new_context(base_url=live_server.url, locale="ru-RU")
    member = make_user("police-tec", Role.RESPONSE_GROUP, station.tec, agency="police")
    client = Client()
    login_verified(client, member)
    name = django_settings.SESSION_COOKIE_NAME
    staff.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    desk = staff.new_page()
    desk.goto("/staff/incidents/")
    desk.locator(f'tr[data-reference="{reference}"] a').click()
    expect(desk.locator("#complainant")).to_contain_text("Сыдыкова Гүлнара")
    decision = desk.locator("#decision-form")
    decision.locator("select[name=outcome]").select_option("upheld")
    decision.locator("input[name=legal_basis]").fill("Конституционный закон № 68, ст. 43")
    decision.locator("textarea[name=measures]").fill("Раздача прекращена, составлен протокол")
    decision.locator("textarea[name=public_summary]").fill("Факт раздачи денег подтверждён")
    decision.locator("button[type=submit]").click()
    expect(desk.locator("#status")).to_have_text(ru("decided"))
    staff.close()
    assert PersonalDataAccess.objects.filter(username="police-tec", subject_id=case.pk).exists()

    page.reload()
    expect(page.locator("#status")).to_have_text(ru("decided"))
    expect(page.locator("#decision-1 .outcome")).to_have_text(ru("complaint upheld"))
    expect(page.locator("#decision-1 .legal-basis")).to_have_text(
        "Конституционный закон № 68, ст. 43"
    )
    expect(page.locator("#decision-1 .measures")).to_have_text(
        "Раздача прекращена, составлен протокол"
    )
    expect(page.locator("#summary")).to_have_text("Факт раздачи денег подтверждён")
    body = page.locator("body").inner_text()
    assert "Сыдыкова" not in body and "700 123 456" not in body and "500 сомов" not in body

    page.goto("/cases/")
    row = page.locator(f'#register tr[data-reference="{reference}"]')
    expect(row).to_contain_text("Раздача прекращена")
    expect(page.locator("#chart-by-category svg rect")).to_have_count(1)
    assert violations == []


def signed_in_context(browser: Any, live_server: Any, user: Any) -> Any:
    """A browser context carrying ``user``'s session (password and second factor passed)."""
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    context.set_default_timeout(15_000)
    client = Client()
    login_verified(client, user)
    name = django_settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    return context


def test_an_observer_files_a_report_signed_in_and_follows_it_under_my_reports(
    browser: Any, live_server: Any, station: Any
) -> None:
    observer = make_user("observer-osh", Role.OBSERVER)
    context = signed_in_context(browser, live_server, observer)
    tab = context.new_page()
    tab.goto("/")
    tab.locator("#nav-my-reports").click()
    expect(tab).to_have_url(re.compile(r"/staff/incidents/mine/$"))
    expect(tab.locator("h1")).to_have_text(ru("My reports"))
    expect(tab.locator("#mine tbody")).to_contain_text(ru("You have not filed a report yet."))
    tab.locator("#new-link").click()
    form = tab.locator("#intake-form")
    form.locator("select[name=category]").select_option(label=ru("Illegal campaigning"))
    form.locator("textarea[name=description]").fill(
        "Агитационные листовки в кабине для голосования"
    )
    form.locator("input[name=station]").fill("1001")
    form.locator("button[type=submit]").click()

    expect(tab).to_have_url(re.compile(r"/staff/incidents/mine/$"))
    case = Case.objects.get()
    assert (case.source, case.reporter, case.agency) == ("observer", "observer-osh", "commission")
    expect(tab.locator("ul.messages li.success")).to_contain_text(case.reference)
    row = tab.locator(f'#mine tr[data-reference="{case.reference}"]')
    expect(row).to_contain_text(ru("Illegal campaigning"))
    expect(row).to_contain_text("№1001 · Мектеп №5")
    expect(row.locator("td.status")).to_have_text(ru("received, not yet examined"))
    expect(tab.locator("#mine tbody tr")).to_have_count(1)
    assert "Агитационные листовки" not in tab.locator("#mine").inner_text()

    # the group decides it; the observer sees the outcome and the public summary
    services.decide(
        "cli", case, outcome="upheld", legal_basis="Art. 22", measures="Leaflets removed",
        public_summary="Листовки убраны из кабины",
    )  # fmt: skip
    tab.reload()
    expect(row.locator("td.status")).to_have_text(f"{ru('decided')}: {ru('complaint upheld')}")
    expect(row.locator("td.summary")).to_have_text("Листовки убраны из кабины")
    row.locator("a").click()  # to the public status page, not the case file
    expect(tab).to_have_url(re.compile(rf"/report/{case.reference}/$"))
    expect(tab.locator("#summary")).to_have_text("Листовки убраны из кабины")
    refused = tab.goto(f"/staff/incidents/{case.reference}/")  # the case file is the group's
    assert refused is not None and refused.status == 403
    assert "Агитационные листовки" not in tab.locator("body").inner_text()
    context.close()
