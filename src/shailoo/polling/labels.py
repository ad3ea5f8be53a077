"""Names staff read for the codes of election day: a refused check-in's outcome, a ground
for voting at home, a line of a station's opening or closing report, the conflict rule of a
second ballot, a security event of a station's devices.

The codes stay what devices, the ledger, the law edition and the security-event log carry;
pages show these names in the reader's language and keep the code only in a ``title`` or a
``data-`` attribute for cross-reference. A code without a name shows as itself rather
than as nothing, so a new code is visible before it is named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

#: What a refused check-in's outcome means (``checkin`` outcome codes).
OUTCOME_LABELS: Mapping[str, Any] = {
    "not_identified": gettext_lazy("not identified"),
    "already_voted": gettext_lazy("already voted"),
    "not_on_list": gettext_lazy("not on this list"),
    "ineligible": gettext_lazy("not eligible"),
    "no_home_request": gettext_lazy("no home-voting request"),
    "irregular": gettext_lazy("issued offline to a voter not on the list"),
}

#: The grounds for voting at home a law edition may name (``law.schema.HomeVotingGround``).
GROUND_LABELS: Mapping[str, Any] = {
    "health": gettext_lazy("state of health"),
    "disability": gettext_lazy("disability"),
    "hospital": gettext_lazy("in hospital"),
    "pretrial_detention": gettext_lazy("held in pre-trial detention"),
    "remote_area": gettext_lazy("living in a remote area or at a distant pasture"),
    "military_duty": gettext_lazy("military service"),
    "police_duty": gettext_lazy("police duty"),
    "continuous_work": gettext_lazy("work that cannot be interrupted"),
    "shift_work": gettext_lazy("shift work"),
    "care_of_dependant": gettext_lazy("caring for a dependant"),
    "commission_decision": gettext_lazy("decision of the commission"),
}

REPORT_LABELS: Mapping[str, Any] = {
    "ballots_received": gettext_lazy("Ballots received"),
    "package_sha256": gettext_lazy("Station package (SHA-256)"),
    "ballots_unused": gettext_lazy("Ballots unused (cancelled)"),
    "ballots_spoiled": gettext_lazy("Ballots spoiled"),
    "issued": gettext_lazy("Ballots issued"),
    "manual": gettext_lazy("Manual issuances"),
    "home": gettext_lazy("Home ballots"),
    "offline": gettext_lazy("Issued offline"),
    "second_issues_here": gettext_lazy("Second ballots issued here"),
    "second_issues_of_voters_here": gettext_lazy("Second ballots to voters who voted here"),
    "difference": gettext_lazy("Difference"),
}


#: Which of two ballots to one voter stands (``law.schema.ConflictRule``).
CONFLICT_RULE_LABELS: Mapping[str, Any] = {
    "earliest_issue": gettext_lazy("the ballot issued first stands"),
    "first_received": gettext_lazy("the ballot the server received first stands"),
}

#: What a security event of a station's devices means (``integrity.security_events`` kinds:
#: ``device.<refusal>`` from ``polling.devices`` and the API, ``request.<reason>`` from
#: ``integrity.submissions.Reason``).
SECURITY_EVENT_LABELS: Mapping[str, Any] = {
    "device.not_a_device": gettext_lazy("a key that is not an enrolled device"),
    "device.revoked_device": gettext_lazy("a request from a revoked device"),
    "device.foreign_station": gettext_lazy("a device acting for another station"),
    "device.clock_wrong": gettext_lazy("the device's clock is wrong"),
    "device.out_of_order": gettext_lazy("readings of a device out of order"),
    "request.missing_header": gettext_lazy("signed request without a required header"),
    "request.malformed_header": gettext_lazy("signed request with a malformed header"),
    "request.unknown_key": gettext_lazy("signed request with an unknown key"),
    "request.revoked_key": gettext_lazy("signed request with a revoked key"),
    "request.key_not_in_force": gettext_lazy("signed request with a key not in force"),
    "request.wrong_key_usage": gettext_lazy("signed request with a key meant for other uses"),
    "request.body_hash_mismatch": gettext_lazy("signed request whose body does not match"),
    "request.bad_signature": gettext_lazy("signed request with a wrong signature"),
    "request.stale_timestamp": gettext_lazy("signed request too old or from the future"),
    "request.replayed_sequence": gettext_lazy("signed request replayed"),
}


def label(labels: Mapping[str, Any], code: str) -> str:
    """The label of ``code`` in the reader's language, the code itself when unknown."""
    text = labels.get(code)
    return str(text) if text is not None else code
