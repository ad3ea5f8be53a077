"""``shailoo accounts``: users with roles and scope, authenticators, keys; bad input."""

from __future__ import annotations

import base64

import pytest
from typer.testing import CliRunner

import factories as f
from shailoo.accounts.models import RoleAssignment, TOTPDevice
from shailoo.cli import app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, ["accounts", *args], input=stdin)


def test_create_user_with_role_and_scope_then_enrol() -> None:
    f.tec(code="T07")
    result = run("create-user", "aida", "--role", "tec_operator", "--scope", "tec:T07")
    assert result.exit_code == 0, result.output
    assert "password:" in result.output
    assignment = RoleAssignment.objects.get(user__username="aida")
    assert (assignment.role, assignment.scope, assignment.tec.code) == (
        "tec_operator",
        "tec",
        "T07",
    )
    assert assignment.user.is_staff and not assignment.user.is_superuser
    enrol = run("enrol-totp", "aida", "--no-qr")
    assert enrol.exit_code == 0, enrol.output
    device = TOTPDevice.objects.get(user__username="aida", confirmed=True)
    assert f"otpauth://totp/Shailoo%3Aaida?secret={device.secret_base32}" in enrol.output
    again = run("enrol-totp", "aida", "--no-qr")
    assert again.exit_code == 1 and "--replace" in again.output
    assert run("enrol-totp", "aida", "--replace", "--no-qr").exit_code == 0
    assert TOTPDevice.objects.filter(user__username="aida").count() == 1
    listing = run("users")
    assert "aida\ttotp\ttec_operator@tec T07" in listing.output


def test_password_from_stdin_is_validated() -> None:
    weak = run("create-user", "b", "--role", "cec_member", "--password-stdin", stdin="123\n")
    assert weak.exit_code == 1 and "12" in weak.output  # the minimum length, in any language
    ok = run(
        "create-user", "b", "--role", "cec_member", "--password-stdin", stdin="a long pass phrase\n"
    )
    assert ok.exit_code == 0 and "password:" not in ok.output


def test_grant_and_revoke() -> None:
    f.station(4242)
    run("create-user", "c", "--role", "observer")
    assert run("grant", "c", "--role", "pec_operator", "--scope", "station:4242").exit_code == 0
    agency = ["--agency", "police"]
    assert (
        run("grant", "c", "--role", "response_group", "--scope", "country", *agency).exit_code == 0
    )
    assert RoleAssignment.objects.active().filter(user__username="c").count() == 3
    result = run("revoke", "c", "--role", "pec_operator")
    assert result.exit_code == 0 and "1 assignment" in result.output
    assert RoleAssignment.objects.active().filter(user__username="c").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-user", "d", "--role", "wizard"], "unknown role"),
        (["create-user", "d", "--role", "tec_operator", "--scope", "tec:NOPE"], "no tec"),
        (["create-user", "d", "--role", "tec_operator"], "takes scope tec"),
        (["create-user", "d", "--role", "response_group"], "needs an agency"),
        (["create-user", "d", "--role", "public"], "cannot be assigned"),
        (["grant", "ghost", "--role", "observer"], "no user"),
        (["enrol-totp", "ghost"], "no user"),
    ],
)
def test_bad_input_is_refused_with_a_reason(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1 and message in result.output
    assert not RoleAssignment.objects.exists()


def test_existing_users_are_not_overwritten() -> None:
    run("create-user", "e", "--role", "observer")
    result = run("create-user", "e", "--role", "cec_admin")
    assert result.exit_code == 1 and "already exists" in result.output
    assert RoleAssignment.objects.get(user__username="e").role == "observer"


def test_new_master_key_prints_32_random_bytes() -> None:
    keys = {run("new-master-key").output.strip() for _ in range(2)}
    assert len(keys) == 2 and all(len(base64.b64decode(k)) == 32 for k in keys)
