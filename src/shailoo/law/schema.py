"""The shape of a law edition: every legal parameter the software applies, with its citation.

An edition is validated strictly (no unknown keys, no coercion: ``"18"`` is not an age) so that
an official's typo is an error with a key path, never a silently different law. Each section
is a model; a later domain (candidates, finance, counting) adds its section as one more field
of :class:`Edition` and, if it has cross-field rules, overrides :meth:`LawModel.consistency`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    PrivateAttr,
    model_validator,
)

from shailoo.common.problems import Problem

T = TypeVar("T")

Lang = Literal["ky", "ru", "en"]
LANGS: tuple[Lang, ...] = ("ky", "ru", "en")

_TEXT = r"\S"
_COUNTRY = r"^[A-Z]{2}$"
_EDITION_ID = r"^[a-z]{2}-[0-9]{4}(-[a-z0-9]+)*$"
_SOURCE_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_REGION = r"^[A-Z]{2}-[A-Z0-9]{1,3}$"
_SLUG = r"^[a-z][a-z0-9_]*$"
_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_CODE = r"^[a-z]+(_[a-z]+)*$"

Text = Annotated[str, Field(min_length=1, pattern=_TEXT)]
CountryCode = Annotated[str, Field(pattern=_COUNTRY)]
EditionId = Annotated[str, Field(pattern=_EDITION_ID)]
SourceId = Annotated[str, Field(pattern=_SOURCE_ID)]

#: What each pattern means, for error messages an official can act on.
PATTERN_HINTS: dict[str, str] = {
    _TEXT: "must not be blank",
    _COUNTRY: "must be a two-letter ISO 3166-1 country code in capitals, e.g. KG",
    _EDITION_ID: "must be an edition id: country code, year, optional suffix, e.g. kg-2025",
    _SOURCE_ID: "must be a source id in lower case with hyphens, e.g. law-68",
    _REGION: "must be an ISO 3166-2 subdivision code in capitals, e.g. KG-GB",
    _SLUG: "must be a name in lower case with underscores, e.g. ballots_balance",
    _CLOCK: "must be a time of day HH:MM (00:00 to 23:59), in quotes, e.g. '08:00'",
    _CODE: "must be a code of lower-case letters joined by underscores, e.g. device_failure",
}
VotingPlaceMode = Literal[
    "station_change_on_request", "registered_address", "registered_address_with_remote"
]
LeapDayBirthday = Literal["march_1", "february_28"]
#: What the public may see of a station's voter list online. The list itself is reviewed at
#: the precinct, on paper; online there is the count and the self-check (``paper_only``),
#: or also the surname and initials of each voter (``names_only``), or the list as posted:
#: names, year of birth and address (``full``).
PublicListMode = Literal["paper_only", "names_only", "full"]


class LawModel(BaseModel):
    """Base of every part of an edition: strict, closed, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def consistency(self) -> list[Problem]:
        """Cross-field problems, each ``where`` a dotted path relative to this model."""
        return []


class Localized(LawModel):
    """A text the platform shows in its three languages."""

    ky: Text
    ru: Text
    en: Text

    def get(self, lang: Lang) -> str:
        return str(getattr(self, lang))


class Source(LawModel):
    """A legal act (or documented practice) that parameters cite by ``id``."""

    id: SourceId
    title: Localized
    url: str = ""


class Cited(LawModel, Generic[T]):
    """One legal parameter: its value and where the law sets it.

    ``source`` is the id of an entry in ``meta.sources``; the edition resolves it so that
    :attr:`citation` reads as a full reference. ``unconfirmed`` marks a value the collected
    sources do not confirm; ``note`` says why.
    """

    value: T
    cite: Text
    source: SourceId
    note: str = ""
    unconfirmed: bool = False
    _source: Source | None = PrivateAttr(default=None)
    _citations: dict[tuple[str, str, str], str] = PrivateAttr(default_factory=dict)

    @property
    def citation(self) -> str:
        """Human-readable reference in English, e.g. ``Art. 14(2), Constitutional Law ...``."""
        return self.citation_in("en")

    def citation_in(self, lang: Lang) -> str:
        """The reference in ``lang``: the article localised, then the act's title."""
        cache, key = self._citations, (lang, self.cite, self.source)
        text = cache.get(key)
        if text is None:
            source = self._source
            title = source.title.get(lang) if source is not None else self.source
            text = cache[key] = f"{localize_cite(self.cite, lang)}, {title}"
        return text

    def __eq__(self, other: object) -> bool:
        """Equal values, citations and acts; the cache of rendered citations does not count."""
        if not isinstance(other, Cited):
            return NotImplemented
        mine = (type(self), self.__dict__, self._source)
        return mine == (type(other), other.__dict__, other._source)

    def __hash__(self) -> int:
        """Hash without the value, which may be a list (count-control relations)."""
        return hash((type(self), self.cite, self.source))

    def resolve(self, source: Source | None) -> None:
        """Attach the act ``source`` names (done by :class:`Edition` on validation)."""
        self._source = source
        self._citations = {}


