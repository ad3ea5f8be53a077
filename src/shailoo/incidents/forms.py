"""Forms of the incidents pages: the public complaint form and look-up, the register's filters,
and the staff forms (intake, note, evidence, routing, decision, appeal).

A form only turns text into what a service takes, so a slip is shown beside its field; the
services check everything again. The names people read (categories, statuses, outcomes,
agencies) live here, in gettext, so every page shows them in its own language.

The public form resists spam without a third-party service: a honeypot field people never
see, and a signed start time (:func:`started_token`) that refuses a form sent faster than a
person types or kept open for days. The per-address rate limit is the view's.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from shailoo.incidents.categories import AGENCIES, CATEGORIES, SEVERITIES
from shailoo.incidents.models import Case, CaseDecision
from shailoo.incidents.services import MAX_DESCRIPTION

CATEGORY_LABELS: dict[str, Any] = {
    "vote_buying": _("Vote buying"),
    "multiple_voting": _("Multiple voting"),
    "pressure_on_voters": _("Pressure on voters"),
    "foreign_interference": _("Foreign interference"),
    "prohibited_financing": _("Prohibited campaign financing"),
    "illegal_campaigning": _("Illegal campaigning"),
    "administrative_resources": _("Misuse of administrative resources"),
    "cyber_incident": _("Cyber incident"),
    "public_order": _("Breach of public order"),
    "count_irregularity": _("Irregularity in the count"),
    "other": _("Other violation"),
}
STATUS_LABELS: dict[str, Any] = {
    "received": _("received, not yet examined"),
    "in_progress": _("being examined"),
    "decided": _("decided"),
    "closed": _("closed"),
    "rejected": _("rejected"),
}
OUTCOME_LABELS: dict[str, Any] = {
    "upheld": _("complaint upheld"),
    "dismissed": _("complaint dismissed"),
    "referred": _("referred to another body"),
    "no_violation": _("no violation found"),
}
AGENCY_LABELS: dict[str, Any] = {
    "commission": _("Election commission"),
    "prosecutor": _("Prosecutor's office"),
    "police": _("Internal affairs (police)"),
    "national_security": _("National security"),
}
SEVERITY_LABELS: dict[str, Any] = {
    "low": _("low"),
    "medium": _("medium"),
    "high": _("high"),
    "critical": _("critical"),
}
SOURCE_LABELS: dict[str, Any] = {
    "public_web": _("public web form"),
    "hotline": _("hotline"),
    "observer": _("observer"),
    "agent": _("candidate's agent"),
    "open311": _("reporting app (Open311)"),
    "alert": _("alert raised by a check"),
    "staff": _("staff"),
}
EVENT_LABELS: dict[str, Any] = {
    "received": _("Received by the group"),
    "routed": _("Routed"),
    "shared": _("Shared with an agency"),
    "reassigned": _("Reassigned"),
    "note": _("Note"),
    "evidence": _("Evidence added"),
    "decided": _("Decided"),
    "reminded": _("Reminder sent"),
    "escalated": _("Escalated to the CEC's group"),
    "alert_again": _("Alert raised again"),
    "alert_resolved": _("Alert no longer holds"),
    "appealed": _("Appeal registered"),
    "appeal_decided": _("Appeal decided"),
}
#: The names of what a timeline step records (``CaseEvent.data`` keys).
DETAIL_LABELS: dict[str, Any] = {
    "source": _("Came through"),
    "station": _("Polling station number"),
    "agency": _("Agency"),
    "tec": _("TEC"),
    "outcome": _("Outcome"),
    "text": _("Note"),
    "name": _("File"),
    "sha256": "SHA-256",
    "due": _("Answer due by"),
    "alert": _("Alert"),
    "evidence": _("Attached evidence"),
    "appeal": _("Appeal"),
}
#: An appeal's outcome (``CaseAppeal.Outcome``), as staff and the public read it.
APPEAL_OUTCOME_LABELS: dict[str, Any] = {
    "pending": _("appeal pending"),
    "upheld": _("appeal upheld: the case is examined again"),
    "dismissed": _("appeal dismissed: the decision stands"),
}
RULE_LABELS: dict[str, Any] = {
    "campaign_days": _("campaign complaint: calendar days"),
    "before_polling_day": _("campaign complaint: before polling day"),
    "polling_day_hours": _("polling-day complaint: hours"),
    "result_appeal_decision_days": _("appeal against a result"),
    "alert_triage": _("alert triage"),
}
#: Alerts the domains raise (``services.raise_alert``: ``<source>.<kind>``), as staff name
#: them; an alert from an outside system keeps its code (``alert_name``).
ALERT_LABELS: dict[str, Any] = {
    "counting.control": _("protocol: a control relation fails"),
    "counting.discrepancy": _("protocol: automatic and manual counts differ"),
    "counting.no_automatic": _("protocol: no automatic count to compare"),
    "biometrics.duplicate_enrolment": _("one person enrolled twice (biometric deduplication)"),
    "register.likely_duplicate": _("register: a person likely registered twice"),
    "register.crowded_dwelling": _("register: too many voters at one dwelling"),
    "polling.ballot_balance": _("election day: ballots do not balance at closing"),
    "polling.offline_off_list": _("election day: ballot issued offline to a voter not on the list"),
    "polling.second_ballot": _("election day: a second ballot to one voter"),
    "polling.double_vote_attempt": _("election day: an attempt to vote twice"),
    "candidates.foreign_participant": _("participants: a foreign participant"),
    # campaign finance: the flag kinds, in the words of the finance workspace
    "finance.prohibited_source": _("Donor the law forbids"),
    "finance.foreign_participation": _("Legal entity with foreign participation"),
    "finance.foreign_account": _("Money from a foreign account or bank"),
    "finance.foreign_currency": _("Money sent in a foreign currency"),
    "finance.anonymous": _("Anonymous donation"),
    "finance.cash": _("Cash donation"),
    "finance.over_donor_cap": _("Donation over the donor's limit"),
    "finance.over_fund_cap": _("Fund over its limit"),
    "finance.structuring": _("Donation split among several donors"),
    "finance.conduit": _("Donation passed on from a prohibited source"),
    "finance.foreign_supplier": _("Campaign services from a foreign or foreign-owned supplier"),
}
#: Who acted on a case when it was not a person: the domains that raise alerts and the
#: platform's own routines (``CaseEvent.actor``, an alert's ``Case.reporter``).
ACTOR_LABELS: dict[str, Any] = {
    "counting": _("vote counting"),
    "biometrics": _("biometric deduplication"),
    "register": _("voter register"),
    "polling": _("election day"),
    "candidates": _("candidates and participants"),
    "finance": _("campaign finance"),
    "routing": _("automatic routing"),
    "deadlines": _("deadline watch"),
    "public": _("public web form"),
}
#: Status filters: every status, and ``open`` for those still being worked.
OPEN = "open"
OPEN_STATUSES = ("received", "in_progress")


def label(labels: dict[str, Any], code: str) -> str:
    """The name of ``code`` in the active language (the code itself when unknown)."""
    return str(labels.get(code, code))


def _choices(labels: dict[str, Any], codes: tuple[str, ...] | list[str]) -> list[tuple[str, Any]]:
    return [(code, labels[code]) for code in codes]


def _status_choices() -> list[tuple[str, Any]]:
    return [("", _("all")), (OPEN, _("open")), *_choices(STATUS_LABELS, Case.Status.values)]


# -- spam resistance ---------------------------------------------------------------------------

_TOKEN_SALT = "shailoo.incidents.report-form"
#: A person takes longer than this to say what happened; a script does not.
MIN_FILL_SECONDS = 3.0
#: A form kept open longer is refused (and handed back with a fresh start time).
MAX_FORM_AGE_SECONDS = 12 * 3600
#: The honeypot's field name: nothing a browser fills in by itself.
HONEYPOT = "leave_empty"


def started_token(at: float | None = None) -> str:
    """The signed moment the form was handed out (seconds since the epoch)."""
    return signing.dumps({"t": time.time() if at is None else at}, salt=_TOKEN_SALT)


def spam_reason(data: Any, now: float | None = None) -> str | None:
    """Why a submitted form looks sent by a script (None: it does not).

    ``honeypot``: the hidden field was filled in; ``token``: the start time is missing or
    forged; ``expired``: the form was open too long; ``too_fast``: it came back sooner than
    a person can fill it in.
    """
    if str(data.get(HONEYPOT, "")).strip():
        return "honeypot"
    moment = time.time() if now is None else now
    try:
        payload = signing.loads(
            str(data.get("started", "")), salt=_TOKEN_SALT, max_age=MAX_FORM_AGE_SECONDS
        )
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "token"
    started = payload.get("t") if isinstance(payload, dict) else None
    if not isinstance(started, int | float):
        return "token"
    if moment - started > MAX_FORM_AGE_SECONDS:
        return "expired"
    if moment - started < MIN_FILL_SECONDS:
        return "too_fast"
    return None


# -- references --------------------------------------------------------------------------------

_REFERENCE_CORE = re.compile(r"^[A-Z0-9]{10}$")


def normalise_reference(text: str) -> str | None:
    """A reference as people type or read it out (``kg abcde 23456``) in its stored form
    ``KG-ABCDE-23456``; None when it cannot be one."""
    compact = re.sub(r"[\s\-_.·]", "", text.upper())
    if compact.startswith("KG"):
        compact = compact[2:]
    if not _REFERENCE_CORE.match(compact):
        return None
    return f"KG-{compact[:5]}-{compact[5:]}"


# -- public forms ------------------------------------------------------------------------------

_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,24}$")


def _clean_phone(value: str) -> str:
    value = value.strip()
    if value and not _PHONE.match(value):
        raise forms.ValidationError(_("digits, spaces and a leading + only"))
    return value


class ReportForm(forms.Form):
    """A citizen's complaint: what, where, and (if they wish) how to reach them."""

    category = forms.ChoiceField(label=_("What is it about?"), choices=())
    description = forms.CharField(
        label=_("What happened"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("When, where, who was involved, what you saw or heard."),
    )
    station = forms.IntegerField(
        label=_("Polling station number"), min_value=1, max_value=999_999, required=False
    )
    place = forms.CharField(
        label=_("Or the place"),
        max_length=300,
        required=False,
        help_text=_("An address or a landmark, if it did not happen at a polling station."),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=200,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    leave_empty = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("— choose —")),
            *_choices(CATEGORY_LABELS, CATEGORIES),
        ]
        self.fields["leave_empty"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        if not self.is_bound:
            self.fields["started"].initial = started_token()

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        nowhere = data.get("station") is None and not str(data.get("place") or "").strip()
        if nowhere and "station" not in self.errors:
            self.add_error("place", _("Give a polling station number or the place."))
        return data


def refreshed(data: Any) -> ReportForm:
    """The submitted form handed back for another try: what was typed is kept, the start time
    is fresh and the honeypot empty (a person whose browser filled it can simply resend)."""
    copy = data.copy()
    copy["started"] = started_token()
    copy[HONEYPOT] = ""
    return ReportForm(copy)


class StatusLookupForm(forms.Form):
    reference = forms.CharField(label=_("Reference number"), max_length=40)

    def clean_reference(self) -> str:
        reference = normalise_reference(self.cleaned_data["reference"])
        if reference is None:
            raise forms.ValidationError(_("A reference looks like KG-ABCDE-23456."))
        return reference


class RegisterFilterForm(forms.Form):
    """The public register's filters (all optional, read from the query string)."""

    category = forms.ChoiceField(label=_("Category"), choices=(), required=False)
    territory = forms.ChoiceField(label=_("Region"), choices=(), required=False)
    day = forms.DateField(
        label=_("Day received"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )
    status = forms.ChoiceField(label=_("Status"), choices=(), required=False)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("all")), *_choices(CATEGORY_LABELS, CATEGORIES)]
        self.fields["territory"].choices = [("", _("all")), *regions]
        self.fields["status"].choices = _status_choices()


