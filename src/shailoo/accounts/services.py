"""Use cases of accounts: create users, grant and revoke roles, enrol authenticators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shailoo.accounts.models import RoleAssignment, TOTPDevice
from shailoo.accounts.permissions import forget
from shailoo.accounts.roles import ROLES, Role, Scope, check_role_scope
from shailoo.common.refusals import InvalidInput
from shailoo.geo.models import PollingStation, Region, TerritorialCommission


@dataclass(frozen=True, slots=True)
class ScopeTarget:
    """A parsed scope: the level and the geography row it names (None for the country)."""

    scope: Scope
    target: Region | TerritorialCommission | PollingStation | None

    def fields(self) -> dict[str, Any]:
        return {
            "scope": self.scope.value,
            "region": self.target if self.scope is Scope.REGION else None,
            "tec": self.target if self.scope is Scope.TEC else None,
            "station": self.target if self.scope is Scope.STATION else None,
        }


def parse_scope(text: str) -> ScopeTarget:
    """``country``, ``region:KG-C``, ``tec:<code>`` or ``station:<number>``."""
    level, _, ref = text.strip().partition(":")
    try:
        scope = Scope(level.strip().lower())
    except ValueError:
        raise InvalidInput(
            "account_invalid",
            f"unknown scope {level!r}: use country, region:CODE, tec:CODE or station:NUMBER",
        ) from None
    ref = ref.strip()
    if scope is Scope.COUNTRY:
        if ref:
            raise InvalidInput("account_invalid", "the country scope takes no code")
        return ScopeTarget(scope, None)
    if not ref:
        raise InvalidInput(
            "account_invalid", f"scope {scope.value} needs a code, e.g. {scope.value}:…"
        )
    target: Region | TerritorialCommission | PollingStation | None
    if scope is Scope.REGION:
        target = Region.objects.filter(code=ref).first()
    elif scope is Scope.TEC:
        target = TerritorialCommission.objects.filter(code=ref).first()
    else:
        target = PollingStation.objects.filter(number=int(ref)).first() if ref.isdigit() else None
    if target is None:
        raise InvalidInput("account_invalid", f"no {scope.value} {ref!r} in the geography")
    return ScopeTarget(scope, target)


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role if ROLES[r].scopes)
        raise InvalidInput(
            "account_invalid", f"unknown role {text!r}: use one of {names}"
        ) from None


def grant_role(
    user: Any, role: Role, target: ScopeTarget, actor: str, agency: str = ""
) -> RoleAssignment:
    """Give ``user`` ``role`` over ``target``; staff roles make the account a staff account."""
    problem = check_role_scope(role, target.scope, agency)
    if problem is not None:
        raise InvalidInput("account_invalid", problem)
    with transaction.atomic():
        existing = RoleAssignment.objects.active().filter(
            user=user, role=role.value, agency=agency, **target.fields()
        )
        assignment = existing.first()
        if assignment is None:
            assignment = RoleAssignment(
                user=user, role=role.value, agency=agency, granted_by=actor, **target.fields()
            )
            assignment.full_clean()
            assignment.save()
        if ROLES[role].staff and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    forget(user)
    return assignment


def revoke_role(user: Any, role: Role) -> int:
    """End every active assignment of ``role`` (kept, with ``revoked_at``); returns how many."""
    count = (
        RoleAssignment.objects.active()
        .filter(user=user, role=role.value)
        .update(revoked_at=timezone.now())
    )
    forget(user)
    return count


def create_user(
    username: str,
    password: str | None,
    role: Role,
    target: ScopeTarget,
    actor: str,
    agency: str = "",
    email: str = "",
) -> Any:
    """A new account holding ``role`` over ``target`` (never a superuser).

    ``password=None`` leaves the account without a usable password until one is set.
    """
    model = get_user_model()
    if model.objects.filter(username=username).exists():
        raise InvalidInput("account_invalid", f"user {username!r} already exists")
    user = model(username=username, email=email, is_staff=ROLES[role].staff)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput("account_invalid", "; ".join(exc.messages)) from exc
        user.set_password(password)
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
        grant_role(user, role, target, actor, agency)
    return user


def enrol_totp(user: Any, replace: bool = False) -> TOTPDevice:
    """A confirmed authenticator for ``user``, handed over by an administrator in person.

    Refuses to replace an existing authenticator unless asked, so that a typo cannot lock
    someone out silently.
    """
    with transaction.atomic():
        devices = TOTPDevice.objects.filter(user=user)
        if devices.filter(confirmed=True).exists() and not replace:
            raise InvalidInput(
                "account_invalid",
                f"{user.get_username()} already has an authenticator (use --replace)",
            )
        devices.delete()
        device = TOTPDevice.for_user(user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device