class Meta(LawModel):
    """What the edition is and which acts it draws on."""

    id: EditionId
    title: Text
    country: CountryCode
    in_force_from: date
    supersedes: EditionId | None = None
    note: str = ""
    sources: list[Source] = Field(min_length=1)

    def consistency(self) -> list[Problem]:
        problems: list[Problem] = []
        seen: set[str] = set()
        for i, source in enumerate(self.sources):
            if source.id in seen:
                problems.append(Problem(f"sources.{i}.id", f"duplicate source id {source.id!r}"))
            seen.add(source.id)
        if self.supersedes == self.id:
            problems.append(Problem("supersedes", "an edition cannot supersede itself"))
        return problems


class Voters(LawModel):
    """Who has the right to vote and is put on a voter list."""

    min_age: Cited[PositiveInt]
    leap_day_birthday: Cited[LeapDayBirthday]
    citizenship: Cited[CountryCode]
    dual_citizens_may_vote: Cited[bool]
    incapacity_excludes: Cited[bool]
    confinement_excludes: Cited[bool]
    biometric_registration_required: Cited[bool]
    list_from_population_register: Cited[bool]
    correction_requires_biometric_identification: Cited[bool]
    public_list: Cited[PublicListMode]

    def consistency(self) -> list[Problem]:
        # Names (and addresses) online, to anyone, are a processing of personal data that
        # needs a legal basis: an unconfirmed reading of the law is not one.
        rule = self.public_list
        if rule.value != "paper_only" and rule.unconfirmed:
            return [
                Problem(
                    "public_list.unconfirmed",
                    f"{rule.value} publishes voters' names online and needs a confirmed "
                    "provision of the law; an unconfirmed reading can only be paper_only",
                )
            ]
        return []


class Polling(LawModel):
    """Where a voter votes."""

    voting_place_mode: Cited[VotingPlaceMode]
    voting_place_change_deadline_days: Cited[NonNegativeInt]
    remote_voting_outside_own_district_only: Cited[bool] | None = None
    max_registered_per_dwelling: Cited[PositiveInt]

    def consistency(self) -> list[Problem]:
        remote = self.voting_place_mode.value == "registered_address_with_remote"
        if remote and self.remote_voting_outside_own_district_only is None:
            return [
                Problem(
                    "remote_voting_outside_own_district_only",
                    "required when voting_place_mode is registered_address_with_remote",
                )
            ]
        if not remote and self.remote_voting_outside_own_district_only is not None:
            return [
                Problem(
                    "remote_voting_outside_own_district_only",
                    "only allowed when voting_place_mode is registered_address_with_remote",
                )
            ]
        return []


class Calendar(LawModel):
    """Deadlines counted in days from polling day."""

    preliminary_list_days_before: Cited[PositiveInt]
    correction_deadline_days_before: Cited[NonNegativeInt]
    correction_answer_days: Cited[PositiveInt]

    def consistency(self) -> list[Problem]:
        posted = self.preliminary_list_days_before.value
        closes = self.correction_deadline_days_before.value
        if closes >= posted:
            return [
                Problem(
                    "correction_deadline_days_before.value",
                    f"corrections must close after the preliminary list is posted: the list "
                    f"is posted {posted} days before polling day, corrections close {closes}",
                )
            ]
        return []


# -- counting: electoral systems, seat allocation, protocols -------------------------------

#: A share of a whole, written as a decimal (0.07 is 7%); read exactly as the decimal written.
Share = Annotated[float, Field(ge=0, le=1)]
RegionCode = Annotated[str, Field(pattern=_REGION)]
Slug = Annotated[str, Field(pattern=_SLUG)]

SeatMethod = Literal["hare_largest_remainder", "droop_largest_remainder", "dhondt", "sainte_lague"]
ThresholdBase = Literal["took_part", "valid", "party_votes"]
Comparison = Literal["at_least", "more_than"]
TieRule = Literal["registered_first", "lot"]
ListType = Literal["closed", "open"]
Sex = Literal["female", "male"]
QuotaSex = Literal["female", "male", "each"]
AgainstAllEffect = Literal["none", "repeat_if_leads", "seat_void_if_below"]
DistrictSystemKind = Literal["single_member_plurality", "multi_member_sntv"]
#: A district seat vacated after the count: the next-highest candidate takes it, or a new
#: election is held for it.
VacancyRule = Literal["next_highest", "new_election"]
ProtocolLine = Literal[
    "voters_on_list",
    "ballots_received",
    "ballots_issued",
    "ballots_spoiled",
    "ballots_unused",
    "ballots_found",
    "ballots_invalid",
    "votes_valid",
]
RelationOp = Literal["=", "<=", ">="]


def _pair(first: object, second: object, first_name: str, second_name: str) -> list[Problem]:
    """Two keys that only make sense together: both given or both left out."""
    if (first is None) == (second is None):
        return []
    missing, given = (first_name, second_name) if first is None else (second_name, first_name)
    return [Problem(missing, f"required when {given} is given")]


