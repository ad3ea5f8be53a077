"""Bursts: many distinct donors giving one fund the same large amount at once.

``burst_min_count`` or more distinct donors give one fund the same amount, at least
``burst_min_share`` of their cap, within ``burst_hours`` (on one day when the bank gave no
time of booking) — and at least ``burst_factor`` times as many as the fund's own pace of
gifts of that amount over the rest of its campaign would bring in such a window, so that a
large fund's daily stream of round 100,000 som gifts is no burst. One flag per run of
overlapping windows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .context import Context, money
from .model import Donation, Flag
from .rows import Row, cap_citation, who
from .settings import ScreenSettings

__all__ = ["bursts"]


def _moment(donation: Donation) -> float | None:
    return donation.at.timestamp() if donation.at is not None else None


def bursts(by_fund: dict[str, list[Row]], ctx: Context) -> list[Flag]:
    """Many distinct donors giving one fund the same large amount within a few hours, far
    more than the fund's own pace of gifts of that amount would bring."""
    s = ctx.settings
    groups: dict[tuple[str, Decimal, date | None], list[Donation]] = defaultdict(list)
    pace: dict[tuple[str, Decimal], int] = defaultdict(int)
    span: dict[str, int] = {}
    for fund, rows in by_fund.items():
        if rows:
            span[fund] = (rows[-1][0].day - rows[0][0].day).days + 1
        for d, cap, _ in rows:
            if d.amount >= s.burst_min_share * cap:
                # A donation with a time of booking joins the fund's run of that amount; one
                # without is compared with that day's alone.
                groups[(fund, d.amount, None if d.at is not None else d.day)].append(d)
                pace[(fund, d.amount)] += 1
    flags: list[Flag] = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2] or date.min)):
        items = groups[key]
        fund, amount, day = key
        if len({who(d) for d in items}) < s.burst_min_count:
            continue
        needed = _Needed(
            s, pace[(fund, amount)], span[fund] * 24, s.burst_hours if day is None else 24
        )
        if day is None:
            items.sort(key=lambda d: (_moment(d) or 0.0, d.id))
            runs = _timed_runs(items, s.burst_hours * 3600, needed)
        else:
            items.sort(key=lambda d: d.id)
            runs = [items] if len({who(d) for d in items}) >= needed(len(items)) else []
        for run in runs:
            flags.append(_burst_flag(fund, run, day is None, needed(len(run)), ctx))
    return flags


@dataclass(frozen=True)
class _Needed:
    """How many distinct donors make a burst of a window holding ``count`` gifts of an amount:
    ``burst_min_count``, and ``burst_factor`` times what the fund's pace of gifts of that
    amount *outside* the window brings in a window as long (so that a burst does not raise
    its own bar, and a fund whose whole campaign is one day has no pace to compare with)."""

    settings: ScreenSettings
    total: int
    span_hours: int
    window_hours: int

    def __call__(self, count: int) -> int:
        s = self.settings
        room = self.span_hours - self.window_hours
        if room <= 0:
            return s.burst_min_count
        usual = s.burst_factor * (self.total - count) * self.window_hours / room
        return max(s.burst_min_count, math.ceil(usual))


def _timed_runs(items: list[Donation], seconds: int, needed: _Needed) -> list[list[Donation]]:
    """Maximal runs of items in which some window of ``seconds`` holds enough donors."""
    counts: dict[str, int] = defaultdict(int)
    runs: list[tuple[int, int]] = []
    left = 0
    for right, d in enumerate(items):
        counts[who(d)] += 1
        now = _moment(d) or 0.0
        while now - (_moment(items[left]) or 0.0) > seconds:
            gone = who(items[left])
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
            left += 1
        if len(counts) >= needed(right - left + 1):
            if runs and left <= runs[-1][1]:
                runs[-1] = (runs[-1][0], right)
            else:
                runs.append((left, right))
    return [items[a : b + 1] for a, b in runs]


def _burst_flag(fund: str, run: list[Donation], timed: bool, least: int, ctx: Context) -> Flag:
    s = ctx.settings
    amount = run[0].amount
    donors = {who(d) for d in run}
    if timed:
        first, last = _when(run[0].at), _when(run[-1].at)
        span = f"within {s.burst_hours} hours ({first} to {last})"
    else:
        first = last = run[0].day.isoformat()
        span = f"on {first}"
    total = sum((d.amount for d in run), Decimal(0))
    return Flag(
        kind="structuring",
        donation_ids=tuple(sorted(d.id for d in run)),
        fund=fund,
        donor="",
        amount=total,
        summary=(
            f"{len(donors)} different donors each gave fund {fund} exactly {money(amount)} "
            f"{span}, {money(total)} in all, far above the fund's usual pace: identical large "
            "gifts from many donors at once are a sign of one donation split among several "
            "names."
        ),
        evidence={
            "fund": fund,
            "pattern": "burst",
            "rule": "same_amount",
            "amount_each": str(amount),
            "count": len(run),
            "distinct_donors": len(donors),
            "donors": sorted(w for w in donors if w[0] not in "?#"),
            "first": first,
            "last": last,
            "timed": "yes" if timed else "day only",
            "burst_hours": s.burst_hours,
            "burst_min_count": s.burst_min_count,
            "burst_factor": str(s.burst_factor),
            "donors_needed": least,
            "burst_min_share": str(s.burst_min_share),
            "lines": [d.line for d in run if d.line],
        },
        citation=cap_citation(run[0], ctx),
        severity="medium",
    )


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment is not None else ""
