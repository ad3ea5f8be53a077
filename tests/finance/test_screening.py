"""The screen's flags, one planted case and one near miss each: who gave (prohibited donors,
foreign participation, conduits), how the money came (foreign account, bank or currency,
anonymous, cash), how much (donor and fund caps, reversals), how it was split (structuring)
and who was paid (foreign suppliers); and the review queue for unknown donors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from shailoo.finance.screening import (
    Facts,
    OwnershipFinding,
    ScreenSettings,
    Transfer,
)

from .test_screening_kit import (
    DAY,
    ENTITY_CAP,
    LAW,
    PERSON_CAP,
    flags,
    gift,
    inn,
    law_with,
    moment,
    payment,
    pin,
    reversal_of,
    run,
)

CLEAN = Facts(kind="person", country="KG", name="Clean Citizen")


def owned_by_foreigners(
    *keys: str, rule: str = "direct", share: str = "0.1"
) -> Callable[[str, date], OwnershipFinding | None]:
    """An ownership engine that finds foreign participation in ``keys`` on every day."""

    def ownership(key: str, day: date) -> OwnershipFinding | None:
        return finding(key, rule, share) if key in keys else None

    return ownership


def finding(entity: str, rule: str = "direct", share: str = "0.1") -> OwnershipFinding:
    return OwnershipFinding(
        entity=entity,
        rule=rule,  # type: ignore[arg-type]
        direct_share=Decimal(share) if rule == "direct" else Decimal(0),
        effective_share=Decimal(share),
        chains=(f"{entity} --{share}--> Foreign Holdings GmbH (DE)",),
        foreign_owners=("Foreign Holdings GmbH (DE)",),
    )


# -- prohibited sources ---------------------------------------------------------------------


def test_a_civil_servant_is_a_prohibited_source_and_a_clean_citizen_is_not() -> None:
    servant, citizen = pin(1), pin(2)
    facts = {
        servant: Facts(
            kind="person",
            categories=frozenset({"civil_servant"}),
            country="KG",
            name="Asanov Bakyt",
        ),
        citizen: CLEAN,
    }
    d1, d2 = gift(5000, servant), gift(5000, citizen)
    result = run([d1, d2], facts=facts)
    [flag] = flags(result, "prohibited_source")
    assert flag.donation_ids == (d1.id,)
    assert flag.donor == servant
    assert flag.citation == LAW.prohibited_sources.citation
    assert "Asanov Bakyt" in flag.summary and "civil servant" in flag.summary
    assert "5,000.00 som" in flag.summary
    assert flag.evidence["categories"] == ["civil_servant"]
    assert flag.severity == "high"
    assert result.counts["prohibited_source"] == 1


def test_a_category_the_law_does_not_list_is_no_flag() -> None:
    donor = pin(3)
    facts = {donor: Facts(kind="person", categories=frozenset({"civil_servant"}), country="KG")}
    without = law_with(
        prohibited_sources=[c for c in LAW.prohibited_sources.value if c != "civil_servant"]
    )
    assert flags(run([gift(100, donor)], facts=facts, law=without), "prohibited_source") == []
    assert len(flags(run([gift(100, donor)], facts=facts), "prohibited_source")) == 1


@pytest.mark.parametrize(
    ("kind", "country", "expected"),
    [
        ("person", "RU", ["foreign_citizen"]),
        ("person", "XX", ["stateless_person"]),
        ("entity", "DE", ["foreign_legal_entity"]),
        ("person", "KG", None),
        ("entity", "KG", None),
    ],
)
def test_a_foreign_country_in_the_registry_makes_a_foreign_source(
    kind: str, country: str, expected: list[str] | None
) -> None:
    key = pin(4) if kind == "person" else inn(4)
    facts = {key: Facts(kind=kind, country=country, name="Ivan Petrov")}
    found = flags(run([gift(1000, key, kind=kind)], facts=facts), "prohibited_source")
    if expected is None:
        assert found == []
    else:
        [flag] = found
        assert flag.evidence["categories"] == expected
        assert flag.evidence["derived_from_country"] == expected


def test_the_candidates_own_funds_are_not_held_to_the_donor_list() -> None:
    candidate = pin(5)
    facts = {candidate: Facts(kind="person", categories=frozenset({"civil_servant"}))}
    result = run([gift(1000, candidate, kind="own_funds")], facts=facts)
    assert flags(result, "prohibited_source") == []


def test_facts_may_come_from_a_function_asked_once_per_donor() -> None:
    asked: list[str] = []
    servant = pin(6)

    def lookup(key: str) -> Facts | None:
        asked.append(key)
        return (
            Facts(kind="person", categories=frozenset({"civil_servant"}))
            if key == servant
            else None
        )

    result = run([gift(100, servant), gift(200, servant), gift(300, pin(7))], facts=lookup)
    assert len(flags(result, "prohibited_source")) == 2
    assert asked.count(servant) == 1


# -- foreign participation ------------------------------------------------------------------


def test_an_entity_with_a_foreign_owner_on_the_day_is_flagged_with_its_chain() -> None:
    firm = inn(10)
    d = gift(50_000, firm, kind="entity")
    result = run([d], ownership=owned_by_foreigners(firm))
    [flag] = flags(result, "foreign_participation")
    assert flag.donation_ids == (d.id,)
    assert flag.evidence["chains"] == [f"{firm} --0.1--> Foreign Holdings GmbH (DE)"]
    assert flag.evidence["rule"] == "direct"
    assert flag.citation == LAW.prohibited_sources.citation
    assert "10 %" in flag.summary


def test_a_look_through_finding_cites_the_look_through_reading() -> None:
    firm = inn(11)
    found = owned_by_foreigners(firm, rule="look_through", share="0.3")
    [flag] = flags(run([gift(1000, firm, kind="entity")], ownership=found), "foreign_participation")
    assert flag.citation == LAW.look_through_control_share.citation
    assert flag.evidence["effective_share"] == "0.3"


def test_a_shareholder_who_exited_before_the_donation_gives_no_flag() -> None:
    """The ownership engine answers as of the day; the screen asks for the donation's day."""
    firm, exit_day = inn(12), DAY
    asked: list[date] = []

    def ownership(key: str, day: date) -> OwnershipFinding | None:
        asked.append(day)
        return finding(key) if day < exit_day else None

    before = gift(1000, firm, kind="entity", day=exit_day - timedelta(days=1))
    after = gift(1000, firm, kind="entity", day=exit_day)
    [flag] = flags(run([before, after], ownership=ownership), "foreign_participation")
    assert flag.donation_ids == (before.id,)
    assert sorted(asked) == [before.day, after.day]


