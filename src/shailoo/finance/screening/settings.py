"""The screen's own thresholds: how suspicious is suspicious. Not law.

The law fixes the caps and the prohibited sources (``finance`` of a law edition, each value
cited); it says nothing of how close to a cap a split donation comes, how many neighbours
make a cluster or how soon before a donation foreign money must have arrived to make a donor
a conduit. Those are the auditors' working rules, set here with defaults and the reason for
each, and recorded in every flag's evidence so that a flag can be re-judged under other ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from shailoo.common.problems import Problem

from .model import ScreeningError

__all__ = ["CAMPAIGN_PURPOSES", "ScreenSettings"]

#: Spending categories that are informing and campaigning, where the law forbids foreign
#: participation (printing, media, advertising and the services of campaign agencies).
CAMPAIGN_PURPOSES: Final[frozenset[str]] = frozenset(
    {"printing", "media", "advertising", "campaign_services"}
)


@dataclass(frozen=True, slots=True)
class ScreenSettings:
    """Thresholds of the screen (defaults and why).

    - ``home_country`` ``KG``: the country whose accounts and banks are not foreign; pass the
      edition's ``meta.country``.
    - ``near_cap_share`` 0.9: a donor who gave 90 % of the cap or more gave "just under" it;
      ordinary donors give a small fraction of a cap, a split donation fills each part up.
    - ``substantial_share`` 0.25: a linked donor counts toward a group "together over the
      cap" only with a quarter of the cap or more in the window, so that many neighbours'
      small gifts — ordinary life in a large building — never add up to a cluster.
    - ``cluster_min_donors`` 3: two related people giving near the cap is a family; three or
      more linked by one address, phone, employer or account is the classic straw pattern.
    - ``cluster_window_days`` 30: a split donation arrives within weeks; a month is about the
      length of a campaign.
    - ``link_max_donors`` 50: an address, phone, employer or account shared by more donors
      (of all funds) than this is a common value (a big employer, "pensioner", a payment
      agent's transit account, an apartment block without flat numbers), not a sign of one
      hand, and links nobody. A straw ring is a household, an office or one account: a few
      people, well under fifty.
    - ``burst_min_count`` 5, ``burst_hours`` 3, ``burst_min_share`` 0.5: five or more
      distinct donors giving the same amount, at least half a cap, within three hours (on one
      day when the bank gives no time). Identical *small* gifts are what an appeal for
      500 som each looks like; identical large ones from strangers within hours are not.
    - ``burst_factor`` 4: and at least four times what the fund's own pace of gifts of that
      amount (over the rest of its campaign) brings in such a window: a party that receives a dozen
      round 100,000 som gifts every day has no burst in a dozen more.
    - ``conduit_days`` 30, ``conduit_min_share`` 0.5: a donor who received from a prohibited
      source, within 30 days before giving (the day itself included), at least half of what
      they then gave, passed that money on more likely than not.
    - ``campaign_purposes``: the spending categories that are informing and campaigning.
    """

    home_country: str = "KG"
    near_cap_share: Decimal = Decimal("0.9")
    substantial_share: Decimal = Decimal("0.25")
    cluster_min_donors: int = 3
    cluster_window_days: int = 30
    link_max_donors: int = 50
    burst_min_count: int = 5
    burst_hours: int = 3
    burst_min_share: Decimal = Decimal("0.5")
    burst_factor: Decimal = Decimal("4")
    conduit_days: int = 30
    conduit_min_share: Decimal = Decimal("0.5")
    campaign_purposes: frozenset[str] = CAMPAIGN_PURPOSES

    def __post_init__(self) -> None:
        problems = [Problem(name, why) for name, why in self._problems()]
        if problems:
            raise ScreeningError(message="screen settings out of range", problems=problems)

    def _problems(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if len(self.home_country) != 2 or not self.home_country.isascii():
            found.append(("home_country", "must be a two-letter ISO 3166-1 code, e.g. KG"))
        elif not self.home_country.isupper():
            found.append(("home_country", "must be in capitals, e.g. KG"))
        for share in ("near_cap_share", "substantial_share", "burst_min_share"):
            value = getattr(self, share)
            if not isinstance(value, Decimal) or not value.is_finite() or not 0 < value <= 1:
                found.append((share, "must be a Decimal share above 0 and at most 1"))
        for name in ("conduit_min_share", "burst_factor"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                found.append((name, "must be a Decimal above 0"))
        minima = {
            "cluster_min_donors": 2,
            "cluster_window_days": 1,
            "link_max_donors": 2,
            "burst_min_count": 2,
            "burst_hours": 1,
            "conduit_days": 0,
        }
        for name, least in minima.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                found.append((name, f"must be a whole number of at least {least}"))
        if not found and self.link_max_donors < self.cluster_min_donors:
            found.append(("link_max_donors", "must be at least cluster_min_donors"))
        return found
