"""Two-step login: the password opens a short pending state, only TOTP completes the login.

After the password step the session holds only the pending user's id (for five minutes);
``request.user`` stays anonymous, so nothing behind a login can be reached with the password
alone. The TOTP step (or first-time enrolment) performs the real ``login`` and marks the
session verified for django-otp. Wrong codes count as failed logins for django-axes, so a
guessed password cannot be followed by unlimited code guesses.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest

from shailoo.accounts.models import TOTPDevice

PENDING_KEY = "accounts.pending"
PENDING_SECONDS = 300


def begin(request: HttpRequest, user: Any, next_url: str) -> None:
    """Remember that ``user`` passed the password step (new session key: no fixation)."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": time.time(),
        "next": next_url,
    }


def pending(request: HttpRequest) -> tuple[Any, str] | None:
    """The user waiting for the second factor and where they were going, or None."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict) or time.time() - float(state.get("at", 0)) > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=state.get("user"), is_active=True).first()
    if user is None:
        return None
    user.backend = state["backend"]
    return user, str(state.get("next", ""))


def complete(request: HttpRequest, user: Any, device: TOTPDevice) -> None:
    """Log the user in, verified by ``device`` (django-otp stores it in the session)."""
    request.session.pop(PENDING_KEY, None)
    user.otp_device = device
    login(request, user, backend=user.backend)


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def check_token(request: HttpRequest, user: Any, device: TOTPDevice, token: str) -> bool:
    """Verify a code; a wrong one is reported to django-axes as a failed login."""
    if device.verify_token(token):
        return True
    user_login_failed.send(
        sender=__name__,
        credentials={settings.AXES_USERNAME_FORM_FIELD: user.get_username()},
        request=request,
    )
    return False


def locked_out(request: HttpRequest, user: Any) -> bool:
    """Whether django-axes has locked this user (from this address) out."""
    from axes.handlers.proxy import AxesProxyHandler

    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}
    return bool(AxesProxyHandler.is_locked(request, credentials))


def self_enrolment_allowed() -> bool:
    return bool(getattr(settings, "SHAILOO_TOTP_SELF_ENROLMENT", True))
