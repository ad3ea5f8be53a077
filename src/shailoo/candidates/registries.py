"""The government registries a candidate check asks, behind one adapter interface each.

A live connector (the population register's web service, the testing centre's API)
implements the same small protocol as the default adapters here, which read the tables of
:mod:`shailoo.candidates.registry_models`. Three outcomes are kept apart, because the law
treats them differently:

* a **fact** — with its evidence (which registry said what, when, on which document);
* **no record** — the registry answered and knows nothing: the fact is unknown and the check
  is *undecided — needs document X*, never a silent pass;
* **unavailable** — the registry did not answer within its timeout (:class:`RegistryUnavailable`):
  the check is undecided too, and the check names the registry, so staff know to ask again
  rather than to ask the candidate for a document.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar

from django.utils import timezone

from shailoo.candidates import registry_models as tables
from shailoo.candidates.rules import CandidateFacts, Evidence, Stay
from shailoo.common.refusals import Unavailable

T = TypeVar("T")

#: Seconds a registry has to answer one question before it counts as unavailable.
DEFAULT_TIMEOUT_S = 5.0


class RegistryUnavailable(Unavailable):
    """A registry did not answer in time (or refused the connection)."""

    default_code = "registry_unavailable"

    def __init__(self, registry: str, why: str = "") -> None:
        self.registry = registry
        super().__init__(message=f"registry {registry} unavailable{': ' + why if why else ''}")


@dataclass(frozen=True)
class Found:
    """A registry's answer: the value and its evidence."""

    value: Any
    evidence: Evidence


class Registry(Protocol):
    """One government registry: ``lookup`` returns what it knows of a person, or None."""

    name: str

    def lookup(self, pin: str) -> Found | None: ...


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class CitizenshipTable:
    name = "citizenship_registry"

    def lookup(self, pin: str) -> Found | None:
        row = tables.CitizenshipRecord.objects.filter(pin=pin).first()
        if row is None:
            return None
        codes = tuple(c for c in row.citizenships.split(";") if c)
        said = ";".join(codes) or "stateless"
        return Found(codes, Evidence(self.name, said, _at(row.as_of), row.reference))


class ResidenceTable:
    name = "residence_registry"

    def lookup(self, pin: str) -> Found | None:
        rows = list(tables.ResidenceStay.objects.filter(pin=pin).order_by("started_on"))
        if not rows:
            return None
        # The registry names the last day present; a Stay ends on the day of departure.
        stays = tuple(
            Stay(r.started_on, r.ended_on + timedelta(days=1) if r.ended_on else None) for r in rows
        )
        said = "; ".join(f"{s.start}..{s.end or ''}" for s in stays)
        latest = max(r.as_of for r in rows)
        return Found(stays, Evidence(self.name, said, _at(latest), rows[-1].reference))


class LanguageTable:
    name = "language_testing_centre"

    def lookup(self, pin: str) -> Found | None:
        # The latest test decides: a failed attempt after a pass does not undo the pass, a
        # pass after failures counts.
        tests = list(tables.LanguageTest.objects.filter(pin=pin).order_by("-tested_on"))
        if not tests:
            return None
        passed = next((t for t in tests if t.result == "passed"), None)
        chosen = passed or tests[0]
        return Found(
            chosen.result,
            Evidence(self.name, chosen.result, _at(chosen.tested_on), chosen.certificate),
        )


class EducationTable:
    name = "education_registry"

    def lookup(self, pin: str) -> Found | None:
        row = tables.EducationRecord.objects.filter(pin=pin).first()
        if row is None:
            return None
        return Found(row.level, Evidence(self.name, row.level, _at(row.as_of), row.document))


class CriminalRecordsTable:
    name = "criminal_records"

    def lookup(self, pin: str) -> Found | None:
        convictions = list(tables.CriminalRecord.objects.filter(pin=pin))
        if convictions:
            open_ = [c for c in convictions if c.expunged_on is None]
            worst = open_[0] if open_ else convictions[0]
            value = "unexpunged" if open_ else "expunged"
            said = f"{value}: art. {worst.article}, convicted {worst.convicted_on}"
            return Found(value, Evidence(self.name, said, _at(worst.convicted_on), worst.reference))
        certificate = tables.RecordsChecked.objects.filter(pin=pin).first()
        if certificate is None:
            return None  # never asked: unknown, not "clean"
        return Found(
            "none", Evidence(self.name, "none", _at(certificate.as_of), certificate.reference)
        )


