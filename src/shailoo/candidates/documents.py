"""What a candidate check and a decision look like to people: text lines, rows, PDFs.

Everything here reads what was *stored* — a :class:`~shailoo.candidates.models.CandidateCheck`
keeps every rule as decided (outcome, found, required, evidence, citations in ky/ru/en) — and
never decides again: a decision printed years later shows the law and the registries as they
stood that day. Rule, document and registry names come from
:mod:`shailoo.candidates.messages`; the words around them are in the gettext catalogues.

* :func:`check_rows` / :func:`check_lines`: a check in one language, for the staff page and
  ``shailoo candidates check``;
* :func:`decision_pdf`: the commission's registration or refusal decision, Kyrgyz and Russian
  in one document, its points numbered and every ground cited;
* :func:`badge_pdf`: the badge of an admitted participant (observer, proxy, journalist).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from shailoo.candidates import messages
from shailoo.candidates.models import Candidate, CandidateCheck, Participant, RegistrationDecision
from shailoo.candidates.participant_messages import ROLE_NAMES
from shailoo.candidates.rules import Check, Evidence
from shailoo.common.pdf_fonts import FONT, FONT_BOLD, register_fonts
from shailoo.common.refusals import Conflict
from shailoo.law.loader import load_edition

__all__ = [
    "CheckRow",
    "badge_pdf",
    "check_lines",
    "check_rows",
    "checks_digest",
    "decision_pdf",
    "decision_rows",
    "office_name",
    "public_reasons",
]

#: The languages of the commission's documents, in the order they are printed.
DOCUMENT_LANGS = ("ky", "ru")

OFFICE_NAMES: Mapping[str, str] = {
    "president": gettext_noop("President of the Kyrgyz Republic"),
    "jk_deputy": gettext_noop("Deputy of the Jogorku Kenesh"),
    "local_deputy": gettext_noop("Deputy of a local kenesh"),
}
COMMISSION = gettext_noop("Central Commission for Elections and Referendums of the Kyrgyz Republic")


def _lang(lang: str) -> str:
    return messages.language(lang)


@contextmanager
def _speaking(lang: str) -> Iterator[None]:
    with translation.override(lang):
        yield


def _say(msgid: str, lang: str, **values: Any) -> str:
    """``msgid`` from the catalogue in ``lang``, its placeholders filled."""
    with _speaking(lang):
        text = gettext(msgid)
    return text % values if values else text


def office_name(office: str, lang: str) -> str:
    msgid = OFFICE_NAMES.get(office)
    return _say(msgid, lang) if msgid else office


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _show_date(day: date | datetime | None, lang: str) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = timezone.localtime(day) if timezone.is_aware(day) else day
        return day.strftime("%Y-%m-%d %H:%M" if lang == "en" else "%d.%m.%Y %H:%M")
    return day.isoformat() if lang == "en" else day.strftime("%d.%m.%Y")


# -- a stored check, read back -----------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    """One rule of a stored check, in one language, ready to show."""

    code: str
    rule: str
    outcome: str  # met | not_met | undecided
    mark: str
    outcome_text: str
    finding: str  # the explanation sentence, or "found …; required …"
    found: str
    required: str
    evidence: str  # which registry said what, when, under which reference ("" if none)
    document: str  # the document that would settle an undecided rule ("" if none)
    citation: str


def _text(value: Any, limit: int = 500) -> str:
    """A stored value as text, bounded (the JSON is read back as untrusted)."""
    if value is None:
        return ""
    return str(value)[:limit]


def _evidence(stored: Any) -> Evidence | None:
    if not isinstance(stored, Mapping) or not stored.get("source"):
        return None
    at = None
    raw = stored.get("at")
    if isinstance(raw, str) and raw:
        try:
            at = datetime.fromisoformat(raw)
        except ValueError:
            at = None
    return Evidence(
        _text(stored.get("source"), 80),
        _text(stored.get("said")),
        at,
        _text(stored.get("reference"), 120),
    )


def _finding(item: Mapping[str, Any], evidence: Evidence | None, lang: str) -> str:
    """The explanation sentence when the check kept which finding it was (and its values),
    else what was found against what is required."""
    code, finding, values = item.get("code"), item.get("finding"), item.get("values")
    if isinstance(finding, str) and isinstance(values, Mapping):
        check = Check(
            code=_text(code),
            outcome=item.get("outcome", "undecided"),
            found=_text(item.get("found")),
            required=_text(item.get("required")),
            evidence=evidence,
            finding=finding,
            values={str(k): _text(v) for k, v in values.items()},
        )
        try:
            return messages.finding_text(check, lang)
        except (KeyError, IndexError, ValueError):
            pass  # an unknown finding or a missing value: fall back to the raw values
    found = _text(item.get("found")) or "—"
    required = _text(item.get("required")) or "—"
    return _say(
        gettext_noop("found %(found)s; required %(required)s"), lang, found=found, required=required
    )


def _citation(item: Mapping[str, Any], lang: str) -> str:
    citation = item.get("citation")
    text = _text(citation.get(lang), 2000) if isinstance(citation, Mapping) else ""
    # Several parameters of one article (years and how they are counted) cite it once.
    text = "; ".join(dict.fromkeys(part for part in text.split("; ") if part))
    if not text:
        return messages.LABELS["no_basis"][messages.language(lang)]
    if item.get("unconfirmed") is True:
        text = f"{text} {messages.LABELS['unconfirmed'][messages.language(lang)]}"
    return text


def _stored_checks(check: CandidateCheck) -> list[Mapping[str, Any]]:
    stored = check.checks
    if not isinstance(stored, list):
        return []
    return [item for item in stored if isinstance(item, Mapping) and item.get("code")]


def check_rows(check: CandidateCheck, lang: str) -> list[CheckRow]:
    """Every rule of ``check`` in ``lang`` (ky, ru or en), in the order it was decided."""
    reader = messages.language(lang)
    rows = []
    for item in _stored_checks(check):
        code = _text(item.get("code"), 40)
        stored = item.get("outcome")
        outcome = stored if isinstance(stored, str) and stored in messages.OUTCOMES else "undecided"
        evidence = _evidence(item.get("evidence"))
        needed = item.get("needs_document")
        rows.append(
            CheckRow(
                code=code,
                rule=messages.RULE_NAMES.get(code, {}).get(reader, code),
                outcome=outcome,
                mark=messages.MARKS[outcome],
                outcome_text=messages.OUTCOMES[outcome][reader],
                finding=_finding(item, evidence, reader),
                found=_text(item.get("found")),
                required=_text(item.get("required")),
                evidence=messages.evidence_text(evidence, reader) if evidence else "",
                document=messages.document_name(_text(needed), reader)
                if outcome == "undecided" and needed
                else "",
                citation=_citation(item, reader),
            )
        )
    return rows


def _verdict_line(check: CandidateCheck, rows: list[CheckRow], lang: str) -> str:
    reader = messages.language(lang)
    verdict = check.verdict if check.verdict in messages.VERDICTS else "undecided"
    line = f"{messages.LABELS['decision'][reader]}: {messages.VERDICTS[verdict][reader]}"
    failing = [row.rule for row in rows if row.outcome == "not_met"]
    needed = list(dict.fromkeys(row.document for row in rows if row.document))
    if failing:
        line += f" ({messages.LABELS['failing'][reader]}: {', '.join(failing)})"
    elif needed:
        line += f" ({messages.LABELS['needed'][reader]}: {', '.join(needed)})"
    return line


def check_lines(candidate: Candidate, check: CandidateCheck, lang: str) -> list[str]:
    """``check`` of ``candidate`` as text in ``lang``: who, the verdict, when and under which
    law, then every rule with its outcome, finding, basis, evidence and needed document."""
    reader = messages.language(lang)
    election = candidate.election
    rows = check_rows(check, reader)
    lines = [
        f"{candidate.ref} · {candidate.full_name} · {office_name(candidate.office, reader)}",
        _say(
            gettext_noop("Election %(election)s, polling day %(day)s, law %(edition)s"),
            reader,
            election=election.code,
            day=_show_date(check.polling_day, reader),
            edition=check.law_edition,
        ),
        _verdict_line(check, rows, reader),
        _say(
            gettext_noop("Checked %(at)s by %(actor)s; ledger entry #%(entry)s"),
            reader,
            at=_show_date(check.at, reader),
            actor=check.actor,
            entry=check.ledger_index if check.ledger_index is not None else "—",
        ),
    ]
    basis, source, needs = (messages.LABELS[key][reader] for key in ("basis", "source", "needs"))
    for row in rows:
        lines.append(f"{row.mark} {row.rule}: {row.outcome_text} — {row.finding}")
        lines.append(f"    {basis}: {row.citation}")
        if row.evidence:
            lines.append(f"    {source}: {row.evidence}")
        if row.document:
            lines.append(f"    {needs}: {row.document}")
    unavailable = [
        messages.SOURCES.get(name, {}).get(reader, name)
        for name in (check.unavailable if isinstance(check.unavailable, list) else [])
        if isinstance(name, str)
    ]
    if unavailable:
        lines.append(
            _say(
                gettext_noop("Registries that did not answer (ask again): %(names)s"),
                reader,
                names=", ".join(unavailable),
            )
        )
    return lines


#: The rule the supporting signatures answer to (not a rule of the eligibility engine).
SIGNATURES = "SIGNATURES"
SIGNATURES_RULE = gettext_noop("Supporting signatures")


def _signatures_row(decision: RegistrationDecision, lang: str) -> CheckRow | None:
    """The signatures a decision relied on, as one more rule: the verification's counts
    against the law's invalid share and minimum, cited from the election's law edition."""
    submission = decision.signatures
    grounds = decision.grounds if isinstance(decision.grounds, list) else []
    if submission is None and SIGNATURES not in grounds:
        return None
    reader = messages.language(lang)
    edition = load_edition(decision.check_used.law_edition).candidates
    office = getattr(edition.offices, decision.candidate.office, None)
    cite = [edition.signatures.invalid_share_max]
    if office is not None and office.signatures_min is not None:
        cite.insert(0, office.signatures_min)
    outcome = (
        "met"
        if submission is not None and submission.verdict == "sufficient"
        else "not_met"
        if submission is not None or SIGNATURES in grounds
        else "undecided"
    )
    needed = office.signatures_min.value if office and office.signatures_min else 0
    if submission is None:
        finding = found = ""
        evidence = ""
    else:
        share = f"{submission.invalid_share * 100:.2f}"
        found = f"{submission.valid}/{submission.rows}"
        finding = _say(
            gettext_noop(
                "valid signatures: %(valid)s of %(rows)s; invalid share %(share)s %% "
                "(at most %(limit)s %% allowed); at least %(needed)s required"
            ),
            reader,
            valid=submission.valid,
            rows=submission.rows,
            share=share if reader == "en" else share.replace(".", ","),
            limit=_percent(edition.signatures.invalid_share_max.value, reader),
            needed=needed,
        )
        evidence = _say(
            gettext_noop(
                "signature verification of %(at)s, file %(file)s, ledger entry #%(entry)s"
            ),
            reader,
            at=_show_date(_local_day(submission.at), reader),
            file=submission.file_name,
            entry=submission.ledger_index if submission.ledger_index is not None else "—",
        )
    return CheckRow(
        code=SIGNATURES,
        rule=_say(SIGNATURES_RULE, reader),
        outcome=outcome,
        mark=messages.MARKS[outcome],
        outcome_text=messages.OUTCOMES[outcome][reader],
        finding=finding,
        found=found,
        required=f">={needed}",
        evidence=evidence,
        document="",
        citation="; ".join(dict.fromkeys(param.citation_in(reader) for param in cite)),
    )


DEPOSIT = "DEPOSIT"
DEPOSIT_RULE = gettext_noop("Election deposit")


def _deposit_row(decision: RegistrationDecision, lang: str) -> CheckRow | None:
    """The deposit the office's law asks of the candidate, as one more rule of a decision."""
    candidate = decision.candidate
    edition = load_edition(decision.check_used.law_edition).candidates
    office = getattr(edition.offices, candidate.office, None)
    if office is None or office.deposit_som is None or not office.deposit_som.value:
        return None
    if candidate.list_position is not None:
        return None  # a list's deposit is the party's
    reader = messages.language(lang)
    grounds = decision.grounds if isinstance(decision.grounds, list) else []
    outcome = "not_met" if DEPOSIT in grounds else "met"
    paid = candidate.deposit_som or 0
    required = office.deposit_som.value
    return CheckRow(
        code=DEPOSIT,
        rule=_say(DEPOSIT_RULE, reader),
        outcome=outcome,
        mark=messages.MARKS[outcome],
        outcome_text=messages.OUTCOMES[outcome][reader],
        finding=_say(
            gettext_noop("paid %(paid)s som; at least %(required)s som required"),
            reader,
            paid=f"{paid:,}".replace(",", " "),
            required=f"{required:,}".replace(",", " "),
        ),
        found=str(paid),
        required=f">={required}",
        evidence="",
        document="",
        citation=office.deposit_som.citation_in(reader),
    )


