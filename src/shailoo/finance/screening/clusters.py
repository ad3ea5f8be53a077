"""Structuring: one donation split among several names, to stay under the donor cap.

Two patterns, each a flag per group found:

- **linked clusters** — donors of one fund who share one address, phone, employer or paying
  account, of whom at least ``cluster_min_donors`` within ``cluster_window_days`` either each
  gave ``near_cap_share`` of their cap or more (``near_cap``), or each gave
  ``substantial_share`` of it or more and together more than the cap (``together_over``). A
  value shared by more than ``link_max_donors`` donors (of all funds screened together:
  "pensioner", a payment agent's account) is common and links nobody: among thousands who
  share it, a few near the cap are chance, and the more the larger the fund. Donors are
  distinct identities; an unresolved donor is told apart by the name on the entry.
- **bursts** — many distinct donors giving one fund the same large amount at once (see
  :mod:`.bursts`).

Links are not chained (A shares a phone with B, B an address with C): a group is the donors
who share one value, so that its evidence is one fact a person can check, and a chain through
many ordinary values cannot glue strangers together.

Own funds and the party's transfers are one giver each and are not screened here. The caps
are the donor caps of the fund's kind (see :mod:`.caps`); an unknown donor kind is held to a
person's cap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .bursts import bursts
from .context import Context, money
from .model import Donation, Flag
from .rows import LINK_FIELDS, Row, cap_citation, link_values, screened

__all__ = ["linked_clusters", "structuring"]


def structuring(income: Sequence[Donation], ctx: Context) -> list[Flag]:
    """Both patterns: linked clusters and bursts."""
    by_fund = screened(income, ctx)
    return linked_clusters(by_fund, ctx) + bursts(by_fund, ctx)


# -- linked clusters -----------------------------------------------------------------------


class _Window:
    """The running sums of one group's donors over a sliding window of days, and who of
    them is near the cap or gave a substantial share of it."""

    def __init__(self, caps: dict[str, int], near: Decimal, substantial: Decimal) -> None:
        self.near_line = {w: near * cap for w, cap in caps.items()}
        self.sub_line = {w: substantial * cap for w, cap in caps.items()}
        self.sums: dict[str, Decimal] = dict.fromkeys(caps, Decimal(0))
        self.near: set[str] = set()
        self.substantial: set[str] = set()
        self.sub_total = Decimal(0)

    def add(self, who: str, amount: Decimal) -> None:
        old = self.sums[who]
        new = self.sums[who] = old + amount
        if new >= self.near_line[who]:
            self.near.add(who)
        else:
            self.near.discard(who)
        was, now = old >= self.sub_line[who] and old > 0, new >= self.sub_line[who] and new > 0
        if was:
            self.sub_total -= old
            if not now:
                self.substantial.discard(who)
        if now:
            self.sub_total += new
            self.substantial.add(who)


def linked_clusters(by_fund: dict[str, list[Row]], ctx: Context) -> list[Flag]:
    """Groups of linked donors near or together over the cap, per fund."""
    s = ctx.settings
    plans = [plan for fund in sorted(by_fund) if (plan := _plan(fund, by_fund[fund], ctx))]
    # How common each linking value is among all donors of all funds: "pensioner" or a
    # payment agent's account is shared by thousands, a straw ring's flat by a handful.
    wanted = set().union(*(plan.shared for plan in plans)) if plans else set()
    fields = {field for field, _ in wanted}
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rows in by_fund.values() if wanted else ():
        for d, _, who in rows:
            for value in link_values(d, fields):
                if value in wanted:
                    donors = holders[value]
                    if len(donors) <= s.link_max_donors:
                        donors.add(who)
    common = {value for value, donors in holders.items() if len(donors) > s.link_max_donors}
    flags: list[Flag] = []
    for plan in plans:
        flags.extend(_fund_clusters(plan, common, ctx))
    return flags


@dataclass
class _Plan:
    """One fund's donors who may count in a cluster, and the values they share."""

    fund: str
    cap_of: dict[str, int]
    items_of: dict[str, list[tuple[Donation, str]]]
    sharing: dict[tuple[str, str], set[str]]
    raw: dict[tuple[str, str], str]
    shared: set[tuple[str, str]]


