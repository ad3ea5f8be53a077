"""``shailoo ledger`` (heads, verification, export) and ``shailoo keys`` (registry).

``shailoo audit`` is the old name of ``shailoo ledger``, kept hidden for one release.

Exit codes: 0 done / verified, 1 tampering found or operation refused, 2 bad usage.
Private keys are written to files (0600) and never printed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from shailoo.common.cli import console, django_setup

if TYPE_CHECKING:
    from shailoo.integrity.models import RegisteredKey

audit_app = typer.Typer(help="The tamper-evident ledger: heads, verification, export.")
keys_app = typer.Typer(help="Ed25519 keys of commissions and polling-station devices.")
audit_app.info.no_args_is_help = True
keys_app.info.no_args_is_help = True


def _trusted(hex_keys: list[str]) -> frozenset[bytes] | None:
    try:
        return frozenset(bytes.fromhex(k) for k in hex_keys) or None
    except ValueError:
        console.print("[red]--trusted-key takes 64 hex digits[/]")
        raise typer.Exit(2) from None


def _state_ok(only: list[str]) -> bool:
    """Run the domains' state checks (``integrity.state``), print what they found."""
    from shailoo.integrity import state

    unknown = sorted(set(only) - set(state.registered()))
    if unknown:
        console.print(f"[red]unknown state check(s) {unknown}; known: {state.registered()}[/]")
        raise typer.Exit(2)
    report = state.run(only or None)
    typer.echo("\n".join(report.lines()))
    return report.ok


_STATE_HELP = (
    "Also check the domains' current rows (accepted protocols, scanned sheets, persons) "
    "against the state the ledger recorded; exit 1 on any mismatch"
)
_ONLY_HELP = "With --state: run only this state check (repeatable), e.g. register.persons"


