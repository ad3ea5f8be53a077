"""Staff pages of party lists, and a nomination's withdrawal and replacement.

A party list is checked by ``services.check_party_list`` (the pure engine
:mod:`~shailoo.candidates.party_lists` on the list as it stands: withdrawn, replaced and
refused nominations no longer count) and shown position by position: each candidate's sex,
age on polling day, minority and disability status and party membership, with the rows a
failing rule names highlighted, and every rule's outcome, explanation and legal basis in the
page's language (the texts of :mod:`~shailoo.candidates.participant_messages`). A list is
country-wide, so only country-wide staff see it: the service refuses anyone else.

Withdrawal and replacement call ``services.withdraw`` and ``services.replace``, which check
the law's deadline and, for a replacement, that the new person does not break a rule of the
list at the replaced position. A refusal is shown with its basis in the page's language;
a replacement that would break the list shows the rules the list would then fail there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import permission_required
from shailoo.accounts.roles import Permission
from shailoo.candidates import services
from shailoo.candidates.forms import STATUS_LABELS, ReplacementForm, WithdrawForm
from shailoo.candidates.models import Candidate, Party
from shailoo.candidates.participant_messages import (
    FINDING_OUTCOME,
    LIST_HEADER,
    LIST_VERDICT,
    OWN_NUMBERING,
    RULE_NAMES,
    UNCONFIRMED,
    Lang,
    list_finding_text,
)
from shailoo.candidates.party_lists import (
    ListDecision,
    ListEntry,
    ListFinding,
    compact_positions,
)
from shailoo.candidates.views import _candidate, may
from shailoo.common.refusals import InvalidInput, Refusal
from shailoo.elections.models import Election
from shailoo.elections.services import current_election
from shailoo.law.schema import Cited
from shailoo.register.eligibility import coming_of_age
from shailoo.register.services import ui_lang

_MARKS = {"pass": "✓", "fail": "✗", "undecided": "?"}


def _lang() -> Lang:
    return cast(Lang, ui_lang())


# -- the decision, in the reader's language ----------------------------------------------------


@dataclass(frozen=True)
class FindingRow:
    """One rule applied to a list, as staff read it."""

    code: str
    outcome: str  # pass, fail, undecided
    mark: str
    rule: str
    outcome_text: str
    text: str
    positions: str
    citation: str


def citation_of(cite: Cited[Any] | None, lang: Lang) -> str:
    """A finding's basis in ``lang``: the cited act, marked when unconfirmed; a finding on the
    list's own numbering cites nothing and says so."""
    if cite is None:
        return OWN_NUMBERING[lang]
    text = cite.citation_in(lang)
    return f"{text} {UNCONFIRMED[lang]}" if cite.unconfirmed else text


def finding_row(finding: ListFinding, lang: Lang) -> FindingRow:
    return FindingRow(
        code=finding.code,
        outcome=finding.outcome,
        mark=_MARKS[finding.outcome],
        rule=RULE_NAMES[finding.code][lang],
        outcome_text=FINDING_OUTCOME[finding.outcome][lang],
        text=list_finding_text(finding, lang),
        positions=compact_positions(finding.positions),
        citation=citation_of(finding.cite, lang),
    )


def verdict_line(decision: ListDecision, lang: Lang) -> str:
    verdict = LIST_VERDICT[decision.verdict][lang]
    return LIST_HEADER[lang].format(size=decision.size, verdict=verdict)


def age_on(birth: date, day: date, leap_day: Any) -> int:
    """Whole years of age on ``day``, a 29 February birthday falling where the law says."""
    years = day.year - birth.year
    if years > 0 and coming_of_age(birth, years, leap_day) > day:
        years -= 1
    return max(years, 0)


@dataclass(frozen=True)
class PositionRow:
    """One candidate of a list, with the rules that name their position."""

    position: int
    candidate: Candidate | None
    ref: str
    sex: str
    age: int | None
    minority: str
    disability: str
    member_of: str
    status: str
    failing: tuple[str, ...]
    undecided: tuple[str, ...]
    codes: str


def _flag(value: bool | None) -> str:
    return gettext("unknown") if value is None else gettext("yes") if value else gettext("no")


