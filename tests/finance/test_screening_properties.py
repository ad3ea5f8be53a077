"""Properties of the screen on random campaigns: the flags do not depend on the order the
records come in; adding a donation never takes back a donor's over-cap flag; and a fund of
clean, resolved donors under every cap raises nothing at all."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.finance.screening import (
    Donation,
    Facts,
    Flag,
    OwnershipFinding,
    Payment,
    ScreenResult,
    Transfer,
)

from .test_screening_kit import DAY, ENTITY_CAP, LAW, PERSON_CAP, inn, pin, reversal_of, run

PERSONS = [pin(i) for i in range(8)]
ENTITIES = [inn(i) for i in range(4)]
FOREIGN_OWNED = ENTITIES[0]
FUNDS = (("cand-1", "candidate"), ("cand-2", "candidate"), ("party-1", "party"))
ADDRESSES = ["Бишкек, Токтогула 1", "Ош, Ленина 5", "Нарын, Орозбекова 2", ""]
AMOUNTS = st.one_of(
    sx.money(Decimal(PERSON_CAP) * 2),
    st.sampled_from([Decimal(100_000), Decimal(150_000), Decimal(190_000), Decimal(200_000)]),
).filter(lambda amount: amount > 0)


def _facts() -> dict[str, Facts]:
    facts = {key: Facts(kind="person", country="KG", name=f"Person {key}") for key in PERSONS}
    facts[PERSONS[0]] = Facts(kind="person", country="RU", name="Foreign Citizen")
    facts[PERSONS[1]] = Facts(kind="person", categories=frozenset({"civil_servant"}))
    for key in ENTITIES:
        facts[key] = Facts(kind="entity", country="KG", name=f"Firm {key}")
    return facts


FACTS = _facts()


def ownership(key: str, day: date) -> OwnershipFinding | None:
    if key != FOREIGN_OWNED or day >= DAY + timedelta(days=20):
        return None  # the foreign owner exits on day 20
    return OwnershipFinding(key, "direct", Decimal("0.2"), Decimal("0.2"), ("A --> B (DE)",))


@dataclass(frozen=True)
class Campaign:
    donations: list[Donation]
    payments: list[Payment]
    transfers: list[Transfer]

    def screen(self) -> ScreenResult:
        return run(
            self.donations,
            self.payments,
            facts=FACTS,
            ownership=ownership,
            transfers=self.transfers,
        )


@st.composite
def donations(draw: st.DrawFn, first_id: int = 1, max_size: int = 30) -> list[Donation]:
    """Donations to three funds by a few persons and entities (some prohibited, some linked by
    address, some unresolved, some in cash or dollars, a few at the same moment), with some
    reversed by the bank."""
    count = draw(st.integers(0, max_size))
    made: list[Donation] = []
    for number in range(first_id, first_id + count):
        fund, fund_kind = draw(st.sampled_from(FUNDS))
        kind = draw(st.sampled_from(["person", "person", "entity", "own_funds", "party", ""]))
        donor = draw(st.sampled_from(ENTITIES if kind in ("entity", "party") else PERSONS))
        resolved = kind != "" and draw(st.booleans() | st.just(True))
        day = DAY + timedelta(days=draw(st.integers(0, 40)))
        made.append(
            Donation(
                id=number,
                fund=fund,
                fund_kind=fund_kind,  # type: ignore[arg-type]
                day=day,
                amount=draw(AMOUNTS),
                channel=draw(st.sampled_from(["bank"] * 5 + ["cash"])),  # type: ignore[arg-type]
                donor=donor if resolved else "",
                resolution="exact_id" if resolved else "unresolved",
                donor_kind=kind,  # type: ignore[arg-type]
                counterparty_name=f"Name of {donor}",
                account=draw(st.sampled_from([f"ACC-{donor}", "ACC-SHARED", ""])),
                account_country=draw(st.sampled_from(["KG"] * 5 + ["KZ"])),
                currency="KGS",
                instructed_currency=draw(st.sampled_from(["KGS"] * 5 + ["USD"])),
                address=draw(st.sampled_from(ADDRESSES)),
                line=f"stmt/{number}",
            )
        )
    reversals = [
        reversal_of(d, id=first_id + count + i, day=d.day + timedelta(days=draw(st.integers(0, 3))))
        for i, d in enumerate(draw(st.lists(st.sampled_from(made), max_size=3)) if made else [])
    ]
    return made + reversals


@st.composite
def campaigns(draw: st.DrawFn) -> Campaign:
    gifts = draw(donations())
    transfers = [
        Transfer(
            payer=draw(st.sampled_from([PERSONS[0], FOREIGN_OWNED, PERSONS[5]])),
            payee=draw(st.sampled_from(PERSONS + ENTITIES)),
            day=DAY + timedelta(days=draw(st.integers(-40, 40))),
            amount=draw(AMOUNTS),
        )
        for _ in range(draw(st.integers(0, 5)))
    ]
    payments = [
        Payment(
            id=number,
            fund="cand-1",
            fund_kind="candidate",
            day=DAY + timedelta(days=draw(st.integers(0, 40))),
            amount=draw(AMOUNTS),
            supplier=draw(st.sampled_from(ENTITIES)),
            purpose=draw(st.sampled_from(["printing", "media", "rent", "transport"])),
        )
        for number in range(draw(st.integers(0, 4)))
    ]
    return Campaign(gifts, payments, transfers)


@settings(max_examples=60, deadline=None)
@given(campaigns(), st.randoms(use_true_random=False))
def test_flags_do_not_depend_on_the_order_of_the_records(
    campaign: Campaign, rnd: random.Random
) -> None:
    shuffled = [
        list(records) for records in (campaign.donations, campaign.payments, campaign.transfers)
    ]
    for records in shuffled:
        rnd.shuffle(records)
    first = campaign.screen()
    second = Campaign(*shuffled).screen()
    assert second.flags == first.flags
    assert second.review == first.review
    assert second.counts == first.counts
    assert (second.reversed, second.unmatched_reversals) == (
        first.reversed,
        first.unmatched_reversals,
    )
    known = {d.id for d in campaign.donations}
    assert all(set(flag.donation_ids) <= known for flag in first.flags)
    assert all(d.id in known for d in first.review)


@settings(max_examples=60, deadline=None)
@given(
    donations(first_id=100, max_size=15),
    st.sampled_from(FUNDS),
    st.sampled_from(["person", "entity"]),
    st.lists(AMOUNTS, min_size=1, max_size=4),
    st.integers(0, 40),
    AMOUNTS,
    st.integers(0, 40),
)
def test_adding_a_donation_never_removes_an_over_cap_flag(
    others: list[Donation],
    fund: tuple[str, str],
    kind: str,
    amounts: list[Decimal],
    start: int,
    extra: Decimal,
    extra_day: int,
) -> None:
    donor = PERSONS[7] if kind == "person" else ENTITIES[3]
    cap = (
        (PERSON_CAP if kind == "person" else ENTITY_CAP)
        if fund[1] == "candidate"
        else (200_000 if kind == "person" else 3_000_000)
    )
    # The planted donor goes over the cap: the last part tops the others up past it.
    top_up = max(Decimal(cap) - sum(amounts), Decimal(0)) + Decimal("0.01")
    planted = [
        Donation(
            id=i + 1,
            fund=fund[0],
            fund_kind=fund[1],
            day=DAY + timedelta(days=start),  # type: ignore[arg-type]
            amount=amount,
            donor=donor,
            resolution="exact_id",
            donor_kind=kind,  # type: ignore[arg-type]
            account="PLANTED-ACC",
            line=f"planted/{i}",
        )
        for i, amount in enumerate([*amounts, top_up])
    ]

    def over_cap(result: ScreenResult) -> list[Flag]:
        return [
            f
            for f in result.flags
            if f.kind == "over_donor_cap"
            and (f.fund, f.donor, f.evidence["donor_kind"]) == (fund[0], donor, kind)
        ]

    mine = over_cap(Campaign(others + planted, [], []).screen())
    assert len(mine) == 1
    more = replace(planted[0], id=99, amount=extra, day=DAY + timedelta(days=extra_day))
    still = over_cap(Campaign([*others, *planted, more], [], []).screen())
    assert len(still) == 1
    assert still[0].amount == mine[0].amount + extra


@st.composite
def clean_funds(draw: st.DrawFn) -> list[Donation]:
    """A fund of clean, resolved donors, each giving up to three times, never over the cap;
    each donor with an address and a phone of their own, and no two gifts alike."""
    fund, fund_kind = draw(st.sampled_from(FUNDS))
    donors = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=12, unique=True))
    third = Decimal(PERSON_CAP) / 3
    amounts = draw(
        st.lists(
            sx.money(third.quantize(Decimal("0.01"))).filter(lambda a: a > 0),
            min_size=3 * len(donors),
            max_size=3 * len(donors),
            unique=True,
        )
    )
    made = []
    for n, number in enumerate(donors):
        for part in range(draw(st.integers(1, 3))):
            i = 3 * n + part
            made.append(
                Donation(
                    id=i,
                    fund=fund,
                    fund_kind=fund_kind,  # type: ignore[arg-type]
                    day=DAY + timedelta(days=draw(st.integers(0, 40))),
                    amount=amounts[i],
                    donor=pin(number),
                    resolution=draw(st.sampled_from(["exact_id", "name_match"])),
                    donor_kind="person",
                    counterparty_name=f"Citizen {number}",
                    account=f"1280{number:012d}",
                    account_country="KG",
                    agent_bic="KICBKG22",
                    currency="KGS",
                    instructed_currency="KGS",
                    address=f"Бишкек, ул. {number}",
                    phone=f"0555{number:06d}",
                    employer=f"Firm {number}",
                )
            )
    return made


@settings(max_examples=60, deadline=None)
@given(clean_funds())
def test_a_fund_of_clean_donors_under_every_cap_raises_nothing(gifts: list[Donation]) -> None:
    facts = {d.donor: Facts(kind="person", country="KG", name=d.counterparty_name) for d in gifts}
    result = run(gifts, facts=facts, ownership=ownership)
    assert result.flags == ()
    assert result.review == ()
    assert sum(result.counts.values()) == 0


@settings(max_examples=10, deadline=None)
@given(campaigns())
def test_checks_forked_to_a_second_process_flag_what_one_process_flags(
    campaign: Campaign,
) -> None:
    """The screen on two cores (part of the checks in a forked process) is the same screen."""
    from shailoo.finance.screening import screen

    args = (campaign.donations, campaign.payments, FACTS, ownership, campaign.transfers, LAW)
    alone = screen(*args)
    together = screen(*args, workers=2)
    assert together.flags == alone.flags
    assert together.counts == alone.counts
    assert together.review == alone.review