@audit_app.command("head")
def head(
    check_state: bool = typer.Option(False, "--state", help=_STATE_HELP),
) -> None:
    """Sign a tree head over the ledger now (run it from a timer in production)."""
    django_setup()
    from shailoo.integrity.heads import HeadError, sign_head
    from shailoo.integrity.keys import KeyRegistryError

    try:
        signed = sign_head()
    except (HeadError, KeyRegistryError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    typer.echo(
        f"head size={signed.size} root={bytes(signed.root_hash).hex()} "
        f"timestamp_ms={signed.timestamp_ms} key={signed.key_id}"
    )
    # The head is signed whatever the state check finds: the ledger itself is sound, and
    # its protection must not stop because a domain's row was changed.
    if check_state and not _state_ok([]):
        raise typer.Exit(1)


@audit_app.command("verify")
def verify(
    trusted_key: list[str] = typer.Option([], "--trusted-key", help="Pin a head key (hex)"),
    check_state: bool = typer.Option(False, "--state", help=_STATE_HELP),
    only: list[str] = typer.Option([], "--only", help=_ONLY_HELP),
) -> None:
    """Recompute the whole ledger and check every node and signed head; exit 1 on tampering.

    With --state, also compare the domains' current rows with what the ledger recorded.
    """
    django_setup()
    from shailoo.integrity.export import verify_database

    report = verify_database(_trusted(trusted_key))
    typer.echo("\n".join(report.lines()))
    state_ok = _state_ok(only) if check_state else True
    if not report.ok or not state_ok:
        raise typer.Exit(1)


@audit_app.command("export")
def export_(directory: Path = typer.Argument(..., file_okay=False)) -> None:
    """Write entries, heads and head keys for `python -m shailoo.integrity.verifier DIR`."""
    django_setup()
    from shailoo.integrity.export import export
    from shailoo.integrity.verifier import finding

    damaged: list[str] = []
    manifest = export(directory, lambda kind, i, why: damaged.append(str(finding(kind, i, why))))
    typer.echo(
        f"exported {manifest['entries']} entries, {manifest['heads']} heads, "
        f"{manifest['keys']} keys to {directory}"
    )
    if damaged:  # exported as stored (evidence), but the operator must know now
        console.print(f"[red]DAMAGED: {len(damaged)} stored value(s) Shailoo never writes:[/]")
        for line in damaged[:50]:
            console.print(f"[red]  {line}[/]", highlight=False)
        console.print("[red]run `shailoo ledger verify`[/]")
        raise typer.Exit(1)


@keys_app.command("generate")
def generate(out: Path = typer.Option(..., "--out", help="Private key file to write")) -> None:
    """Make a key pair (for a device or a commission); prints only the public key and id."""
    from shailoo.integrity.keys import generate as new_key
    from shailoo.integrity.keys import raw_public, write_private_key
    from shailoo.integrity.verifier import key_id

    if out.exists():
        console.print(f"[red]{out} exists: refusing to overwrite a private key[/]")
        raise typer.Exit(1)
    private = new_key()
    write_private_key(out, private)
    raw = raw_public(private)
    typer.echo(f"key_id={key_id(raw)} public_key={raw.hex()}")


def _describe(key: RegisteredKey) -> str:
    valid = f"from={key.valid_from:%Y-%m-%d %H:%M}"
    if key.valid_to is not None:
        valid += f" to={key.valid_to:%Y-%m-%d %H:%M}"
    return (
        f"{key.key_id} {key.usage:<10} {key.status:<7} station={key.station_number} "
        f"commission={key.commission_code or '-'} {valid}"
    )


def _run(action: str, call: Callable[[], RegisteredKey]) -> None:
    from shailoo.integrity.keys import KeyRegistryError

    try:
        key = call()
    except KeyRegistryError as exc:
        console.print(f"[red]{action} refused ({exc.code}): {exc}[/]")
        raise typer.Exit(1) from None
    typer.echo(f"{action}: {_describe(key)}")


@keys_app.command("register")
def register(
    public_key: str = typer.Argument(..., help="64 hex digits, base64, or a PEM file's path"),
    usage: str = typer.Option("submission", "--usage", help="submission or tree_head"),
    station: int | None = typer.Option(None, "--station", help="Polling station number"),
    commission: str = typer.Option("", "--commission", help="Commission code (CEC, a TEC)"),
    label: str = typer.Option("", "--label"),
    actor: str = typer.Option("cli", "--actor"),
) -> None:
    """Register a device's or commission's public key, bound to a station or commission."""
    django_setup()
    from shailoo.integrity import keys

    text = Path(public_key).read_text() if Path(public_key).is_file() else public_key

    def call() -> RegisteredKey:
        raw = keys.parse_public_key(text)
        return keys.register_key(
            raw,
            usage=usage,
            actor=actor,
            station_number=station,
            commission_code=commission,
            label=label,
        )

    _run("registered", call)


@keys_app.command("bind")
def bind(
    key_id: str,
    station: int | None = typer.Option(None, "--station"),
    commission: str = typer.Option("", "--commission"),
    actor: str = typer.Option("cli", "--actor"),
) -> None:
    """Bind a key to another polling station or commission."""
    django_setup()
    from shailoo.integrity import keys

    _run(
        "bound",
        lambda: keys.bind_key(
            key_id, actor=actor, station_number=station, commission_code=commission
        ),
    )


@keys_app.command("revoke")
def revoke(
    key_id: str,
    reason: str = typer.Option(..., "--reason"),
    actor: str = typer.Option("cli", "--actor"),
) -> None:
    """Revoke a key now: it signs nothing more (what it signed before stays on record)."""
    django_setup()
    from shailoo.integrity import keys

    _run("revoked", lambda: keys.revoke_key(key_id, actor=actor, reason=reason))


@keys_app.command("rotate")
def rotate(
    key_id: str,
    public_key: str = typer.Argument(..., help="The new key: 64 hex digits or base64"),
    actor: str = typer.Option("cli", "--actor"),
) -> None:
    """Replace a device's or commission's key by a new one with the same binding."""
    django_setup()
    from shailoo.integrity import keys

    _run("rotated", lambda: keys.rotate_key(key_id, keys.parse_public_key(public_key), actor=actor))


@keys_app.command("rotate-head-key")
def rotate_head_key(
    out: Path | None = typer.Option(None, "--out", help="New private key file (default: current)"),
    actor: str = typer.Option("cli", "--actor"),
) -> None:
    """Sign a last head with the current key, switch to a new key, sign a head with it."""
    django_setup()
    from shailoo.integrity import heads, keys

    target = out or heads.signing_key_path()
    staged = target.with_name(target.name + ".new")
    try:
        heads.sign_head()
        new = keys.generate()
        keys.write_private_key(staged, new)
        registered = heads.rotate_head_key(new, actor=actor)
        staged.replace(target)
        signed = heads.sign_head(new)
    except (heads.HeadError, keys.KeyRegistryError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    typer.echo(f"head key is now {registered.key_id} (file {target}); head size={signed.size}")
    if out is not None:
        console.print(f"point {heads.SIGNING_KEY_ENV} at {target}")


@keys_app.command("list")
def list_(usage: str = typer.Option("", "--usage")) -> None:
    """Registered keys with their binding, status and validity."""
    django_setup()
    from shailoo.integrity.models import RegisteredKey

    rows = RegisteredKey.objects.order_by("created_at")
    if usage:
        rows = rows.filter(usage=usage)
    for key in rows:
        typer.echo(_describe(key))