def position_rows(
    election: Election, entries: list[ListEntry], decision: ListDecision, lang: Lang
) -> list[PositionRow]:
    """The list position by position, each with the failing and undecided rules naming it."""
    edition = services.edition_of(election)
    leap = edition.voters.leap_day_birthday.value
    by_ref = {
        c.ref: c
        for c in Candidate.objects.filter(
            election=election, ref__in=[e.ref for e in entries]
        ).select_related("member_of", "region")
    }
    rows = []
    for entry in sorted(entries, key=lambda e: (e.position, e.ref)):
        failing = [f for f in decision.failing if entry.position in f.positions]
        undecided = [f for f in decision.undecided if entry.position in f.positions]
        candidate = by_ref.get(entry.ref)
        rows.append(
            PositionRow(
                position=entry.position,
                candidate=candidate,
                ref=entry.ref,
                sex=gettext("female") if entry.sex == "F" else gettext("male"),
                age=None
                if entry.birth_date is None
                else age_on(entry.birth_date, election.polling_day, leap),
                minority=_flag(entry.minority),
                disability=_flag(entry.disability),
                member_of=entry.party_member_of or "—",
                status=str(STATUS_LABELS.get(candidate.status, candidate.status))
                if candidate is not None
                else "",
                failing=tuple(dict.fromkeys(RULE_NAMES[f.code][lang] for f in failing)),
                undecided=tuple(dict.fromkeys(RULE_NAMES[f.code][lang] for f in undecided)),
                codes=" ".join(dict.fromkeys(f.code for f in (*failing, *undecided))),
            )
        )
    return rows


def party_name(party: Party, lang: str) -> str:
    return party.name_ky if lang == "ky" else party.name_ru


# -- pages -------------------------------------------------------------------------------------


def _listed_parties(election: Election) -> list[Party]:
    """Parties with at least one candidate standing on a list in ``election``."""
    standing = (
        Candidate.objects.filter(election=election, list_position__isnull=False)
        .exclude(status__in=services.CLOSED)
        .values("party")
    )
    return list(Party.objects.filter(pk__in=standing).order_by("code"))


@require_GET
@permission_required(Permission.CANDIDATES_VIEW)
def party_lists(request: HttpRequest) -> HttpResponse:
    """The parties with a list in the current election, each with its verdict and the rules
    it fails."""
    lang = _lang()
    election: Election | None = None
    rows: list[tuple[Party, str, int, str, str, list[str]]] = []
    try:
        election = current_election()
        for party in _listed_parties(election):
            decision = services.check_party_list(request.user, election, party)
            failing = list(dict.fromkeys(RULE_NAMES[f.code][lang] for f in decision.failing))
            verdict = LIST_VERDICT[decision.verdict][lang]
            name = party_name(party, lang)
            rows.append((party, name, decision.size, decision.verdict, verdict, failing))
    except Refusal as error:
        context: dict[str, Any] = {"election": election, "refusal": error, "rows": []}
        return render(request, "candidates/lists.html", context, status=error.http_status)
    context = {"election": election, "refusal": None, "rows": rows}
    return render(request, "candidates/lists.html", context)


@require_GET
@permission_required(Permission.CANDIDATES_VIEW)
def party_list(request: HttpRequest, code: str) -> HttpResponse:
    """One party's list position by position, with the decision rule by rule: the rows a
    failing rule names highlighted, each rule's explanation and basis in the page's language."""
    lang = _lang()
    election: Election | None = None
    party: Party | None = None
    try:
        election = current_election()
        party = services.party_named(code)
        decision = services.check_party_list(request.user, election, party)
    except Refusal as error:
        failed: dict[str, Any] = {"election": election, "party": party, "refusal": error}
        return render(request, "candidates/list.html", failed, status=error.http_status)
    entries = services.list_entries(election, party)
    record_view(request, party, f"list {party.code} {election.code}")
    rows = position_rows(election, entries, decision, lang)
    context = {
        "election": election,
        "party": party,
        "name": party_name(party, lang),
        "refusal": None,
        "decision": decision,
        "verdict": verdict_line(decision, lang),
        "findings": [finding_row(f, lang) for f in decision.findings],
        "rows": [
            (
                row,
                row.candidate is not None
                and may(request.user, Permission.CANDIDATES_VIEW, row.candidate),
            )
            for row in rows
        ],
    }
    return render(request, "candidates/list.html", context)


