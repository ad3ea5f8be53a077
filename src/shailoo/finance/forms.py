"""Forms and names of the campaign-finance pages: the public election choice, the auditors'
flag filter, review, donor resolution and statement upload.

A form only turns text into what a service takes, so a slip is shown beside its field; the
services check everything again. The names people read (flag kinds, statuses, dispositions,
kinds of donor, purposes of spending) live here, in gettext, so each page shows them in its
own language.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shailoo.finance.models import Flag, Fund
from shailoo.finance.screening.model import FLAG_KINDS

KIND_LABELS: dict[str, Any] = {
    "prohibited_source": _("Donor the law forbids"),
    "foreign_participation": _("Legal entity with foreign participation"),
    "foreign_account": _("Money from a foreign account or bank"),
    "foreign_currency": _("Money sent in a foreign currency"),
    "anonymous": _("Anonymous donation"),
    "cash": _("Cash donation"),
    "over_donor_cap": _("Donation over the donor's limit"),
    "over_fund_cap": _("Fund over its limit"),
    "structuring": _("Donation split among several donors"),
    "conduit": _("Donation passed on from a prohibited source"),
    "foreign_supplier": _("Campaign services from a foreign or foreign-owned supplier"),
}
STATUS_LABELS: dict[str, Any] = {
    "open": _("awaiting review"),
    "confirmed": _("confirmed"),
    "dismissed": _("dismissed"),
    "decided": _("decided"),
}
DISPOSITION_LABELS: dict[str, Any] = {
    "transfer_to_budget": _("transferred to the state budget"),
    "return_to_donor": _("returned to the donor"),
    "none": _("explanations requested"),
    "": _("not decided yet"),
}
SEVERITY_LABELS: dict[str, Any] = {"high": _("high"), "medium": _("medium")}
FUND_KIND_LABELS: dict[str, Any] = {"party": _("party"), "candidate": _("candidate")}
INCOME_LABELS: dict[str, Any] = {
    "individuals": _("Individuals"),
    "legal_entities": _("Legal entities"),
    "own_funds": _("Own funds"),
    "party": _("The nominating party"),
    "unidentified": _("Donors not identified"),
    "other": _("Other income (bank)"),
}
PURPOSE_LABELS: dict[str, Any] = {
    "printing": _("Printing"),
    "media": _("Media"),
    "advertising": _("Advertising"),
    "campaign_services": _("Campaign services"),
    "rent": _("Rent"),
    "transport": _("Transport"),
    "other": _("Other spending"),
}
RESOLUTION_LABELS: dict[str, Any] = {
    "pending": _("not yet screened"),
    "exact_id": _("identified by PIN or INN"),
    "name_match": _("identified by name"),
    "ambiguous": _("several persons fit: review"),
    "unresolved": _("nobody found: review"),
    "conflict": _("identifier and name disagree: review"),
    "anonymous": _("no name and no identifier"),
    "own": _("the fund's own money"),
    "reviewed": _("named by an auditor"),
    "not_donation": _("not a donation"),
}
#: Resolutions that wait for an auditor to name the donor (the review queue).
QUEUE = ("ambiguous", "unresolved", "conflict", "anonymous")
#: A statement uploaded on the page (larger files: ``shailoo finance import`` on the server).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: A donor's identity key: ``P:`` and a PIN, or ``E:`` and an organisation's id.
DONOR_KEY = re.compile(r"[PE]:[0-9A-Za-z\-]{1,38}")


def label(labels: dict[str, Any], code: str) -> str:
    """The name of ``code`` in the active language (the code itself when unknown)."""
    return str(labels.get(code, code))


class ElectionForm(forms.Form):
    """Which election's funds the public pages show (the current one by default)."""

    election = forms.SlugField(required=False, max_length=50)


class FlagFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    fund = forms.ChoiceField(label=_("Fund"), required=False)

    def __init__(self, *args: Any, funds: list[Fund] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("all"))]
        self.fields["kind"].choices = every + [(k, KIND_LABELS[k]) for k in FLAG_KINDS]
        self.fields["status"].choices = every + [(s, STATUS_LABELS[s]) for s in Flag.Status.values]
        self.fields["fund"].choices = every + [
            (f.account, f"{f.owner_name} · {f.account}") for f in funds or []
        ]


class ReviewForm(forms.Form):
    """An auditor's verdict on a flag, with the reasons (the ledger keeps them)."""

    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            ("confirm", _("Confirm: the money is what the flag says")),
            ("dismiss", _("Dismiss: the flag is wrong")),
        ],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    """Name the donor of a donation the screen could not resolve (a POST: the key may hold a
    PIN, and paths and query strings are logged)."""

    donor_key = forms.CharField(
        label=_("Donor's key"),
        max_length=40,
        help_text=_("P: and the PIN of a person, or E: and the INN of an organisation"),
    )
    reasons = forms.CharField(
        label=_("Reasons"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_donor_key(self) -> str:
        key = "".join(str(self.cleaned_data["donor_key"]).split())
        key = key[:1].upper() + key[1:]
        if not DONOR_KEY.fullmatch(key):
            raise forms.ValidationError(_("Write P: and a PIN, or E: and an INN."))
        return key


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement"),
        help_text=_("camt.053 (any version) or the statement CSV, at most 50 MiB"),
    )
