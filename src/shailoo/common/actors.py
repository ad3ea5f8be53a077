"""Who acts: the one ``Actor`` every use case takes, and how records name it.

A use case is called by a staff user (pages, admin, API), a polling-station or commission
device (a registered Ed25519 key, on signed requests), the system itself (the command line,
an importer, the demo: a non-empty name such as ``"cli"``), or a voter acting on their own
record (named by the keyed hash of their PIN, never the PIN). Services take any of them as
``actor``; the permission check (:func:`shailoo.accounts.permissions.require`) decides, and
history rows and ledger entries name them with :func:`actor_name`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


@runtime_checkable
class DeviceKey(Protocol):
    """A registered device or commission key acting through a signed request."""

    key_id: str


@dataclass(frozen=True, slots=True)
class Voter:
    """A voter acting on their own record; ``pin_ref`` is the ledger's keyed hash of the PIN."""

    pin_ref: str


Actor: TypeAlias = "AbstractBaseUser | AnonymousUser | DeviceKey | Voter | str"


def is_system(actor: object) -> bool:
    """A named system actor (``"cli"``, ``"import"``): trusted with the operator's shell access."""
    return isinstance(actor, str) and bool(actor.strip())


def actor_name(actor: Actor) -> str:
    """How history rows and ledger entries name ``actor`` (stable: ledgers store it)."""
    if isinstance(actor, str):
        return actor
    if isinstance(actor, Voter):
        return f"voter:{actor.pin_ref}"
    if isinstance(actor, DeviceKey):
        return f"device:{actor.key_id}"
    return str(actor.get_username()) or "anonymous"


def user_of(actor: Actor) -> AbstractBaseUser | None:
    """The signed-in user behind ``actor``, for a row's user column; ``None`` for the rest."""
    if isinstance(actor, str | Voter | DeviceKey) or not actor.is_authenticated:
        return None
    return actor


__all__ = ["Actor", "DeviceKey", "Voter", "actor_name", "is_system", "user_of"]
