"""Nominations, checks, registration decisions, appeals, withdrawals and replacements.

Every use case takes an ``actor``, checks it with ``accounts.permissions.require``, changes
rows and writes its ledger entry in one transaction, and says no with the shared refusals
(with the law's citation when the law is the reason). Signature sheets are in
``signature_services``, other participants in ``participant_services``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.candidates.models import (
    Appeal,
    Candidate,
    CandidateChange,
    CandidateCheck,
    CandidateDocument,
    Party,
    PartyList,
    RegistrationDecision,
)
from shailoo.candidates.party_lists import (
    ListDecision,
    ListEntry,
    ListFinding,
    check_list,
    check_replacement,
)
from shailoo.candidates.registries import Registries, gather
from shailoo.candidates.rules import Decision, decide
from shailoo.common.actors import actor_name
from shailoo.common.refusals import Conflict, InvalidInput, NotFound
from shailoo.elections.models import Election
from shailoo.geo.models import Region
from shailoo.integrity import ledger
from shailoo.law.loader import load_edition
from shailoo.law.schema import LANGS, OFFICES, Cited, Edition, NominationDocument, OfficeRules
from shailoo.register.pin import check_pin

NOMINATION = "candidates.nomination"
CANDIDATE_CHANGE = "candidates.candidate_change"
CHECK = "candidates.check"
DECISION = "candidates.decision"
APPEAL = "candidates.appeal"
APPEAL_DECISION = "candidates.appeal_decision"
WITHDRAWAL = "candidates.withdrawal"
REPLACEMENT = "candidates.replacement"

#: Fields of a candidate's record that staff may change (each change names its document).
EDITABLE = (
    "surname",
    "given_name",
    "patronymic",
    "sex",
    "birth_date",
    "district",
    "region",
    "party",
    "member_of",
    "list_position",
    "minority",
    "disability",
    "deposit_som",
)


class _CountryWide:
    """The scope of a nomination with no region (the president's, a party list's): an object
    with no territory, which only a country-wide assignment covers."""

    station = None


COUNTRY_WIDE = _CountryWide()


def scope(region: Region | None) -> Region | _CountryWide:
    """What a use case on a nomination checks the actor's territory against."""
    return region if region is not None else COUNTRY_WIDE


def edition_of(election: Election) -> Edition:
    return load_edition(election.law_edition)


def office_rules(election: Election, office: str) -> OfficeRules:
    """The rules of ``office`` in the election's law, or a refusal if the law has none."""
    if office not in OFFICES:
        raise InvalidInput(
            "unknown_office",
            gettext("Unknown office %(office)s: use president, jk_deputy or local_deputy.")
            % {"office": office[:40]},
        )
    rules = getattr(edition_of(election).candidates.offices, office)
    if rules is None:
        raise InvalidInput(
            "office_not_in_law",
            gettext("The law edition %(edition)s sets no rules for the office %(office)s.")
            % {"edition": election.law_edition, "office": office},
        )
    return rules


def citation_json(cite: Any) -> dict[str, str]:
    """A citation (one parameter or several) in the three languages, as stored."""
    params: tuple[Cited[Any], ...] = tuple(cite) if isinstance(cite, tuple | list) else (cite,)
    params = tuple(p for p in params if p is not None)
    return {lang: "; ".join(p.citation_in(lang) for p in params) for lang in LANGS}


def decision_json(decision: Decision) -> list[dict[str, Any]]:
    """Every check of a decision as the JSON a :class:`CandidateCheck` keeps."""
    out = []
    for check in decision.checks:
        evidence = check.evidence
        out.append(
            {
                "code": check.code,
                "outcome": check.outcome,
                "found": check.found,
                "required": check.required,
                "citation": citation_json(check.cite),
                "needs_document": check.needs_document,
                "finding": check.finding,
                "values": dict(check.values),
                "unconfirmed": check.unconfirmed,
                "evidence": None
                if evidence is None
                else {
                    "source": evidence.source,
                    "said": evidence.said,
                    "at": evidence.at.isoformat() if evidence.at else None,
                    "reference": evidence.reference,
                },
            }
        )
    return out


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# -- parties ---------------------------------------------------------------------------------


