"""Helpers for tests: accounts with roles, and clients logged in with a verified TOTP device.

Tests should not weaken the login to get in; they log in the way the MFA login leaves a
session (a user plus a verified django-otp device), without typing codes.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from shailoo.accounts.models import TOTPDevice
from shailoo.accounts.roles import Role, Scope
from shailoo.accounts.services import ScopeTarget, grant_role
from shailoo.geo.models import PollingStation, Region, TerritorialCommission

Territory = Region | TerritorialCommission | PollingStation | None


def target_for(territory: Territory) -> ScopeTarget:
    if territory is None:
        return ScopeTarget(Scope.COUNTRY, None)
    if isinstance(territory, Region):
        return ScopeTarget(Scope.REGION, territory)
    if isinstance(territory, TerritorialCommission):
        return ScopeTarget(Scope.TEC, territory)
    return ScopeTarget(Scope.STATION, territory)


def make_user(
    username: str,
    role: Role | None = None,
    territory: Territory = None,
    *,
    agency: str = "",
    password: str | None = None,
) -> Any:
    """A user, with ``role`` over ``territory`` (None: the whole country) when given."""
    user = get_user_model().objects.create_user(username, password=password)
    if role is not None:
        grant_role(user, role, target_for(territory), actor="test", agency=agency)
    return user


def device_for(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.for_user(user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def login_verified(client: Client, user: Any) -> TOTPDevice:
    """Log ``client`` in as ``user`` with the second factor passed."""
    device = device_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the authenticator app shows now (or at the Unix time ``at``)."""
    generator = TOTP(device.secret, device.step, 0, device.digits, device.drift)
    generator.time = time.time() if at is None else at
    return f"{generator.token():0{device.digits}d}"