class AgainstAll(LawModel):
    """Whether the ballot has an "against all" option; its effects are set per contest kind."""

    on_ballot: Cited[bool]


class PresidentSystem(LawModel):
    """Two rounds: a majority of the base in round one, else a run-off of the leaders."""

    majority_share: Cited[Share]
    majority_base: Cited[ThresholdBase]
    majority_comparison: Cited[Comparison]
    runoff_top: Cited[PositiveInt]
    runoff_within_days: Cited[PositiveInt]
    against_all_effect: Cited[AgainstAllEffect]

    def consistency(self) -> list[Problem]:
        if self.runoff_top.value < 2:
            return [Problem("runoff_top.value", "a run-off needs at least 2 candidates")]
        return []


class SeatGenderQuota(LawModel):
    """At least ``min_share`` of a party's list seats go to ``sex`` (or to each sex)."""

    sex: Cited[QuotaSex]
    min_share: Cited[Share]

    def consistency(self) -> list[Problem]:
        if self.sex.value == "each" and self.min_share.value > 0.5:
            return [
                Problem("min_share.value", "each sex cannot be guaranteed more than half the seats")
            ]
        return []


class PartyListSystem(LawModel):
    """Seats for party lists in one national district, with thresholds, caps and quotas."""

    seats: Cited[PositiveInt]
    list_type: Cited[ListType]
    seat_method: Cited[SeatMethod]
    threshold_share: Cited[Share]
    threshold_base: Cited[ThresholdBase]
    threshold_comparison: Cited[Comparison]
    region_threshold_share: Cited[Share] | None = None
    region_threshold_base: Cited[ThresholdBase] | None = None
    regions: Cited[list[RegionCode]] | None = None
    seat_cap_per_party: Cited[PositiveInt] | None = None
    seat_gender_quota: SeatGenderQuota | None = None
    against_all_effect: Cited[AgainstAllEffect]

    def consistency(self) -> list[Problem]:
        problems = _pair(
            self.region_threshold_share,
            self.region_threshold_base,
            "region_threshold_share",
            "region_threshold_base",
        )
        problems += _pair(
            self.region_threshold_share, self.regions, "region_threshold_share", "regions"
        )
        if self.regions is not None:
            codes = self.regions.value
            if not codes:
                problems.append(Problem("regions.value", "list at least one region"))
            repeated = sorted({code for code in codes if codes.count(code) > 1})
            if repeated:
                problems.append(Problem("regions.value", f"regions repeat: {', '.join(repeated)}"))
        cap = self.seat_cap_per_party
        if cap is not None and cap.value >= self.seats.value:
            problems.append(
                Problem(
                    "seat_cap_per_party.value",
                    f"a cap of {cap.value} never applies to {self.seats.value} seats; "
                    "set it below the number of seats or leave it out",
                )
            )
        if self.against_all_effect.value != "none":
            problems.append(
                Problem(
                    "against_all_effect.value",
                    "party lists support only 'none' (counted, no seats)",
                )
            )
        return problems


class DistrictSystem(LawModel):
    """Candidates elected in districts: one seat by plurality, or several by SNTV."""

    system: Cited[DistrictSystemKind]
    districts: Cited[PositiveInt]
    seats_per_district: Cited[PositiveInt]
    marks_per_ballot: Cited[PositiveInt]
    max_winners_one_sex: Cited[PositiveInt] | None = None
    single_sex_district_cancelled: Cited[bool] | None = None
    against_all_effect: Cited[AgainstAllEffect]
    vacancy_rule: Cited[VacancyRule] | None = None

    def consistency(self) -> list[Problem]:
        problems: list[Problem] = []
        seats = self.seats_per_district.value
        if self.system.value == "single_member_plurality" and seats != 1:
            problems.append(
                Problem(
                    "seats_per_district.value",
                    "single_member_plurality elects exactly 1 per district",
                )
            )
        if self.marks_per_ballot.value > seats:
            problems.append(
                Problem(
                    "marks_per_ballot.value", f"more marks than the {seats} seats of a district"
                )
            )
        cap = self.max_winners_one_sex
        if cap is not None and cap.value >= seats:
            problems.append(
                Problem(
                    "max_winners_one_sex.value",
                    f"a limit of {cap.value} never applies to {seats} seats; set it lower",
                )
            )
        problems += _pair(
            self.max_winners_one_sex,
            self.single_sex_district_cancelled,
            "max_winners_one_sex",
            "single_sex_district_cancelled",
        )
        return problems


class ControlRelation(LawModel):
    """One check between protocol lines: sum(left) op sum(right)."""

    name: Slug
    left: list[ProtocolLine] = Field(min_length=1)
    op: RelationOp
    right: list[ProtocolLine] = Field(min_length=1)

    def __repr__(self) -> str:
        """The relation as an official reads it (``shailoo law show`` prints the list)."""
        return f"{self.name}: {' + '.join(self.left)} {self.op} {' + '.join(self.right)}"