class TermsTable:
    """The CEC's own archive of elected officials: complete by construction, so no row means
    no term served (unlike the other registries, where no row means unknown)."""

    name = "terms_archive"

    def __init__(self, office: str = "president") -> None:
        self.office = office

    def lookup(self, pin: str) -> Found | None:
        terms = list(tables.TermRecord.objects.filter(pin=pin, office=self.office))
        said = "; ".join(f"{t.started_on}..{t.ended_on or ''}" for t in terms) or "none"
        return Found(len(terms), Evidence(self.name, said, None, ""))


@dataclass
class Registries:
    """The registries a check asks, each with its timeout."""

    citizenship: Registry = field(default_factory=CitizenshipTable)
    residence: Registry = field(default_factory=ResidenceTable)
    language: Registry = field(default_factory=LanguageTable)
    education: Registry = field(default_factory=EducationTable)
    criminal_records: Registry = field(default_factory=CriminalRecordsTable)
    terms: Callable[[str], Registry] = TermsTable
    timeout_s: float = DEFAULT_TIMEOUT_S


def ask(registry: Registry, pin: str, timeout_s: float) -> Found | None:
    """``registry.lookup(pin)`` within ``timeout_s`` seconds, else :class:`RegistryUnavailable`.

    The default adapters read local tables and answer at once; they are asked in the calling
    thread (database connections are per thread). Any other adapter runs in a worker thread so
    that a hung connector cannot hang the commission's page.
    """
    if isinstance(
        registry,
        CitizenshipTable | ResidenceTable | LanguageTable | EducationTable
        | CriminalRecordsTable | TermsTable,
    ):  # fmt: skip
        return registry.lookup(pin)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        future = pool.submit(registry.lookup, pin)
        try:
            return future.result(timeout=timeout_s)
        except concurrent.futures.TimeoutError:
            raise RegistryUnavailable(registry.name, f"no answer in {timeout_s:g} s") from None
        except (ConnectionError, OSError) as exc:
            raise RegistryUnavailable(registry.name, type(exc).__name__) from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class Gathered:
    """The facts the registries gave, and the registries that did not answer."""

    facts: CandidateFacts
    unavailable: tuple[str, ...]


def gather(
    pin: str,
    office: str,
    birth_date: date | None,
    registries: Registries | None = None,
) -> Gathered:
    """Ask every registry about ``pin`` and assemble the candidate's facts with evidence."""
    regs = registries or Registries()
    evidence: dict[str, Evidence] = {}
    unavailable: list[str] = []
    values: dict[str, Any] = {}
    asked: list[tuple[str, Registry]] = [
        ("citizenships", regs.citizenship),
        ("residence", regs.residence),
        ("state_language", regs.language),
        ("education", regs.education),
        ("criminal_record", regs.criminal_records),
        ("terms_served", regs.terms(office)),
    ]
    for fact, registry in asked:
        try:
            found = ask(registry, pin, regs.timeout_s)
        except RegistryUnavailable as exc:
            unavailable.append(exc.registry)
            continue
        if found is not None:
            values[fact] = found.value
            evidence[fact] = found.evidence
    language = values.get("state_language")
    if language is None and regs.language.name not in unavailable:
        language = "not_taken"  # the testing centre answered: no test on record
    facts = CandidateFacts(
        office=office,  # type: ignore[arg-type]
        birth_date=birth_date,
        citizenships=values.get("citizenships"),
        residence_years=None,
        residence=values.get("residence"),
        state_language=language,
        education=values.get("education"),
        criminal_record=values.get("criminal_record"),
        terms_served=values.get("terms_served"),
        evidence=evidence,
    )
    return Gathered(facts, tuple(unavailable))
