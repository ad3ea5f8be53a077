"""An alert as staff read it: what it is and each item of its evidence, named in the reader's
language at display time.

``services.raise_alert`` keeps the raising domain's evidence structured
(``Case.alert_evidence``) beside the text it was raised with (the description, whose digest the
ledger holds). A page never shows that text's ``key: value`` lines or codes: each key is named
here, numbers and moments are written the reader's way, records (a voter, a station) are
linked, and a domain that knows more about its own alerts (a participant's refusal, a finance
flag) names them through a renderer it registers in an ``alert_text`` module of its app
(found the way Django's admin finds ``admin`` modules, so this package, below every domain,
imports none of them). A domain whose evidence holds a structured item of its own (counting's
``protocol_check``: reason codes and figures) registers a reader for that key too, so the item
reads the same on the alert and where the case's timeline shows it raised again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from shailoo.incidents.forms import ACTOR_LABELS, ALERT_LABELS, label
from shailoo.incidents.models import Case


@dataclass(frozen=True)
class Item:
    """One item of evidence: its name, its value as read, and a page to open (or "")."""

    name: str
    text: str
    url: str = ""
    code: str = ""  # the key as stored, for programs and tests


@dataclass(frozen=True)
class AlertView:
    """What the page shows of an alert: its name, a sentence (or ""), and the evidence."""

    title: str
    sentence: str = ""
    items: list[Item] = field(default_factory=list)
    #: The text as raised, shown verbatim only for an outside system's alert (its own words).
    raw: str = ""


#: Names of the evidence keys the domains give (``raise_alert(evidence=...)``).
EVIDENCE_LABELS: dict[str, Any] = {
    "ledger_entry": _("Ledger entry"),
    "decision_entry": _("Ledger entry of the decision"),
    "version": _("Protocol version"),
    "reasons": _("Reasons"),
    "reason": _("Reason"),
    "person": _("Person"),
    "person_a": _("First person (reference)"),
    "person_b": _("Second person (reference)"),
    "record_a": _("First person"),
    "record_b": _("Second person"),
    "station_a": _("Station of the first person"),
    "station_b": _("Station of the second person"),
    "score": _("Likeness score"),
    "run": _("Deduplication run"),
    "voter": _("Voter"),
    "vote_station": _("Station of the ballot that counts"),
    "vote_at": _("Ballot that counts issued at"),
    "second_station": _("Station of the second ballot"),
    "second_at": _("Second ballot issued at"),
    "voted_station": _("Station where the voter voted"),
    "voted_at": _("Voted at"),
    "attempt_station": _("Station of the attempt"),
    "attempt_at": _("Attempt at"),
    "rule": _("Rule applied"),
    "device": _("Device"),
    "key": _("Request key"),
    "dwelling": _("Dwelling"),
    "address": _("Address"),
    "voters": _("Voters registered"),
    "persons": _("Persons"),
    "threshold": _("Screening level"),
    "stations": _("Stations"),
    "ballots_received": _("Ballots received"),
    "ballots_unused": _("Ballots unused"),
    "ballots_spoiled": _("Ballots spoiled"),
    "issued": _("Ballots issued"),
    "second_issues_here": _("Second ballots issued here"),
    "difference": _("Difference"),
}
#: Coded values, by the key they stand under.
VALUE_LABELS: dict[str, dict[str, Any]] = {
    "rule": {
        "earliest_issue": _("the ballot issued first stands"),
    },
}
#: Keys whose value is a polling station's number, or a moment (ISO 8601).
STATION_KEYS = frozenset(
    {"station_a", "station_b", "vote_station", "second_station", "voted_station", "attempt_station"}
)
MOMENT_KEYS = frozenset({"vote_at", "second_at", "voted_at", "attempt_at"})
ENTRY_KEYS = frozenset({"ledger_entry", "decision_entry"})
#: A record named the ledger's way (``app.model:pk``) and the staff page that shows it.
RECORD_PAGES: dict[str, str] = {"register.person": "register:person"}

#: ``renderer(case, evidence) -> AlertView | None``: a domain's own reading of its alerts.
Renderer = Callable[[Case, Mapping[str, Any]], "AlertView | None"]
#: ``reader(value) -> items``: a domain's reading of one evidence key it gives ([]: not
#: readable as that domain's, so the generic reading is shown).
KeyReader = Callable[[Any], "list[Item]"]
_RENDERERS: dict[str, Renderer] = {}
_KEY_READERS: dict[str, KeyReader] = {}
_discovered = False


def register(source: str) -> Callable[[Renderer], Renderer]:
    """Decorator: ``fn`` names the alerts ``source`` raises (called from its ``alert_text``)."""

    def wrap(fn: Renderer) -> Renderer:
        _RENDERERS[source] = fn
        return fn

    return wrap


def register_key(key: str) -> Callable[[KeyReader], KeyReader]:
    """Decorator: ``fn`` reads the evidence item ``key`` a domain gives (from its
    ``alert_text``); every page that shows evidence then reads that item through it."""

    def wrap(fn: KeyReader) -> KeyReader:
        _KEY_READERS[key] = fn
        return fn

    return wrap


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("alert_text")
        _discovered = True


def _renderer(source: str) -> Renderer | None:
    _discover()
    return _RENDERERS.get(source)


def record_url(ref: str) -> str:
    """The staff page of a record named ``app.model:pk`` ("" when there is none)."""
    model, _colon, pk = ref.rpartition(":")
    name = RECORD_PAGES.get(model)
    if not name or not pk.isdigit():
        return ""
    try:
        return reverse(name, kwargs={"pk": int(pk)})
    except NoReverseMatch:
        return ""


def moment_text(value: str) -> str:
    """An ISO 8601 moment in the reader's date and time format (the text itself if not one)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def number_text(value: int | float) -> str:
    """A count or a score the reader's way (121 089; 0,87)."""
    return str(formats.number_format(value, use_l10n=True, force_grouping=True))