class ProtocolRules(LawModel):
    """What the station protocol must satisfy before the commission may accept it."""

    control_relations: Cited[list[ControlRelation]]
    tolerance_votes: Cited[NonNegativeInt]
    automatic_count_preliminary: Cited[bool]

    def consistency(self) -> list[Problem]:
        problems: list[Problem] = []
        relations = self.control_relations.value
        if not relations:
            problems.append(Problem("control_relations.value", "list at least one relation"))
        seen: set[str] = set()
        for i, relation in enumerate(relations):
            if relation.name in seen:
                problems.append(
                    Problem(
                        f"control_relations.value.{i}.name", f"duplicate name {relation.name!r}"
                    )
                )
            seen.add(relation.name)
            both = sorted(set(relation.left) & set(relation.right))
            if both:
                problems.append(
                    Problem(
                        f"control_relations.value.{i}",
                        f"line {both[0]!r} on both sides of {relation.name!r}",
                    )
                )
        return problems


class BallotRules(LawModel):
    """How many ballots may be printed."""

    max_print_excess_share: Cited[Share]


class Counting(LawModel):
    """Electoral systems per contest kind, ties, "against all", ballots and protocols.

    The keys ``president``, ``party_list`` and ``district`` are the contest kinds of the
    election definition; an edition leaves out a kind its law does not have.
    """

    tie_rule: Cited[TieRule]
    against_all: AgainstAll
    president: PresidentSystem
    party_list: PartyListSystem | None = None
    district: DistrictSystem | None = None
    ballots: BallotRules
    protocol: ProtocolRules

    def consistency(self) -> list[Problem]:
        problems: list[Problem] = []
        if not self.against_all.on_ballot.value:
            for kind in ("president", "party_list", "district"):
                system = getattr(self, kind)
                if system is not None and system.against_all_effect.value != "none":
                    problems.append(
                        Problem(
                            f"{kind}.against_all_effect.value",
                            "must be 'none' when against_all.on_ballot is false",
                        )
                    )
        if self.party_list is None and self.district is None:
            problems.append(Problem("party_list", "an edition needs party_list, district or both"))
        return problems


# -- candidates and other participants ---------------------------------------------------

#: The offices a candidate may stand for (the keys of :class:`Offices`).
Office = Literal["president", "jk_deputy", "local_deputy"]
OFFICES: tuple[Office, ...] = ("president", "jk_deputy", "local_deputy")
#: Levels of education, lowest first.
Education = Literal["none", "secondary", "higher"]
EDUCATION_LEVELS: tuple[Education, ...] = ("none", "secondary", "higher")
#: Documents a nomination files (the checklist an office's law sets).
NominationDocument = Literal[
    "application",
    "passport",
    "biography",
    "photo",
    "income_declaration",
    "diploma",
    "language_certificate",
    "criminal_record_certificate",
    "deposit_receipt",
    "signature_sheets",
    "party_decision",
    # Filed to settle a check the registries left undecided:
    "citizenship_certificate",
    "residence_record",
    "term_record",
]
#: Which criminal records bar a candidate: none, an unexpunged one, or any (even expunged).
RecordBar = Literal["none", "unexpunged", "any"]
#: How residence is counted: years in total over a lifetime, or the last N years without a
#: longer absence in any one of them than ``max_absence_days_per_year``.
ResidenceCounting = Literal["total", "last_years"]
#: Who else acts in an election.
ParticipantRole = Literal[
    "candidate_representative",
    "authorised_representative",
    "trusted_person",
    "party_representative",
    "domestic_observer",
    "international_observer",
    "media",
]
PARTICIPANT_ROLES: tuple[ParticipantRole, ...] = (
    "candidate_representative",
    "authorised_representative",
    "trusted_person",
    "party_representative",
    "domestic_observer",
    "international_observer",
    "media",
)
#: Offices whose holders may not be domestic observers.
BarredOffice = Literal[
    "deputy",
    "official",
    "commission_member",
    "judge",
    "prosecutor",
    "law_enforcement",
    "fiscal_officer",
    "military",
]