PARTY = "candidates.party"


def register_party(
    actor: Any,
    *,
    code: str,
    name_ky: str,
    name_ru: str,
    registration_number: str,
    registered_on: date,
    leader: str = "",
) -> Party:
    """Record a party registered by the Ministry of Justice (who may nominate), on the ledger."""
    require(actor, Permission.CANDIDATES_NOMINATE, COUNTRY_WIDE)
    problems: list[tuple[str, str]] = []
    if not code or len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
        problems.append(("code", gettext("letters, digits, - and _; at most 32")))
    for field, value in (("name_ky", name_ky), ("name_ru", name_ru)):
        if not value.strip() or len(value) > 200:
            problems.append((field, gettext("a name of 1 to 200 characters is required")))
    if not registration_number.strip() or len(registration_number) > 40:
        problems.append(("registration_number", gettext("required, at most 40 characters")))
    if problems:
        raise InvalidInput("invalid_party", gettext("The party has errors."), problems=problems)
    if Party.objects.filter(code=code).exists():
        raise Conflict("duplicate_party", gettext("A party with this code exists."))
    with transaction.atomic():
        party = Party.objects.create(
            code=code,
            name_ky=name_ky.strip(),
            name_ru=name_ru.strip(),
            registration_number=registration_number.strip(),
            registered_on=registered_on,
            leader=leader.strip()[:200],
        )
        ledger.record(
            PARTY,
            actor=actor_name(actor),
            subject=ledger.ref(party),
            data={
                "code": party.code,
                "registration_number": party.registration_number,
                "registered_on": registered_on.isoformat(),
            },
        )
    return party


def party_named(code: str) -> Party:
    party = Party.objects.filter(code=code[:32]).first()
    if party is None:
        raise NotFound(
            "unknown_party", gettext("No party with code %(code)s.") % {"code": code[:32]}
        )
    return party


# -- nominations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NominationData:
    """What a nomination states; validated by :func:`nominate`."""

    ref: str
    pin: str
    surname: str
    given_name: str
    patronymic: str
    sex: str
    birth_date: date
    office: str
    nominated_on: date
    district: str = ""
    region: str | None = None
    party: str | None = None
    member_of: str | None = None
    list_position: int | None = None
    minority: bool | None = None
    disability: bool | None = None
    deposit_som: int | None = None
    documents: tuple[tuple[str, str], ...] = ()


def _validate(election: Election, data: NominationData) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not data.ref.strip() or len(data.ref) > 40:
        problems.append(("ref", gettext("a reference of 1 to 40 characters is required")))
    pin_problem = check_pin(data.pin, data.birth_date, data.sex)
    if pin_problem is not None:
        problems.append(("pin", pin_problem.why))
    for field in ("surname", "given_name"):
        value = getattr(data, field)
        if not value.strip() or len(value) > 40:
            problems.append((field, gettext("a name of 1 to 40 characters is required")))
    if data.sex not in ("F", "M"):
        problems.append(("sex", gettext("must be F or M")))
    if len(data.district) > 64:
        problems.append(("district", gettext("at most 64 characters")))
    if data.office in ("jk_deputy", "local_deputy") and not data.district and data.party is None:
        problems.append(("district", gettext("a district is required for a self-nominated deputy")))
    if data.list_position is not None and data.party is None:
        problems.append(("list_position", gettext("only a party's candidate has a list position")))
    if data.nominated_on > election.polling_day:
        problems.append(("nominated_on", gettext("after polling day")))
    return problems


