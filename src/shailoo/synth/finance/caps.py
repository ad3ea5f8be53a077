"""The edition's caps on a fund, and how the plan stays under them: the top-ups of a fund
brought to its cap, the scale on background amounts and the background entries per fund.

The law sets the caps; this module is the one place the world reads them from the edition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, Decimal

from shailoo.law.loader import load_edition

from .mix import MEAN_INCOME
from .rows import CapPlan, Caps, FundRow, TxRow


def edition_caps(law_edition: str) -> dict[str, Caps]:
    caps = load_edition(law_edition).finance.caps
    out = {}
    for kind in ("party", "candidate"):
        found = getattr(caps, kind)

        def value(name: str, found: object = found) -> int | None:
            cited = getattr(found, name, None) if found is not None else None
            return None if cited is None else int(cited.value)

        out[kind] = Caps(
            value("fund_total_som"),
            value("individual_donation_som"),
            value("legal_entity_donation_som"),
            value("own_funds_som"),
            value("from_party_som"),
        )
    return out


def own_top_up(caps: Caps) -> int:
    return min(9_000_000, caps.own_funds * 9 // 10) if caps.own_funds else 0


def party_top_up(caps: Caps) -> int:
    return min(800_000, caps.from_party * 4 // 5) if caps.from_party else 0


def background_scale(caps: Caps, count: int, capped: bool, planted: Sequence[TxRow]) -> Decimal:
    """The factor on background amounts that keeps a fund's expected income at 90 % of what
    it may take (55 % of its cap; 30 % for a fund brought to its cap at the end)."""
    cap = Decimal(caps.fund_total or 10**12)
    room = cap * Decimal("0.3" if capped else "0.55") - sum(
        (t.amount for t in planted if t.credit), Decimal(0)
    )
    expected = max(Decimal(1), Decimal(count) * MEAN_INCOME)
    return min(
        Decimal(1), (room * Decimal("0.9") / expected).quantize(Decimal("0.0001"), ROUND_DOWN)
    )


def allocate(
    total: int, funds: list[FundRow], caps: list[Caps], cap_plans: Mapping[int, CapPlan]
) -> list[int]:
    """Background entries per fund, in proportion to the funds' caps (a party's fund is
    larger), each fund at least 20 and a fund brought to its cap room for its top-ups."""
    floors = [20 + (cap_plans[k].slots + 30 if k in cap_plans else 0) for k in range(len(funds))]
    if total < sum(floors):
        raise ValueError(
            f"transactions too few: these funds need {sum(floors)} besides the planted entries"
        )
    weights = [Decimal(c.fund_total or 20_000_000) for c in caps]
    spare = total - sum(floors)
    whole = sum(weights)
    counts = [floor + int(spare * w / whole) for floor, w in zip(floors, weights, strict=True)]
    counts[0] += total - sum(counts)
    return counts
