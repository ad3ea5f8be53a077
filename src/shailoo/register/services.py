"""Use cases of the voter register: self-check, voting-place changes, list corrections, edits.

Every function that changes data checks who acts, makes the change and writes its history in
one transaction, so a change without its history (or the reverse) cannot be committed. A
refused request raises one of the shared refusals (:mod:`shailoo.common.refusals`) with a
code, a readable message and the legal citation; refusals of voting-place requests are stored
before the error is raised, because the law asks the commission to account for every
request, granted or not.

Actors (:mod:`shailoo.common.actors`) are users (staff pages, admin) or named system actors
(``"cli"``); :func:`shailoo.accounts.permissions.require` decides, denying by default.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import Actor, actor_name, user_of
from shailoo.common.refusals import Conflict, InvalidInput, Refusal
from shailoo.elections.models import Election
from shailoo.elections.services import current_election
from shailoo.geo.models import PollingStation
from shailoo.integrity import ledger
from shailoo.law.loader import LawError, load_edition
from shailoo.law.schema import Cited, Edition, Lang
from shailoo.register import ledger_entries
from shailoo.register import state as person_states
from shailoo.register.eligibility import Verdict, render
from shailoo.register.models import (
    ListCorrection,
    Person,
    PersonChange,
    VotingPlaceChange,
)
from shailoo.register.names import name_key, normalise, transliterate
from shailoo.register.pin import check_pin
from shailoo.register.verdicts import verdict_for

#: Longest citation the history tables store (``citation`` columns are 200 characters).
CITATION_MAX = 200


# -- elections, law -------------------------------------------------------------------------


def law_for(election: Election) -> Edition:
    """The law edition that governs ``election``."""
    try:
        return load_edition(election.law_edition)
    except LawError as exc:
        raise Refusal(
            "law_edition_invalid",
            gettext("The law edition %(edition)s cannot be loaded: %(problem)s")
            % {"edition": election.law_edition, "problem": exc},
        ) from exc


def ui_lang() -> Lang:
    """The active interface language as a law-file language (``en`` when unknown)."""
    code = (translation.get_language() or "en")[:2]
    return "ky" if code == "ky" else "ru" if code == "ru" else "en"


def _stored(param: Cited[Any]) -> str:
    """The English citation, cut to fit a ``citation`` column."""
    text = param.citation
    return text if len(text) <= CITATION_MAX else text[: CITATION_MAX - 1] + "…"


def _texts(template: str, **values: object) -> tuple[str, str]:
    """``template`` (marked with gettext_noop) in English for the record and in the UI language."""
    with translation.override("en"):
        english = gettext(template) % values
    return english, gettext(template) % values


# -- self-check ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StationInfo:
    """What a voter needs to find a polling station."""

    number: int
    name: str
    address: str

    @classmethod
    def of(cls, station: PollingStation) -> StationInfo:
        return cls(station.number, station.name, station.address)


@dataclass(frozen=True, slots=True)
class SelfCheckResult:
    """A voter's own record: on the list or not (with rule codes), and where to vote."""

    on_list: bool
    reasons: tuple[str, ...]
    station: StationInfo
    remote_station: StationInfo | None

    @property
    def voting_station(self) -> StationInfo:
        return self.remote_station or self.station


def self_check(pin: str, birth_date: datetime.date) -> SelfCheckResult | None:
    """The voter's record when both the PIN and the birth date match, else None.

    A wrong birth date gets exactly the answer an unknown PIN gets (one query either way),
    so the page cannot be used to learn which PINs exist.
    """
    if check_pin(pin) is not None:
        return None
    person = (
        Person.objects.select_related("station", "remote_station")
        .filter(pin=pin, birth_date=birth_date)
        .first()
    )
    if person is None:
        return None
    remote = person.remote_station
    return SelfCheckResult(
        on_list=person.eligible,
        reasons=tuple(code for code in person.ineligible_codes.split(",") if code),
        station=StationInfo.of(person.station),
        remote_station=StationInfo.of(remote) if remote is not None else None,
    )


# -- voting place --------------------------------------------------------------------------

_MSG_MODE_FORBIDS = gettext_noop(
    "Under this law the registered address decides the polling station; a voter changes "
    "it by changing the registered address, not by request."
)
_MSG_DEADLINE = gettext_noop(
    "Requests to vote elsewhere are accepted until %(last_day)s (%(days)s days before "
    "polling day); this request came on %(today)s."
)
_MSG_NOT_REMOTE = gettext_noop(
    "Station №%(number)s is not a remote-voting station; remote voting is only possible at "
    "the special remote-voting stations."
)
_MSG_SAME_DISTRICT = gettext_noop(
    "Station №%(number)s lies in the voter's own district; remote voting is only for voting "
    "outside it."
)
_MSG_SAME_STATION = gettext_noop("The voter already votes at station №%(number)s.")