def nominate(actor: Any, election: Election, data: NominationData) -> Candidate:
    """File a nomination (self- or party-nominated); its record starts its history."""
    region = None
    if data.region:
        region = Region.objects.filter(code=data.region[:16]).first()
        if region is None:
            raise NotFound(
                "unknown_region", gettext("No region %(code)s.") % {"code": data.region[:16]}
            )
    require(actor, Permission.CANDIDATES_NOMINATE, scope(region))
    office_rules(election, data.office)
    problems = _validate(election, data)
    if problems:
        raise InvalidInput(
            "invalid_nomination", gettext("The nomination has errors."), problems=problems
        )
    party = party_named(data.party) if data.party else None
    member_of = party_named(data.member_of) if data.member_of else None
    if Candidate.objects.filter(election=election, ref=data.ref).exists():
        raise Conflict(
            "duplicate_ref",
            gettext("A candidate with reference %(ref)s is already nominated.") % {"ref": data.ref},
        )
    if (
        Candidate.objects.filter(election=election, pin=data.pin, office=data.office)
        .exclude(status__in=[Candidate.Status.WITHDRAWN, Candidate.Status.REPLACED])
        .exists()
    ):
        raise Conflict(
            "already_nominated",
            gettext("This person is already nominated for this office in this election."),
        )
    if party is not None and data.list_position is not None:
        taken = Candidate.objects.filter(
            election=election, party=party, list_position=data.list_position
        ).exclude(
            status__in=[
                Candidate.Status.WITHDRAWN,
                Candidate.Status.REPLACED,
                Candidate.Status.REFUSED,
            ]
        )
        if taken.exists():
            raise Conflict(
                "position_taken",
                gettext("Position %(n)s of the list is taken.") % {"n": data.list_position},
            )
    name = actor_name(actor)
    with transaction.atomic():
        candidate = Candidate.objects.create(
            election=election,
            ref=data.ref.strip(),
            pin=data.pin,
            surname=data.surname.strip(),
            given_name=data.given_name.strip(),
            patronymic=data.patronymic.strip(),
            sex=data.sex,
            birth_date=data.birth_date,
            office=data.office,
            district=data.district.strip(),
            region=region,
            party=party,
            member_of=member_of,
            list_position=data.list_position,
            minority=data.minority,
            disability=data.disability,
            nominated_on=data.nominated_on,
            deposit_som=data.deposit_som,
        )
        for kind, number in data.documents:
            CandidateDocument.objects.create(
                candidate=candidate,
                kind=kind[:40],
                number=number[:80],
                received_on=data.nominated_on,
                received_by=name,
            )
        ledger.record(
            NOMINATION,
            actor=name,
            subject=ledger.ref(candidate),
            data={
                "election": election.code,
                "ref": candidate.ref,
                "person": ledger.pin_ref(candidate.pin),
                "office": candidate.office,
                "district": data.district,
                "party": data.party,
                "list_position": data.list_position,
                "documents": sorted(kind for kind, _ in data.documents),
            },
        )
    return candidate


def candidate_ref(election: Election, ref: str) -> Candidate:
    candidate = Candidate.objects.filter(election=election, ref=ref[:40]).first()
    if candidate is None:
        raise NotFound(
            "unknown_candidate",
            gettext("No candidate %(ref)s in this election.") % {"ref": ref[:40]},
        )
    return candidate


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Party):
        return value.code
    if isinstance(value, Region):
        return value.code
    return str(value)