class OfficeRules(LawModel):
    """Who may stand for one office, and what standing costs (signatures, deposit)."""

    min_age: Cited[PositiveInt]
    max_age: Cited[PositiveInt] | None = None
    citizenship: Cited[CountryCode]
    other_citizenship_bars: Cited[bool]
    residence_years: Cited[NonNegativeInt]
    residence_counting: Cited[ResidenceCounting]
    max_absence_days_per_year: Cited[NonNegativeInt] | None = None
    state_language_required: Cited[bool]
    min_education: Cited[Education]
    criminal_record_bars: Cited[RecordBar]
    max_terms: Cited[PositiveInt] | None = None
    signatures_min: Cited[NonNegativeInt] | None = None
    signatures_max: Cited[PositiveInt] | None = None
    deposit_som: Cited[NonNegativeInt] | None = None
    deposit_refund_share: Cited[Share] | None = None
    #: The documents a nomination for this office files; ``deposit_receipt``,
    #: ``signature_sheets`` and ``party_decision`` are asked only where they apply (a deposit
    #: to pay, signatures to collect, a party's nominee).
    documents: Cited[list[NominationDocument]] | None = None

    def consistency(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.documents is not None and len(set(self.documents.value)) != len(
            self.documents.value
        ):
            problems.append(Problem("documents.value", "a document is listed twice"))
        if self.max_age is not None and self.max_age.value < self.min_age.value:
            problems.append(Problem("max_age.value", "must not be below min_age"))
        if (
            self.signatures_min is not None
            and self.signatures_max is not None
            and self.signatures_max.value < self.signatures_min.value
        ):
            problems.append(Problem("signatures_max.value", "must not be below signatures_min"))
        last_years = self.residence_counting.value == "last_years"
        absence = self.max_absence_days_per_year
        if last_years and absence is None:
            problems.append(
                Problem(
                    "max_absence_days_per_year",
                    "required when residence_counting is last_years",
                )
            )
        if not last_years and absence is not None:
            problems.append(
                Problem(
                    "max_absence_days_per_year",
                    "only allowed when residence_counting is last_years",
                )
            )
        if absence is not None and absence.value > 366:
            problems.append(
                Problem("max_absence_days_per_year.value", "a year has at most 366 days")
            )
        problems += _refund_needs_deposit(self.deposit_som, self.deposit_refund_share)
        return problems


def _refund_needs_deposit(deposit: object, refund_share: object) -> list[Problem]:
    """A refund share says when a deposit comes back: without a deposit it means nothing."""
    if refund_share is not None and deposit is None:
        return [Problem("deposit_som", "required when deposit_refund_share is given")]
    return []


class Offices(LawModel):
    """Eligibility per office; an edition leaves out an office its law does not cover."""

    president: OfficeRules | None = None
    jk_deputy: OfficeRules | None = None
    local_deputy: OfficeRules | None = None

    def consistency(self) -> list[Problem]:
        if all(getattr(self, office) is None for office in OFFICES):
            return [Problem("president", "an edition needs the rules of at least one office")]
        return []


class SignatureRules(LawModel):
    """How signature sheets supporting a nomination are verified."""

    invalid_share_max: Cited[Share]
    sample_share: Cited[Share]
    one_signature_per_voter: Cited[bool]
    signer_must_be_in_territory: Cited[bool]


class PartyListRules(LawModel):
    """The make-up of a party list, checked position by position."""

    min_length: Cited[PositiveInt] | None = None
    max_length: Cited[PositiveInt] | None = None
    max_one_sex_share: Cited[Share] | None = None
    max_sex_gap_positions: Cited[PositiveInt] | None = None
    min_minority_share: Cited[Share] | None = None
    min_young_share: Cited[Share] | None = None
    young_under_age: Cited[PositiveInt] | None = None
    min_with_disabilities: Cited[NonNegativeInt] | None = None
    #: The deposit a party pays for its list (a candidate's own is ``OfficeRules.deposit_som``).
    deposit_som: Cited[NonNegativeInt] | None = None
    deposit_refund_share: Cited[Share] | None = None

    def consistency(self) -> list[Problem]:
        problems = _pair(
            self.min_young_share, self.young_under_age, "young_under_age", "min_young_share"
        )
        one_sex = self.max_one_sex_share
        if one_sex is not None and one_sex.value < 0.5:
            problems.append(
                Problem(
                    "max_one_sex_share.value",
                    "no list can keep each sex under half; write at least 0.5",
                )
            )
        problems += _refund_needs_deposit(self.deposit_som, self.deposit_refund_share)
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.max_length.value < self.min_length.value
        ):
            problems.append(Problem("max_length.value", "must not be below min_length"))
        return problems


class ParticipantRules(LawModel):
    """Nationality and office bars on everyone else who acts in an election."""

    foreign_citizens_barred: Cited[list[ParticipantRole]]
    stateless_barred: Cited[list[ParticipantRole]]
    domestic_observer_must_be_voter: Cited[bool]
    domestic_observer_barred_offices: Cited[list[BarredOffice]]
    international_observers_accredited: Cited[bool]


class NominationRules(LawModel):
    """Who a party may nominate, and the deadlines (days before polling day) for a
    candidate's withdrawal and a party's replacement of a candidate."""

    members_of_other_parties_barred: Cited[bool]
    withdrawal_days_before: Cited[NonNegativeInt]
    replacement_days_before: Cited[NonNegativeInt]


class Candidates(LawModel):
    """Who may stand and who may act: offices, signatures, party lists, participants."""

    offices: Offices
    signatures: SignatureRules
    party_lists: PartyListRules | None = None
    participants: ParticipantRules
    nomination: NominationRules


# -- complaints and rapid response -------------------------------------------------------