@dataclass(frozen=True, slots=True)
class _Refusal:
    code: str
    template: str
    param: Cited[Any] | None
    values: Mapping[str, object]


def _voting_place_refusal(
    person: Person,
    to_station: PollingStation,
    election: Election,
    law: Edition,
    today: datetime.date,
) -> _Refusal | None:
    """Why the law refuses moving ``person`` to ``to_station`` today, or None."""
    polling = law.polling
    mode = polling.voting_place_mode.value
    if mode == "registered_address":
        return _Refusal("mode_forbids_change", _MSG_MODE_FORBIDS, polling.voting_place_mode, {})
    if to_station.pk == person.voting_station.pk:
        return _Refusal("same_station", _MSG_SAME_STATION, None, {"number": to_station.number})
    if mode == "registered_address_with_remote":
        if not to_station.is_remote_voting:
            return _Refusal(
                "not_remote_station",
                _MSG_NOT_REMOTE,
                polling.voting_place_mode,
                {"number": to_station.number},
            )
        outside_only = polling.remote_voting_outside_own_district_only
        if (
            outside_only is not None
            and outside_only.value
            and _same_area(person.station, to_station)
        ):
            return _Refusal(
                "same_district", _MSG_SAME_DISTRICT, outside_only, {"number": to_station.number}
            )
    days = polling.voting_place_change_deadline_days.value
    last_day = election.polling_day - datetime.timedelta(days=days)
    if today > last_day:
        return _Refusal(
            "deadline_passed",
            _MSG_DEADLINE,
            polling.voting_place_change_deadline_days,
            {"last_day": last_day.isoformat(), "days": days, "today": today.isoformat()},
        )
    return None


def _same_area(home: PollingStation, other: PollingStation) -> bool:
    """Same district when both stations have one; otherwise the same TEC decides."""
    if home.district_id is not None and other.district_id is not None:
        return bool(home.district_id == other.district_id)
    return bool(home.tec_id == other.tec_id)


def change_voting_place(
    person: Person,
    to_station: PollingStation,
    actor: Actor,
    now: datetime.datetime | None = None,
) -> VotingPlaceChange:
    """Move a voter to another list as the edition allows, or store and raise the refusal.

    kg-2020 (station change on request): any other station, until the deadline; the
    registered station changes. kg-2021 (registered address): always refused. kg-2025
    (registered address with remote voting): a remote-voting station outside the voter's
    own district, until the deadline; ``remote_station`` is set and the home station kept.
    """
    require(actor, Permission.VOTING_PLACE_CHANGE, person)
    now = now or timezone.now()
    election = current_election()
    law = law_for(election)
    mode = law.polling.voting_place_mode.value
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",))
            .select_related("station", "remote_station")
            .get(pk=person.pk)
        )
        from_station = person.voting_station
        remote = mode == "registered_address_with_remote" or (
            mode == "registered_address" and to_station.is_remote_voting
        )
        record = VotingPlaceChange(
            person=person,
            kind=(
                VotingPlaceChange.Kind.REMOTE_VOTING
                if remote
                else VotingPlaceChange.Kind.STATION_CHANGE
            ),
            from_station=from_station,
            to_station=to_station,
            requested_at=now,
            actor=actor_name(actor),
        )
        refusal = _voting_place_refusal(person, to_station, election, law, timezone.localdate(now))
        if refusal is not None:
            english, localized = _texts(refusal.template, **refusal.values)
            record.status = VotingPlaceChange.Status.REFUSED
            record.reason = english
            record.citation = _stored(refusal.param) if refusal.param is not None else ""
            record.save()
            ledger_entries.voting_place_change(record)
        else:
            record.status = VotingPlaceChange.Status.APPLIED
            record.citation = _stored(law.polling.voting_place_mode)
            record.save()
            ledger_entries.voting_place_change(record)
            if remote:
                old = person.remote_station.number if person.remote_station else None
                person.remote_station = to_station
                person.save(update_fields=["remote_station", "updated_at"])
                diff = {"remote_station": [old, to_station.number]}
            else:
                old = person.station.number
                person.station = to_station
                person.save(update_fields=["station", "updated_at"])
                diff = {"station": [old, to_station.number]}
            change = PersonChange.objects.create(
                person=person,
                actor=actor_name(actor),
                source=PersonChange.Source.VOTING_PLACE,
                changes=diff,
            )
            entry = ledger_entries.person_change(change)
            person_states.bind(
                [person.pk],
                source=person_states.VOTING_PLACE,
                of=entry.sequence if entry is not None else None,
            )
    if refusal is not None:
        citation = refusal.param.citation_in(ui_lang()) if refusal.param is not None else ""
        raise Refusal(refusal.code, localized, citation=citation, record=record)
    return record