def _plan(fund: str, rows: list[Row], ctx: Context) -> _Plan | None:
    s = ctx.settings
    lowest = min(s.near_cap_share, s.substantial_share)
    totals: dict[str, Decimal] = {}
    cap_of: dict[str, int] = {}
    for d, cap, who in rows:
        if who in totals:
            totals[who] += d.amount
            if cap > cap_of[who]:
                cap_of[who] = cap
        else:
            totals[who] = d.amount
            cap_of[who] = cap
    # Only a donor who gave a substantial share of the cap over the whole campaign can count
    # in any window: the others are left out before anything costs.
    candidates = {who for who, total in totals.items() if total >= lowest * cap_of[who]}
    if len(candidates) < s.cluster_min_donors:
        return None
    sharing: dict[tuple[str, str], set[str]] = defaultdict(set)
    raw: dict[tuple[str, str], str] = {}
    items_of: dict[str, list[tuple[Donation, str]]] = defaultdict(list)
    for d, _, who in rows:
        if who in candidates:
            items_of[who].append((d, who))
            for value in link_values(d):
                sharing[value].add(who)
                text = getattr(d, value[0]).strip()
                raw[value] = min(raw.get(value, text), text)
    shared = {value for value, donors in sharing.items() if len(donors) >= s.cluster_min_donors}
    if not shared:
        return None
    return _Plan(fund, cap_of, items_of, sharing, raw, shared)


def _fund_clusters(plan: _Plan, common: set[tuple[str, str]], ctx: Context) -> list[Flag]:
    # One group per set of donors; donors sharing both an address and a phone are one group
    # linked twice. A common value links nobody.
    groups: dict[frozenset[str], list[tuple[str, str]]] = defaultdict(list)
    for value in plan.shared - common:
        groups[frozenset(plan.sharing[value])].append(value)
    found: dict[tuple[int, ...], tuple[_Scan, list[tuple[str, str]]]] = {}
    for members in sorted(groups, key=sorted):
        values = groups[members]
        items = sorted(
            (item for who in members for item in plan.items_of[who]),
            key=lambda item: (item[0].day, item[0].id),
        )
        scan = _scan(items, {w: plan.cap_of[w] for w in members}, ctx)
        if scan is None:
            continue
        ids = tuple(sorted(scan.marked))
        if ids in found:
            found[ids][1].extend(values)
        else:
            found[ids] = (scan, list(values))
    return [
        _cluster_flag(plan.fund, scan, values, plan.raw, ctx) for scan, values in found.values()
    ]


@dataclass
class _Scan:
    """What the sliding window found in one group: the donations and donors to flag, the
    rule that held, and the window with the most money for the evidence."""

    items: list[tuple[Donation, str]]
    cap: int
    marked: set[int]
    flagged: set[str]
    rule: str
    total: Decimal
    first_day: date
    last_day: date
    sums: dict[str, Decimal]


