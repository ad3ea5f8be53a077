"""A nomination in a real browser: commission staff file it through the form, check it against
the registries, decide, and see the refusal with its reason and legal basis; the public page
then shows the same reason, and nothing personal.

The registries are the default table adapters, filled row by row for the person before the
nomination is filed, as a live connector would have answered.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from playwright.sync_api import Page, expect

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.candidates import registry_models as reg
from shailoo.candidates import services
from shailoo.candidates.models import Candidate, Participant, RegistrationDecision
from shailoo.law.loader import load_edition
from shailoo.register.pin import build_pin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRTH = datetime.date(1975, 6, 2)
PIN = build_pin("M", BIRTH, 4242)
CITIZENSHIP_REFERENCE = "CIT-2027-0042"


def ru(text: str) -> str:
    """``text`` as the Russian interface shows it (the tab asks for Russian)."""
    with translation.override("ru"):
        return translation.gettext(text)


@pytest.fixture
def sign_in(page: Page, live_server: Any) -> Callable[[Any], None]:
    """Give the tab the session a password + TOTP login leaves."""

    def as_user(user: Any) -> None:
        client = Client()
        login_verified(client, user)
        name = django_settings.SESSION_COOKIE_NAME
        cookie = {"name": name, "value": client.cookies[name].value, "url": live_server.url}
        page.context.add_cookies([cookie])  # type: ignore[list-item]

    return as_user


@pytest.fixture
def dual_citizen() -> None:
    """A current presidential election, and the registries' records of a person who is a
    citizen of Russia as well as of Kyrgyzstan, and meets every other requirement."""
    f.election("kg-2025", polling_day=datetime.date(2027, 3, 14), name="Президент 2027")
    f.region("KG-C")
    on = datetime.date(2027, 1, 15)
    reg.CitizenshipRecord.objects.create(
        pin=PIN, citizenships="KG;RU", as_of=on, reference=CITIZENSHIP_REFERENCE
    )
    reg.ResidenceStay.objects.create(pin=PIN, started_on=BIRTH, as_of=on, reference="RES-7")
    reg.LanguageTest.objects.create(
        pin=PIN, result="passed", tested_on=datetime.date(2026, 12, 1), certificate="LT-9"
    )
    reg.EducationRecord.objects.create(pin=PIN, level="higher", as_of=on, document="DIP-3")
    reg.RecordsChecked.objects.create(pin=PIN, as_of=on, reference="NCR-5")


def test_staff_file_check_and_refuse_a_dual_citizen_and_the_public_sees_why(
    page: Page, browser: Any, live_server: Any, dual_citizen: None, sign_in: Callable[[Any], None]
) -> None:
    sign_in(make_user("cec-clerk", Role.CEC_ADMIN))
    page.goto("/staff/candidates/")
    expect(page.locator("h1")).to_have_text(ru("Nominations"))
    page.locator("#nominate-link").click()
    expect(page).to_have_url(re.compile(r"/staff/candidates/nominate/$"))

    form = page.locator("#nomination-form")
    form.locator("input[name=ref]").fill("PRES-07")
    form.locator("input[name=pin]").fill(PIN)
    form.locator("input[name=surname]").fill("Асанов")
    form.locator("input[name=given_name]").fill("Бакыт")
    form.locator("input[name=patronymic]").fill("Эркинович")
    form.locator("select[name=sex]").select_option("M")
    form.locator("input[name=birth_date]").fill(BIRTH.isoformat())
    form.locator("select[name=office]").select_option("president")
    form.locator("select[name=region]").select_option("KG-C")
    form.locator("input[name=deposit_som]").fill("1000000")
    form.locator("input[name=nominated_on]").fill("2027-01-20")
    form.locator("input[name=doc_application]").fill("APP-7")
    form.locator("input[name=doc_passport]").fill("ID 4242")
    form.locator("button[type=submit]").click()

    candidate = Candidate.objects.get(ref="PRES-07")
    expect(page).to_have_url(re.compile(rf"/staff/candidates/{candidate.pk}/$"))
    expect(page.locator("ul.messages li.success")).to_have_text(
        ru("Nomination %(ref)s filed.") % {"ref": "PRES-07"}
    )
    expect(page.locator("#status")).to_have_text(ru("nominated"))
    expect(page.locator("#documents")).to_contain_text("ID 4242")

    page.locator("#run-check").click()
    expect(page.locator("ul.messages li.warning")).to_contain_text(
        "Гражданство другого государства"
    )
    check = candidate.checks.get()
    other = next(c for c in check.checks if c["code"] == "OTHER_CITIZENSHIP")
    row = page.locator('tr[data-code="OTHER_CITIZENSHIP"]')
    expect(row).to_have_class("rule-not_met")
    expect(row).to_contain_text("Гражданство другого государства")
    expect(row).to_contain_text("не выполнено")
    expect(row.locator(".citation")).to_contain_text(other["citation"]["ru"])
    expect(row).to_contain_text(CITIZENSHIP_REFERENCE)  # staff see the evidence
    expect(page.locator("table.rules tbody tr")).to_have_count(len(check.checks))

    page.locator("#decide").click()
    decision = RegistrationDecision.objects.get(candidate=candidate)
    assert decision.outcome == "refused"
    expect(page.locator("ul.messages li.success")).to_have_text(
        ru("Decision %(number)s: registration refused.") % {"number": decision.number}
    )
    expect(page.locator("#status")).to_have_text(ru("refused registration"))
    expect(page.locator("#run-check")).to_have_count(0)  # decided: no more buttons
    link = page.get_by_role("link", name=ru("Decision document (PDF)"))
    pdf = page.request.get(link.get_attribute("href") or "")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert PIN not in page.content()

    public = browser.new_context(base_url=live_server.url, locale="ru-RU")
    try:
        visitor = public.new_page()
        visitor.goto("/candidates/")
        expect(visitor.locator("h1")).to_have_text(ru("Candidates and parties"))
        listed = visitor.locator(f"#candidate-{candidate.pk}")
        expect(listed).to_contain_text("Асанов Бакыт Эркинович")
        expect(listed).to_contain_text(ru("refused registration"))
        reason = listed.locator("ul.reasons li")
        expect(reason).to_have_count(1)
        expect(reason).to_contain_text("Гражданство другого государства")
        expect(reason.locator(".citation")).to_contain_text(other["citation"]["ru"])
        html = visitor.content()
        for secret in (PIN, CITIZENSHIP_REFERENCE, "KG;RU", "02.06.1975"):
            assert secret not in html
    finally:
        public.close()


def test_staff_register_a_stateless_trusted_person_and_see_the_refusal_reason(
    page: Page, live_server: Any, sign_in: Callable[[Any], None]
) -> None:
    election = f.election("kg-2025", polling_day=datetime.date(2027, 3, 14), name="Президент 2027")
    candidate = services.nominate(
        "cli",
        election,
        services.NominationData(
            ref="PRES-07", pin=PIN, surname="Асанов", given_name="Бакыт",
            patronymic="Эркинович", sex="M", birth_date=BIRTH, office="president",
            nominated_on=datetime.date(2027, 1, 20),
        ),
    )  # fmt: skip
    sign_in(make_user("cec-clerk", Role.CEC_ADMIN))
    page.goto("/staff/candidates/participants/")
    expect(page.locator("h1")).to_have_text(ru("Participants"))
    page.locator("#register-link").click()
    expect(page).to_have_url(re.compile(r"/staff/candidates/participants/register/$"))

    form = page.locator("#participant-form")
    form.locator("input[name=ref]").fill("TP-07")
    form.locator("select[name=role]").select_option("trusted_person")
    form.locator("input[name=surname]").fill("Ким")
    form.locator("input[name=given_name]").fill("Олег")
    form.locator("input[name=citizenships]").fill("stateless")
    form.locator("input[name=for_candidate]").fill("PRES-07")  # whose trusted person
    form.locator("button[type=submit]").click()

    person = Participant.objects.get(ref="TP-07")
    assert person.status == "refused" and person.citizenships == ""
    assert person.for_candidate == candidate
    expect(page).to_have_url(re.compile(rf"/staff/candidates/participants/{person.pk}/$"))
    expect(page.locator("ul.messages li.warning")).to_have_text(
        ru("%(ref)s refused: see the reasons below.") % {"ref": "TP-07"}
    )
    expect(page.locator("#status")).to_have_text("отказано")
    expect(page.locator("#citizenships")).to_have_text("без гражданства")
    expect(page.locator("dl.facts")).to_contain_text("Асанов Бакыт Эркинович")
    row = page.locator('#reasons tr[data-code="STATELESS"]')
    expect(row).to_have_class("rule-refused")
    expect(row).to_contain_text("Лица без гражданства")
    expect(row).to_contain_text("лицо без гражданства не может быть доверенным лицом")
    expect(row.locator(".citation")).to_have_text(person.reasons[0]["citation"]["ru"])
    expect(page.locator("#badge-link")).to_have_count(0)  # refused: no badge
    expect(page.locator("#revoke-form")).to_have_count(0)

    page.get_by_role("link", name=ru("Participants")).first.click()
    listed = page.locator(f"#participant-{person.pk}")
    expect(listed.locator(".status")).to_have_text("отказано")
    expect(listed.locator('ul.reasons li[data-code="STATELESS"]')).to_contain_text(
        "лицо без гражданства не может быть доверенным лицом"
    )


def test_staff_upload_signature_sheets_and_see_the_verdict_with_each_invalid_line(
    page: Page, live_server: Any, sign_in: Callable[[Any], None], tmp_path: Any
) -> None:
    election = f.election("kg-2025", polling_day=datetime.date(2027, 3, 14), name="Президент 2027")
    candidate = services.nominate(
        "cli",
        election,
        services.NominationData(
            ref="PRES-07", pin=PIN, surname="Асанов", given_name="Бакыт",
            patronymic="Эркинович", sex="M", birth_date=BIRTH, office="president",
            nominated_on=datetime.date(2027, 1, 20),
        ),
    )  # fmt: skip
    station = f.station(1001)
    voters = [f.person(station, birth_date=datetime.date(1980, 1, 1 + n)) for n in range(3)]
    signed = (datetime.date.today() - datetime.timedelta(days=7)).isoformat()
    rows = [f"1,{n + 1},K-1,{v.pin},{v.surname},{v.given_name},{v.patronymic},{signed}"
            for n, v in enumerate(voters)]  # fmt: skip
    first = voters[0]  # signs again
    rows.append(
        f"1,4,K-1,{first.pin},{first.surname},{first.given_name},{first.patronymic},{signed}"
    )
    sheets = tmp_path / "листы-1.csv"
    sheets.write_text(
        "sheet,line,collector,pin,surname,given_name,patronymic,signed_on\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    sign_in(make_user("cec-clerk", Role.CEC_ADMIN))
    page.goto(f"/staff/candidates/{candidate.pk}/")
    page.get_by_text(ru("Verify signature sheets")).click()
    form = page.locator("#signatures-form")
    form.locator("input[name=signers]").set_input_files(str(sheets))
    form.locator("button[type=submit]").click()

    submission = candidate.signature_submissions.get()
    assert submission.file_name == "листы-1.csv" and submission.valid == 3
    expect(page).to_have_url(re.compile(rf"/staff/candidates/signatures/{submission.pk}/$"))
    expect(page.locator("ul.messages li.warning")).to_contain_text(ru("insufficient"))
    expect(page.locator("#verdict-text")).to_have_text(ru("insufficient"))
    expect(page.locator("#verdict-figures")).to_contain_text("3")
    expect(page.locator('#counts tr[data-reason="DUPLICATE"] td.num')).to_have_text("1")
    expect(page.locator('#counts tr[data-reason="VALID"] td.num')).to_have_text("3")
    duplicate = page.locator('#findings tr[data-sheet="1"][data-line="4"]')
    expect(duplicate).to_contain_text(ru("signed twice"))
    expect(duplicate).to_contain_text("sheet 1, line 1")  # where the counted signature is
    office = load_edition("kg-2025").candidates.offices.president
    assert office.signatures_min is not None
    expect(page.locator("#required .citation")).to_have_text(
        office.signatures_min.citation_in("ru")
    )
    for voter in voters:
        assert voter.pin not in page.content()

    page.get_by_role("link", name=re.compile("PRES-07")).click()
    expect(page.locator("#signatures")).to_contain_text("листы-1.csv")
