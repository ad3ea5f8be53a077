"""The demo's candidates: parties, nominations checked against the registries, decisions,
signature sheets, party lists and participants — with planted ineligibility of every kind.

Two steps around the register import: :func:`plan_candidates` builds the synthetic world
(``shailoo.synth.candidates``) from the population about to be imported and appends the few
persons it had to create (a birthday on the boundary, a stateless person) to the extract;
:func:`load_candidates`, once the register and the election definition are loaded, fills the
registry tables and runs every nomination through the product's services (nominate, check,
decide, signatures, participants), then puts the registered candidates on the ballot.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from shailoo.candidates import registry_models as reg
from shailoo.candidates import services
from shailoo.candidates.models import Candidate
from shailoo.candidates.participant_services import ParticipantData, register_participant
from shailoo.candidates.signature_services import verify_signatures
from shailoo.common.cli import console
from shailoo.common.refusals import Conflict
from shailoo.counting.definition import ElectionDefinition
from shailoo.counting.from_candidates import definition_from_candidates
from shailoo.counting.services import import_definition
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.synth.candidates import CandidateWorld, candidate_world, write_stated_facts_csv
from shailoo.synth.candidates import stated_facts as stated_facts_of
from shailoo.synth.geography import Geography
from shailoo.synth.population import generate_population
from shailoo.synth.signature_sheets import write_signatures_csv

ACTOR = "demo"
#: The world is drawn from at most this many persons of the population (every k-th row).
SAMPLE = 40_000


@dataclass(frozen=True)
class CandidatesSummary:
    candidates: int
    registered: int
    refused: int
    undecided: int
    signatures: tuple[tuple[str, str], ...]
    participants: dict[str, int]
    facts_file: Path


def plan_candidates(
    election: Election, seed: int, persons: int, geography: Geography, population_csv: Path
) -> CandidateWorld:
    """The candidate world for the population in ``population_csv`` (before its import);
    the persons the world needed and the population lacked are appended to the file."""
    step = max(1, persons // SAMPLE)
    rows = [
        row for n, row in enumerate(generate_population(seed, persons, geography)) if n % step == 0
    ]
    world = candidate_world(
        seed, rows, geography, election.polling_day, law_edition=election.law_edition
    )
    if world.new_persons:
        with population_csv.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for person in world.new_persons:
                writer.writerow(person.values())
    return world


def _fill_registries(world: CandidateWorld) -> None:
    registries = world.registries
    reg.CitizenshipRecord.objects.bulk_create(
        reg.CitizenshipRecord(
            pin=r.pin, citizenships=";".join(r.citizenships), as_of=r.as_of, reference=r.reference
        )
        for r in registries.citizenship
    )
    reg.ResidenceStay.objects.bulk_create(
        reg.ResidenceStay(
            pin=r.pin, started_on=start, ended_on=end, as_of=r.as_of, reference=r.reference
        )
        for r in registries.residence
        for start, end in r.stays
    )
    reg.LanguageTest.objects.bulk_create(
        reg.LanguageTest(
            pin=r.pin, result=r.result, tested_on=r.tested_on, certificate=r.certificate
        )
        for r in registries.language_tests
    )
    reg.EducationRecord.objects.bulk_create(
        reg.EducationRecord(pin=r.pin, level=r.level, document=r.document, as_of=r.as_of)
        for r in registries.education
    )
    reg.CriminalRecord.objects.bulk_create(
        reg.CriminalRecord(
            pin=r.pin,
            article=r.article,
            convicted_on=r.convicted_on,
            expunged_on=r.expunged_on,
            reference=r.reference,
        )
        for r in registries.criminal
    )
    convicted = {r.pin for r in registries.criminal}
    checked_on = world.polling_day - timedelta(days=50)
    reg.RecordsChecked.objects.bulk_create(
        reg.RecordsChecked(pin=c.pin, as_of=checked_on, reference=f"NR-{c.ref}")
        for c in world.candidates
        if c.pin not in convicted
    )
    reg.TermRecord.objects.bulk_create(
        reg.TermRecord(pin=r.pin, office=r.office, started_on=r.start, ended_on=r.end)
        for r in registries.terms
    )


def _region_of_district(world: CandidateWorld) -> dict[int, str]:
    numbers = {n: stations[0] for n, stations in world.districts.items() if stations}
    regions = dict(
        PollingStation.objects.filter(number__in=numbers.values()).values_list(
            "number", "region__code"
        )
    )
    return {n: regions[s] for n, s in numbers.items() if s in regions}


def _documents(
    election: Election, office: str, party: str | None, position: int | None, ref: str
) -> tuple[tuple[str, str], ...]:
    """The checklist of the office's law, filed whole (the papers that apply to this one)."""
    rules = services.office_rules(election, office)
    kinds = services.checklist(rules, party=party is not None, on_list=position is not None)
    if not kinds:
        kinds = ["application", "passport"]
    return tuple((kind, f"{kind[:3].upper()}-{ref}") for kind in kinds)