def _scan(items: list[tuple[Donation, str]], caps: dict[str, int], ctx: Context) -> _Scan | None:
    """Slide a window of ``cluster_window_days`` over a group's donations (in day order) and
    mark, wherever a rule holds, the donations in the window of the donors it counted. Each
    donor's donations are marked from a pointer that only moves forward, so the scan stays
    linear however long a rule keeps holding."""
    s = ctx.settings
    window = _Window(caps, s.near_cap_share, s.substantial_share)
    group_cap = max(caps.values())
    positions: dict[str, list[int]] = defaultdict(list)
    for index, (_, who) in enumerate(items):
        positions[who].append(index)
    pointer: dict[str, int] = dict.fromkeys(positions, 0)
    marked: set[int] = set()
    flagged: set[str] = set()
    rules: set[str] = set()
    best: tuple[Decimal, date, date, dict[str, Decimal]] | None = None
    left = 0
    for right, (d, who) in enumerate(items):
        window.add(who, d.amount)
        while (d.day - items[left][0].day).days >= s.cluster_window_days:
            old, old_who = items[left]
            window.add(old_who, -old.amount)
            left += 1
        if len(window.near) >= s.cluster_min_donors:
            qualifying, rule = window.near, "near_cap"
        elif len(window.substantial) >= s.cluster_min_donors and window.sub_total > group_cap:
            qualifying, rule = window.substantial, "together_over"
        else:
            continue
        rules.add(rule)
        flagged |= qualifying
        for w in qualifying:
            mine, at = positions[w], pointer[w]
            while at < len(mine) and mine[at] < left:
                at += 1
            while at < len(mine) and mine[at] <= right:
                marked.add(items[mine[at]][0].id)
                at += 1
            pointer[w] = at
        total = sum((window.sums[w] for w in qualifying), Decimal(0))
        if best is None or total > best[0]:
            best = (total, items[left][0].day, d.day, {w: window.sums[w] for w in qualifying})
    if best is None:
        return None
    rule = "near_cap" if "near_cap" in rules else "together_over"
    return _Scan(items, group_cap, marked, flagged, rule, *best)


def _cluster_flag(
    fund: str,
    scan: _Scan,
    values: list[tuple[str, str]],
    raw: dict[tuple[str, str], str],
    ctx: Context,
) -> Flag:
    s = ctx.settings
    items, flagged, cap = scan.items, scan.flagged, scan.cap
    total_marked = sum((d.amount for d, _ in items if d.id in scan.marked), Decimal(0))
    link_lines = sorted(f"{v[0]}: {raw.get(v, v[1])}" for v in values)
    fields = sorted({v[0] for v in values}, key=LINK_FIELDS.index)
    names = {who: _name(ctx, who, items) for who in flagged}
    how = (
        f"each {_share(s.near_cap_share)} of the cap of {money(cap)} or more"
        if scan.rule == "near_cap"
        else f"together over the cap of {money(cap)}"
    )
    return Flag(
        kind="structuring",
        donation_ids=tuple(sorted(scan.marked)),
        fund=fund,
        donor="",
        amount=total_marked,
        summary=(
            f"{len(flagged)} donors linked by the same {' and '.join(fields)} "
            f"({', '.join(sorted(names[w] for w in flagged))}) gave fund {fund} "
            f"{money(scan.total)} between {scan.first_day.isoformat()} and "
            f"{scan.last_day.isoformat()}, {how}: a sign of one donation split among several "
            "names."
        ),
        evidence={
            "fund": fund,
            "pattern": "linked",
            "rule": scan.rule,
            "donors": sorted(w for w in flagged if w[0] not in "?#"),
            "donor_totals": sorted(f"{names[w]}: {v}" for w, v in scan.sums.items()),
            "links": link_lines,
            "window_first_day": scan.first_day.isoformat(),
            "window_last_day": scan.last_day.isoformat(),
            "window_total": str(scan.total),
            "cap": cap,
            "near_cap_share": str(s.near_cap_share),
            "substantial_share": str(s.substantial_share),
            "cluster_min_donors": s.cluster_min_donors,
            "cluster_window_days": s.cluster_window_days,
            "link_max_donors": s.link_max_donors,
        },
        citation=cap_citation(items[0][0], ctx),
        severity="medium",
    )


def _name(ctx: Context, who: str, items: Iterable[tuple[Donation, str]]) -> str:
    donor = "" if who[0] in "?#" else who
    fallback = next((d.counterparty_name for d, w in items if w == who), "")
    return ctx.name_of(donor, fallback)


def _share(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"
