"""Registering representatives, proxies, observers and journalists, and revoking them.

The nationality and office bars are decided by the pure engine (``participants.admit``) on
facts gathered here: citizenships from the citizenship registry when the person has a PIN
(what the applicant states is used only when the registry has no record), whether the person
is a voter from the voter register, offices held as declared. Each decision — admitted,
refused with its cited reasons, or undecided naming the missing fact — is kept and ledgered;
a refused or undecided person gets no badge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.candidates.models import Candidate, Participant, Party
from shailoo.candidates.participants import ParticipantDecision, ParticipantFacts, admit
from shailoo.candidates.registries import Registries, RegistryUnavailable, ask
from shailoo.candidates.services import citation_json, edition_of, scope
from shailoo.common.actors import actor_name
from shailoo.common.refusals import Conflict, InvalidInput, NotFound
from shailoo.elections.models import Election
from shailoo.incidents import services as incidents
from shailoo.integrity import ledger
from shailoo.law.schema import PARTICIPANT_ROLES
from shailoo.register.models import Person
from shailoo.register.pin import check_pin

PARTICIPANT = "candidates.participant"
#: Roles that act for a candidate or a party, and so must name one.
_ACTS_FOR_CANDIDATE = (
    "candidate_representative",
    "authorised_representative",
    "trusted_person",
    "party_representative",
)
REVOCATION = "candidates.participant_revoked"


@dataclass(frozen=True)
class ParticipantData:
    """An application: who, in which role, for whom; ``citizenships`` None when not stated."""

    ref: str
    role: str
    surname: str
    given_name: str
    patronymic: str = ""
    pin: str = ""
    citizenships: tuple[str, ...] | None = None
    offices: tuple[str, ...] = ()
    accredited: bool | None = None
    country: str = ""
    organisation: str = ""
    for_candidate: str = ""
    for_party: str = ""


def _facts(
    data: ParticipantData, election: Election, registries: Registries
) -> tuple[ParticipantFacts, list[str]]:
    citizenships = data.citizenships
    unavailable: list[str] = []
    is_voter: bool | None = None
    if data.pin:
        try:
            found = ask(registries.citizenship, data.pin, registries.timeout_s)
        except RegistryUnavailable as exc:
            unavailable.append(exc.registry)
            found = None
        if found is not None:
            citizenships = found.value
        is_voter = Person.objects.filter(pin=data.pin, eligible=True).exists()
    elif data.role != "international_observer":
        is_voter = None  # no PIN: whether the person is a voter cannot be known
    facts = ParticipantFacts(
        role=data.role,  # type: ignore[arg-type]
        citizenships=citizenships,
        is_voter=is_voter,
        offices=tuple(data.offices),  # type: ignore[arg-type]
        accredited=data.accredited,
        country=data.country or None,
    )
    return facts, unavailable


def _reasons(decision: ParticipantDecision) -> list[dict[str, Any]]:
    return [
        {
            "code": check.code,
            "outcome": check.outcome,
            "missing": check.missing,
            "office": check.office,
            "citizenships": check.citizenships,
            "citation": citation_json(check.cite),
        }
        for check in decision.reasons
    ]


def register_participant(
    actor: Any,
    election: Election,
    data: ParticipantData,
    registries: Registries | None = None,
) -> Participant:
    """Decide an application and keep it: admitted (with a badge number), refused or undecided."""
    candidate = None
    party = None
    if data.for_candidate:
        candidate = Candidate.objects.filter(election=election, ref=data.for_candidate[:40]).first()
        if candidate is None:
            raise NotFound("unknown_candidate", gettext("No such candidate in this election."))
    if data.for_party:
        party = Party.objects.filter(code=data.for_party[:32]).first()
        if party is None:
            raise NotFound("unknown_party", gettext("No party with that code."))
    require(actor, Permission.PARTICIPANTS_ADMIT, scope(candidate.region if candidate else None))
    problems: list[tuple[str, str]] = []
    if data.role not in PARTICIPANT_ROLES:
        problems.append(("role", gettext("unknown role")))
    if not data.ref.strip() or len(data.ref) > 40:
        problems.append(("ref", gettext("a reference of 1 to 40 characters is required")))
    if not data.surname.strip() or not data.given_name.strip():
        problems.append(("surname", gettext("a name is required")))
    if data.role in _ACTS_FOR_CANDIDATE and not (data.for_candidate or data.for_party):
        problems.append(
            ("for_candidate", gettext("name the candidate or party this person acts for"))
        )
    if data.role == "party_representative" and not data.for_party:
        problems.append(("for_party", gettext("name the party")))
    if data.pin:
        problem = check_pin(data.pin)
        if problem is not None:
            problems.append(("pin", problem.why))
    if problems:
        raise InvalidInput(
            "invalid_participant", gettext("The application has errors."), problems=problems
        )
    if Participant.objects.filter(election=election, ref=data.ref.strip()).exists():
        raise Conflict("duplicate_ref", gettext("This reference is already registered."))
    edition = edition_of(election)
    facts, unavailable = _facts(data, election, registries or Registries())
    decision = admit(facts, edition.candidates.participants, edition.voters.citizenship.value)
    status = {
        "admitted": Participant.Status.ADMITTED,
        "refused": Participant.Status.REFUSED,
        "undecided": Participant.Status.UNDECIDED,
    }[decision.outcome]
    reasons = _reasons(decision)
    if unavailable:
        reasons.append({"code": "REGISTRY_UNAVAILABLE", "registries": unavailable})
    with transaction.atomic():
        participant = Participant.objects.create(
            election=election,
            ref=data.ref.strip(),
            role=data.role,
            pin=data.pin,
            surname=data.surname.strip(),
            given_name=data.given_name.strip(),
            patronymic=data.patronymic.strip(),
            citizenships=None if facts.citizenships is None else ";".join(facts.citizenships),
            offices=";".join(data.offices),
            accredited=data.accredited,
            country=data.country,
            organisation=data.organisation[:200],
            for_candidate=candidate,
            for_party=party,
            status=status,
            reasons=reasons,
        )
        if status == Participant.Status.ADMITTED:
            participant.badge_number = (
                f"{election.code}-{data.role[:3].upper()}-{participant.pk:06d}"
            )
        entry = ledger.record(
            PARTICIPANT,
            actor=actor_name(actor),
            subject=ledger.ref(participant),
            data={
                "election": election.code,
                "ref": participant.ref,
                "role": data.role,
                "person": ledger.pin_ref(data.pin) if data.pin else None,
                "outcome": decision.outcome,
                "codes": list(decision.codes),
                "badge": participant.badge_number or None,
            },
        )
        participant.ledger_index = entry.sequence
        participant.save(update_fields=["badge_number", "ledger_index"])
    foreign = {"FOREIGN_CITIZEN", "STATELESS"} & set(decision.codes)
    if decision.outcome == "refused" and foreign:
        # A foreign citizen put forward to act in the campaign: worth the groups' review.
        incidents.raise_alert(
            "candidates",
            "foreign_participant",
            category="foreign_interference",
            summary=f"A {data.role.replace('_', ' ')} refused: {', '.join(sorted(foreign))}",
            subject=ledger.ref(participant),
            evidence={
                "for_candidate": data.for_candidate or "-",
                "for_party": data.for_party or "-",
                "ledger_entry": entry.sequence,
            },
            severity="medium",
        )
    return participant


def revoke_participant(actor: Any, participant: Participant, reason: str) -> Participant:
    """Withdraw an admitted participant's registration or accreditation, with the reason."""
    region = participant.for_candidate.region if participant.for_candidate else None
    require(actor, Permission.PARTICIPANTS_ADMIT, scope(region))
    if participant.status != Participant.Status.ADMITTED:
        raise Conflict("not_admitted", gettext("Only an admitted participant can be revoked."))
    if not reason.strip():
        raise InvalidInput("reason_required", gettext("Give the reason."))
    with transaction.atomic():
        participant.status = Participant.Status.REVOKED
        participant.revoked_at = timezone.now()
        participant.revoked_reason = reason.strip()[:300]
        participant.save(update_fields=["status", "revoked_at", "revoked_reason"])
        ledger.record(
            REVOCATION,
            actor=actor_name(actor),
            subject=ledger.ref(participant),
            data={"ref": participant.ref, "reason": participant.revoked_reason},
        )
    return participant
