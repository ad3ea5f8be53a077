"""Names staff read for the register's codes: eligibility rules, voting-place modes, regions,
the fields and values of a person's history.

The codes stay what the register, the ledger and the API store (``AGE``, ``BIOMETRICS``,
``registered_address_with_remote``, ``biometric_registered``); pages show these names and
keep a code only in a muted ``<code>`` or a ``title`` for cross-reference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext, gettext_lazy

from shailoo.register.messages import RULE_NAMES, Lang
from shailoo.register.models import ListCorrection, Person

#: How a law edition lets a voter vote elsewhere (``law.schema.VotingPlaceMode``).
VOTING_PLACE_MODES: dict[str, Any] = {
    "station_change_on_request": gettext_lazy("change of polling station on request"),
    "registered_address": gettext_lazy("only at the station of the registered address"),
    "registered_address_with_remote": gettext_lazy(
        "at the station of the registered address, or a remote-voting station on request"
    ),
}

#: A correction answered, as the service writes it into the person's history.
_CORRECTION = re.compile(r"^correction #(\d+) \(([a-z_]+)\)$")


def rule_names(codes: str, lang: Lang) -> list[tuple[str, str]]:
    """``(code, name)`` for each eligibility rule a person fails (``"AGE,BIOMETRICS"``)."""
    out = []
    for code in (c.strip() for c in codes.split(",")):
        if code:
            names = RULE_NAMES.get(code)
            out.append((code, names[lang] if names is not None else code))
    return out


def voting_place_mode(code: str) -> str:
    name = VOTING_PLACE_MODES.get(code)
    return str(name) if name is not None else code


def region_name(region: Mapping[str, Any], lang: Lang, prefix: str = "") -> str:
    """A region's name in ``lang`` from a row of values (``prefix`` names the columns)."""
    name = region.get(f"{prefix}name_{lang}") or region.get(f"{prefix}name_ru")
    return str(name or region.get(f"{prefix}code") or "")


@dataclass(frozen=True)
class HistoryLine:
    """One change of a person's record: what changed (by name), from what to what."""

    code: str
    name: str
    old: str
    new: str


def _choice(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _value(field: str, value: object, lang: Lang) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if field == "sex":
        return _choice(Person.Sex, value)
    if field == "ineligible_codes" and isinstance(value, str):
        return ", ".join(name for _, name in rule_names(value, lang))
    if field in ("station", "remote_station"):
        return f"№{value}"
    return str(value)


def history_lines(changes: Mapping[str, Any], lang: Lang) -> list[HistoryLine]:
    """A ``PersonChange``'s ``{field: [old, new]}`` with every field and coded value named."""
    lines = []
    for key, values in changes.items():
        old, new = [*values, None, None][:2] if isinstance(values, list) else [None, values]
        correction = _CORRECTION.match(str(key))
        if correction is not None:
            number, kind = correction.groups()
            name = gettext("correction request №%(number)s: %(kind)s") % {
                "number": number,
                "kind": _choice(ListCorrection.Kind, kind),
            }
            lines.append(
                HistoryLine(
                    str(key),
                    name,
                    _choice(ListCorrection.Status, old),
                    _choice(ListCorrection.Status, new),
                )
            )
            continue
        try:
            label = str(Person._meta.get_field(str(key)).verbose_name)
        except FieldDoesNotExist:
            label = str(key)
        lines.append(
            HistoryLine(str(key), label, _value(str(key), old, lang), _value(str(key), new, lang))
        )
    return lines
