"""The daily summary the commission publishes: what came in, what was decided, what is late.

Figures only and the public summaries of decided cases — never a description, a complainant
or evidence — in Kyrgyz and Russian on one document (``shailoo incidents summary --day D``).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from shailoo.common.pdf_fonts import FONT, FONT_BOLD, register_fonts
from shailoo.incidents.models import Case, CaseDecision

BISHKEK = ZoneInfo("Asia/Bishkek")

CATEGORY_NAMES: dict[str, tuple[str, str]] = {
    "vote_buying": ("Добуш сатып алуу", "Подкуп избирателей"),
    "multiple_voting": ("Көп жолу добуш берүү", "Многократное голосование"),
    "pressure_on_voters": ("Шайлоочуларга басым", "Давление на избирателей"),
    "foreign_interference": ("Чет элдик кийлигишүү", "Иностранное вмешательство"),
    "prohibited_financing": ("Тыюу салынган каржылоо", "Запрещённое финансирование"),
    "illegal_campaigning": ("Мыйзамсыз үгүт", "Незаконная агитация"),
    "administrative_resources": (
        "Административдик ресурсту пайдалануу",
        "Использование административного ресурса",
    ),
    "cyber_incident": ("Кибер инцидент", "Киберинцидент"),
    "public_order": ("Коомдук тартип", "Общественный порядок"),
    "count_irregularity": ("Эсептөөдөгү бузуулар", "Нарушения при подсчёте"),
    "other": ("Башка", "Другое"),
}


@dataclass
class DaySummary:
    day: date
    received: int = 0
    decided: int = 0
    overdue_open: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_region: Counter[str] = field(default_factory=Counter)
    decisions: list[tuple[str, str, str]] = field(default_factory=list)  # ref, outcome, summary


def day_summary(day: date) -> DaySummary:
    """The figures of one local day (Bishkek time), as of the end of that day."""
    start = datetime.combine(day, time.min, BISHKEK)
    end = start + timedelta(days=1)
    summary = DaySummary(day)
    received = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    summary.received = received.count()
    summary.by_category.update(received.values_list("category", flat=True))
    summary.by_region.update(
        code or "—" for code in received.values_list("region__code", flat=True)
    )
    decisions = CaseDecision.objects.filter(decided_at__gte=start, decided_at__lt=end)
    summary.decided = decisions.count()
    for reference, outcome, public in decisions.values_list(
        "case__reference", "outcome", "case__public_summary"
    ).order_by("decided_at")[:200]:
        summary.decisions.append((reference, outcome, public))
    summary.overdue_open = Case.objects.filter(
        status__in=[Case.Status.RECEIVED, Case.Status.IN_PROGRESS], due_at__lt=end
    ).count()
    return summary


def summary_pdf(summary: DaySummary) -> bytes:
    """The summary on A4, Kyrgyz then Russian for each line."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    _, height = A4
    y = height - 56

    def line(text: str, *, bold: bool = False, size: float = 10) -> None:
        nonlocal y
        if y < 56:
            canvas.showPage()
            y = height - 56
        canvas.setFont(FONT_BOLD if bold else FONT, size)
        canvas.drawString(48, y, text[:110])
        y -= size + 5

    day = summary.day.strftime("%d.%m.%Y")
    line(f"Ыкчам чара көрүү топторунун күнүмдүк отчёту — {day}", bold=True, size=13)
    line(f"Ежедневная сводка групп оперативного реагирования — {day}", bold=True, size=13)
    y -= 6
    line(f"Түшкөн кайрылуулар / Поступило обращений: {summary.received}")
    line(f"Чечилди / Рассмотрено: {summary.decided}")
    line(f"Мөөнөтү өттү (ачык) / Просрочено (открытые): {summary.overdue_open}")
    y -= 6
    line("Категориялар боюнча / По категориям:", bold=True)
    for category, count in summary.by_category.most_common():
        ky, ru = CATEGORY_NAMES.get(category, (category, category))
        line(f"  {ky} / {ru}: {count}")
    y -= 6
    line("Аймактар боюнча / По территориям:", bold=True)
    for region, count in sorted(summary.by_region.items()):
        line(f"  {region}: {count}")
    y -= 6
    line("Кабыл алынган чечимдер / Принятые решения:", bold=True)
    for reference, outcome, public in summary.decisions:
        line(f"  {reference}: {outcome}" + (f" — {public}" if public else ""))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