# -- staff forms -------------------------------------------------------------------------------


class StaffFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=(), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=(), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _status_choices()
        self.fields["category"].choices = [("", _("all")), *_choices(CATEGORY_LABELS, CATEGORIES)]


class IntakeForm(forms.Form):
    """A report taken by a hotline operator (or filed by an observer or agent signed in)."""

    category = forms.ChoiceField(label=_("Category"), choices=())
    severity = forms.ChoiceField(label=_("Severity"), choices=(), required=False)
    description = forms.CharField(
        label=_("What happened"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    station = forms.IntegerField(
        label=_("Polling station number"), min_value=1, max_value=999_999, required=False
    )
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    parties_involved = forms.CharField(label=_("Parties involved"), max_length=300, required=False)
    complainant_name = forms.CharField(
        label=_("Complainant's name"), max_length=200, required=False
    )
    complainant_phone = forms.CharField(
        label=_("Complainant's phone"), max_length=40, required=False
    )
    complainant_email = forms.EmailField(
        label=_("Complainant's e-mail"), max_length=200, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("— choose —")),
            *_choices(CATEGORY_LABELS, CATEGORIES),
        ]
        self.fields["severity"].choices = [
            ("", _("by category")),
            *_choices(SEVERITY_LABELS, SEVERITIES),
        ]

    def clean_complainant_phone(self) -> str:
        return _clean_phone(self.cleaned_data["complainant_phone"])


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("JPEG, PNG, PDF, plain text, MP3 or MP4; at most 10 MiB."),
    )


