"""What people do in a real browser: a voter checks their station, staff explain a verdict,
anyone switches the interface to Kyrgyz."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import translation
from playwright.sync_api import ConsoleMessage, Page, expect

import factories as f
from shailoo.accounts.models import TOTPDevice
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import code, device_for, make_user
from shailoo.register.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def voter() -> Person:
    f.election("kg-2025", datetime.date(2099, 3, 14))
    station = f.station(101, name="Мектеп №5", address="Ош ш., Курманжан Датка көч., 5")
    return f.person(station)


def test_voter_checks_their_polling_station(page: Page, voter: Person) -> None:
    page.goto("/check/")
    page.fill("#id_pin", voter.pin)
    page.fill("#id_birth_date", voter.birth_date.isoformat())
    page.evaluate("window.samePage = true")
    page.click("#check-form button[type=submit]")
    answer = page.locator("#check-answer")
    expect(answer).to_contain_text("№101")
    expect(answer).to_contain_text("Курманжан Датка")
    expect(answer.locator(".status.ok")).to_be_visible()
    assert page.evaluate("window.samePage") is True  # htmx swapped the answer in: no reload
    expect(page.locator("#id_pin")).to_have_value(voter.pin)


def test_voter_with_wrong_birth_date_learns_nothing(page: Page, voter: Person) -> None:
    page.goto("/check/")
    page.fill("#id_pin", voter.pin)
    page.fill("#id_birth_date", "1990-05-18")
    page.click("#check-form button[type=submit]")
    answer = page.locator("#check-answer")
    expect(answer).to_be_visible()
    expect(answer).not_to_contain_text("№101")


def test_staff_finds_a_person_and_reads_the_explanation(page: Page, voter: Person) -> None:
    clerk = make_user("clerk", Role.TEC_OPERATOR, voter.station.tec, password="pw-12345-long")
    device = device_for(clerk)
    Person.objects.filter(pk=voter.pk).update(biometric_registered=False, eligible=False)
    page.goto("/staff/persons/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))  # deny by default
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw-12345-long")
    page.click("form.card button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/verify/$"))  # the password is not enough
    page.fill("#id_token", code(device))
    page.click("form.card button[type=submit]")
    expect(page).to_have_url(re.compile(r"/staff/persons/$"))
    page.fill("#id_q", voter.pin)  # by PIN: the PIN stays out of the address bar and the logs
    page.click("form.search button[type=submit]")
    expect(page.locator("#results a", has_text="Өмүрова Айгүл")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff/persons/$"))
    page.fill("#id_q", "Омурова")  # typed without the Kyrgyz letters
    page.click("form.search button[type=submit]")
    result = page.locator("#results a", has_text="Өмүрова Айгүл")
    expect(result).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff/persons/$"))
    result.click()
    explanation = page.locator("#explanation")
    expect(explanation).to_contain_text("Биометрическая регистрация")
    expect(explanation.locator("li.fail")).to_have_count(1)
    expect(explanation).to_contain_text("ч. 2 ст. 14")


def test_switching_to_kyrgyz_changes_the_labels(page: Page, voter: Person) -> None:
    with translation.override("ky"):
        kyrgyz_home = translation.gettext("Home")
    page.goto("/")
    home_link = page.locator("#nav-home")
    before = home_link.inner_text()
    assert kyrgyz_home != before, "the Kyrgyz catalogue must translate the 'Home' label"
    page.click("form.lang button[value=ky]")
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    expect(home_link).to_have_text(kyrgyz_home)


def test_first_login_enrols_an_authenticator_from_the_qr_page(page: Page, voter: Person) -> None:
    make_user("newcomer", Role.CEC_MEMBER, password="pw-12345-long")
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    page.goto("/accounts/login/")
    page.fill("#id_username", "newcomer")
    page.fill("#id_password", "pw-12345-long")
    page.click("form.card button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/enrol/$"))
    expect(page.locator("#totp-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user__username="newcomer")
    assert secret == device.secret_base32
    page.fill("#id_token", code(device))
    page.click("form.card button[type=submit]")
    expect(page).to_have_url(re.compile(r"/staff/$"))
    page.goto("/check/")  # htmx page: its script and settings load under the strict policy
    expect(page.locator("#check-form")).to_be_visible()
    assert violations == []
