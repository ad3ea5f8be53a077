"""Forms of the staff candidate pages: what staff type, checked before a service runs.

The services check everything again (and the law's rules); a form only turns text into the
types a service takes, so a typing slip is shown beside its field instead of as a refusal.
"""

from __future__ import annotations

import re
from typing import Any, get_args

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shailoo.candidates import services
from shailoo.candidates.models import OFFICE_CHOICES, Appeal, Participant, Party
from shailoo.candidates.participant_messages import ADMISSION, OFFICE_NAMES, ROLE_NAMES
from shailoo.candidates.participant_services import ParticipantData
from shailoo.candidates.participants import BARRED_OFFICES
from shailoo.law.schema import PARTICIPANT_ROLES, NominationDocument
from shailoo.register.services import ui_lang

#: The documents a nomination is filed with, each received with its number (the checklist;
#: the registries' documents are the ones a check may ask for).
DOCUMENT_KINDS: tuple[tuple[str, Any], ...] = (
    ("application", _("Application to stand")),
    ("passport", _("Passport")),
    ("citizenship_certificate", _("Citizenship certificate")),
    ("residence_record", _("Residence record")),
    ("language_certificate", _("State-language test certificate")),
    ("diploma", _("Diploma")),
    ("criminal_record_certificate", _("Certificate of no criminal record")),
    ("term_record", _("Record of terms served")),
    ("deposit_receipt", _("Deposit receipt")),
)
DOCUMENT_NAMES: dict[str, Any] = dict(DOCUMENT_KINDS)

_UNKNOWN = [("", _("unknown")), ("yes", _("yes")), ("no", _("no"))]

OFFICE_LABELS: dict[str, Any] = {
    "president": _("President of the Kyrgyz Republic"),
    "jk_deputy": _("Deputy of the Jogorku Kenesh"),
    "local_deputy": _("Deputy of a local kenesh"),
}
STATUS_LABELS: dict[str, Any] = {
    "nominated": _("nominated"),
    "registered": _("registered"),
    "refused": _("refused registration"),
    "withdrawn": _("withdrawn"),
    "replaced": _("replaced"),
}


