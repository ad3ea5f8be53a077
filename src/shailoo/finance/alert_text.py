"""The alerts campaign finance raises (a decided flag: ``review_services.decide``), as staff
read them on a case: the flag explained in the reader's language, the fund, the money and what
was decided, the law in the reader's language, and a link to the flag
(``incidents.alert_text`` finds this module and calls the renderer registered here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shailoo.finance.explain_text import citation_text, explain, money
from shailoo.finance.forms import DISPOSITION_LABELS, label
from shailoo.finance.models import Flag
from shailoo.incidents.alert_text import AlertView, Item, evidence_items, register
from shailoo.incidents.forms import ALERT_LABELS
from shailoo.incidents.forms import label as incident_label
from shailoo.incidents.models import Case

#: The evidence a finance alert carries (``review_services.decide``), by name.
ALERT_EVIDENCE_LABELS: dict[str, Any] = {
    "flag": _("Flag"),
    "fund": _("Fund"),
    "owner": _("Owner of the fund"),
    "amount": _("Amount"),
    "disposition": _("Decision on the money"),
    "citation": _("Legal basis"),
}


def flag_of(subject: str) -> Flag | None:
    """The flag an alert's subject (``finance.flag:<pk>``) names."""
    model, _colon, pk = subject.rpartition(":")
    if model != "finance.flag" or not pk.isdigit():
        return None
    return Flag.objects.select_related("fund__election", "donor").filter(pk=int(pk)).first()


@register("finance")
def render(case: Case, evidence: Mapping[str, Any]) -> AlertView | None:
    """A decided finance flag, named item by item."""
    flag = flag_of(case.alert_subject)
    title = incident_label(ALERT_LABELS, case.alert_kind)
    edition = flag.fund.election.law_edition if flag is not None else ""
    items: list[Item] = []
    if flag is not None:
        url = reverse("finance:flag", kwargs={"pk": flag.pk})
        items.append(Item(str(ALERT_EVIDENCE_LABELS["flag"]), title, url, "flag"))
    if "fund" in evidence:
        fund = str(evidence["fund"])
        owner = str(evidence.get("owner") or "")
        url = reverse("finance:fund", kwargs={"account": fund})
        text = f"{owner} ({fund})" if owner else fund
        items.append(Item(str(ALERT_EVIDENCE_LABELS["fund"]), text, url, "fund"))
    if "amount" in evidence:
        currency = flag.fund.currency if flag is not None else ""
        amount = f"{money(evidence['amount'])} {currency}".strip()
        items.append(Item(str(ALERT_EVIDENCE_LABELS["amount"]), amount, "", "amount"))
    if "disposition" in evidence:
        text = label(DISPOSITION_LABELS, str(evidence["disposition"]))
        items.append(Item(str(ALERT_EVIDENCE_LABELS["disposition"]), text, "", "disposition"))
    if evidence.get("citation"):
        cited = str(evidence["citation"])
        text = citation_text(cited, edition) if edition else cited
        items.append(Item(str(ALERT_EVIDENCE_LABELS["citation"]), text, "", "citation"))
    items.extend(evidence_items(evidence, skip=frozenset(ALERT_EVIDENCE_LABELS)))
    return AlertView(title, explain(flag) if flag is not None else "", items)