class Incidents(LawModel):
    """How fast complaints and appeals must be answered (the rapid-response groups' clocks).

    A complaint during the campaign is answered within ``campaign_answer_days`` days and, by
    the usual rule, before polling day starts; one on polling day within
    ``polling_day_answer_hours``; an appeal against a station's result is filed within
    ``result_appeal_days`` days of the result and decided within
    ``result_appeal_decision_days``.
    """

    campaign_answer_days: Cited[PositiveInt]
    answer_before_polling_day: Cited[bool]
    polling_day_answer_hours: Cited[PositiveInt]
    result_appeal_days: Cited[PositiveInt]
    result_appeal_decision_days: Cited[PositiveInt]


# -- campaign finance ---------------------------------------------------------------------


#: The sources of money the law forbids (Art. 41(3)). ``foreign_participation_entity`` is a
#: legal entity registered in the country whose participants include foreign citizens or
#: foreign legal entities; ``state_share_tax_preference`` one with a state or municipal share
#: that enjoys tax preferences.
ProhibitedSource = Literal[
    "foreign_state",
    "foreign_legal_entity",
    "foreign_branch",
    "foreign_citizen",
    "stateless_person",
    "international_organisation",
    "foreign_participation_entity",
    "state_body",
    "state_enterprise",
    "state_share_tax_preference",
    "military_unit",
    "law_enforcement",
    "court",
    "charity",
    "religious_organisation",
    "anonymous",
    "budget_debtor",
    "civil_servant",
    "religious_figure",
]
PROHIBITED_SOURCES: tuple[str, ...] = ProhibitedSource.__args__  # type: ignore[attr-defined]
Disposition = Literal["transfer_to_budget", "return_to_donor"]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class FundCaps(LawModel):
    """The caps of one kind of election fund, in som (absent: the edition sets none).

    A donor cap is read as the total a donor gives one fund over the campaign, so that a
    donation split in parts is held to the same cap as a single one.
    """

    fund_total_som: Cited[PositiveInt] | None = None
    spending_som: Cited[PositiveInt] | None = None
    own_funds_som: Cited[NonNegativeInt] | None = None
    from_party_som: Cited[NonNegativeInt] | None = None
    individual_donation_som: Cited[PositiveInt] | None = None
    legal_entity_donation_som: Cited[PositiveInt] | None = None
    paid_campaigners: Cited[PositiveInt] | None = None


class FinanceCaps(LawModel):
    """Caps per kind of fund: a party's and a candidate's."""

    party: FundCaps | None = None
    candidate: FundCaps | None = None


class Finance(LawModel):
    """Election funds: who may not give, how much others may, where the money must be.

    ``foreign_participation_min_share`` is the direct foreign share above which a local legal
    entity counts as one with foreign participation (0: any share at all, as the law says
    "no minimum"). Through chains of ownership the law is silent; the platform looks through
    a local intermediary when foreign owners hold at least ``look_through_control_share`` of
    it, multiplying shares along each chain.
    """

    currency: Cited[CurrencyCode]
    prohibited_sources: Cited[list[ProhibitedSource]]
    foreign_participation_min_share: Cited[Share]
    look_through_control_share: Cited[Share]
    designated_banks_only: Cited[bool]
    cash_allowed: Cited[bool]
    prohibited_money: Cited[Disposition]
    caps: FinanceCaps
    report_days_before: Cited[NonNegativeInt] | None = None
    report_days_after: Cited[NonNegativeInt] | None = None

    def consistency(self) -> list[Problem]:
        found: list[Problem] = []
        sources = self.prohibited_sources.value
        repeated = sorted({x for x in sources if sources.count(x) > 1})
        if repeated:
            found.append(Problem("prohibited_sources.value", f"named twice: {', '.join(repeated)}"))
        if self.look_through_control_share.value == 0:
            found.append(
                Problem(
                    "look_through_control_share.value",
                    "must be above 0: at 0 every chain of any share would look through",
                )
            )
        return found


# -- election day -------------------------------------------------------------------------


