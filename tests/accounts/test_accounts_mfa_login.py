"""Login with password then TOTP; enrolment; lockout after repeated failures; Argon2."""

from __future__ import annotations

import re
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from shailoo.accounts import mfa
from shailoo.accounts.models import TOTPDevice
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import code, device_for, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
VERIFY = "/accounts/verify/"
ENROL = "/accounts/enrol/"


@pytest.fixture
def clerk():
    user = make_user("clerk", Role.CEC_ADMIN, password=PASSWORD)
    return user, device_for(user)


def password_step(client: Client, username: str = "clerk", password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_password_alone_opens_nothing(client: Client, clerk) -> None:
    response = password_step(client)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert "_auth_user_id" not in client.session  # not logged in yet
    staff = client.get("/staff/")
    assert staff.status_code == 302 and staff["Location"].startswith(LOGIN)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    eligibility = client.post(
        "/api/persons/eligibility/", {"pin": "2" * 14}, content_type="application/json"
    )
    assert eligibility.status_code == 403


def test_password_then_code_logs_in_and_goes_where_asked(client: Client, clerk) -> None:
    _, device = clerk
    password_step(client, next="/staff/corrections/")
    page = client.get(VERIFY)
    assert page.status_code == 200 and "clerk" in page.content.decode()
    response = client.post(VERIFY, {"token": code(device)})
    assert response.status_code == 302 and response["Location"] == "/staff/corrections/"
    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_wrong_or_reused_code_is_refused(client: Client, clerk) -> None:
    _, device = clerk
    password_step(client)
    wrong = client.post(VERIFY, {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and wrong.context["form"].errors
    assert client.get("/staff/").status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    token = code(device)
    assert client.post(VERIFY, {"token": token}).status_code == 302
    other = Client()
    password_step(other)
    replay = other.post(VERIFY, {"token": token})  # the same code a second time
    assert replay.status_code == 400
    assert other.get("/staff/").status_code == 302


@pytest.mark.parametrize("token", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_form_errors(client: Client, clerk, token: str) -> None:
    password_step(client)
    response = client.post(VERIFY, {"token": token})
    assert response.status_code == 400 and response.context["form"].errors["token"]


def test_code_step_without_password_step_goes_to_login(client: Client, clerk) -> None:
    _, device = clerk
    response = client.post(VERIFY, {"token": code(device)})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get("/staff/").status_code == 302


def test_pending_password_step_expires(client: Client, clerk, monkeypatch) -> None:
    _, device = clerk
    password_step(client)
    later = time.time() + mfa.PENDING_SECONDS + 1
    monkeypatch.setattr(mfa.time, "time", lambda: later)
    response = client.post(VERIFY, {"token": code(device)})
    assert response["Location"].startswith(LOGIN)


def test_a_foreign_next_url_is_ignored(client: Client, clerk) -> None:
    _, device = clerk
    password_step(client, next="https://evil.example/steal")
    response = client.post(VERIFY, {"token": code(device)})
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


def test_first_login_enrols_an_authenticator_with_a_qr_code(client: Client) -> None:
    user = make_user("newcomer", Role.CEC_MEMBER, password=PASSWORD)
    response = password_step(client, "newcomer")
    assert response["Location"] == ENROL
    page = client.get(ENROL)
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and 'id="totp-secret"' in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert device.secret_base32[:4] in body.replace(" ", "")
    assert client.get("/staff/").status_code == 302  # still not logged in
    bad = client.post(ENROL, {"token": "000000" if code(device) != "000000" else "111111"})
    assert bad.status_code == 400
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    assert client.post(ENROL, {"token": code(device)}).status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/staff/").status_code == 200


def test_without_self_enrolment_the_administrator_enrols(client: Client, settings) -> None:
    settings.SHAILOO_TOTP_SELF_ENROLMENT = False
    make_user("newcomer", Role.CEC_MEMBER, password=PASSWORD)
    response = password_step(client, "newcomer")
    assert response["Location"] == LOGIN
    assert client.get(ENROL)["Location"].startswith(LOGIN)
    assert not TOTPDevice.objects.exists()


def test_a_verified_user_replaces_the_authenticator(client: Client, clerk) -> None:
    user, old = clerk
    password_step(client)
    client.post(VERIFY, {"token": code(old)})
    client.get(ENROL)
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(ENROL, {"token": code(new)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    assert client.get("/staff/").status_code == 200  # the session moved to the new device


def test_wrong_passwords_lock_the_account_out(client: Client, clerk) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert password_step(client, password="wrong password").status_code == 400
    locked = password_step(client, password="wrong password")
    assert locked.status_code == 429
    assert 'lang="' in locked.content.decode()  # our lockout page, not a bare error
    still = password_step(client)  # even the right password now
    assert still.status_code == 429
    assert mfa.PENDING_KEY not in client.session
    other_user = make_user("other", Role.CEC_MEMBER, password=PASSWORD)
    assert password_step(client, other_user.username).status_code == 302  # per username


def test_wrong_codes_count_towards_the_lockout(client: Client, clerk) -> None:
    _, device = clerk
    password_step(client)
    statuses = [
        client.post(VERIFY, {"token": "000000" if code(device) != "000000" else "111111"})
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1].status_code == 429
    assert AccessAttempt.objects.get(username="clerk").failures_since_start >= 5
    assert password_step(client).status_code == 429  # the password step is locked too
    assert client.post(VERIFY, {"token": code(device)})["Location"].startswith(LOGIN)
    assert client.get("/staff/").status_code == 302


def test_passwords_are_hashed_with_argon2(clerk) -> None:
    user, _ = clerk
    assert identify_hasher(user.password).algorithm == "argon2"
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_page_has_no_inline_script_or_style(client: Client) -> None:
    body = client.get(LOGIN).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert "<style" not in body and " style=" not in body
