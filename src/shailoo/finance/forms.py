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
#: What each item of a flag's evidence is (``Flag.evidence`` keys, written by the screens in
#: ``finance.screening``), as an auditor reads it.
EVIDENCE_LABELS: dict[str, Any] = {
    "account": _("Account"),
    "account_country": _("Country of the account"),
    "account_country_from": _("Country read from the account number"),
    "agent_bic": _("Bank (BIC)"),
    "amount": _("Amount"),
    "amount_each": _("Amount of each"),
    "bank_country": _("Country of the bank"),
    "burst_factor": _("Times the usual rate"),
    "burst_hours": _("Hours looked at"),
    "burst_min_count": _("Fewest donations in a burst"),
    "burst_min_share": _("Share of the fund's income in a burst"),
    "cap": _("Limit"),
    "cap_name": _("Which limit"),
    "cash_allowed": _("Cash the law allows"),
    "categories": _("Categories the law forbids"),
    "category": _("Category"),
    "count": _("Number"),
    "crossing_payment": _("Payment that crossed the limit"),
    "distinct_donors": _("Different donors"),
    "donors_needed": _("Donors needed"),
    "first": _("First"),
    "last": _("Last"),
    "payment_count": _("Payments"),
    "timed": _("Times"),
    "chains": _("Ownership chains"),
    "channel": _("Channel"),
    "cluster_min_donors": _("Fewest donors in a group"),
    "cluster_window_days": _("Days a group is looked at"),
    "conduit_days": _("Days money may pass on"),
    "conduit_min_share": _("Share passed on that counts"),
    "counterparty_name": _("Counterparty as the bank wrote it"),
    "crossing_day": _("Day the limit was crossed"),
    "crossing_donation": _("Donation that crossed the limit"),
    "currency": _("Currency"),
    "day": _("Date"),
    "derived_from_country": _("Countries of foreign participation"),
    "direct_share": _("Direct foreign share"),
    "donation_count": _("Donations"),
    "donation_id": _("Donation"),
    "donor": _("Donor key"),
    "donor_kind": _("Donor is"),
    "donor_totals": _("Totals per donor"),
    "donors": _("Donors"),
    "effective_share": _("Effective foreign share"),
    "entity": _("Legal entity"),
    "excess": _("Amount over the limit"),
    "foreign_owners": _("Foreign owners"),
    "fund": _("Fund"),
    "fund_kind": _("Fund of"),
    "home_country": _("Home country"),
    "instructed_currency": _("Currency the payer sent"),
    "law_currency": _("Currency of the law's limits"),
    "line": _("Statement entry"),
    "lines": _("Statement entries"),
    "link_max_donors": _("Most donors one link may join"),
    "links": _("What links the donors"),
    "look_through_citation": _("Legal basis of looking through owners"),
    "look_through_control_share": _("Share that gives control"),
    "min_share": _("Smallest share that counts"),
    "near_cap_share": _("Share of the limit that counts as near it"),
    "other_currencies": _("Other currencies"),
    "over_cap": _("Donations over the limit"),
    "over_cap_count": _("Donations over the limit"),
    "pattern": _("Pattern"),
    "payment_id": _("Payment"),
    "purpose": _("Purpose"),
    "reason": _("Reason"),
    "reasons": _("Reasons"),
    "received_share": _("Share of the money passed on"),
    "received_total": _("Money received"),
    "registry_country": _("Country in the registry"),
    "registry_name": _("Name in the registry"),
    "resolution": _("How the donor was identified"),
    "rule": _("Rule"),
    "substantial_share": _("Share that counts as substantial"),
    "supplier": _("Supplier key"),
    "supplier_name": _("Supplier"),
    "total": _("Total"),
    "transfers": _("Transfers"),
    "what": _("Money"),
    "window_first_day": _("First day of the period"),
    "window_last_day": _("Last day of the period"),
    "window_total": _("Total in the period"),
    "within_cap": _("Donations within the limit"),
}
#: The prohibited sources a law edition lists (``finance.prohibited_sources``), by name.
SOURCE_CATEGORY_LABELS: dict[str, Any] = {
    "foreign_state": _("foreign state or its body"),
    "foreign_legal_entity": _("foreign legal entity"),
    "foreign_branch": _("branch or office of a foreign legal entity"),
    "foreign_citizen": _("foreign citizen"),
    "stateless_person": _("stateless person"),
    "international_organisation": _("international organisation"),
    "foreign_participation_entity": _("legal entity with foreign participants"),
    "state_body": _("state or local government body"),
    "state_enterprise": _("state or municipal institution or enterprise"),
    "state_share_tax_preference": _("entity with a state share and tax privileges"),
    "military_unit": _("military unit"),
    "law_enforcement": _("law-enforcement body"),
    "court": _("court"),
    "charity": _("charitable organisation"),
    "religious_organisation": _("religious organisation"),
    "anonymous": _("anonymous donor"),
    "budget_debtor": _("debtor to the budget or the Social Fund"),
    "civil_servant": _("civil servant"),
    "religious_figure": _("religious figure"),
}
#: Coded values of the evidence, by the key they stand under.
EVIDENCE_VALUE_LABELS: dict[str, dict[str, Any]] = {
    "donor_kind": {"person": _("a person"), "entity": _("a legal entity")},
    "what": {"income": _("income"), "spending": _("spending")},
    "channel": {"cash": _("cash")},
    "rule": {
        "direct": _("direct foreign participation"),
        "look_through": _("foreign participation through owners"),
        "near_cap": _("donations near the limit"),
        "together_over": _("together over the limit"),
        "same_amount": _("the same amount from several donors"),
    },
    "pattern": {
        "linked": _("donors linked by address, account or phone"),
        "burst": _("many donations in a short time"),
    },
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
