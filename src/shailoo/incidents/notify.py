"""Telling members about their cases: in-app notices, e-mail, and SMS through an adapter.

E-mail goes through Django's mail framework (``EMAIL_*`` settings; the console backend in
development). SMS goes through an :class:`SmsGateway`: the default only logs that a message
was sent (never its text or the number in full), a deployment plugs its operator's gateway in
with ``SHAILOO_SMS_GATEWAY`` (a dotted path to a class).
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Sequence
from typing import Any, Protocol

from django.core.mail import send_mail

from shailoo.incidents import clock
from shailoo.incidents.models import Case, Notification

log = logging.getLogger("shailoo.incidents")


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSms:
    """The development gateway: records that a message went out, and to whom (masked)."""

    def send(self, phone: str, text: str) -> None:
        log.info("sms to %s…%s (%d characters)", phone[:4], phone[-2:], len(text))


def sms_gateway() -> SmsGateway:
    path = os.environ.get("SHAILOO_SMS_GATEWAY", "")
    if not path:
        return LoggingSms()
    module, _, name = path.rpartition(".")
    gateway: Any = getattr(importlib.import_module(module), name)()
    return gateway


def tell(members: Sequence[Any], case: Case, kind: str, text: str) -> int:
    """Notify each member (anything with ``pk`` and ``email``: a user, or a
    :class:`~shailoo.incidents.services.Member`) in the app and by e-mail where they have an
    address; return how many."""
    moment = clock.now()
    Notification.objects.bulk_create(
        Notification(user_id=member.pk, case=case, kind=kind, text=text[:300], created_at=moment)
        for member in members
    )
    addresses = [member.email for member in members if getattr(member, "email", "")]
    if addresses:
        send_mail(f"[Shailoo] {case.reference}: {kind}", text, None, addresses, fail_silently=True)
    return len(members)