class RouteCaseForm(forms.Form):
    """Hand the case to another agency, or bring one in to handle it jointly."""

    agency = forms.ChoiceField(label=_("Agency"), choices=())
    mode = forms.ChoiceField(
        label=_("How"),
        choices=[("share", _("handle jointly (share)")), ("reassign", _("hand over (reassign)"))],
        widget=forms.RadioSelect,
        initial="share",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _choices(AGENCY_LABELS, AGENCIES)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=())
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)
    measures = forms.CharField(
        label=_("Measures taken"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    referral = forms.CharField(label=_("Referred to"), max_length=200, required=False)
    public_summary = forms.CharField(
        label=_("Summary for the public register"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Published: no names, phone numbers, addresses or other personal data."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = _choices(OUTCOME_LABELS, CaseDecision.Outcome.values)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        referral = str(data.get("referral") or "").strip()
        if data.get("outcome") == CaseDecision.Outcome.REFERRED and not referral:
            self.add_error("referral", _("name the body the case is referred to"))
        return data


class AppealForm(forms.Form):
    """An appeal against the case's decision, as it reached the commission."""

    filed_by = forms.CharField(
        label=_("Filed by"),
        max_length=200,
        help_text=_("The complainant, a party or a candidate, as the appeal names them."),
    )
    grounds = forms.CharField(
        label=_("Grounds"), max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealDecisionForm(forms.Form):
    """Uphold an appeal (the case is reopened with a new deadline) or dismiss it."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("", _("— choose —")),  # no default: the handler picks one deliberately
            ("dismissed", _("dismiss: the decision stands")),
            ("upheld", _("uphold: reopen the case")),
        ],
    )
    reasons = forms.CharField(
        label=_("Reasons"), max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 3})
    )


class RouteRuleForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=())
    agency = forms.ChoiceField(label=_("Agency"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices(CATEGORY_LABELS, CATEGORIES)
        self.fields["agency"].choices = _choices(AGENCY_LABELS, AGENCIES)