# -- list corrections ----------------------------------------------------------------------


def request_correction(
    pin: str, kind: str, details: str, now: datetime.datetime | None = None
) -> ListCorrection:
    """Register a voter's request to correct the list; the law sets the answer date.

    Refused once the correction period has closed
    (``calendar.correction_deadline_days_before`` days before polling day).
    """
    problem = check_pin(pin)
    if problem is not None:
        raise InvalidInput(
            "invalid_pin", gettext("PIN: %(reason)s.") % {"reason": gettext(problem.why)}
        )
    if kind not in ListCorrection.Kind.values:
        raise InvalidInput(
            "invalid_kind",
            gettext("Unknown kind of correction %(kind)r; expected one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(ListCorrection.Kind.values)},
        )
    if not details.strip():
        raise InvalidInput("empty_details", gettext("Say what is wrong in the list."))
    now = now or timezone.now()
    today = timezone.localdate(now)
    election = current_election()
    calendar = law_for(election).calendar
    closes = election.polling_day - datetime.timedelta(
        days=calendar.correction_deadline_days_before.value
    )
    if today > closes:
        raise Conflict(
            "corrections_closed",
            gettext("Corrections to the list were accepted until %(closes)s.")
            % {"closes": closes.isoformat()},
            citation=calendar.correction_deadline_days_before.citation_in(ui_lang()),
        )
    with transaction.atomic():
        correction = ListCorrection.objects.create(
            pin=pin,
            person=Person.objects.filter(pin=pin).first(),
            kind=kind,
            details=details.strip(),
            requested_at=now,
            due_by=today + datetime.timedelta(days=calendar.correction_answer_days.value),
            citation=_stored(calendar.correction_answer_days),
        )
        ledger_entries.list_correction(correction)
        return correction


def answer_correction(
    correction: ListCorrection,
    accepted: bool,
    answer: str,
    actor: Actor,
    now: datetime.datetime | None = None,
) -> ListCorrection:
    """Accept or reject an open correction request; the person's history notes the answer."""
    require(actor, Permission.CORRECTION_ANSWER)
    if not answer.strip():
        raise InvalidInput("empty_answer", gettext("Write the answer the voter will receive."))
    with transaction.atomic():
        correction = ListCorrection.objects.select_for_update().get(pk=correction.pk)
        require(actor, Permission.CORRECTION_ANSWER, correction)
        if correction.status != ListCorrection.Status.OPEN:
            raise Conflict(
                "already_answered",
                gettext("This request was already answered (%(status)s).")
                % {"status": correction.get_status_display()},
            )
        status = ListCorrection.Status.ACCEPTED if accepted else ListCorrection.Status.REJECTED
        correction.status = status
        correction.answer = answer.strip()
        correction.answered_at = now or timezone.now()
        correction.answered_by = user_of(actor)
        correction.save()
        ledger_entries.list_correction(correction)
        if correction.person_id is not None:
            change = PersonChange.objects.create(
                person_id=correction.person_id,
                actor=actor_name(actor),
                source=PersonChange.Source.CORRECTION,
                changes={
                    f"correction #{correction.pk} ({correction.kind})": [
                        str(ListCorrection.Status.OPEN),
                        str(status),
                    ]
                },
            )
            ledger_entries.person_change(change)
    return correction


def overdue_corrections(today: datetime.date) -> QuerySet[ListCorrection]:
    """Open requests whose legal answer date has passed."""
    return (
        ListCorrection.objects.filter(status=ListCorrection.Status.OPEN, due_by__lt=today)
        .select_related("person")
        .order_by("due_by", "id")
    )


# -- staff edits ---------------------------------------------------------------------------


def _jsonable(value: object) -> object:
    if isinstance(value, PollingStation):
        return value.number
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record_admin_change(
    person: Person, changed_fields: Mapping[str, tuple[object, object]], actor: Actor
) -> PersonChange | None:
    """Write a staff correction of ``person`` into its history as ``{field: [old, new]}``."""
    require(actor, Permission.PERSON_EDIT, person)
    if not changed_fields:
        return None
    with transaction.atomic():
        change = PersonChange.objects.create(
            person=person,
            actor=actor_name(actor),
            source=PersonChange.Source.ADMIN,
            changes={
                field: [_jsonable(old), _jsonable(new)]
                for field, (old, new) in changed_fields.items()
            },
        )
        ledger_entries.person_change(change)
        return change


#: Fields a staff edit may change directly; the rest are computed from them.
COMPUTED_FIELDS = ("name_key", "name_latin", "eligible", "ineligible_codes")
_SKIPPED = frozenset({"id", "created_at", "updated_at", "row_hash"})


def save_admin_edit(person: Person, actor: Actor) -> PersonChange | None:
    """Save a person edited by staff: recompute the derived fields, then record the diff.

    The name key and transliteration follow the names, and the verdict follows the facts
    (for the current election, when one is set), so an edit can never leave them stale.
    """
    require(actor, Permission.PERSON_EDIT, person)
    with transaction.atomic():
        before = Person.objects.select_for_update().get(pk=person.pk)
        person.name_key = name_key(person.surname, person.given_name, person.patronymic)
        person.name_latin = transliterate(
            f"{person.surname} {person.given_name} {person.patronymic}".strip()
        )
        election = Election.objects.filter(is_current=True).order_by("-polling_day").first()
        if election is not None:
            verdict = verdict_for(person, election)
            person.eligible = verdict.eligible
            person.ineligible_codes = verdict.codes
        changes: dict[str, tuple[object, object]] = {}
        for field in Person._meta.concrete_fields:
            if field.name in _SKIPPED:
                continue
            old = getattr(before, field.attname)
            new = getattr(person, field.attname)
            if old != new:
                if field.is_relation:
                    old, new = getattr(before, field.name), getattr(person, field.name)
                changes[field.name] = (old, new)
        person.save()
        change = record_admin_change(person, changes, actor)
        if change is not None:
            person_states.bind([person.pk], source=person_states.STAFF, of=ledger.size() - 1)
        return change


# -- overviews for staff pages -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DwellingAlert:
    """A dwelling with more voters registered than the alert threshold."""

    dwelling_id: str
    address: str
    station_number: int
    voters: int
    limit: int
    citation: str


def dwelling_alerts(law: Edition) -> list[DwellingAlert]:
    """Dwellings where more voters on the lists are registered than the law's threshold.

    Counted over voters on the lists (eligible persons): a padded list is what the alert
    looks for, and children or deceased residents do not pad it.
    """
    param = law.polling.max_registered_per_dwelling
    rows = (
        Person.objects.filter(eligible=True)
        .values("dwelling_id")
        .annotate(voters=Count("id"), address=Min("address"), station=Min("station__number"))
        .filter(voters__gt=param.value)
        .order_by("-voters", "dwelling_id")
    )
    citation = param.citation_in(ui_lang())
    return [
        DwellingAlert(
            row["dwelling_id"], row["address"], row["station"], row["voters"], param.value, citation
        )
        for row in rows
    ]


def region_totals() -> list[dict[str, Any]]:
    """Persons and voters per region of the registered station, in region-code order."""
    return list(
        Person.objects.values(
            "station__region__code", "station__region__name_ru", "station__region__name_ky"
        )
        .annotate(persons=Count("id"), voters=Count("id", filter=Q(eligible=True)))
        .order_by("station__region__code")
    )


SEARCH_LIMIT = 50


def search_persons(query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """Persons whose name key starts with, then contains, the normalised query.

    A 14-digit query is read as a PIN. Spelling variants meet because the query is folded
    the same way as stored names (``Өмүров``, ``Омуров`` and ``Omurov`` find each other).
    """
    query = query.strip()
    base = Person.objects.select_related("station", "remote_station")
    if len(query) == 14 and query.isdigit():
        return list(base.filter(pin=query)[:limit])
    key = normalise(query)
    if len(key) < 2:
        return []
    found = list(base.filter(name_key__startswith=key).order_by("name_key", "pin")[:limit])
    if len(found) < limit:
        seen = [p.pk for p in found]
        found += list(
            base.filter(name_key__contains=key)
            .exclude(pk__in=seen)
            .order_by("name_key", "pin")[: limit - len(found)]
        )
    return found


def explain(person: Person, election: Election, lang: str) -> tuple[Verdict, list[str]]:
    """The verdict on ``person`` for ``election`` and its lines in ``lang``."""
    verdict = verdict_for(person, election)
    return verdict, render(verdict, lang)


__all__ = [
    "COMPUTED_FIELDS",
    "DwellingAlert",
    "SelfCheckResult",
    "StationInfo",
    "answer_correction",
    "change_voting_place",
    "current_election",
    "dwelling_alerts",
    "explain",
    "law_for",
    "overdue_corrections",
    "record_admin_change",
    "region_totals",
    "request_correction",
    "save_admin_edit",
    "search_persons",
    "self_check",
    "ui_lang",
]