def item(key: str, value: Any) -> Item:
    """One evidence item named: its key's name, the value written for a reader."""
    name = label(EVIDENCE_LABELS, key)
    url = ""
    values = VALUE_LABELS.get(key, {})
    if isinstance(value, bool):
        text = str(_("yes") if value else _("no"))
    elif key in STATION_KEYS and isinstance(value, int | str) and str(value).isdigit():
        text = f"№{value}"
    elif key in ENTRY_KEYS and isinstance(value, int | str) and str(value).isdigit():
        text = f"#{value}"
    elif isinstance(value, int | float):
        text = number_text(value)
    elif isinstance(value, str) and value in values:
        text = str(values[value])
    elif isinstance(value, str) and key in MOMENT_KEYS:
        text = moment_text(value)
    elif isinstance(value, str):
        text, url = value, record_url(value)
    elif isinstance(value, list):
        text = "; ".join(str(v) for v in value)
    elif value is None:
        text = "—"
    else:
        text = str(value)
    return Item(name, text, url, key)


def evidence_items(evidence: Mapping[str, Any], skip: frozenset[str] = frozenset()) -> list[Item]:
    """Every item of ``evidence`` but ``skip``, named, in the order of its keys (a key a
    domain registered a reader for is read by it)."""
    _discover()
    items: list[Item] = []
    for key, value in sorted(evidence.items()):
        if key in skip:
            continue
        reader = _KEY_READERS.get(str(key))
        items.extend((reader(value) if reader is not None else []) or [item(str(key), value)])
    return items


def alert_view(case: Case) -> AlertView | None:
    """The alert of ``case`` as the reader reads it (None: the case is no alert)."""
    if case.source != Case.Source.ALERT or not case.alert_kind:
        return None
    source = case.alert_kind.partition(".")[0]
    evidence = case.alert_evidence or {}
    title = label(ALERT_LABELS, case.alert_kind)
    if source not in ACTOR_LABELS:
        # An outside system's alert: its own words, as it sent them, and its evidence.
        return AlertView(title, "", evidence_items(evidence), raw=case.description)
    renderer = _renderer(source)
    view = renderer(case, evidence) if renderer is not None else None
    return view or AlertView(title, "", evidence_items(evidence))


__all__ = [
    "EVIDENCE_LABELS",
    "AlertView",
    "Item",
    "alert_view",
    "evidence_items",
    "item",
    "moment_text",
    "number_text",
    "record_url",
    "register",
    "register_key",
]
