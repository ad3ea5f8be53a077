"""What a check-in request is, checked on the device before it is sent or decided offline.

The device refuses a malformed request itself, all faults at once with their fields, rather
than spending a sequence number and a clock reading on a request the server would refuse, or
deciding offline on one the server would later reject at sync. The outcome codes are those the
server answers (``polling.checkin``) plus ``needs_server``, which only the device says.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput
from shailoo.polling.client.captures import TEMPLATE_KINDS, Capture

ISSUED: Final = "issued"
ALREADY_VOTED: Final = "already_voted"
NOT_ON_LIST: Final = "not_on_list"
NOT_IDENTIFIED: Final = "not_identified"
NEEDS_SERVER: Final = "needs_server"
MODES: Final = ("identify", "verify", "manual")
KINDS: Final = ("station", "home")
#: The ``method`` a ballot issued in each mode is recorded with.
METHOD: Final = {"identify": "identified", "verify": "verified", "manual": "manual"}
MAX_TEMPLATES: Final = 12


def new_key() -> str:
    """A fresh idempotency key (24 characters of [A-Za-z0-9_-], 144 random bits)."""
    return secrets.token_urlsafe(18)


def check_request(
    captures: Sequence[Capture],
    pin: str | None,
    mode: str,
    kind: str,
    manual_reason: str,
    attempts: int,
) -> None:
    """Refuse (``InvalidInput`` ``checkin_request``, one problem per fault) a request that
    cannot be sent: unknown mode, kind or template kind, a PIN that is not 14 digits or
    missing where the mode needs one, no capture for a biometric mode, too many templates,
    a manual issuance without its reason, attempts out of range."""
    problems: list[Problem] = []
    if mode not in MODES:
        problems.append(Problem("mode", f"one of {', '.join(MODES)}"))
    if kind not in KINDS:
        problems.append(Problem("kind", f"one of {', '.join(KINDS)}"))
    if pin is not None and not (len(pin) == 14 and pin.isascii() and pin.isdigit()):
        problems.append(Problem("pin", "a PIN is 14 digits"))
    if mode in ("verify", "manual") and not pin:
        problems.append(Problem("pin", f"mode {mode} needs the document's PIN"))
    if mode in ("identify", "verify") and not captures:
        problems.append(Problem("templates", "biometric modes need a capture"))
    if len(captures) > MAX_TEMPLATES:
        problems.append(Problem("templates", f"at most {MAX_TEMPLATES} templates"))
    for i, capture in enumerate(captures):
        if capture.kind not in TEMPLATE_KINDS:
            problems.append(Problem(f"templates.{i}.kind", f"one of {', '.join(TEMPLATE_KINDS)}"))
    if mode == "manual" and not manual_reason:
        problems.append(Problem("manual_reason", "say which manual procedure"))
    if not 0 <= attempts <= 100:
        problems.append(Problem("attempts", "0 to 100"))
    if problems:
        raise InvalidInput("checkin_request", "the check-in cannot be sent", problems=problems)