def _percent(share: float, lang: str) -> str:
    text = f"{share * 100:g}"
    return text if lang == "en" else text.replace(".", ",")


def decision_rows(decision: RegistrationDecision, lang: str) -> list[CheckRow]:
    """Every ground a decision rests on, in ``lang``: the rules of its check, then the
    deposit and the supporting signatures where the office needs them."""
    rows = check_rows(decision.check_used, lang)
    extra = (_deposit_row(decision, lang), _signatures_row(decision, lang))
    return [*rows, *(row for row in extra if row is not None)]


def public_reasons(decision: RegistrationDecision, lang: str) -> list[tuple[str, str]]:
    """The grounds of a refusal as the public may read them: each rule not met and its
    legal basis — never what a registry said, its reference or any personal number."""
    rows = decision_rows(decision, lang)
    return [(row.rule, row.citation) for row in rows if row.outcome == "not_met"]


def checks_digest(check: CandidateCheck) -> str:
    """SHA-256 of the stored checks, as the check's ledger entry holds it (``checks_digest``),
    so a printed decision can be matched to the ledger."""
    text = json.dumps(check.checks, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# -- PDFs ------------------------------------------------------------------------------------

_MARGIN = 48.0


class _Page:
    """A cursor down the page that wraps long text and starts a new page when it runs out."""

    def __init__(self, canvas: Canvas, size: tuple[float, float], margin: float) -> None:
        self.canvas = canvas
        self.width, self.height = size
        self.margin = margin
        self.y = self.height - margin

    def need(self, space: float) -> None:
        if self.y - space < self.margin + 14:
            self.canvas.showPage()
            self.y = self.height - self.margin

    def text(
        self,
        text: str,
        *,
        size: float = 9.5,
        bold: bool = False,
        indent: float = 0.0,
        centred: bool = False,
    ) -> None:
        font = FONT_BOLD if bold else FONT
        width = self.width - 2 * self.margin - indent
        for line in simpleSplit(text, font, size, width) or [""]:
            self.need(size + 4)
            self.canvas.setFont(font, size)
            if centred:
                self.canvas.drawCentredString(self.width / 2, self.y, line)
            else:
                self.canvas.drawString(self.margin + indent, self.y, line)
            self.y -= size + 3.5

    def gap(self, space: float = 6.0) -> None:
        self.y -= space


class _NumberedCanvas(Canvas):
    """A canvas that, once the document is complete, stamps every page "page N of M" and the
    document's number (two passes: the count is known only at the end)."""

    def __init__(self, *args: Any, footer: Callable[[int, int], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            width, _ = self._pagesize
            self.drawRightString(width - _MARGIN, _MARGIN / 2, self._footer(number, total))
            super().showPage()
        super().save()


def _both(msgid: str, sep: str = " / ", **values: Any) -> str:
    """``msgid`` in Kyrgyz and in Russian, side by side."""
    return sep.join(_say(msgid, lang, **values) for lang in DOCUMENT_LANGS)


def _party_names(candidate: Candidate) -> str:
    party = candidate.party
    if party is None:
        return _both(gettext_noop("self-nominated"))
    names = (
        party.name_ky if party.name_ky == party.name_ru else f"{party.name_ky} / {party.name_ru}"
    )
    return f"{names} ({party.code})"


def decision_pdf(decision: RegistrationDecision) -> bytes:
    """The registration or refusal decision as a PDF, Kyrgyz and Russian in one document.

    Numbered (the decision's number on every page, "page N of M", its points 1, 2, 2.1 …),
    with every ground: for a refusal each rule not met with what was found, the registry's
    evidence and its legal basis in both languages, then every other rule checked; for a
    registration every rule met and its basis. It ends with the ledger entries and the
    digest of the checks, which tie the paper to the record.
    """
    register_fonts()
    candidate = decision.candidate
    election = candidate.election
    check = decision.check_used
    refused = decision.outcome == RegistrationDecision.Outcome.REFUSED
    rows = {lang: decision_rows(decision, lang) for lang in DOCUMENT_LANGS}
    buffer = io.BytesIO()

    def footer(number: int, total: int) -> str:
        return f"№ {decision.number} · " + _both(
            gettext_noop("page %(number)s of %(total)s"), number=number, total=total
        )

    canvas = _NumberedCanvas(buffer, pagesize=A4, invariant=True, footer=footer)
    canvas.setTitle(f"{decision.number} {candidate.ref}")
    canvas.setAuthor("Shailoo")
    page = _Page(canvas, A4, _MARGIN)
    for lang in DOCUMENT_LANGS:
        page.text(_say(COMMISSION, lang).upper(), size=10.5, bold=True, centred=True)
    page.gap()
    page.text(
        _both(gettext_noop("DECISION")) + f" № {decision.number}", size=13, bold=True, centred=True
    )
    title = (
        gettext_noop("On the refusal to register a candidate")
        if refused
        else gettext_noop("On the registration of a candidate")
    )
    for lang in DOCUMENT_LANGS:
        page.text(_say(title, lang), size=11, bold=True, centred=True)
    page.text(
        f"{_show_date(_local_day(decision.decided_at), 'ru')} · {_both(gettext_noop('Bishkek'))}",
        centred=True,
    )
    page.gap(10)

    facts = [
        (gettext_noop("Candidate"), f"{candidate.full_name}, {candidate.birth_date.year}"),
        (
            gettext_noop("Election"),
            f"{election.name} ({election.code}), {_show_date(election.polling_day, 'ru')}",
        ),
        (
            gettext_noop("Office"),
            " / ".join(
                dict.fromkeys(office_name(candidate.office, lang) for lang in DOCUMENT_LANGS)
            ),
        ),
        (gettext_noop("Nominated by"), _party_names(candidate)),
    ]
    if candidate.district:
        facts.append((gettext_noop("Electoral district"), candidate.district))
    if candidate.list_position is not None:
        facts.append((gettext_noop("Position on the party list"), str(candidate.list_position)))
    facts += [
        (gettext_noop("Nomination filed"), _show_date(candidate.nominated_on, "ru")),
        (gettext_noop("Reference"), candidate.ref),
    ]
    for label, value in facts:
        page.text(f"{_both(label)}: {value}")
    page.gap(8)
    for lang in DOCUMENT_LANGS:
        page.text(
            _say(
                gettext_noop(
                    "Having examined the candidate's documents and the state registries' "
                    "records as checked on %(day)s against the law in force (%(edition)s), "
                    "the commission DECIDES:"
                ),
                lang,
                day=_show_date(_local_day(check.at), lang),
                edition=check.law_edition,
            )
        )
    page.gap(6)

    resolution = (
        gettext_noop("To refuse to register the candidate: %(name)s.")
        if refused
        else gettext_noop("To register the candidate: %(name)s.")
    )
    page.text("1. " + _say(resolution, "ky", name=candidate.full_name), bold=True)
    page.text(_say(resolution, "ru", name=candidate.full_name), bold=True, indent=14)
    page.gap(4)

    point = 2
    grounds = [i for i, row in enumerate(rows["ky"]) if row.outcome == "not_met"]
    others = [i for i, row in enumerate(rows["ky"]) if row.outcome != "not_met"]
    if refused:
        _grounds(page, point, gettext_noop("Grounds of the refusal:"), grounds, rows, evidence=True)
        point += 1
        if others:
            _grounds(page, point, gettext_noop("Other requirements checked:"), others, rows)
            point += 1
    else:
        _grounds(
            page,
            point,
            gettext_noop("The candidate meets every requirement of the law:"),
            list(range(len(rows["ky"]))),
            rows,
        )
        point += 1
    appeal = gettext_noop(
        "This decision may be appealed in the manner and within the time set by law."
    )
    page.text(f"{point}. {_say(appeal, 'ky')}")
    page.text(_say(appeal, "ru"), indent=14)
    page.gap(10)

    page.text(
        _both(
            gettext_noop("Ledger: check entry #%(check)s, decision entry #%(decision)s"),
            check=check.ledger_index if check.ledger_index is not None else "—",
            decision=decision.ledger_index if decision.ledger_index is not None else "—",
        ),
        size=7.5,
    )
    page.text(f"SHA-256 (checks): {checks_digest(check)}", size=7.5)
    page.text(f"{_both(gettext_noop('Decided by'))}: {decision.decided_by}", size=7.5)
    page.gap(18)
    for role in (gettext_noop("Chair"), gettext_noop("Secretary")):
        page.text(f"{_both(role)}: ____________________________")
        page.gap(4)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _grounds(
    page: _Page,
    point: int,
    heading: str,
    indexes: list[int],
    rows: Mapping[str, list[CheckRow]],
    *,
    evidence: bool = False,
) -> None:
    """Point ``point``: its heading, then each rule numbered ``point.n`` in both languages."""
    page.text(f"{point}. {_both(heading)}", bold=True)
    for n, index in enumerate(indexes, start=1):
        ky, ru = rows["ky"][index], rows["ru"][index]
        page.need(40)
        page.text(
            f"{point}.{n}. {ky.rule} / {ru.rule}: {ky.outcome_text} / {ru.outcome_text}",
            bold=True,
            indent=10,
        )
        for row in (ky, ru):
            if row.finding:
                page.text(row.finding, indent=24)
        lang_rows = (("ky", ky), ("ru", ru))
        for lang, row in lang_rows:
            page.text(
                f"{messages.LABELS['basis'][messages.language(lang)]}: {row.citation}",
                indent=24,
                size=8.5,
            )
        if evidence and ky.evidence:
            for lang, row in lang_rows:
                page.text(
                    f"{messages.LABELS['source'][messages.language(lang)]}: {row.evidence}",
                    indent=24,
                    size=8.5,
                )
        page.gap(3)
    page.gap(4)


def badge_pdf(participant: Participant) -> bytes:
    """The badge of an admitted participant: A6, Kyrgyz and Russian, with its number.

    Refused (:class:`Conflict`) for anyone not admitted now — refused, undecided or revoked —
    so no badge can be printed for a person the law keeps out.
    """
    if participant.status != Participant.Status.ADMITTED or participant.revoked_at is not None:
        raise Conflict(
            "not_admitted",
            gettext("Only an admitted participant gets a badge (this one is %(status)s).")
            % {"status": participant.status},
        )
    if not participant.badge_number:
        raise Conflict("no_badge_number", gettext("The participant has no badge number yet."))
    register_fonts()
    election = participant.election
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6, invariant=True)
    canvas.setTitle(f"{participant.badge_number} {participant.ref}")
    page = _Page(canvas, A6, 20.0)
    for lang in DOCUMENT_LANGS:
        page.text(_say(COMMISSION, lang), size=6.5, centred=True)
    page.gap(4)
    page.text(_both(gettext_noop("BADGE")), size=11, bold=True, centred=True)
    page.text(f"№ {participant.badge_number}", size=13, bold=True, centred=True)
    page.gap(4)
    role = ROLE_NAMES.get(participant.role)
    for lang in DOCUMENT_LANGS:
        name = role[lang] if role is not None else participant.role  # type: ignore[index]
        page.text(name, size=9, bold=lang == "ky", centred=True)
    page.gap(8)
    page.text(participant.surname.upper(), size=14, bold=True, centred=True)
    page.text(
        " ".join(p for p in (participant.given_name, participant.patronymic) if p),
        size=11,
        centred=True,
    )
    page.gap(8)
    details = []
    if participant.organisation:
        details.append((gettext_noop("Organisation"), participant.organisation))
    if participant.country:
        details.append((gettext_noop("Country"), participant.country))
    if participant.for_candidate is not None:
        details.append((gettext_noop("For candidate"), participant.for_candidate.full_name))
    if participant.for_party is not None:
        party = participant.for_party
        details.append((gettext_noop("For party"), f"{party.name_ky} / {party.name_ru}"))
    details.append(
        (gettext_noop("Election"), f"{election.name}, {_show_date(election.polling_day, 'ru')}")
    )
    details.append(
        (gettext_noop("Registered on"), _show_date(_local_day(participant.registered_at), "ru"))
    )
    for label, value in details:
        page.text(f"{_both(label)}: {value}", size=7.5)
    page.gap(6)
    if participant.ledger_index is not None:
        page.text(f"{_both(gettext_noop('ledger entry'))} #{participant.ledger_index}", size=6.5)
    page.text(f"{_both(gettext_noop('Chair'))}: ______________", size=7.5)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