def change_candidate(
    actor: Any, candidate: Candidate, changes: Mapping[str, Any], source_document: str
) -> list[CandidateChange]:
    """Change a candidate's record; every field changed keeps its history and its source."""
    require(actor, Permission.CANDIDATES_NOMINATE, scope(candidate.region))
    if not source_document.strip():
        raise InvalidInput(
            "source_document_required",
            gettext("Name the document the change comes from."),
            problems=[("source_document", gettext("required"))],
        )
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(
            "not_editable",
            gettext("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)},
        )
    if candidate.status in (Candidate.Status.WITHDRAWN, Candidate.Status.REPLACED):
        raise Conflict("candidate_closed", gettext("The nomination is closed."))
    name = actor_name(actor)
    made: list[CandidateChange] = []
    with transaction.atomic():
        for field, value in changes.items():
            if field in ("party", "member_of") and isinstance(value, str):
                value = party_named(value) if value else None
            if field == "region" and isinstance(value, str):
                value = Region.objects.filter(code=value).first()
            old = getattr(candidate, field)
            if _text(old) == _text(value):
                continue
            setattr(candidate, field, value)
            made.append(
                CandidateChange.objects.create(
                    candidate=candidate,
                    field=field,
                    old=_text(old),
                    new=_text(value),
                    source_document=source_document.strip()[:200],
                    actor=name,
                )
            )
        if made:
            candidate.save()
            ledger.record(
                CANDIDATE_CHANGE,
                actor=name,
                subject=ledger.ref(candidate),
                data={
                    "fields": [c.field for c in made],
                    "source_document": source_document.strip()[:200],
                    "digest": _digest([[c.field, c.old, c.new] for c in made]),
                },
            )
    return made


# -- documents -------------------------------------------------------------------------------

DOCUMENT_ADDED = "candidates.document"


def checklist(rules: OfficeRules, *, party: bool, on_list: bool) -> list[str]:
    """The documents an office's law asks of one nomination, in the law file's order.

    The deposit receipt only where a deposit is due from the candidate (not from a list's
    party), the signature sheets only where the office needs signatures, the party's decision
    only for a party's nominee, the language certificate, diploma and criminal-record
    certificate only where the office has that requirement.
    """
    if rules.documents is None:
        return []
    skip: set[str] = set()
    if not (rules.deposit_som and rules.deposit_som.value) or on_list:
        skip.add("deposit_receipt")
    if rules.signatures_min is None:
        skip.add("signature_sheets")
    if not party:
        skip.add("party_decision")
    if not rules.state_language_required.value:
        skip.add("language_certificate")
    if rules.min_education.value == "none":
        skip.add("diploma")
    if rules.criminal_record_bars.value == "none":
        skip.add("criminal_record_certificate")
    return [kind for kind in rules.documents.value if kind not in skip]


def required_documents(candidate: Candidate) -> list[str]:
    """The checklist of :func:`checklist` for this nomination."""
    return checklist(
        office_rules(candidate.election, candidate.office),
        party=candidate.party_id is not None,
        on_list=candidate.list_position is not None,
    )


def missing_documents(candidate: Candidate) -> list[str]:
    filed = set(candidate.documents.values_list("kind", flat=True))
    return [kind for kind in required_documents(candidate) if kind not in filed]


def add_document(
    actor: Any, candidate: Candidate, kind: str, number: str, received_on: date
) -> CandidateDocument:
    """File one more document of the checklist with a nomination."""
    require(actor, Permission.CANDIDATES_NOMINATE, scope(candidate.region))
    allowed = get_args(NominationDocument)
    if kind not in allowed:
        raise InvalidInput(
            "unknown_document",
            gettext("Unknown document %(kind)s.") % {"kind": kind[:40]},
            problems=[("kind", ", ".join(allowed))],
        )
    if candidate.status != Candidate.Status.NOMINATED:
        raise Conflict("candidate_closed", gettext("The nomination is no longer open."))
    with transaction.atomic():
        document = CandidateDocument.objects.create(
            candidate=candidate,
            kind=kind,
            number=number.strip()[:80],
            received_on=received_on,
            received_by=actor_name(actor),
        )
        ledger.record(
            DOCUMENT_ADDED,
            actor=actor_name(actor),
            subject=ledger.ref(candidate),
            data={"candidate": candidate.ref, "kind": kind, "received_on": received_on.isoformat()},
        )
    return document


# -- checks and decisions --------------------------------------------------------------------


def check_candidate(
    actor: Any, candidate: Candidate, registries: Registries | None = None
) -> CandidateCheck:
    """Ask the registries, decide every rule of the office, keep the result on the ledger."""
    require(actor, Permission.CANDIDATES_DECIDE, scope(candidate.region))
    election = candidate.election
    edition = edition_of(election)
    rules = office_rules(election, candidate.office)
    gathered = gather(candidate.pin, candidate.office, candidate.birth_date, registries)
    decision = decide(
        gathered.facts, rules, election.polling_day, edition.voters.leap_day_birthday.value
    )
    checks = decision_json(decision)
    name = actor_name(actor)
    with transaction.atomic():
        entry = ledger.record(
            CHECK,
            actor=name,
            subject=ledger.ref(candidate),
            data={
                "candidate": candidate.ref,
                "person": ledger.pin_ref(candidate.pin),
                "verdict": decision.verdict,
                "failing": list(decision.failing),
                "undecided": list(decision.undecided),
                "unavailable": list(gathered.unavailable),
                "law_edition": election.law_edition,
                "checks_digest": _digest(checks),
            },
        )
        return CandidateCheck.objects.create(
            candidate=candidate,
            verdict=decision.verdict,
            checks=checks,
            unavailable=list(gathered.unavailable),
            law_edition=election.law_edition,
            polling_day=election.polling_day,
            actor=name,
            ledger_index=entry.sequence,
        )


def latest_check(candidate: Candidate) -> CandidateCheck | None:
    return candidate.checks.order_by("-at", "-pk").first()


def decide_registration(actor: Any, candidate: Candidate) -> RegistrationDecision:
    """Register or refuse on the latest check; an undecided check cannot be decided."""
    require(actor, Permission.CANDIDATES_DECIDE, scope(candidate.region))
    if candidate.status != Candidate.Status.NOMINATED:
        raise Conflict(
            "already_decided",
            gettext("The nomination is %(status)s; it cannot be decided again.")
            % {"status": candidate.status},
        )
    check = latest_check(candidate)
    if check is None:
        raise Conflict("not_checked", gettext("Check the candidate before deciding."))
    if check.verdict == "undecided":
        needs = sorted(
            {
                c["needs_document"]
                for c in check.checks
                if c["outcome"] == "undecided" and c["needs_document"]
            }
        )
        raise Conflict(
            "undecided",
            gettext("The check is undecided: documents needed: %(docs)s.")
            % {"docs": ", ".join(needs) or gettext("registries did not answer")},
        )
    grounds = [c["code"] for c in check.checks if c["outcome"] == "not_met"]
    ineligible = bool(grounds)
    signatures = None
    rules = office_rules(candidate.election, candidate.office)
    if candidate.list_position is None:
        deposit = rules.deposit_som.value if rules.deposit_som is not None else 0
        if deposit and (candidate.deposit_som or 0) < deposit:
            grounds.append("DEPOSIT")
    elif list_deposit_short(candidate):
        # A list candidate's deposit is the party's, paid once for its list.
        grounds.append("DEPOSIT")
    if not ineligible:
        missing = missing_documents(candidate)
        if missing:
            documents = rules.documents
            raise Conflict(
                "documents_missing",
                gettext("Documents missing from the nomination: %(docs)s.")
                % {"docs": ", ".join(missing)},
                citation=documents.citation if documents is not None else "",
            )
    if not ineligible and rules.signatures_min is not None:
        # The office needs supporting signatures: the latest verification decides.
        signatures = candidate.signature_submissions.order_by("-at", "-pk").first()
        if signatures is None:
            raise Conflict(
                "signatures_missing",
                gettext("The office needs %(n)s signatures: verify the signature sheets first.")
                % {"n": rules.signatures_min.value},
                citation=rules.signatures_min.citation,
            )
        if signatures.verdict != "sufficient":
            grounds.append("SIGNATURES")
    outcome = (
        RegistrationDecision.Outcome.REFUSED if grounds else RegistrationDecision.Outcome.REGISTERED
    )
    name = actor_name(actor)
    with transaction.atomic():
        number = f"{candidate.election.code}-{RegistrationDecision.objects.count() + 1:05d}"
        decision = RegistrationDecision.objects.create(
            candidate=candidate,
            check_used=check,
            outcome=outcome,
            grounds=grounds,
            signatures=signatures,
            number=number,
            decided_by=name,
        )
        candidate.status = (
            Candidate.Status.REGISTERED
            if outcome == RegistrationDecision.Outcome.REGISTERED
            else Candidate.Status.REFUSED
        )
        candidate.save(update_fields=["status", "updated_at"])
        entry = ledger.record(
            DECISION,
            actor=name,
            subject=ledger.ref(candidate),
            data={
                "candidate": candidate.ref,
                "number": number,
                "outcome": outcome,
                "check_entry": check.ledger_index,
                "signatures_entry": signatures.ledger_index if signatures else None,
                "grounds": grounds,
            },
        )
        decision.ledger_index = entry.sequence
        decision.save(update_fields=["ledger_index"])
    return decision


def file_appeal(
    actor: Any, decision: RegistrationDecision, filed_by: str, grounds: str, filed_on: date
) -> Appeal:
    """Register an appeal against a decision (by the candidate, a party or a voter)."""
    require(actor, Permission.CANDIDATES_DECIDE, scope(decision.candidate.region))
    if not grounds.strip() or not filed_by.strip():
        raise InvalidInput(
            "appeal_incomplete",
            gettext("An appeal needs who files it and its grounds."),
            problems=[("grounds", gettext("required"))],
        )
    with transaction.atomic():
        appeal = Appeal.objects.create(
            decision=decision, filed_by=filed_by.strip()[:200], filed_on=filed_on, grounds=grounds
        )
        ledger.record(
            APPEAL,
            actor=actor_name(actor),
            subject=ledger.ref(appeal),
            data={
                "decision": decision.number,
                "filed_on": filed_on.isoformat(),
                "grounds_digest": _digest(grounds),
            },
        )
    return appeal


def decide_appeal(actor: Any, appeal: Appeal, outcome: str, reasons: str) -> Appeal:
    """Uphold (the decision is reversed) or dismiss an appeal, with reasons."""
    require(actor, Permission.CANDIDATES_DECIDE, scope(appeal.decision.candidate.region))
    if appeal.outcome != Appeal.Outcome.PENDING:
        raise Conflict("appeal_decided", gettext("The appeal is already decided."))
    if outcome not in (Appeal.Outcome.UPHELD, Appeal.Outcome.DISMISSED):
        raise InvalidInput("bad_outcome", gettext("The outcome must be upheld or dismissed."))
    if not reasons.strip():
        raise InvalidInput("reasons_required", gettext("Give the reasons."))
    candidate = appeal.decision.candidate
    with transaction.atomic():
        appeal.outcome = outcome
        appeal.reasons = reasons
        appeal.decided_by = actor_name(actor)
        appeal.decided_at = timezone.now()
        appeal.save()
        if outcome == Appeal.Outcome.UPHELD:
            refused = appeal.decision.outcome == RegistrationDecision.Outcome.REFUSED
            candidate.status = Candidate.Status.REGISTERED if refused else Candidate.Status.REFUSED
            candidate.save(update_fields=["status", "updated_at"])
        ledger.record(
            APPEAL_DECISION,
            actor=actor_name(actor),
            subject=ledger.ref(appeal),
            data={
                "decision": appeal.decision.number,
                "outcome": outcome,
                "candidate_status": candidate.status,
                "reasons_digest": _digest(reasons),
            },
        )
    return appeal


# -- party lists -----------------------------------------------------------------------------

#: Nominations that no longer stand on a list.
CLOSED = (Candidate.Status.WITHDRAWN, Candidate.Status.REPLACED, Candidate.Status.REFUSED)


def list_entries(election: Election, party: Party) -> list[ListEntry]:
    """The party's list in this election as the list engine takes it."""
    rows = (
        Candidate.objects.filter(election=election, party=party, list_position__isnull=False)
        .exclude(status__in=CLOSED)
        .select_related("member_of")
        .order_by("list_position")
    )
    return [
        ListEntry(
            position=int(c.list_position or 0),
            ref=c.ref,
            sex=c.sex,
            birth_date=c.birth_date,
            minority=c.minority,
            disability=c.disability,
            party_member_of=c.member_of.code if c.member_of else None,
        )
        for c in rows
    ]


def check_party_list(actor: Any, election: Election, party: Party) -> ListDecision:
    """The party's list checked position by position against the edition's quotas."""
    require(actor, Permission.CANDIDATES_VIEW, COUNTRY_WIDE)
    edition = edition_of(election)
    rules = edition.candidates.party_lists
    if rules is None:
        raise Conflict(
            "no_party_lists",
            gettext("The law edition %(edition)s has no party lists.")
            % {"edition": election.law_edition},
        )
    entries = list_entries(election, party)
    if not entries:
        raise NotFound("empty_list", gettext("The party has no list in this election."))
    return check_list(
        entries,
        party.code,
        rules,
        edition.candidates.nomination,
        election.polling_day,
        leap_day=edition.voters.leap_day_birthday.value,
    )


LIST_DEPOSIT = "candidates.list_deposit"


def record_list_deposit(
    actor: Any, election: Election, party: Party, amount: int, submitted_on: date
) -> PartyList:
    """Record the party's list as submitted with the deposit paid for it."""
    require(actor, Permission.CANDIDATES_NOMINATE, COUNTRY_WIDE)
    if amount < 0:
        raise InvalidInput("negative_deposit", gettext("The deposit cannot be negative."))
    with transaction.atomic():
        row, _ = PartyList.objects.update_or_create(
            election=election,
            party=party,
            defaults={"deposit_som": amount, "submitted_on": submitted_on},
        )
        ledger.record(
            LIST_DEPOSIT,
            actor=actor_name(actor),
            subject=ledger.ref(row),
            data={"party": party.code, "election": election.code, "deposit_som": amount},
        )
    return row


def list_deposit_short(candidate: Candidate) -> bool:
    """Whether the law makes the party pay a deposit for its list and it has paid less."""
    rules = edition_of(candidate.election).candidates.party_lists
    if rules is None or rules.deposit_som is None or not rules.deposit_som.value:
        return False
    paid = (
        PartyList.objects.filter(election=candidate.election, party_id=candidate.party_id)
        .values_list("deposit_som", flat=True)
        .first()
    )
    return (paid or 0) < rules.deposit_som.value


# -- withdrawal and replacement --------------------------------------------------------------


def _deadline(election: Election, param: Cited[int], on: date, what: str) -> None:
    last = date.fromordinal(election.polling_day.toordinal() - param.value)
    if on > last:
        raise Conflict(
            "past_deadline",
            gettext("%(what)s was possible until %(last)s.") % {"what": what, "last": last},
            citation=param.citation,
        )


def withdraw(actor: Any, candidate: Candidate, on: date, source_document: str) -> Candidate:
    """A candidate withdraws (or a party recalls them) before the law's deadline."""
    require(actor, Permission.CANDIDATES_NOMINATE, scope(candidate.region))
    if candidate.status in (Candidate.Status.WITHDRAWN, Candidate.Status.REPLACED):
        raise Conflict("candidate_closed", gettext("The nomination is closed."))
    rules = edition_of(candidate.election).candidates.nomination
    _deadline(candidate.election, rules.withdrawal_days_before, on, gettext("Withdrawal"))
    with transaction.atomic():
        old = candidate.status
        candidate.status = Candidate.Status.WITHDRAWN
        candidate.save(update_fields=["status", "updated_at"])
        CandidateChange.objects.create(
            candidate=candidate,
            field="status",
            old=old,
            new=candidate.status,
            source_document=source_document[:200] or "withdrawal",
            actor=actor_name(actor),
        )
        ledger.record(
            WITHDRAWAL,
            actor=actor_name(actor),
            subject=ledger.ref(candidate),
            data={"candidate": candidate.ref, "on": on.isoformat()},
        )
    return candidate


def replacement_breaks(old: Candidate, data: NominationData) -> list[ListFinding]:
    """The rules of the party's list that ``data``'s person at ``old``'s position would newly
    break there (a rule the list already broke before is not the replacement's doing)."""
    election = old.election
    edition = edition_of(election)
    rules = edition.candidates.party_lists
    if old.party is None or old.list_position is None or rules is None:
        return []
    entries = list_entries(election, old.party)
    if sum(1 for entry in entries if entry.position == old.list_position) != 1:
        return []
    new_entry = ListEntry(
        position=old.list_position,
        ref=data.ref,
        sex=data.sex,  # type: ignore[arg-type]
        birth_date=data.birth_date,
        minority=data.minority,
        disability=data.disability,
        party_member_of=data.member_of,
    )
    args = (old.party.code, rules, edition.candidates.nomination, election.polling_day)
    leap = edition.voters.leap_day_birthday.value
    before = check_list(entries, *args, leap_day=leap)
    after = check_replacement(entries, old.list_position, new_entry, *args, leap_day=leap)
    failed_before = {(f.code, f.positions) for f in before.failing}
    return [
        f
        for f in after.failing
        if old.list_position in f.positions and (f.code, f.positions) not in failed_before
    ]


def _check_replacement(old: Candidate, data: NominationData) -> None:
    """Refuse a replacement that breaks a rule of the party's list at the replaced position."""
    broken = replacement_breaks(old, data)
    if broken:
        raise Conflict(
            "replacement_breaks_list",
            gettext("The replacement breaks the list's rules at position %(n)s: %(codes)s.")
            % {"n": old.list_position, "codes": ", ".join(f.code for f in broken)},
            citation="; ".join(f.cite.citation for f in broken if f.cite is not None),
        )


def replace(
    actor: Any, old: Candidate, data: NominationData, on: date, source_document: str
) -> Candidate:
    """A party replaces one of its candidates (same list position) before the deadline."""
    require(actor, Permission.CANDIDATES_NOMINATE, scope(old.region))
    if old.party is None:
        raise Conflict("not_party_candidate", gettext("Only a party replaces its candidates."))
    if old.status in (Candidate.Status.WITHDRAWN, Candidate.Status.REPLACED):
        raise Conflict("candidate_closed", gettext("The nomination is closed."))
    rules = edition_of(old.election).candidates.nomination
    _deadline(old.election, rules.replacement_days_before, on, gettext("Replacement"))
    _check_replacement(old, data)
    with transaction.atomic():
        CandidateChange.objects.create(
            candidate=old,
            field="status",
            old=old.status,
            new=Candidate.Status.REPLACED,
            source_document=source_document.strip()[:200] or "replacement",
            actor=actor_name(actor),
        )
        old.status = Candidate.Status.REPLACED
        old.save(update_fields=["status", "updated_at"])
        new = nominate(
            actor,
            old.election,
            NominationData(
                **{
                    **data.__dict__,
                    "party": old.party.code,
                    "list_position": old.list_position,
                    "office": old.office,
                }
            ),
        )
        new.replaces = old
        new.save(update_fields=["replaces"])
        ledger.record(
            REPLACEMENT,
            actor=actor_name(actor),
            subject=ledger.ref(new),
            data={
                "replaced": old.ref,
                "by": new.ref,
                "on": on.isoformat(),
                "source_document": source_document[:200],
            },
        )
    return new