def _tristate(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class NominationForm(forms.Form):
    """A nomination as filed: the person, the office, the nominating party, the documents.

    Always POSTed: it carries a PIN, which must never reach a URL (paths are logged).
    """

    ref = forms.CharField(label=_("Reference"), max_length=40)
    pin = forms.CharField(label=_("Personal identification number (PIN)"), max_length=20)
    surname = forms.CharField(label=_("Surname"), max_length=40)
    given_name = forms.CharField(label=_("Given name"), max_length=40)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=40, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("F", _("female")), ("M", _("male"))])
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    office = forms.ChoiceField(label=_("Office"), choices=())
    district = forms.CharField(label=_("Electoral district"), max_length=64, required=False)
    region = forms.ChoiceField(label=_("Region"), choices=(), required=False)
    party = forms.ChoiceField(label=_("Nominated by"), choices=(), required=False)
    member_of = forms.ChoiceField(label=_("Member of party"), choices=(), required=False)
    list_position = forms.IntegerField(
        label=_("Position on the party list"), min_value=1, max_value=10_000, required=False
    )
    minority = forms.ChoiceField(label=_("Ethnic minority"), choices=_UNKNOWN, required=False)
    disability = forms.ChoiceField(label=_("Disability"), choices=_UNKNOWN, required=False)
    deposit_som = forms.IntegerField(
        label=_("Deposit paid, som"), min_value=0, max_value=10**12, required=False
    )
    nominated_on = forms.DateField(
        label=_("Nominated on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, regions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [
            (code, OFFICE_LABELS.get(code, code)) for code, _ in OFFICE_CHOICES
        ]
        self.fields["region"].choices = [("", _("whole country"))] + [
            (r.code, f"{r.code} · {r.name_ru}") for r in regions
        ]
        parties = [
            (p.code, f"{p.code} · {p.name_ru}")
            for p in Party.objects.filter(dissolved_on__isnull=True).order_by("code")
        ]
        self.fields["party"].choices = [("", _("self-nominated")), *parties]
        self.fields["member_of"].choices = [("", _("none")), *parties]
        if not self.is_bound:
            self.initial.setdefault("nominated_on", timezone.localdate())
        for kind, label in DOCUMENT_KINDS:
            self.fields[f"doc_{kind}"] = forms.CharField(
                label=label, max_length=80, required=False, help_text=_("number, if received")
            )

    def clean_pin(self) -> str:
        return "".join(str(self.cleaned_data["pin"]).split())

    def document_fields(self) -> list[Any]:
        return [self[f"doc_{kind}"] for kind, _ in DOCUMENT_KINDS]

    def main_fields(self) -> list[Any]:
        return [field for field in self if not field.name.startswith("doc_")]

    def data_for_service(self) -> services.NominationData:
        data = self.cleaned_data
        documents = tuple(
            (kind, data[f"doc_{kind}"].strip())
            for kind, _ in DOCUMENT_KINDS
            if data.get(f"doc_{kind}", "").strip()
        )
        return services.NominationData(
            ref=data["ref"].strip(),
            pin=data["pin"],
            surname=data["surname"],
            given_name=data["given_name"],
            patronymic=data["patronymic"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            office=data["office"],
            nominated_on=data["nominated_on"],
            district=data["district"],
            region=data["region"] or None,
            party=data["party"] or None,
            member_of=data["member_of"] or None,
            list_position=data["list_position"],
            minority=_tristate(data["minority"]),
            disability=_tristate(data["disability"]),
            deposit_som=data["deposit_som"],
            documents=documents,
        )


#: The fields of a record staff may change here (``services.EDITABLE``), with their labels.
CHANGE_FIELDS: tuple[tuple[str, Any], ...] = (
    ("surname", _("Surname")),
    ("given_name", _("Given name")),
    ("patronymic", _("Patronymic")),
    ("district", _("Electoral district")),
    ("list_position", _("Position on the party list")),
    ("deposit_som", _("Deposit paid, som")),
)


class ChangeForm(forms.Form):
    """One field of a candidate's record, its new value, and the document it comes from."""

    field = forms.ChoiceField(label=_("Field"), choices=CHANGE_FIELDS)
    value = forms.CharField(label=_("New value"), max_length=64, required=False)
    source_document = forms.CharField(label=_("Source document"), max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        field, value = data.get("field"), (data.get("value") or "").strip()
        if field in ("list_position", "deposit_som"):
            if value == "":
                data["value"] = None
            elif not (value.isascii() and value.isdigit() and len(value) <= 13):
                self.add_error("value", _("a whole number is required"))
            else:
                data["value"] = int(value)
        else:
            data["value"] = value
        return data


class AppealForm(forms.Form):
    filed_by = forms.CharField(label=_("Filed by"), max_length=200)
    filed_on = forms.DateField(label=_("Filed on"), widget=forms.DateInput(attrs={"type": "date"}))
    grounds = forms.CharField(label=_("Grounds"), max_length=5000, widget=forms.Textarea)


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Appeal.Outcome.DISMISSED, _("dismissed")),
            (Appeal.Outcome.UPHELD, _("upheld: the decision is reversed")),
        ],
    )
    reasons = forms.CharField(label=_("Reasons"), max_length=5000, widget=forms.Textarea)


