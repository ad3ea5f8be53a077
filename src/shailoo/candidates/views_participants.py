"""Staff pages for the other participants of an election: candidates' representatives,
authorised representatives, trusted persons, party representatives, observers and media.

Scoped as the candidate pages are (``candidates.views``): a participant acting for a
candidate lies in that candidate's region; one acting for a party or for nobody (an observer,
a journalist) is for country-wide staff only, and outside the territory reads as missing
(404). The registration form may carry a PIN, so it is POSTed and the PIN is shown masked;
every view of a participant is written to the personal-data access log. Each reason is shown
with the engine's own text and the citation kept with the decision, in the page's language
(:mod:`~shailoo.candidates.participant_messages`). Views only read forms and call
``candidates.participant_services``, which check the actor again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import grants_of, has_permission, is_verified, permission_required
from shailoo.accounts.roles import Permission, Scope, allowed, grants_permission
from shailoo.candidates import messages as candidate_texts
from shailoo.candidates.forms import (
    ParticipantFilterForm,
    ParticipantForm,
    RevokeForm,
    participant_status_label,
)
from shailoo.candidates.models import Participant
from shailoo.candidates.participant_messages import (
    BASIS,
    CHECK_OUTCOME,
    OFFICE_NAMES,
    RULE_NAMES,
    STATELESS,
    UNCONFIRMED,
    Lang,
    participant_check_text,
)
from shailoo.candidates.participant_messages import ROLE_NAMES as ROLE_TITLES
from shailoo.candidates.participant_services import register_participant, revoke_participant
from shailoo.candidates.participants import ParticipantCheck, ParticipantDecision
from shailoo.candidates.services import edition_of
from shailoo.candidates.views import may
from shailoo.common.refusals import InvalidInput, NotFound, Refusal
from shailoo.elections.services import current_election
from shailoo.law.schema import Cited, ParticipantRules
from shailoo.register.pin import mask_pin
from shailoo.register.services import ui_lang

#: Rows the list shows at most (the filters narrow it down).
LIST_LIMIT = 500
PERMISSION = Permission.PARTICIPANTS_ADMIT

#: The parameter of ``ParticipantRules`` each reason code applies.
_RULE_OF_CODE = {
    "FOREIGN_CITIZEN": "foreign_citizens_barred",
    "STATELESS": "stateless_barred",
    "NOT_A_VOTER": "domestic_observer_must_be_voter",
    "BARRED_OFFICE": "domestic_observer_barred_offices",
    "NOT_ACCREDITED": "international_observers_accredited",
}
_MARKS = {"met": "✓", "refused": "✗", "undecided": "?"}


# -- reasons, in the reader's language ---------------------------------------------------------


@dataclass(frozen=True)
class ReasonRow:
    """One reason a participant is not admitted, as staff read it."""

    code: str
    outcome: str  # refused, undecided
    mark: str
    rule: str
    outcome_text: str
    text: str
    citation: str
    lang: Lang = "en"

    def line(self) -> str:
        """The reason on one line, as the command line prints it."""
        line = f"{self.mark} {self.rule}: {self.outcome_text} — {self.text}."
        return f"{line} {BASIS[self.lang]}: {self.citation}" if self.citation else line


def reason_rows(participant: Participant, lang: str) -> list[ReasonRow]:
    """The stored reasons of ``participant``'s decision in ``lang`` (ky, ru or en).

    The citation is the one kept with the decision (the law as it stood then); the text is
    the engine's template over the stored facts (role, citizenships, office, missing fact).
    """
    reader = cast(Lang, lang if lang in ("ky", "ru", "en") else "en")
    edition = edition_of(participant.election)
    rules = edition.candidates.participants
    country = edition.voters.citizenship.value
    rows: list[ReasonRow] = []
    for reason in participant.reasons or []:
        code = str(reason.get("code", ""))
        if code == "REGISTRY_UNAVAILABLE":
            names = [
                candidate_texts.SOURCES.get(name, {}).get(reader, name)
                for name in reason.get("registries", [])
            ]
            with translation.override(reader):
                title = gettext("Registries that did not answer")
            rows.append(
                ReasonRow(
                    code,
                    "undecided",
                    _MARKS["undecided"],
                    title,
                    CHECK_OUTCOME["undecided"][reader],
                    ", ".join(names),
                    "",
                    reader,
                )
            )
            continue
        cite = _cite(rules, code)
        outcome = str(reason.get("outcome", "undecided"))
        stored = reason.get("citation") or {}
        citation = str(stored.get(reader) or (cite.citation_in(reader) if cite else ""))
        if cite is not None and cite.unconfirmed:
            citation = f"{citation} {UNCONFIRMED[reader]}"
        if (
            cite is None
            or outcome not in _MARKS
            or code not in RULE_NAMES
            or participant.role not in ROLE_TITLES
        ):
            rows.append(ReasonRow(code, outcome, "?", code, outcome, "", citation, reader))
            continue
        check = ParticipantCheck(
            code,
            outcome,  # type: ignore[arg-type]
            cite,
            missing=reason.get("missing"),
            office=reason.get("office"),
            citizenships=str(reason.get("citizenships") or ""),
        )
        decision = ParticipantDecision(
            participant.role,
            "refused" if outcome == "refused" else "undecided",
            (check,),
            country,
        )
        rows.append(
            ReasonRow(
                code,
                outcome,
                _MARKS[outcome],
                RULE_NAMES[code][reader],
                CHECK_OUTCOME[outcome][reader],
                participant_check_text(check, decision, reader),
                citation,
                reader,
            )
        )
    return rows


def _cite(rules: ParticipantRules, code: str) -> Cited[Any] | None:
    name = _RULE_OF_CODE.get(code)
    return None if name is None else cast(Cited[Any], getattr(rules, name))


def role_title(role: str, lang: str) -> str:
    titles = ROLE_TITLES.get(role)
    return titles[cast(Lang, lang)] if titles is not None else role


def citizenship_text(participant: Participant, lang: str) -> str:
    """What is kept of the person's citizenships: codes, stateless, or not known."""
    if participant.citizenships is None:
        return gettext("not known")
    if participant.citizenships == "":
        return STATELESS[cast(Lang, lang)]
    return ", ".join(participant.citizenships.split(";"))


