"""``shailoo accounts``: users with roles and scope, authenticators, the master key."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import typer

from shailoo.common.cli import console, django_setup, progress
from shailoo.common.refusals import Refusal

app = typer.Typer(help="Users, roles with territorial scope, TOTP, master-key rotation.")

ROLE_HELP = (
    "cec_admin, cec_member, tec_operator, pec_operator, station_device, finance_auditor, "
    "response_group, agent, observer"
)
SCOPE_HELP = "country, region:CODE (e.g. region:KG-C), tec:CODE or station:NUMBER"


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


def _user(username: str) -> object:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        _fail(f"no user {username!r}")
    return user


@app.command("create-user")
def create_user(
    username: str = typer.Argument(..., help="Login name"),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    scope: str = typer.Option("country", "--scope", help=SCOPE_HELP),
    agency: str = typer.Option(
        "", "--agency", help="For response_group: commission, prosecutor, police, national_security"
    ),
    email: str = typer.Option("", "--email"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input"
    ),
) -> None:
    """Create an account holding one role over one territory (more with ``grant``).

    Without --password-stdin a random password is generated and printed once.
    """
    django_setup()
    from shailoo.accounts import services

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        generated = False
    else:
        password = secrets.token_urlsafe(12)
        generated = True
    try:
        user = services.create_user(
            username,
            password,
            services.parse_role(role),
            services.parse_scope(scope),
            actor="cli",
            agency=agency,
            email=email,
        )
    except Refusal as exc:
        _fail(str(exc))
    console.print(f"created [cyan]{username}[/] as {role} over {scope}")
    if generated:
        console.print(f"password: [cyan]{password}[/] (shown once)")
    console.print(f"next: shailoo accounts enrol-totp {user.get_username()}")


@app.command()
def grant(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    scope: str = typer.Option("country", "--scope", help=SCOPE_HELP),
    agency: str = typer.Option("", "--agency"),
) -> None:
    """Give an existing user one more role assignment."""
    django_setup()
    from shailoo.accounts import services

    user = _user(username)
    try:
        services.grant_role(
            user, services.parse_role(role), services.parse_scope(scope), "cli", agency
        )
    except Refusal as exc:
        _fail(str(exc))
    console.print(f"{username}: {role} over {scope}")


@app.command()
def revoke(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
) -> None:
    """End a user's assignments of one role (kept in the record as revoked)."""
    django_setup()
    from shailoo.accounts import services

    try:
        count = services.revoke_role(_user(username), services.parse_role(role))
    except Refusal as exc:
        _fail(str(exc))
    console.print(f"{username}: {count} assignment(s) of {role} revoked")


@app.command("enrol-totp")
def enrol_totp(
    username: str = typer.Argument(...),
    replace: bool = typer.Option(False, "--replace", help="Replace an existing authenticator"),
    qr: bool = typer.Option(True, "--qr/--no-qr", help="Also draw the QR code in the terminal"),
) -> None:
    """Register an authenticator for a user and print its otpauth:// URI (hand over in person)."""
    django_setup()
    from shailoo.accounts import services

    try:
        device = services.enrol_totp(_user(username), replace=replace)
    except Refusal as exc:
        _fail(str(exc))
    uri = device.config_url()
    typer.echo(uri)
    if qr:
        import segno

        segno.make(uri, error="m").terminal(out=sys.stderr, compact=True)
    console.print("Scan the code or type the secret into the authenticator app.")


@app.command()
def users() -> None:
    """List accounts with their active roles."""
    django_setup()
    from django.contrib.auth import get_user_model

    from shailoo.accounts.models import RoleAssignment, TOTPDevice

    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    assignments: dict[int, list[str]] = {}
    for a in RoleAssignment.objects.active().select_related("region", "tec", "station"):
        assignments.setdefault(a.user_id, []).append(f"{a.role}@{a.territory}")
    for user in get_user_model().objects.order_by("username"):
        roles = ", ".join(assignments.get(user.pk, [])) or "-"
        mfa = "totp" if user.pk in enrolled else "no totp"
        active = "" if user.is_active else " (inactive)"
        typer.echo(f"{user.username}{active}\t{mfa}\t{roles}")


@app.command("new-master-key")
def new_master_key() -> None:
    """Print a fresh random master key (base64) for SHAILOO_MASTER_KEY."""
    from shailoo.accounts.crypto import new_key_text

    typer.echo(new_key_text())


@app.command("rotate-master-key")
def rotate_master_key(
    batch_size: int = typer.Option(500, "--batch-size", min=1),
    generate: bool = typer.Option(
        False,
        "--generate",
        help="Key file only: put a fresh key first in the file (the old one stays for reading)",
    ),
) -> None:
    """Reseal every encrypted value under the current master key, in batches, online.

    With environment keys: set SHAILOO_MASTER_KEY to the new key and
    SHAILOO_PREVIOUS_MASTER_KEYS to the old one(s), restart, run this, then drop the old
    keys. With a key file, --generate does the first step.
    """
    django_setup()
    from django.conf import settings

    from shailoo.accounts import keys
    from shailoo.accounts.crypto import CryptoError, key_file_path, new_key_text, write_key_file
    from shailoo.accounts.rotation import rotate

    if generate:
        path = key_file_path(os.environ, Path(settings.VAR_DIR))
        if path is None:
            _fail("--generate needs a key file; with SHAILOO_MASTER_KEY, set the new key yourself")
        assert path is not None
        keys.keyring()  # make sure the current file exists and reads
        old = [line for line in path.read_text(encoding="ascii").splitlines() if line.strip()]
        write_key_file(path, [new_key_text(), *old])
        keys.reset()
        console.print(f"{path}: new current key {keys.keyring().current.id.hex()}")
    try:
        with progress() as bar:
            task = bar.add_task("resealing", total=None)
            report = rotate(batch_size, on_batch=lambda _name, n: bar.advance(task, n))
    except CryptoError as exc:
        _fail(str(exc))
    console.print(report.line())
    if report.raced:
        console.print(f"[yellow]{report.raced} value(s) changed during rotation: run it again[/]")
