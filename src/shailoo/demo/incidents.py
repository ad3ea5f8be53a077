"""The demo's rapid-response groups: a campaign and a polling day of cases, worked.

Reports from ``shailoo.synth.incidents`` go through the product's door (``open_case``) at the
moment they were received (the incidents clock is set to it), the handlers decide most of them
some hours later, and a last deadline sweep on the evening of polling day reminds and
escalates the rest — so the workspace and the public register are alive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from shailoo.common.cli import console
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.incidents import clock, services
from shailoo.incidents.models import Case
from shailoo.synth.incidents import BISHKEK, SynthReport, generate_reports

LEGAL_BASIS = {
    "upheld": "Constitutional Law No. 68, Art. 43 (complaint upheld)",
    "dismissed": "Constitutional Law No. 68, Art. 43 (no grounds)",
    "referred": "Criminal Procedure Code, Art. 150 (referral)",
    "no_violation": "Constitutional Law No. 68, Art. 43 (no violation found)",
}


@dataclass(frozen=True)
class IncidentsSummary:
    cases: int
    decided: int
    overdue: int
    escalated: int


def build_incidents(election: Election, seed: int) -> IncidentsSummary:
    stations = list(PollingStation.objects.filter(is_abroad=False).values_list("number", flat=True))
    reports = generate_reports(seed, stations, election.polling_day)
    decided = 0
    pending: list[tuple[datetime, Case, SynthReport]] = []
    for r in reports:
        with clock.frozen_at(r.received_at):
            case = services.open_case(
                r.source if r.source != "public_web" else "public",
                services.Report(
                    category=r.category,
                    description=r.description,
                    source=r.source,
                    station=r.station,
                    place=r.place,
                    complainant_name=r.complainant_name,
                    complainant_phone=r.complainant_phone,
                    complainant_email=r.complainant_email,
                ),
            )
        if r.decided_after_h is not None:
            pending.append((r.received_at + timedelta(hours=r.decided_after_h), case, r))
    evening = datetime.combine(election.polling_day, time(22), BISHKEK)
    for moment, case, r in sorted(pending, key=lambda item: item[0]):
        if moment > evening:
            continue
        with clock.frozen_at(moment):
            services.decide(
                "demo",
                case,
                outcome=r.outcome,
                legal_basis=LEGAL_BASIS[r.outcome],
                measures="Проверка проведена, меры приняты / Текшерүү жүргүзүлдү",
                referral="Прокуратура" if r.outcome == "referred" else "",
                public_summary="Рассмотрено группой оперативного реагирования.",
            )
        decided += 1
    with clock.frozen_at(evening):
        swept = services.sweep()
        overdue = services.overdue().count()
    console.print(
        f"incidents: {len(reports)} cases over the campaign and polling day, {decided} decided, "
        f"{overdue} overdue ({swept.escalated} escalated); pages /staff/incidents/, /cases/"
    )
    return IncidentsSummary(len(reports), decided, overdue, swept.escalated)