# -- territory ---------------------------------------------------------------------------------


def may_act_on(user: Any, participant: Participant) -> bool:
    """Whether ``user`` may see and act on ``participant`` (one acting for a candidate lies in
    the candidate's region; any other is for country-wide assignments only)."""
    owner = participant.for_candidate
    if owner is not None:
        return may(user, PERMISSION, owner)
    return is_verified(user) and allowed(grants_of(user), PERMISSION, [])


def visible(user: Any, rows: QuerySet[Participant]) -> QuerySet[Participant]:
    """``rows`` cut down to the participants ``user`` may act on."""
    if not has_permission(user, PERMISSION):
        return rows.none()
    grants = [g for g in grants_of(user) if grants_permission(g, PERMISSION)]
    if any(g.scope is Scope.COUNTRY for g in grants):
        return rows
    regions = [g.region_id for g in grants if g.scope is Scope.REGION]
    return rows.filter(for_candidate__region_id__in=regions)


def _participant(request: HttpRequest, pk: int) -> Participant:
    participant = get_object_or_404(
        Participant.objects.select_related(
            "election", "for_candidate", "for_candidate__region", "for_party"
        ),
        pk=pk,
    )
    if not may_act_on(request.user, participant):
        raise NotFound("unknown_participant", gettext("No such participant in your territory."))
    return participant


def _election(request: HttpRequest) -> Any:
    try:
        return current_election()
    except Refusal as error:
        return error


# -- pages -------------------------------------------------------------------------------------