def _clock_text(value: object) -> object:
    """YAML 1.1 reads an unquoted ``10:00`` as the base-60 number 600: say so, not "not text"."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            "write a time of day in quotes, e.g. '10:00' (unquoted, YAML reads 10:00 as the "
            "number 600)"
        )
    return value


#: A local time of day, ``HH:MM`` on the 24-hour clock.
ClockTime = Annotated[str, BeforeValidator(_clock_text), Field(pattern=_CLOCK)]
#: The code of a reason for a manual issuance, as devices send it and reports count it.
ReasonCode = Annotated[str, Field(pattern=_CODE)]
#: A biometric modality a station device identifies voters by.
Modality = Literal["finger", "face"]
#: A document a voter shows to be identified: the ID card (the "internal" passport), the
#: general civil (travel) passport, the diplomatic and service passports, the state's
#: electronic passport app.
IdentityDocument = Literal[
    "id_card", "passport", "diplomatic_passport", "service_passport", "e_passport_app"
]
#: Why a voter votes outside the polling room (with the mobile ballot box).
HomeVotingGround = Literal[
    "health",
    "disability",
    "hospital",
    "pretrial_detention",
    "remote_area",
    "military_duty",
    "police_duty",
    "continuous_work",
    "shift_work",
    "care_of_dependant",
    "commission_decision",
]
#: Which of two ballots issued to one voter by devices that were offline stands as the
#: voter's check-in: the one issued first (by the devices' hybrid logical clocks) or the one
#: the server received first. The other is recorded as a second issue and alerted either way.
ConflictRule = Literal["earliest_issue", "first_received"]


class ReasonText(Localized):
    """What a manual-issuance reason means, in the three languages."""

    def __repr__(self) -> str:
        """The English text (``shailoo law show`` prints the mapping of codes to it)."""
        return repr(self.en)


def clock_time(text: str) -> time:
    """``"08:00"`` as a :class:`datetime.time` (the text was validated by :data:`ClockTime`)."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def local_moment(day: date, clock: time, tz: tzinfo) -> datetime:
    """``clock`` on ``day`` in zone ``tz``, as an aware moment that exists.

    A wall time that a clock change skips (02:30 on the night summer time starts) is read
    with the offset before the change (PEP 495, ``fold=0``) and normalised to the time it
    lands on (03:30); a wall time that occurs twice is its first occurrence.
    """
    if isinstance(day, datetime):
        raise TypeError("a polling day is a date, not a datetime")
    if tz is None:
        raise TypeError("a time zone is required: the law's hours are local")
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _unique(values: list[Any], where: str, what: str) -> list[Problem]:
    """A list that must name something and name nothing twice."""
    if not values:
        return [Problem(where, f"list at least one {what}")]
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        return [Problem(where, f"named twice: {', '.join(repeated)}")]
    return []


class HomeVoting(LawModel):
    """Voting outside the polling room with the mobile ballot box, on a written request.

    Kyrgyz law holds it on one day before polling day (``held_days_before``), during the
    voting hours; requests are accepted from ``request_days_before`` days before polling day
    to the end of the day ``request_deadline_days_before`` days before it.
    """

    held_days_before: Cited[NonNegativeInt]
    request_days_before: Cited[PositiveInt]
    request_deadline_days_before: Cited[NonNegativeInt]
    grounds: Cited[list[HomeVotingGround]]

    def consistency(self) -> list[Problem]:
        problems = _unique(self.grounds.value, "grounds.value", "ground")
        opens = self.request_days_before.value
        closes = self.request_deadline_days_before.value
        held = self.held_days_before.value
        if closes > opens:
            problems.append(
                Problem(
                    "request_deadline_days_before.value",
                    f"requests would close ({closes} days before polling day) before they "
                    f"open ({opens} days before)",
                )
            )
        if closes <= held:
            problems.append(
                Problem(
                    "request_deadline_days_before.value",
                    f"requests must close before the day of home voting ({held} days before "
                    f"polling day), got {closes}",
                )
            )
        return problems


class ElectionDay(LawModel):
    """Polling day: the hours, how a voter is identified, home voting, and the rules the
    station devices and the turnout count apply.

    Times are local wall-clock times of the station's zone (a station abroad keeps its
    country's hours); :meth:`opens_at` and the other helpers turn them into moments.
    """

    voting_opens: Cited[ClockTime]
    voting_closes: Cited[ClockTime]
    turnout_reporting_times: Cited[list[ClockTime]]
    biometric_modalities: Cited[list[Modality]]
    identity_documents: Cited[list[IdentityDocument]]
    identification_attempts: Cited[PositiveInt]
    manual_reasons: Cited[dict[ReasonCode, ReasonText]]
    home_voting: HomeVoting
    abroad_any_station: Cited[bool]
    offline_conflict_rule: Cited[ConflictRule]
    max_device_clock_skew_s: Cited[PositiveInt]

    @property
    def opens(self) -> time:
        return clock_time(self.voting_opens.value)

    @property
    def closes(self) -> time:
        return clock_time(self.voting_closes.value)

    @property
    def reporting_times(self) -> tuple[time, ...]:
        return tuple(clock_time(text) for text in self.turnout_reporting_times.value)

    def opens_at(self, polling_day: date, tz: tzinfo) -> datetime:
        """When the polls open on ``polling_day`` at a station in zone ``tz``."""
        return local_moment(polling_day, self.opens, tz)

    def closes_at(self, polling_day: date, tz: tzinfo) -> datetime:
        """When the polls close on ``polling_day`` at a station in zone ``tz``."""
        return local_moment(polling_day, self.closes, tz)

    def reporting_instants(self, polling_day: date, tz: tzinfo) -> list[datetime]:
        """The moments turnout is published for a station in zone ``tz``, earliest first."""
        return [local_moment(polling_day, t, tz) for t in self.reporting_times]

    def home_voting_hours(self, polling_day: date, tz: tzinfo) -> tuple[datetime, datetime]:
        """When the mobile ballot box goes out: the voting hours of the home-voting day."""
        day = polling_day - timedelta(days=self.home_voting.held_days_before.value)
        return local_moment(day, self.opens, tz), local_moment(day, self.closes, tz)

    def home_voting_requests(self, polling_day: date, tz: tzinfo) -> tuple[datetime, datetime]:
        """When home-voting requests are accepted: ``[start, end)``, from the first moment of
        the first day to the first moment of the day after the last one."""
        rules = self.home_voting
        first = polling_day - timedelta(days=rules.request_days_before.value)
        after_last = polling_day - timedelta(days=rules.request_deadline_days_before.value - 1)
        return local_moment(first, time(0), tz), local_moment(after_last, time(0), tz)

    def consistency(self) -> list[Problem]:
        problems: list[Problem] = []
        opens, closes = self.opens, self.closes
        if opens >= closes:
            problems.append(
                Problem(
                    "voting_closes.value",
                    f"the polls must close after they open ({self.voting_opens.value})",
                )
            )
        times = self.reporting_times
        hours_known = opens < closes  # else the one problem to fix is the hours themselves
        if not times:
            problems.append(Problem("turnout_reporting_times.value", "list at least one time"))
        for i, moment in enumerate(times):
            where = f"turnout_reporting_times.value.{i}"
            text = self.turnout_reporting_times.value[i]
            if i and moment <= times[i - 1]:
                previous = self.turnout_reporting_times.value[i - 1]
                problems.append(Problem(where, f"{text} must be later than {previous}"))
            elif hours_known and not opens < moment <= closes:
                problems.append(
                    Problem(
                        where,
                        f"{text} is outside the voting hours ({self.voting_opens.value} to "
                        f"{self.voting_closes.value}; the last report may be at closing)",
                    )
                )
        problems += _unique(
            self.biometric_modalities.value, "biometric_modalities.value", "modality"
        )
        problems += _unique(self.identity_documents.value, "identity_documents.value", "document")
        if not self.manual_reasons.value:
            problems.append(Problem("manual_reasons.value", "list at least one reason"))
        return problems


