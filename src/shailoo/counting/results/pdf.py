"""A station protocol as a printable PDF, in Kyrgyz and Russian.

One A4 page (more if a contest has many options): the heading, every line with its Kyrgyz
and Russian name, the votes per option, the result of the checks, and the fingerprints that
tie the paper to the record (the content's SHA-256, the ledger entry, the commission's
signature when accepted). Drawn straight onto the canvas with the DejaVu font the voter
lists use, which carries the Kyrgyz letters.

The form's own words are Kyrgyz and Russian, as the commission's paper protocol; the contest
is named as the definition titles it in the requester's language (Kyrgyz, Russian or
English, with the same fallback as the public pages), never by its bare id, because a
reader of a many-contest election must see which vote the figures are for.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from shailoo.common.pdf_fonts import FONT, FONT_BOLD, register_fonts
from shailoo.counting.results.models import Protocol, ProtocolDecision, ProtocolVersion
from shailoo.counting.results.protocol import BASE_LINES
from shailoo.counting.results.public_names import names_of, pick

LINE_NAMES: dict[str, tuple[str, str]] = {
    "voters_on_list": (
        "Шайлоочулардын тизмесине киргизилгендердин саны",
        "Число избирателей в списке",
    ),
    "ballots_received": ("Алынган бюллетендердин саны", "Число полученных бюллетеней"),
    "ballots_issued": ("Берилген бюллетендердин саны", "Число выданных бюллетеней"),
    "ballots_spoiled": ("Бузулган бюллетендердин саны", "Число испорченных бюллетеней"),
    "ballots_unused": ("Колдонулбаган бюллетендердин саны", "Число неиспользованных бюллетеней"),
    "ballots_found": ("Кутудан табылган бюллетендердин саны", "Число бюллетеней в ящике"),
    "ballots_invalid": ("Жараксыз бюллетендердин саны", "Число недействительных бюллетеней"),
    "votes_valid": ("Жарактуу добуштардын саны", "Число действительных голосов"),
}
STATUS_NAMES = {
    Protocol.Status.REPORTED: "берилди / представлен",
    Protocol.Status.ACCEPTED: "кабыл алынды / принят",
    Protocol.Status.DISPUTED: "талашталды / оспорен",
}
_MARGIN = 42.0
_LINE = 14.0


class _Page:
    """A cursor down the page that starts a new page when it runs out of room."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.width, self.height = A4
        self.y = self.height - _MARGIN

    def need(self, space: float) -> None:
        if self.y - space < _MARGIN:
            self.canvas.showPage()
            self.y = self.height - _MARGIN

    def text(self, text: str, *, size: float = 9.5, bold: bool = False, x: float = _MARGIN) -> None:
        """``text`` from ``x``, wrapped at the right margin (a commission's name in two
        languages, a long contest title) so that no word runs off the page."""
        font = FONT_BOLD if bold else FONT
        for line in simpleSplit(text, font, size, self.width - _MARGIN - x) or [""]:
            self.need(_LINE)
            self.canvas.setFont(font, size)
            self.canvas.drawString(x, self.y, line)
            self.y -= size + 4.5

    def row(self, left: str, value: str, *, bold: bool = False) -> None:
        self.need(_LINE)
        self.canvas.setFont(FONT_BOLD if bold else FONT, 9)
        self.canvas.drawString(_MARGIN, self.y, left[:95])
        self.canvas.drawRightString(self.width - _MARGIN, self.y, value)
        self.canvas.setLineWidth(0.3)
        self.canvas.line(_MARGIN, self.y - 3, self.width - _MARGIN, self.y - 3)
        self.y -= _LINE


def contest_name(protocol: Protocol) -> str:
    """The protocol's contest as the definition titles it, in the reader's language; its id
    only when no definition names it."""
    from shailoo.counting.models import Contest

    contest = Contest.objects.filter(election=protocol.election, code=protocol.contest_id).first()
    return pick(names_of(contest, "title") if contest is not None else {}, protocol.contest_id)


def render_protocol_pdf(
    protocol: Protocol,
    version: ProtocolVersion,
    labels_ky: dict[str, str],
    labels_ru: dict[str, str],
    *,
    accepted_by: str | None = None,
) -> bytes:
    """The PDF bytes of ``version`` of ``protocol`` (options named from the definition).

    ``accepted_by`` replaces the accepting account's name (the public copy names a role and a
    commission, never a person's account).
    """
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"Protocol {protocol.election.code} {protocol.station.number}")
    page = _Page(canvas)
    station = protocol.station
    page.text("УЧАСТКАЛЫК ШАЙЛОО КОМИССИЯСЫНЫН ПРОТОКОЛУ", size=13, bold=True)
    page.text("ПРОТОКОЛ УЧАСТКОВОЙ ИЗБИРАТЕЛЬНОЙ КОМИССИИ", size=13, bold=True)
    page.text(protocol.election.name, size=11)
    page.text(f"Участок / Шайлоо участогу №{station.number}: {station.name}, {station.address}")
    page.text(f"ТШК / ТИК: {station.tec.code} {station.tec.name}")
    page.text(f"{gettext('Contest on the ballot')}: {contest_name(protocol)}")
    page.text(
        f"Версия / Нуска {version.number} · {STATUS_NAMES.get(protocol.status, protocol.status)}"
        f" · {version.created_at:%d.%m.%Y %H:%M} UTC · {version.entered_by}"
    )
    page.y -= 6
    values = {**version.lines, "votes_valid": version.votes_valid}
    for number, name in enumerate((*BASE_LINES, "votes_valid"), start=1):
        ky, ru = LINE_NAMES[name]
        page.row(f"{number}. {ky} / {ru}", str(values[name]), bold=name == "votes_valid")
    page.y -= 6
    page.text("Добуштар / Голоса", size=10.5, bold=True)
    for option, votes in version.votes.items():
        ky, ru = labels_ky.get(option, option), labels_ru.get(option, option)
        name = ky if ky == ru else f"{ky} / {ru}"
        page.row(f"{name} ({option})", str(votes))
    page.y -= 6
    reasons = list(version.verdict.get("reasons", []))
    page.text("Текшерүү / Проверка", size=10.5, bold=True)
    if not reasons:
        page.text("Контролдук катнаштар аткарылды / Контрольные соотношения выполнены")
    for reason in reasons:
        page.text(reason[:120], size=8)
    page.y -= 6
    page.text(f"SHA-256: {version.content_sha256}", size=7.5)
    if version.ledger_sequence is not None:
        page.text(f"Ledger / Реестр: #{version.ledger_sequence}", size=7.5)
    accepted = (
        ProtocolDecision.objects.filter(
            protocol=protocol, version=version, kind=ProtocolDecision.Kind.ACCEPT
        )
        .order_by("-id")
        .first()
    )
    if accepted is not None:
        who = accepted_by if accepted_by is not None else accepted.actor
        page.text(f"Кабыл алган / Принял: {who}, {accepted.created_at:%d.%m.%Y}", size=8)
        page.text(f"Key: {accepted.key_id}", size=7.5)
        page.text(f"Signature: {accepted.signature}", size=6.5)
    page.y -= 18
    for role in ("Төрага / Председатель", "Катчы / Секретарь"):
        page.text(f"{role}: ____________________________", size=9.5)
    canvas.save()
    return buffer.getvalue()