def test_persons_are_not_asked_and_a_zero_share_is_no_participation() -> None:
    asked: list[str] = []

    def ownership(key: str, day: date) -> OwnershipFinding | None:
        asked.append(key)
        return finding(key, share="0")

    result = run([gift(1000, pin(13)), gift(1000, inn(13), kind="entity")], ownership=ownership)
    assert asked == [inn(13)]
    assert flags(result, "foreign_participation") == []


# -- how the money came ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reasons"),
    [
        ({"account_country": "KZ"}, ["account in KZ"]),
        ({"agent_bic": "KCJBKZKX"}, ["bank in KZ"]),
        ({"account": "DE89 3704 0044 0532 0130 00"}, ["account in DE"]),
        (
            {"account": "GB82WEST12345698765432", "agent_bic": "DEUTDEFF500"},
            ["account in GB", "bank in DE"],
        ),
    ],
)
def test_money_from_a_foreign_account_or_bank_is_flagged(
    fields: dict[str, str], reasons: list[str]
) -> None:
    d = gift(10_000, pin(20), **fields)
    [flag] = flags(run([d]), "foreign_account")
    assert flag.evidence["reasons"] == reasons
    assert flag.severity == "medium"
    assert flag.citation == LAW.prohibited_sources.citation


@pytest.mark.parametrize(
    "fields",
    [
        {"account_country": "KG", "agent_bic": "KICBKG22"},
        {"account": "DE89370400440532013001"},  # the IBAN's check digits do not hold
        {"account": "1280000012345678"},  # a Kyrgyz account: no IBAN, no country
        {"agent_bic": "NOT A BIC"},
    ],
)
def test_a_home_or_unknown_account_is_not_foreign(fields: dict[str, str]) -> None:
    assert flags(run([gift(10_000, pin(21), **fields)]), "foreign_account") == []