class Edition(LawModel):
    """One edition of the electoral law. Add a domain by adding a section field here."""

    meta: Meta
    voters: Voters
    polling: Polling
    calendar: Calendar
    counting: Counting
    candidates: Candidates
    incidents: Incidents
    finance: Finance
    election_day: ElectionDay

    @model_validator(mode="after")
    def _resolve_sources(self) -> Edition:
        """Give every parameter its act, so ``citation`` needs no edition at hand."""
        by_id = {source.id: source for source in self.meta.sources}
        for _, param in self.parameters():
            param.resolve(by_id.get(param.source))
        return self

    def parameters(self) -> Iterator[tuple[str, Cited[Any]]]:
        """Every cited parameter with its dotted path (``voters.min_age``), in file order."""
        return _walk_cited(self, "")

    def problems(self) -> list[Problem]:
        """Cross-field problems of the whole edition, each ``where`` a dotted path."""
        found: list[Problem] = []
        known = {source.id for source in self.meta.sources}
        for path, param in self.parameters():
            if param.source not in known:
                found.append(
                    Problem(
                        f"{path}.source",
                        f"unknown source {param.source!r}; meta.sources has "
                        + ", ".join(sorted(known)),
                    )
                )
        found.extend(_walk_consistency(self, ""))
        return found


def _walk_cited(model: LawModel, prefix: str) -> Iterator[tuple[str, Cited[Any]]]:
    for name in type(model).model_fields:
        child = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(child, Cited):
            yield path, child
        elif isinstance(child, LawModel) and not isinstance(child, Meta):
            yield from _walk_cited(child, f"{path}.")


def _walk_consistency(model: LawModel, prefix: str) -> Iterator[Problem]:
    for problem in model.consistency():
        yield Problem(f"{prefix}{problem.where}", problem.why)
    for name in type(model).model_fields:
        child = getattr(model, name)
        if isinstance(child, LawModel) and not isinstance(child, Cited):
            yield from _walk_consistency(child, f"{prefix}{name}.")


_ARTICLE = re.compile(
    r"^(?P<plural>Arts?)\.\s*(?P<art>\d+(?:\s*[–-]\s*\d+)?)(?:\((?P<part>[\d\s,–-]+)\))?$"
)


def localize_cite(cite: str, lang: Lang) -> str:
    """``Art. 14(3–4)`` in Russian (``ч. 3–4 ст. 14``) or Kyrgyz (``14-берененин 3–4-бөлүгү``).

    Only the article form is translated; any other citation text is shown as written.
    """
    match = _ARTICLE.match(cite.strip())
    if lang == "en" or match is None:
        return cite
    art, part = match["art"], match["part"]
    if lang == "ru":
        return f"ч. {part} ст. {art}" if part else f"ст. {art}"
    if part:
        several = any(sep in part for sep in "–-,")
        return f"{art}-берененин {part}-{'бөлүктөрү' if several else 'бөлүгү'}"
    return f"{art}-беренелер" if match["plural"] == "Arts" else f"{art}-берене"
