"""Who may act besides the candidates, under kg-2025: representatives and proxies may not be
foreign citizens or stateless; domestic observers must be voters and hold no barred office;
international observers need accreditation."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.candidates.participant_messages import (
    LANGS,
    MISSING,
    OFFICE_NAMES,
    PARTICIPANT_FINDINGS,
    ROLE_AS,
    ROLE_NAMES,
    render,
)
from shailoo.candidates.participants import (
    BARRED_OFFICES,
    PARTICIPANT_CODES,
    ParticipantDecision,
    ParticipantFacts,
    ParticipantInputError,
    admit,
)
from shailoo.law.loader import load_edition
from shailoo.law.schema import PARTICIPANT_ROLES, ParticipantRole, ParticipantRules

EDITION = load_edition("kg-2025")
RULES: ParticipantRules = EDITION.candidates.participants
KG: str = EDITION.voters.citizenship.value
REPRESENTATIVES: tuple[ParticipantRole, ...] = (
    "candidate_representative",
    "authorised_representative",
    "trusted_person",
    "party_representative",
)


def facts(
    role: ParticipantRole,
    citizenships: tuple[str, ...] | None = ("KG",),
    *,
    is_voter: bool | None = True,
    offices: tuple[str, ...] | None = (),
    accredited: bool | None = None,
    country: str | None = None,
) -> ParticipantFacts:
    return ParticipantFacts(
        role=role,
        citizenships=citizenships,
        is_voter=is_voter,
        offices=offices,
        accredited=accredited,
        country=country,
    )


def decide(f: ParticipantFacts, rules: ParticipantRules = RULES) -> ParticipantDecision:
    return admit(f, rules, KG)


# -- the cases the issue names -----------------------------------------------------------------


def test_a_dual_kg_ru_proxy_is_admitted_not_a_foreign_citizen() -> None:
    decision = decide(facts("trusted_person", ("KG", "RU")))
    assert decision.outcome == "admitted"
    assert decision.reasons == ()
    assert {c.code for c in decision.checks} == {"FOREIGN_CITIZEN", "STATELESS"}
    assert "a dual citizen who holds KG citizenship is not a foreign citizen" in " ".join(
        render(decision, "en")
    )


def test_a_russian_only_proxy_is_refused_as_a_foreign_citizen_with_the_law_cited() -> None:
    decision = decide(facts("trusted_person", ("RU",)))
    assert decision.outcome == "refused"
    (reason,) = decision.reasons
    assert (reason.code, reason.outcome) == ("FOREIGN_CITIZEN", "refused")
    assert reason.cite is RULES.foreign_citizens_barred
    assert reason.cite.citation_in("ru").startswith("ст. 9,")
    assert "иностранный гражданин не может быть доверенным лицом" in " ".join(
        render(decision, "ru")
    )


def test_a_stateless_trusted_person_is_refused_as_stateless() -> None:
    decision = decide(facts("trusted_person", ()))
    assert decision.outcome == "refused"
    assert decision.codes == ("STATELESS",)
    assert decision.reasons[0].cite is RULES.stateless_barred
    assert "жарандыгы жок адам ишенимдүү адам боло албайт" in " ".join(render(decision, "ky"))


def test_a_police_officer_observer_is_refused_naming_the_office() -> None:
    decision = decide(facts("domestic_observer", offices=("law_enforcement",)))
    assert decision.outcome == "refused"
    (reason,) = decision.reasons
    assert (reason.code, reason.office) == ("BARRED_OFFICE", "law_enforcement")
    assert reason.cite is RULES.domestic_observer_barred_offices
    assert "holds the office of law-enforcement officer" in " ".join(render(decision, "en"))


def test_an_unknown_citizenship_is_undecided_naming_what_is_missing() -> None:
    decision = decide(facts("party_representative", None))
    assert decision.outcome == "undecided"
    assert decision.missing == ("citizenships",)
    assert {r.code for r in decision.reasons} == {"FOREIGN_CITIZEN", "STATELESS"}
    assert MISSING["citizenships"]["en"] in " ".join(render(decision, "en"))


# -- citizenship, role by role -----------------------------------------------------------------


@pytest.mark.parametrize("role", REPRESENTATIVES)
def test_every_representative_role_bars_foreign_and_stateless_persons(
    role: ParticipantRole,
) -> None:
    assert decide(facts(role, ("KZ", "UZ"))).codes == ("FOREIGN_CITIZEN",)
    assert decide(facts(role, ())).codes == ("STATELESS",)
    assert decide(facts(role, ("UZ", "KG"))).outcome == "admitted"


@pytest.mark.parametrize("role", REPRESENTATIVES)
def test_representatives_are_not_asked_about_votes_offices_or_accreditation(
    role: ParticipantRole,
) -> None:
    decision = decide(facts(role, is_voter=None, offices=None, accredited=None))
    assert decision.outcome == "admitted"


def test_where_the_edition_does_not_bar_them_foreign_citizens_are_admitted() -> None:
    open_rules = RULES.model_copy(
        update={
            "foreign_citizens_barred": RULES.foreign_citizens_barred.model_copy(
                update={"value": ["domestic_observer"]}
            )
        }
    )
    assert decide(facts("trusted_person", ("RU",)), open_rules).outcome == "admitted"
    assert decide(facts("trusted_person", ()), open_rules).codes == ("STATELESS",)


def test_media_have_no_nationality_rule_under_kg_2025() -> None:
    decision = decide(facts("media", None, is_voter=None, offices=None))
    assert (decision.outcome, decision.checks) == ("admitted", ())


# -- domestic observers ------------------------------------------------------------------------


def test_a_domestic_observer_who_is_a_voter_with_no_office_is_admitted() -> None:
    decision = decide(facts("domestic_observer"))
    assert decision.outcome == "admitted"
    assert [c.code for c in decision.checks] == [
        "FOREIGN_CITIZEN",
        "STATELESS",
        "NOT_A_VOTER",
        "BARRED_OFFICE",
    ]


def test_a_domestic_observer_who_is_not_a_voter_is_refused() -> None:
    decision = decide(facts("domestic_observer", is_voter=False))
    assert decision.codes == ("NOT_A_VOTER",)
    assert decision.reasons[0].cite is RULES.domestic_observer_must_be_voter


def test_an_unknown_voter_status_or_unknown_offices_are_undecided() -> None:
    assert decide(facts("domestic_observer", is_voter=None)).missing == ("is_voter",)
    assert decide(facts("domestic_observer", offices=None)).missing == ("offices",)


@pytest.mark.parametrize("office", BARRED_OFFICES)
def test_every_barred_office_of_kg_2025_refuses_an_observer(office: str) -> None:
    decision = decide(facts("domestic_observer", offices=(office,)))
    assert decision.outcome == "refused"
    assert decision.reasons[0].office == office


def test_two_barred_offices_are_both_named_once() -> None:
    held = ("judge", "deputy", "judge")
    decision = decide(facts("domestic_observer", offices=held))
    assert [r.office for r in decision.reasons] == ["judge", "deputy"]


def test_an_office_the_edition_does_not_bar_is_no_obstacle() -> None:
    narrower = RULES.model_copy(
        update={
            "domestic_observer_barred_offices": RULES.domestic_observer_barred_offices.model_copy(
                update={"value": ["judge"]}
            )
        }
    )
    assert decide(facts("domestic_observer", offices=("military",)), narrower).outcome == (
        "admitted"
    )


def test_a_refusal_outweighs_what_is_still_unknown() -> None:
    decision = decide(facts("domestic_observer", ("RU",), is_voter=None, offices=None))
    assert decision.outcome == "refused"
    assert decision.codes == ("FOREIGN_CITIZEN", "NOT_A_VOTER", "BARRED_OFFICE")


def test_offices_bar_only_domestic_observers() -> None:
    assert decide(facts("trusted_person", offices=("prosecutor",))).outcome == "admitted"


# -- international observers -------------------------------------------------------------------


def test_an_accredited_foreign_international_observer_is_admitted() -> None:
    decision = decide(facts("international_observer", ("DE",), accredited=True, country="DE"))
    assert decision.outcome == "admitted"
    assert [c.code for c in decision.checks] == ["NOT_ACCREDITED"]


def test_an_international_observer_needs_accreditation_not_citizenship() -> None:
    refused = decide(facts("international_observer", None, accredited=False, offices=None))
    assert refused.codes == ("NOT_ACCREDITED",)
    assert refused.reasons[0].cite is RULES.international_observers_accredited
    unknown = decide(facts("international_observer", ("US",), accredited=None))
    assert (unknown.outcome, unknown.missing) == ("undecided", ("accredited",))


# -- bad input ---------------------------------------------------------------------------------


def test_malformed_facts_are_refused_with_every_problem_located() -> None:
    bad = ParticipantFacts(
        role="spy",
        citizenships=("kg", "RUS", "XX"),
        is_voter=True,
        offices=("janitor",),
        accredited=None,
        country="Germany",
    )
    with pytest.raises(ParticipantInputError) as refused:
        admit(bad, RULES, "Kyrgyzstan")
    assert [p.where for p in refused.value.problems] == [
        "role",
        "citizenship",
        "citizenships.0",
        "citizenships.1",
        "citizenships.2",
        "offices.0",
        "country",
    ]
    assert "pass () instead" in refused.value.problems[4].why


# -- words -------------------------------------------------------------------------------------


def test_every_code_outcome_role_and_office_has_its_three_texts() -> None:
    for code in PARTICIPANT_CODES:
        for outcome in ("met", "refused", "undecided"):
            assert set(PARTICIPANT_FINDINGS[f"{code}.{outcome}"]) == set(LANGS)
    for table, keys in (
        (ROLE_NAMES, PARTICIPANT_ROLES),
        (ROLE_AS, PARTICIPANT_ROLES),
        (OFFICE_NAMES, BARRED_OFFICES),
    ):
        assert set(table) == set(keys)
        for texts in table.values():
            assert set(texts) == set(LANGS)
            assert re.search("[а-яөүң]", texts["ky"]) and re.search("[а-я]", texts["ru"])


# -- properties --------------------------------------------------------------------------------

_held = st.none() | st.lists(sx.country_codes, max_size=3, unique=True).map(tuple)
_offices = st.none() | st.lists(st.sampled_from(BARRED_OFFICES), max_size=3).map(tuple)
_any_facts = st.builds(
    ParticipantFacts,
    role=st.sampled_from(PARTICIPANT_ROLES),
    citizenships=_held,
    is_voter=st.none() | st.booleans(),
    offices=_offices,
    accredited=st.none() | st.booleans(),
    country=st.none() | sx.foreign_country_codes,
)


@settings(max_examples=200, deadline=None)
@given(_any_facts)
def test_the_outcome_follows_the_checks(f: ParticipantFacts) -> None:
    decision = decide(f)
    outcomes = {c.outcome for c in decision.checks}
    expected = (
        "refused"
        if "refused" in outcomes
        else "undecided"
        if "undecided" in outcomes
        else "admitted"
    )
    assert decision.outcome == expected
    assert set(decision.codes) <= set(PARTICIPANT_CODES)
    assert all((c.outcome == "undecided") == (c.missing is not None) for c in decision.checks)


@settings(max_examples=200, deadline=None)
@given(_any_facts)
def test_holding_kg_citizenship_never_bars_for_nationality(f: ParticipantFacts) -> None:
    """The dual-citizen reading: adding KG to any set of citizenships removes every
    nationality refusal, and a person without KG but with another is foreign."""
    held = f.citizenships or ()
    with_kg = decide(
        ParticipantFacts(f.role, (*held, KG), f.is_voter, f.offices, f.accredited, f.country)
    )
    assert not {"FOREIGN_CITIZEN", "STATELESS"} & {r.code for r in with_kg.reasons}
    foreign = tuple(c for c in held if c != KG)
    if foreign and f.role in RULES.foreign_citizens_barred.value:
        without = ParticipantFacts(f.role, foreign, f.is_voter, f.offices, f.accredited, None)
        assert "FOREIGN_CITIZEN" in decide(without).codes


@settings(max_examples=80, deadline=None)
@given(_any_facts)
def test_every_decision_renders_in_every_language(f: ParticipantFacts) -> None:
    decision = decide(f)
    for lang in LANGS:
        lines = render(decision, lang)
        assert len(lines) == 1 + len(decision.checks)
        assert lines[0].startswith(ROLE_NAMES[f.role][lang])
        for line in lines:
            assert "{" not in line and "}" not in line