class FilterForm(forms.Form):
    """Filters of the nominations list (no person search: names and PINs stay out of URLs)."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=())
    office = forms.ChoiceField(label=_("Office"), required=False, choices=())
    party = forms.CharField(label=_("Party"), required=False, max_length=32)
    region = forms.CharField(label=_("Region"), required=False, max_length=16)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shailoo.candidates.models import Candidate

        self.fields["status"].choices = [("", _("all"))] + [
            (value, STATUS_LABELS[value]) for value in Candidate.Status.values
        ]
        self.fields["office"].choices = [("", _("all"))] + [
            (code, label) for code, label in OFFICE_LABELS.items()
        ]


# -- participants ------------------------------------------------------------------------------

#: The word that marks a stateless person in a citizenships field (any case).
STATELESS_WORD = "stateless"
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


def parse_citizenships(text: str) -> tuple[str, ...] | None:
    """A citizenships field as the service takes it: None (empty: not known), ``()`` for the
    word ``stateless``, else the ISO 3166-1 alpha-2 codes joined by ``;`` (any case, each once).

    Raises ValueError with the reader's text for anything else: an unknown fact must stay
    empty, never be guessed, and ``XX`` (the register's own mark) is not a country.
    """
    value = text.strip()
    if not value:
        return None
    if value.lower() == STATELESS_WORD:
        return ()
    codes: list[str] = []
    for part in value.split(";"):
        code = part.strip().upper()
        if not code:
            continue  # "KG;" or "KG; ;RU": a separator too many, not a fact
        if code == "XX":
            raise ValueError(gettext("XX is not a country: write stateless instead"))
        if not _COUNTRY_CODE.match(code):
            raise ValueError(
                gettext("“%(code)s” is not a two-letter country code (KG;RU) nor “stateless”")
                % {"code": part.strip()[:20]}
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ValueError(gettext("no country code: leave the field empty if not known"))
    return tuple(codes)


def participant_status_label(status: str, lang: str) -> str:
    """A participant's status in the page's language (the engine's words where it has them)."""
    if status in ADMISSION:
        return ADMISSION[status][lang]  # type: ignore[index]
    if status == Participant.Status.REVOKED:
        return gettext("revoked")
    return status


def role_choices(lang: str) -> list[tuple[str, str]]:
    """Each participant role with its title in ``lang``."""
    return [(role, ROLE_NAMES[role][lang]) for role in PARTICIPANT_ROLES]  # type: ignore[index]


class ParticipantForm(forms.Form):
    """An application to act in the election as a representative, proxy, observer or journalist.

    Always POSTed: it may carry a PIN, which must never reach a URL (paths are logged). The
    role and office names are the engine's own texts in the page's language.
    """

    ref = forms.CharField(label=_("Reference"), max_length=40)
    role = forms.ChoiceField(label=_("Role"), choices=())
    surname = forms.CharField(label=_("Surname"), max_length=60)
    given_name = forms.CharField(label=_("Given name"), max_length=60)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=60, required=False)
    pin = forms.CharField(
        label=_("Personal identification number (PIN)"),
        max_length=20,
        required=False,
        help_text=_("if the person has one: citizenship is then asked of the registry"),
    )
    citizenships = forms.CharField(
        label=_("Citizenships"),
        max_length=80,
        required=False,
        help_text=_("ISO country codes joined by ; (KG;RU), or stateless; empty if not known"),
    )
    offices = forms.MultipleChoiceField(
        label=_("Offices held"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accredited = forms.ChoiceField(
        label=_("Accredited by the Central Election Commission"),
        choices=[("", _("unknown")), ("yes", _("yes")), ("no", _("no"))],
        required=False,
        help_text=_("international observers"),
    )
    country = forms.CharField(
        label=_("Country"), max_length=2, required=False, help_text=_("two-letter code")
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    for_candidate = forms.CharField(
        label=_("For candidate"),
        max_length=40,
        required=False,
        help_text=_("the candidate's reference"),
    )
    for_party = forms.ChoiceField(label=_("For party"), choices=(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = ui_lang()
        self.fields["role"].choices = role_choices(lang)
        self.fields["offices"].choices = [
            (office, OFFICE_NAMES[office][lang]) for office in BARRED_OFFICES
        ]
        parties = [
            (p.code, f"{p.code} · {p.name_ru}")
            for p in Party.objects.filter(dissolved_on__isnull=True).order_by("code")
        ]
        self.fields["for_party"].choices = [("", _("none")), *parties]

    def clean_pin(self) -> str:
        return "".join(str(self.cleaned_data["pin"]).split())

    def clean_citizenships(self) -> tuple[str, ...] | None:
        try:
            return parse_citizenships(self.cleaned_data["citizenships"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and not _COUNTRY_CODE.match(country):
            raise forms.ValidationError(gettext("a two-letter country code is required"))
        return country

    def data_for_service(self) -> ParticipantData:
        data = self.cleaned_data
        return ParticipantData(
            ref=data["ref"].strip(),
            role=data["role"],
            surname=data["surname"],
            given_name=data["given_name"],
            patronymic=data["patronymic"],
            pin=data["pin"],
            citizenships=data["citizenships"],
            offices=tuple(data["offices"]),
            accredited=_tristate(data["accredited"]),
            country=data["country"],
            organisation=data["organisation"].strip(),
            for_candidate=data["for_candidate"].strip(),
            for_party=data["for_party"],
        )


class ParticipantFilterForm(forms.Form):
    """Filters of the participants list (no person search: names and PINs stay out of URLs)."""

    role = forms.ChoiceField(label=_("Role"), required=False, choices=())
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = ui_lang()
        self.fields["role"].choices = [("", _("all")), *role_choices(lang)]
        self.fields["status"].choices = [("", _("all"))] + [
            (value, participant_status_label(value, lang)) for value in Participant.Status.values
        ]


class RevokeForm(forms.Form):
    """Why an admitted participant's registration or accreditation is withdrawn."""

    reason = forms.CharField(
        label=_("Reason for revocation"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


# -- documents, withdrawal, replacement, signature sheets -------------------------------------

#: A date picker's value is ISO whatever the page's language (a localised value leaves it blank).
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

#: Every document a nomination's checklist may name (the law's list and the papers a check may
#: ask for), with its title.
CHECKLIST_NAMES: dict[str, Any] = {
    **DOCUMENT_NAMES,
    "biography": _("Biography"),
    "photo": _("Photographs"),
    "income_declaration": _("Declaration of income and property"),
    "signature_sheets": _("Signature sheets"),
    "party_decision": _("Party's decision to nominate"),
}


class DocumentForm(forms.Form):
    """One more document of the checklist, received with its number on a day."""

    kind = forms.ChoiceField(label=_("Document"), choices=())
    number = forms.CharField(label=_("Number"), max_length=80, required=False)
    received_on = forms.DateField(label=_("Received on"), widget=ISO_DATE)

    def __init__(
        self, *args: Any, missing: tuple[str, ...] | list[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(get_args(NominationDocument))
        first = [kind for kind in missing if kind in kinds]
        rest = [kind for kind in kinds if kind not in first]
        self.fields["kind"].choices = [
            (kind, CHECKLIST_NAMES.get(kind, kind)) for kind in (*first, *rest)
        ]
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())


class WithdrawForm(forms.Form):
    """A candidate's withdrawal (or a party's recall): the day and the document it rests on."""

    on = forms.DateField(label=_("Withdrawn on"), widget=ISO_DATE)
    source_document = forms.CharField(
        label=_("Source document"),
        max_length=200,
        help_text=_("the candidate's statement or the party's decision, with its number"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())


class ReplacementForm(NominationForm):
    """The person a party puts in place of one of its candidates, at the same list position.

    The office, district, region, party and position are the replaced candidate's; the new
    nomination is filed on the day of the replacement. Always POSTed: it carries a PIN.
    """

    #: Fields of the nomination form that the replaced candidate's nomination decides.
    TAKEN_OVER = (
        "office",
        "district",
        "region",
        "party",
        "list_position",
        "deposit_som",
        "nominated_on",
    )

    on = forms.DateField(label=_("Replaced on"), widget=ISO_DATE)
    source_document = forms.CharField(
        label=_("Source document"),
        max_length=200,
        help_text=_("the party's decision on the replacement, with its number"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.TAKEN_OVER:
            del self.fields[name]
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def data_for_replacement(self, old: Any) -> services.NominationData:
        """The new nomination, in the replaced candidate's office, district and region."""
        data = self.cleaned_data
        documents = tuple(
            (kind, data[f"doc_{kind}"].strip())
            for kind, _ in DOCUMENT_KINDS
            if data.get(f"doc_{kind}", "").strip()
        )
        return services.NominationData(
            ref=data["ref"].strip(),
            pin=data["pin"],
            surname=data["surname"],
            given_name=data["given_name"],
            patronymic=data["patronymic"],
            sex=data["sex"],
            birth_date=data["birth_date"],
            office=old.office,
            nominated_on=data["on"],
            district=old.district,
            region=old.region.code if old.region is not None else None,
            party=old.party.code if old.party is not None else None,
            member_of=data["member_of"] or None,
            list_position=old.list_position,
            minority=_tristate(data["minority"]),
            disability=_tristate(data["disability"]),
            documents=documents,
        )


#: Largest seed the database keeps (a signed 64-bit integer).
MAX_SEED = 2**63 - 1


class SignatureUploadForm(forms.Form):
    """A signer list to verify, and optionally the size and published seed of a sample."""

    signers = forms.FileField(
        label=_("Signer list (CSV)"),
        help_text=_("columns sheet,line,collector,pin,surname,given_name,patronymic,signed_on"),
    )
    sample = forms.IntegerField(
        label=_("Sample size"),
        min_value=1,
        max_value=10_000_000,
        required=False,
        help_text=_("empty: every signature decides"),
    )
    seed = forms.IntegerField(
        label=_("Published seed"),
        min_value=0,
        max_value=MAX_SEED,
        required=False,
        help_text=_("the seed announced before the sample is drawn"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sample") is not None and data.get("seed") is None:
            self.add_error("seed", _("a sample needs the published seed"))
        return data


__all__ = [
    "CHANGE_FIELDS",
    "CHECKLIST_NAMES",
    "DOCUMENT_KINDS",
    "DOCUMENT_NAMES",
    "OFFICE_LABELS",
    "STATUS_LABELS",
    "AppealDecisionForm",
    "AppealForm",
    "ChangeForm",
    "DocumentForm",
    "FilterForm",
    "NominationForm",
    "ParticipantFilterForm",
    "ParticipantForm",
    "ReplacementForm",
    "RevokeForm",
    "SignatureUploadForm",
    "WithdrawForm",
    "parse_citizenships",
    "participant_status_label",
    "role_choices",
]