@require_GET
@permission_required(PERMISSION)
def participants(request: HttpRequest) -> HttpResponse:
    """The current election's participants in the user's territory, with status, the reasons
    of a refusal or an open decision, and the badge of the admitted; filtered by role and
    status."""
    lang = ui_lang()
    election = _election(request)
    refusal = election if isinstance(election, Refusal) else None
    election = None if refusal is not None else election
    form = ParticipantFilterForm(request.GET or None)
    rows = Participant.objects.none()
    if election is not None:
        rows = visible(
            request.user,
            Participant.objects.filter(election=election).select_related(
                "election", "for_candidate", "for_party"
            ),
        )
        if form.is_valid():
            if form.cleaned_data["role"]:
                rows = rows.filter(role=form.cleaned_data["role"])
            if form.cleaned_data["status"]:
                rows = rows.filter(status=form.cleaned_data["status"])
    rows = rows.order_by("role", "ref")
    context = {
        "election": election,
        "refusal": refusal,
        "form": form,
        "rows": [
            (
                p,
                role_title(p.role, lang),
                participant_status_label(p.status, lang),
                reason_rows(p, lang) if p.status in ("refused", "undecided") else [],
            )
            for p in rows[:LIST_LIMIT]
        ],
        "count": rows.count(),
        "limit": LIST_LIMIT,
    }
    return render(request, "candidates/participants.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def register(request: HttpRequest) -> HttpResponse:
    """Register a participant for the current election (POST: the form may carry a PIN).

    The decision — admitted with a badge, refused with its cited reasons, or undecided naming
    what is missing — is kept either way, and the participant's page shows it.
    """
    election = _election(request)
    refusal = election if isinstance(election, Refusal) else None
    election = None if refusal is not None else election
    form = ParticipantForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and refusal is not None:
        status = refusal.http_status
    if request.method == "POST" and election is not None:
        status = 400
        if form.is_valid():
            try:
                participant = register_participant(request.user, election, form.data_for_service())
            except Refusal as error:
                refusal = error
                status = error.http_status
                if isinstance(error, InvalidInput):
                    for problem in error.problems:
                        field = problem.where.split(".")[0]
                        if field in form.fields:
                            form.add_error(field, problem.why)
            else:
                _announce(request, participant)
                return redirect("candidates:participant", pk=participant.pk)
    context = {"election": election, "form": form, "refusal": refusal}
    return render(request, "candidates/participants_register.html", context, status=status)


def _announce(request: HttpRequest, participant: Participant) -> None:
    values = {"ref": participant.ref, "badge": participant.badge_number}
    if participant.status == Participant.Status.ADMITTED:
        messages.success(request, gettext("%(ref)s admitted: badge %(badge)s.") % values)
    elif participant.status == Participant.Status.REFUSED:
        messages.warning(request, gettext("%(ref)s refused: see the reasons below.") % values)
    else:
        messages.warning(request, gettext("%(ref)s undecided: see what is missing below.") % values)


@require_GET
@permission_required(PERMISSION)
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant: who, in which role, for whom; the decision with its reasons and
    citations; the badge while admitted; the revocation form."""
    participant = _participant(request, pk)
    return _detail(request, participant, RevokeForm(), None, 200)


def _detail(
    request: HttpRequest,
    participant: Participant,
    revoke_form: RevokeForm,
    refusal: Refusal | None,
    status: int,
) -> HttpResponse:
    record_view(request, participant, f"{participant.ref} {mask_pin(participant.pin)}")
    lang = ui_lang()
    offices = [o for o in participant.offices.split(";") if o]
    context = {
        "participant": participant,
        "role": role_title(participant.role, lang),
        "status": participant_status_label(participant.status, lang),
        "masked_pin": mask_pin(participant.pin) if participant.pin else "",
        "citizenships": citizenship_text(participant, lang),
        "offices": [OFFICE_NAMES.get(o, {}).get(cast(Lang, lang), o) for o in offices],
        "reasons": reason_rows(participant, lang),
        "admitted": participant.status == Participant.Status.ADMITTED,
        "revoke_form": revoke_form,
        "refusal": refusal,
    }
    return render(request, "candidates/participants_detail.html", context, status=status)


@require_POST
@permission_required(PERMISSION)
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an admitted participant's registration, with the reason (kept and ledgered)."""
    participant = _participant(request, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _detail(request, participant, form, None, 400)
    try:
        revoke_participant(request.user, participant, form.cleaned_data["reason"])
    except Refusal as error:
        participant.refresh_from_db()
        return _detail(request, participant, form, error, error.http_status)
    messages.success(request, gettext("%(ref)s revoked.") % {"ref": participant.ref})
    return redirect("candidates:participant", pk=participant.pk)