def load_candidates(election: Election, world: CandidateWorld, out: Path) -> CandidatesSummary:
    """Registries, parties, nominations, checks, decisions, signatures and participants."""
    _fill_registries(world)
    for p in world.parties:
        services.register_party(
            ACTOR,
            code=p.code,
            name_ky=p.name_ky,
            name_ru=p.name_ru,
            registered_on=p.registered_on,
            registration_number=f"MJ-{p.code.upper()}",
        )
    regions = _region_of_district(world)
    offices = services.edition_of(election).candidates.offices
    deposits = {
        office: rules.deposit_som.value
        for office in ("president", "jk_deputy", "local_deputy")
        if (rules := getattr(offices, office)) is not None and rules.deposit_som is not None
    }
    nominated_on = election.polling_day - timedelta(days=60)
    candidates: dict[str, Candidate] = {}
    for seed in world.candidates:
        district = f"D{seed.district:02d}" if seed.district is not None else ""
        candidates[seed.ref] = services.nominate(
            ACTOR,
            election,
            services.NominationData(
                ref=seed.ref,
                pin=seed.pin,
                surname=seed.surname,
                given_name=seed.given_name,
                patronymic=seed.patronymic,
                sex=seed.sex,
                birth_date=seed.birth_date,
                office=seed.office,
                nominated_on=nominated_on,
                district=district if seed.list_position is None else "",
                region=regions.get(seed.district) if seed.district is not None else None,
                party=seed.party,
                member_of=seed.party,
                list_position=seed.list_position,
                documents=_documents(
                    election, seed.office, seed.party, seed.list_position, seed.ref
                ),
                deposit_som=deposits.get(seed.office) if seed.list_position is None else None,
            ),
        )
    signed: list[tuple[str, str]] = []
    for sheets in world.signatures:
        path = out / f"signatures-{sheets.candidate}.csv"
        write_signatures_csv(sheets.rows, path)
        submission, _ = verify_signatures(
            ACTOR, candidates[sheets.candidate], path, today=world.signing_end
        )
        signed.append((sheets.candidate, submission.verdict))
    counts = {"registered": 0, "refused": 0, "undecided": 0}
    for candidate in candidates.values():
        check = services.check_candidate(ACTOR, candidate)
        if check.verdict == "undecided":
            counts["undecided"] += 1
            continue
        try:
            decision = services.decide_registration(ACTOR, candidate)
        except Conflict:  # an office that needs signatures none were filed for
            counts["undecided"] += 1
            continue
        counts[decision.outcome] += 1
    people: dict[str, int] = {}
    for seed_p in world.participants:
        participant = register_participant(
            ACTOR,
            election,
            ParticipantData(
                ref=seed_p.ref,
                role=seed_p.role,
                surname=seed_p.surname,
                given_name=seed_p.given_name,
                patronymic=seed_p.patronymic,
                pin=seed_p.pin or "",
                citizenships=seed_p.citizenships,
                offices=seed_p.offices,
                accredited=seed_p.accredited,
                country=seed_p.country or "",
                for_candidate=seed_p.for_candidate or "",
                for_party=seed_p.for_party or "",
            ),
        )
        people[participant.status] = people.get(participant.status, 0) + 1
    facts_file = out / "candidate-facts.csv"
    write_stated_facts_csv(stated_facts_of(world), facts_file)
    summary = CandidatesSummary(
        candidates=len(candidates),
        registered=counts["registered"],
        refused=counts["refused"],
        undecided=counts["undecided"],
        signatures=tuple(signed),
        participants=people,
        facts_file=facts_file,
    )
    console.print(
        f"candidates: {summary.candidates} nominated, {summary.registered} registered, "
        f"{summary.refused} refused, {summary.undecided} undecided (documents needed); "
        f"signatures {', '.join(f'{ref} {verdict}' for ref, verdict in signed)}; participants "
        + ", ".join(f"{n} {status}" for status, n in sorted(people.items()))
        + f"; stated facts for `shailoo candidates explain --facts {facts_file}`"
    )
    return summary


def ballot_from_candidates(
    election: Election, definition: ElectionDefinition
) -> ElectionDefinition:
    """The definition with the registered candidates on it, loaded (before any ballot)."""
    built = definition_from_candidates(election, definition)
    done = import_definition(election, built.definition, ACTOR)
    console.print(
        f"ballot from registered candidates: {len(built.replaced)} contests replaced, "
        f"{len(built.kept)} kept; definition {done.action} sha256={done.sha256[:16]}"
    )
    return built.definition