def test_money_instructed_in_another_currency_is_flagged_citing_the_currency() -> None:
    dollars = gift(8_700, pin(22), instructed_currency="USD")
    som = gift(8_700, pin(23))
    unsaid = gift(8_700, pin(24), instructed_currency="")
    [flag] = flags(run([dollars, som, unsaid]), "foreign_currency")
    assert flag.donation_ids == (dollars.id,)
    assert flag.citation == LAW.currency.citation
    assert flag.evidence["other_currencies"] == ["USD"]
    assert "USD" in flag.summary and "KGS" in flag.summary


def test_anonymous_donations_and_a_named_one_without_account() -> None:
    said = gift(500, "", resolution="anonymous")
    blank = gift(500, "", name=" ", account="", resolution="unresolved")
    named = gift(500, "", name="Aida Bekova", account="", resolution="unresolved")
    result = run([said, blank, named])
    assert sorted(f.donation_ids[0] for f in flags(result, "anonymous")) == sorted(
        [said.id, blank.id]
    )
    assert all(f.citation == LAW.prohibited_sources.citation for f in flags(result, "anonymous"))
    assert named in result.review


def test_cash_is_flagged_where_the_law_admits_only_the_account() -> None:
    cash, bank = gift(2000, pin(25), channel="cash"), gift(2000, pin(26))
    [flag] = flags(run([cash, bank]), "cash")
    assert flag.donation_ids == (cash.id,)
    assert flag.citation == LAW.cash_allowed.citation
    assert flags(run([cash], law=law_with(cash_allowed=True)), "cash") == []


# -- caps -----------------------------------------------------------------------------------


def test_donations_totalling_the_cap_are_within_it_and_one_som_more_is_not() -> None:
    donor = pin(30)
    parts = [
        gift(100_000, donor, day=DAY),
        gift(60_000, donor, day=DAY + timedelta(days=1)),
        gift(40_000, donor, day=DAY + timedelta(days=2)),
    ]
    assert sum(d.amount for d in parts) == PERSON_CAP
    assert flags(run(parts), "over_donor_cap") == []
    late = gift(1, donor, day=DAY + timedelta(days=3))
    [flag] = flags(run([*parts, late]), "over_donor_cap")
    assert flag.donation_ids == (late.id,)
    assert flag.amount == Decimal(1)
    assert flag.citation == LAW.caps.candidate.individual_donation_som.citation  # type: ignore[union-attr]
    assert "200,000 som" in flag.summary and "200,001.00 som" in flag.summary


def test_the_donation_that_crosses_the_cap_and_those_after_are_named() -> None:
    donor = pin(31)
    first = gift(150_000, donor, day=DAY)
    crossing = gift(100_000, donor, day=DAY + timedelta(days=1))
    after = gift(10_000, donor, day=DAY + timedelta(days=2))
    [flag] = flags(run([after, crossing, first]), "over_donor_cap")
    assert flag.donation_ids == (crossing.id, after.id)
    assert flag.evidence["crossing_donation"] == crossing.id
    assert flag.amount == Decimal(60_000)
    assert f"donation {crossing.id}" in flag.summary


@pytest.mark.parametrize(
    ("kind", "cap_name"),
    [
        ("entity", "legal_entity_donation_som"),
        ("party", "from_party_som"),
        ("own_funds", "own_funds_som"),
    ],
)
def test_each_donor_kind_meets_its_own_cap(kind: str, cap_name: str) -> None:
    cited = getattr(LAW.caps.candidate, cap_name)
    donor = inn(32) if kind != "own_funds" else pin(32)
    at_cap = gift(cited.value, donor, kind=kind)
    assert flags(run([at_cap]), "over_donor_cap") == []
    [flag] = flags(run([at_cap, gift(1, donor, kind=kind)]), "over_donor_cap")
    assert flag.citation == cited.citation
    assert flag.evidence["cap_name"] == f"caps.candidate.{cap_name}"


