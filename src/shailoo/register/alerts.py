"""The register's suspicious findings, put before the rapid-response groups.

Two screenings of the voter register look for the traces a padded or doubled list leaves,
and each finding can be raised as an alert through the one door every domain uses
(:func:`shailoo.incidents.services.raise_alert`), as a ``multiple_voting`` case:

* **likely duplicate persons** (``register.duplicates``): one person registered twice under
  two PINs may vote twice. The alert names the persons by ``ledger.pin_ref`` and by their
  record (``register.person:<id>``, the staff page ``/staff/persons/<id>/``, whose views are
  logged), never by a PIN;
* **crowded dwellings**: many voters registered at one flat or house, the classic sign of
  padding (names added at an address nobody checks). The threshold is a screening level, not
  a legal limit: by default the law edition's ``polling.max_registered_per_dwelling`` (an
  alert level from CEC practice, 10 in the packaged editions, the same the staff dashboard
  shows), and the operator may set another.

Both are *screenings*: a dormitory, a barracks or namesakes born on one day explain many
findings, so the cases are of medium severity and the groups check them against the
registry. Raising is idempotent while a case is open: the same pair or dwelling found again
adds to the open case's timeline instead of opening a second one. ``raise_alert`` writes the
case's ledger entry; the screenings themselves change nothing in the register.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db.models import Count, Min, Q
from django.utils.translation import gettext

from shailoo.accounts.permissions import grants_of, require
from shailoo.accounts.roles import Permission, allowed
from shailoo.common.actors import Actor, is_system
from shailoo.common.refusals import InvalidInput, PermissionRefused
from shailoo.elections.models import Election
from shailoo.elections.services import current_election
from shailoo.incidents import services as incidents
from shailoo.integrity import ledger
from shailoo.register.duplicates import DEFAULT_THRESHOLD, DuplicatePair, find_likely_duplicates
from shailoo.register.models import Person
from shailoo.register.services import law_for

SOURCE = "register"
CATEGORY = "multiple_voting"
DUPLICATE_KIND = "likely_duplicate"
DWELLING_KIND = "crowded_dwelling"
#: Screening findings, not confirmed violations: a biometric same-person decision is "high".
SEVERITY = "medium"
_CHUNK = 500


def _require_national(actor: Actor) -> None:
    """The register is screened as a whole: a system actor or a country-wide assignment."""
    require(actor, Permission.REGISTER_OVERVIEW)
    if not is_system(actor) and not allowed(grants_of(actor), Permission.REGISTER_OVERVIEW, []):
        raise PermissionRefused("forbidden", gettext("Your role does not allow this here."))


def _raise(
    kind: str,
    *,
    summary: str,
    station: int | None,
    subject: str,
    evidence: dict[str, str | int | float],
    dedupe_key: str,
) -> bool:
    """Raise one alert; whether it opened a new case (else an open one took it in)."""
    case = incidents.raise_alert(
        SOURCE,
        kind,
        category=CATEGORY,
        summary=summary,
        station=station,
        subject=subject,
        evidence=evidence,
        severity=SEVERITY,
        dedupe_key=dedupe_key,
    )
    # As the device door tells: an open case that took the alert in notes it last.
    last = case.events.order_by("-pk").values_list("kind", "actor").first()
    return last != ("alert_again", SOURCE)


def _chunks(items: Iterable[str], size: int = _CHUNK) -> Iterator[list[str]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# -- likely duplicate persons ----------------------------------------------------------------


def likely_duplicates(threshold: float = DEFAULT_THRESHOLD) -> list[DuplicatePair]:
    """Every likely duplicate pair in the register (``register.duplicates``), best first."""
    records = Person.objects.values_list("pin", "birth_date", "name_key", "sex").iterator(
        chunk_size=10000
    )
    return find_likely_duplicates(records, threshold=threshold)


def duplicate_key(pin_a: str, pin_b: str) -> str:
    """The dedupe key of a pair, the same whichever person comes first."""
    first, second = sorted((ledger.pin_ref(pin_a), ledger.pin_ref(pin_b)))
    return f"{SOURCE}:{DUPLICATE_KIND}:{first}:{second}"


def raise_duplicate_alerts(pairs: Iterable[DuplicatePair], actor: Actor) -> tuple[int, int]:
    """Raise one alert per pair; ``(opened, already open)``.

    The case goes to person A's station (A has the smaller PIN: a stable choice, so the same
    pair always lands in the same TEC's group); the evidence names both stations. A pair
    whose person left the register since it was found is skipped.
    """
    _require_national(actor)
    pairs = list(pairs)
    found: dict[str, tuple[int, int]] = {}
    for chunk in _chunks({pin for pair in pairs for pin in (pair.pin_a, pair.pin_b)}):
        rows = Person.objects.filter(pin__in=chunk).values_list("pin", "pk", "station__number")
        found.update((pin, (pk, station)) for pin, pk, station in rows)
    opened = again = 0
    for pair in pairs:
        if pair.pin_a not in found or pair.pin_b not in found:
            continue
        (id_a, station_a), (id_b, station_b) = found[pair.pin_a], found[pair.pin_b]
        ref_a, ref_b = ledger.pin_ref(pair.pin_a), ledger.pin_ref(pair.pin_b)
        first, second = sorted((ref_a, ref_b))
        new = _raise(
            DUPLICATE_KIND,
            summary="A person likely registered twice under two PINs: same birth date and "
            f"sex, name similarity {pair.score:.1f} of 100 (register screening)",
            station=station_a,
            subject=f"{SOURCE}.person_pair:{first[:32]}:{second[:32]}",
            evidence={
                "person_a": ref_a,
                "person_b": ref_b,
                "record_a": f"register.person:{id_a}",
                "record_b": f"register.person:{id_b}",
                "station_a": station_a,
                "station_b": station_b,
                "score": pair.score,
                "reason": pair.reason,
            },
            dedupe_key=duplicate_key(pair.pin_a, pair.pin_b),
        )
        opened, again = (opened + 1, again) if new else (opened, again + 1)
    return opened, again


# -- crowded dwellings -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrowdedDwelling:
    """A dwelling with more voters on the lists than ``threshold``.

    ``persons`` counts everyone registered there (children and others not on the lists
    too), for context; ``stations`` is how many stations its persons are registered at
    (more than one is itself odd: one address belongs to one station).
    """

    dwelling_id: str
    address: str
    station_number: int
    voters: int
    persons: int
    stations: int
    threshold: int


def dwelling_threshold(election: Election | None = None) -> int:
    """The default screening level: the law edition's ``max_registered_per_dwelling`` for
    ``election`` (the current one when not given)."""
    law = law_for(election or current_election())
    return law.polling.max_registered_per_dwelling.value


def crowded_dwellings(threshold: int) -> list[CrowdedDwelling]:
    """Dwellings with more than ``threshold`` voters on the lists, the most crowded first.

    Voters on the lists (eligible persons) are counted, as on the staff dashboard: a padded
    list is what the screening looks for, and children or deceased residents do not pad it.
    One grouped query over the register.
    """
    if threshold < 0:
        why = gettext("The screening threshold cannot be negative.")
        raise InvalidInput("bad_threshold", why, problems=[("threshold", why)])
    rows = (
        Person.objects.values("dwelling_id")
        .annotate(
            voters=Count("id", filter=Q(eligible=True)),
            persons=Count("id"),
            stations=Count("station", distinct=True),
            address=Min("address"),
            station_number=Min("station__number"),
        )
        .filter(voters__gt=threshold)
        .order_by("-voters", "dwelling_id")
    )
    return [
        CrowdedDwelling(
            dwelling_id=row["dwelling_id"],
            address=row["address"],
            station_number=row["station_number"],
            voters=row["voters"],
            persons=row["persons"],
            stations=row["stations"],
            threshold=threshold,
        )
        for row in rows
    ]


def raise_crowded_dwelling_alerts(rows: Iterable[CrowdedDwelling], actor: Actor) -> tuple[int, int]:
    """Raise one alert per dwelling; ``(opened, already open)``."""
    _require_national(actor)
    opened = again = 0
    for row in rows:
        evidence: dict[str, str | int | float] = {
            "dwelling": row.dwelling_id,
            "address": row.address,
            "voters": row.voters,
            "persons": row.persons,
            "threshold": row.threshold,
        }
        if row.stations > 1:
            evidence["stations"] = row.stations
        new = _raise(
            DWELLING_KIND,
            summary=f"{row.voters} voters registered at one dwelling, more than the screening "
            f"level of {row.threshold} (register screening)",
            station=row.station_number,
            subject=f"{SOURCE}.dwelling:{row.dwelling_id}",
            evidence=evidence,
            dedupe_key=f"{SOURCE}:{DWELLING_KIND}:{row.dwelling_id}",
        )
        opened, again = (opened + 1, again) if new else (opened, again + 1)
    return opened, again


__all__ = [
    "CATEGORY",
    "DUPLICATE_KIND",
    "DWELLING_KIND",
    "SOURCE",
    "CrowdedDwelling",
    "crowded_dwellings",
    "duplicate_key",
    "dwelling_threshold",
    "likely_duplicates",
    "raise_crowded_dwelling_alerts",
    "raise_duplicate_alerts",
]