# -- withdrawal and replacement ----------------------------------------------------------------


def _basis(error: Refusal, deadline: Cited[Any] | None, lang: Lang) -> str:
    """The refusal's legal basis, in the page's language when it is the law's deadline (the
    service keeps the English citation, as every refusal it raises)."""
    if error.code == "past_deadline" and deadline is not None:
        return deadline.citation_in(lang)
    return error.citation


@require_POST
@permission_required(Permission.CANDIDATES_NOMINATE)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A candidate withdraws (or a party recalls them), naming the document; past the law's
    deadline it is refused with its basis."""
    candidate = _candidate(request, pk, Permission.CANDIDATES_NOMINATE)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("candidates:candidate", pk=pk)
    data = form.cleaned_data
    try:
        services.withdraw(request.user, candidate, data["on"], data["source_document"])
    except Refusal as error:
        rules = services.edition_of(candidate.election).candidates.nomination
        basis = _basis(error, rules.withdrawal_days_before, _lang())
        text = error.message
        if basis:
            text = f"{text} {gettext('Basis')}: {basis}"
        for problem in error.problems[:20]:
            text = f"{text} {problem.where}: {problem.why}."
        messages.error(request, text)
    else:
        messages.success(
            request,
            gettext("%(ref)s withdrawn on %(day)s.")
            % {"ref": candidate.ref, "day": data["on"].strftime("%d.%m.%Y")},
        )
    return redirect("candidates:candidate", pk=pk)


def broken_rows(old: Candidate, data: services.NominationData, lang: Lang) -> list[FindingRow]:
    """The rules the list would newly fail at the replaced position with ``data``'s person
    there (what the service refused the replacement for), as rows in ``lang``."""
    return [finding_row(f, lang) for f in services.replacement_breaks(old, data)]


@require_http_methods(["GET", "POST"])
@permission_required(Permission.CANDIDATES_NOMINATE)
def replace(request: HttpRequest, pk: int) -> HttpResponse:
    """A party puts another person in place of one of its candidates (POST: the form carries a
    PIN); the new nomination takes the same list position, office and district."""
    old = _candidate(request, pk, Permission.CANDIDATES_NOMINATE)
    lang = _lang()
    form = ReplacementForm(request.POST if request.method == "POST" else None)
    refusal: Refusal | None = None
    broken: list[FindingRow] = []
    status = 200
    nomination = services.edition_of(old.election).candidates.nomination
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.data_for_replacement(old)
            try:
                new = services.replace(
                    request.user,
                    old,
                    data,
                    form.cleaned_data["on"],
                    form.cleaned_data["source_document"],
                )
            except Refusal as error:
                old.refresh_from_db()
                refusal = error
                status = error.http_status
                error.citation = _basis(error, nomination.replacement_days_before, lang)
                if isinstance(error, InvalidInput):
                    for problem in error.problems:
                        field = problem.where.split(".")[0]
                        if field in form.fields:
                            form.add_error(field, problem.why)
                if error.code == "replacement_breaks_list":
                    broken = broken_rows(old, data, lang)
                    if broken:  # the same rules' basis, in the page's language
                        error.citation = "; ".join(dict.fromkeys(r.citation for r in broken))
            else:
                messages.success(
                    request,
                    gettext("%(old)s replaced by %(new)s at position %(n)s.")
                    % {"old": old.ref, "new": new.ref, "n": new.list_position},
                )
                return redirect("candidates:candidate", pk=new.pk)
    context = {
        "candidate": old,
        "status_label": STATUS_LABELS.get(old.status, old.status),
        "form": form,
        "refusal": refusal,
        "broken": broken,
        "deadline_days": nomination.replacement_days_before.value,
        "deadline_basis": nomination.replacement_days_before.citation_in(lang),
    }
    return render(request, "candidates/replace.html", context, status=status)