def test_own_funds_paid_in_by_different_accounts_are_one_total() -> None:
    cap = LAW.caps.candidate.own_funds_som.value  # type: ignore[union-attr]
    parts = [gift(cap // 2, pin(33), kind="own_funds"), gift(cap // 2 + 1, "", kind="own_funds")]
    assert len(flags(run(parts), "over_donor_cap")) == 1


def test_a_party_fund_has_the_party_caps_and_funds_are_not_summed() -> None:
    firm = inn(34)
    to_party = [
        gift(1_000_000, firm, kind="entity", fund="party-1", fund_kind="party") for _ in range(3)
    ]
    assert flags(run(to_party), "over_donor_cap") == []  # 3,000,000: the party cap for entities
    elsewhere = gift(ENTITY_CAP, firm, kind="entity", fund="cand-9")
    assert flags(run([*to_party, elsewhere]), "over_donor_cap") == []
    [flag] = flags(
        run([*to_party, gift(1, firm, kind="entity", fund="party-1", fund_kind="party")]),
        "over_donor_cap",
    )
    assert flag.fund == "party-1"


def test_an_unresolved_donation_over_the_cap_alone_is_flagged_but_not_summed() -> None:
    big = gift(PERSON_CAP + 1, "", kind="person")
    small = [gift(PERSON_CAP, "", kind="person", name="Same Name") for _ in range(2)]
    result = run([big, *small])
    [flag] = flags(result, "over_donor_cap")
    assert flag.donation_ids == (big.id,)
    assert {d.id for d in result.review} == {big.id, *(d.id for d in small)}


def test_a_reversed_donation_does_not_count_toward_the_cap() -> None:
    donor = pin(35)
    gifts = [
        gift(100_000, donor, account="KG-ACC-1", day=DAY + timedelta(days=i)) for i in range(3)
    ]
    back = reversal_of(gifts[1], day=DAY + timedelta(days=5))
    result = run([*gifts, back])
    assert flags(result, "over_donor_cap") == []
    # Three alike: the reversal takes the latest of them.
    assert result.reversed == ((gifts[2].id, back.id),)
    assert result.unmatched_reversals == ()


def test_a_reversal_matches_the_latest_donation_of_the_same_account_and_amount() -> None:
    donor = pin(36)
    early = gift(100_000, donor, account="ACC 1", day=DAY)
    late = gift(100_000, donor, account="acc1", day=DAY + timedelta(days=1))
    other = gift(100_000, donor, account="ACC-2", day=DAY + timedelta(days=1))
    back = reversal_of(early, account="ACC1", day=DAY + timedelta(days=2))
    assert run([early, late, other, back]).reversed == ((late.id, back.id),)


def test_a_reversal_that_matches_nothing_is_reported_and_reduces_nothing() -> None:
    donor = pin(37)
    gifts = [gift(150_000, donor, account="ACC-1", day=DAY + timedelta(days=i)) for i in (1, 2)]
    wrong_amount = reversal_of(gifts[0], amount=Decimal(149_999))
    too_early = reversal_of(gifts[0], day=DAY)
    other_account = reversal_of(gifts[0], account="ACC-9", day=DAY + timedelta(days=3))
    result = run([*gifts, wrong_amount, too_early, other_account])
    assert result.reversed == ()
    assert result.unmatched_reversals == tuple(
        sorted([wrong_amount.id, too_early.id, other_account.id])
    )
    assert len(flags(result, "over_donor_cap")) == 1


def test_a_fund_over_its_total_names_the_crossing_donation() -> None:
    cap = LAW.caps.candidate.fund_total_som.value  # type: ignore[union-attr]
    firms = [
        gift(500_000, inn(100 + i), kind="entity", day=DAY + timedelta(days=i))
        for i in range(cap // 500_000)
    ]
    own = gift(1, pin(40), kind="own_funds", day=DAY + timedelta(days=60))
    assert flags(run(firms), "over_fund_cap") == []
    result = run([*firms, own])
    [flag] = flags(result, "over_fund_cap")
    assert flag.donation_ids == (own.id,)
    assert flag.amount == Decimal(1)
    assert flag.citation == LAW.caps.candidate.fund_total_som.citation  # type: ignore[union-attr]
    assert flags(result, "structuring") == []


def test_spending_over_a_spending_cap_is_flagged_when_the_law_sets_one() -> None:
    law = law_with(spending_som=1_000_000)
    spent = [payment(500_000, inn(50), purpose="rent") for _ in range(2)]
    assert flags(run([], spent, law=law), "over_fund_cap") == []
    extra = payment(1, inn(50), purpose="transport", day=DAY + timedelta(days=1))
    [flag] = flags(run([], [*spent, extra], law=law), "over_fund_cap")
    assert flag.payment_ids == (extra.id,)
    assert flag.evidence["what"] == "spending"
    assert flags(run([], [*spent, extra]), "over_fund_cap") == []  # kg-2025 sets none


# -- structuring ----------------------------------------------------------------------------


def test_two_linked_donors_near_the_cap_are_a_family_three_are_a_cluster() -> None:
    near = 190_000
    address = "г. Бишкек, ул. Токтогула 12, кв. 3"
    donors = [
        gift(
            near,
            pin(60 + i),
            address=address.upper() if i else address,
            day=DAY + timedelta(days=i),
            name=f"Donor {i}",
        )
        for i in range(3)
    ]
    assert flags(run(donors[:2]), "structuring") == []
    [flag] = flags(run(donors), "structuring")
    assert set(flag.donation_ids) == {d.id for d in donors}
    assert flag.evidence["rule"] == "near_cap"
    assert flag.evidence["donors"] == sorted(d.donor for d in donors)
    assert "address" in flag.summary and "Donor 0" in flag.summary
    assert flag.amount == Decimal(3 * near)


def test_three_linked_donors_of_whom_two_near_the_cap_need_the_third_substantial() -> None:
    phone = "0700 11 22 33"
    two_near = [gift(190_000, pin(65 + i), phone=phone) for i in range(2)]
    small = gift(10_000, pin(67), phone=phone)
    assert flags(run([*two_near, small]), "structuring") == []
    more = gift(40_000, pin(67), phone=phone, day=DAY + timedelta(days=1))
    [flag] = flags(run([*two_near, small, more]), "structuring")
    assert flag.evidence["rule"] == "together_over"


def test_without_the_together_rule_three_must_be_near_the_cap() -> None:
    """With ``substantial_share`` at 1 the together rule needs each at the cap: the near-cap
    rule alone decides, and two near the cap are not three."""
    settings = ScreenSettings(substantial_share=Decimal(1))
    phone = "0700 11 22 33"
    two_near = [gift(190_000, pin(65 + i), phone=phone) for i in range(2)]
    third = gift(179_000, pin(67), phone=phone)
    assert flags(run([*two_near, third], settings=settings), "structuring") == []
    third = gift(180_000, pin(67), phone=phone)
    [flag] = flags(run([*two_near, third], settings=settings), "structuring")
    assert flag.evidence["rule"] == "near_cap"


def test_just_under_the_near_cap_share_is_no_cluster_unless_together_over() -> None:
    settings = ScreenSettings(substantial_share=Decimal("0.95"))
    below = [gift(179_999, pin(70 + i), phone="0555 123 456") for i in range(3)]
    assert flags(run(below, settings=settings), "structuring") == []
    at = [gift(180_000, pin(70 + i), phone="+996 (555) 12-34-56") for i in range(3)]
    assert len(flags(run(at, settings=settings), "structuring")) == 1


def test_linked_donors_together_over_the_cap_are_a_cluster() -> None:
    employer = 'ОсОО "Алтын Кен"'
    spellings = [employer, "Алтын Кен ОсОО", "алтын  кен"]
    donors = [gift(80_000, pin(80 + i), employer=spellings[i]) for i in range(3)]
    [flag] = flags(run(donors), "structuring")
    assert flag.evidence["rule"] == "together_over"
    assert flag.evidence["pattern"] == "linked"
    # Each substantial, and together exactly the cap: not over it; one som more is.
    at_cap = [
        gift(amount, pin(80 + i), employer=employer)
        for i, amount in enumerate([70_000, 70_000, 60_000])
    ]
    assert sum(d.amount for d in at_cap) == PERSON_CAP
    assert flags(run(at_cap), "structuring") == []
    over = [*at_cap[:2], replace(at_cap[2], amount=Decimal(60_001))]
    assert len(flags(run(over), "structuring")) == 1
    # Below the substantial share (a quarter of the cap) each, no cluster however many.
    small = [gift(49_000, pin(90 + i), employer=employer) for i in range(5)]
    assert flags(run(small), "structuring") == []


def test_a_cluster_must_fall_within_the_window() -> None:
    # Days 0, 15 and 30 span 31 days: no 30-day window holds all three.
    spread = [
        gift(190_000, pin(100 + i), account="1280999", day=DAY + timedelta(days=15 * i))
        for i in range(3)
    ]
    assert flags(run(spread), "structuring") == []
    close = [
        gift(190_000, pin(100 + i), account="1280999", day=DAY + timedelta(days=i * 29 // 2))
        for i in range(3)
    ]
    [flag] = flags(run(close), "structuring")
    assert "account" in flag.summary


def test_a_common_value_links_nobody() -> None:
    everyone = [gift(1000, pin(200 + i), employer="пенсионер") for i in range(60)]
    near = [gift(195_000, pin(400 + i), employer="Пенсионер") for i in range(3)]
    assert flags(run([*everyone, *near]), "structuring") == []
    # The same three with an address of their own are a cluster.
    flat = [replace(d, address="Ош, Курманжан Датка 7, кв 2") for d in near]
    [flag] = flags(run([*everyone, *flat]), "structuring")
    assert flag.evidence["links"] == ["address: Ош, Курманжан Датка 7, кв 2"]
    assert len(flags(run(near), "structuring")) == 1  # without the crowd, not common


def test_a_burst_of_identical_large_gifts_within_hours() -> None:
    burst = [gift(100_000, pin(500 + i), at=moment(10, 20 * i)) for i in range(5)]
    [flag] = flags(run(burst), "structuring")
    assert flag.evidence["pattern"] == "burst"
    assert set(flag.donation_ids) == {d.id for d in burst}
    assert flags(run(burst[:4]), "structuring") == []
    spread = [gift(100_000, pin(500 + i), at=moment(8 + i)) for i in range(5)]
    assert flags(run(spread), "structuring") == []
    small = [gift(99_999, pin(500 + i), at=moment(10, i)) for i in range(5)]
    assert flags(run(small), "structuring") == []  # under half the cap


def test_a_burst_on_one_day_when_the_bank_gives_no_time() -> None:
    same_day = [gift(150_000, pin(600 + i)) for i in range(5)]
    assert len(flags(run(same_day), "structuring")) == 1
    two_days = [gift(150_000, pin(600 + i), day=DAY + timedelta(days=i % 2)) for i in range(5)]
    assert flags(run(two_days), "structuring") == []


def test_a_big_funds_daily_stream_of_round_gifts_is_no_burst() -> None:
    stream = [
        gift(100_000, pin(1000 + 12 * day + i), day=DAY + timedelta(days=day))
        for day in range(30)
        for i in range(12)
    ]
    assert flags(run(stream), "structuring") == []


# -- conduits -------------------------------------------------------------------------------


def test_prohibited_money_received_30_days_before_makes_a_conduit_31_does_not() -> None:
    donor, foreigner = pin(700), pin(701)
    facts = {foreigner: Facts(kind="person", country="RU", name="Foreign Sponsor"), donor: CLEAN}
    d = gift(100_000, donor, day=DAY)

    def paid(days: int, amount: int = 60_000) -> Transfer:
        return Transfer(foreigner, donor, DAY - timedelta(days=days), Decimal(amount))

    [flag] = flags(run([d], facts=facts, transfers=[paid(30)]), "conduit")
    assert flag.donation_ids == (d.id,)
    assert "Foreign Sponsor" in flag.summary
    assert flag.evidence["received_total"] == "60000"
    assert flags(run([d], facts=facts, transfers=[paid(31)]), "conduit") == []
    assert flags(run([d], facts=facts, transfers=[paid(0)]), "conduit") != []
    assert flags(run([d], facts=facts, transfers=[paid(-1)]), "conduit") == []
    assert flags(run([d], facts=facts, transfers=[paid(5, 49_999)]), "conduit") == []
    assert (
        flags(run([d], facts=facts, transfers=[paid(5, 20_000), paid(9, 30_000)]), "conduit") != []
    )


def test_money_from_a_clean_payer_or_a_foreign_owned_firm() -> None:
    donor, neighbour, firm = pin(710), pin(711), inn(712)
    facts = {neighbour: CLEAN, donor: CLEAN, firm: Facts(kind="entity", country="KG")}
    d = gift(100_000, donor)
    from_neighbour = Transfer(neighbour, donor, DAY - timedelta(days=3), Decimal(100_000))
    from_firm = Transfer(firm, donor, DAY - timedelta(days=3), Decimal(100_000))
    owned = owned_by_foreigners(firm)
    assert (
        flags(run([d], facts=facts, transfers=[from_neighbour], ownership=owned), "conduit") == []
    )
    [flag] = flags(run([d], facts=facts, transfers=[from_firm], ownership=owned), "conduit")
    assert "foreign_participation_entity" in flag.evidence["transfers"][0]  # type: ignore[index]
    assert flags(run([d], facts=facts, transfers=[from_firm]), "conduit") == []


# -- suppliers ------------------------------------------------------------------------------


def test_a_printing_house_with_a_foreign_owner_is_a_foreign_supplier() -> None:
    owned, local = inn(800), inn(801)
    facts = {
        owned: Facts(kind="entity", country="KG", name="Basma Print"),
        local: Facts(kind="entity", country="KG", name="Ala-Too Print"),
    }
    ownership = owned_by_foreigners(owned, rule="look_through", share="0.6")
    to_owned, to_local = payment(250_000, owned), payment(250_000, local)
    rent = payment(90_000, owned, purpose="rent")
    result = run([], [to_owned, to_local, rent], facts=facts, ownership=ownership)
    [flag] = flags(result, "foreign_supplier")
    assert flag.payment_ids == (to_owned.id,)
    assert "Basma Print" in flag.summary and "printing" in flag.summary
    assert flag.evidence["chains"] == [f"{owned} --0.6--> Foreign Holdings GmbH (DE)"]
    assert flag.citation == LAW.prohibited_sources.citation


@pytest.mark.parametrize(
    ("facts", "fields", "reason"),
    [
        (Facts(kind="entity", country="TR"), {}, "foreign_legal_entity"),
        (
            Facts(kind="entity", country="KG", categories=frozenset({"foreign_branch"})),
            {},
            "foreign_branch",
        ),
        (Facts(kind="entity", country="KG"), {"account_country": "RU"}, "account in RU"),
        (Facts(kind="entity", country="KG"), {"agent_bic": "SABRRUMM"}, "bank in RU"),
    ],
)
def test_a_media_supplier_abroad_by_registry_or_account(
    facts: Facts, fields: dict[str, str], reason: str
) -> None:
    supplier = inn(810)
    result = run(
        [], [payment(10_000, supplier, purpose="media", **fields)], facts={supplier: facts}
    )
    [flag] = flags(result, "foreign_supplier")
    assert reason in flag.evidence["reasons"]  # type: ignore[operator]


def test_a_state_body_supplier_is_no_foreign_supplier() -> None:
    supplier = inn(820)
    facts = {supplier: Facts(kind="entity", country="KG", categories=frozenset({"state_body"}))}
    assert (
        flags(run([], [payment(1000, supplier, purpose="media")], facts=facts), "foreign_supplier")
        == []
    )


# -- review and the result ------------------------------------------------------------------


@pytest.mark.parametrize("resolution", ["unresolved", "ambiguous", "conflict"])
def test_an_unknown_donor_is_always_in_review(resolution: str) -> None:
    d = gift(100, "", resolution=resolution, kind="")
    resolved = gift(100, pin(900))
    result = run([d, resolved])
    assert result.review == (d,)
    assert result.counts["unresolved"] == 1
    assert result.flags == ()


def test_an_ambiguous_donor_with_a_key_is_still_reviewed() -> None:
    d = gift(100, pin(901), resolution="ambiguous")
    assert run([d]).review == (d,)


def test_counts_cover_every_kind_and_flags_are_found_by_donation() -> None:
    cash = gift(2000, pin(910), channel="cash", instructed_currency="EUR")
    result = run([cash])
    assert result.counts["cash"] == 1 and result.counts["foreign_currency"] == 1
    assert result.counts["conduit"] == 0
    assert {f.kind for f in result.flags_for(cash.id)} == {"cash", "foreign_currency"}
    assert result.flags_for(cash.id + 1) == ()


def test_every_evidence_value_is_text_a_number_or_a_list_of_text() -> None:
    donor = pin(920)
    facts = {donor: Facts(kind="person", country="CN", name="Li Wei")}
    donations = [
        gift(
            150_000,
            donor,
            channel="cash",
            account_country="CN",
            instructed_currency="CNY",
            address="Ош, Ленина 1",
        )
        for _ in range(2)
    ] + [gift(190_000, pin(921 + i), address="Ош, Ленина 1") for i in range(3)]
    result = run(donations, facts=facts)
    assert {f.kind for f in result.flags} >= {
        "cash",
        "foreign_account",
        "foreign_currency",
        "prohibited_source",
        "over_donor_cap",
        "structuring",
    }
    for flag in result.flags:
        for value in flag.evidence.values():
            assert isinstance(value, str | int) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ), (flag.kind, value)
        assert flag.summary and flag.citation
