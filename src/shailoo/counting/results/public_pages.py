"""The public results figures made ready for a page: names, numbers and charts for a reader.

The figures (``public_figures``, ``public_station``) are language-neutral JSON; a page
needs each name in the reader's language, shares and turnout as numbers the template
localizes, the outcome in words (``public_explain``) and the charts (``common.charts``,
whose labels arrive translated and number-formatted from here). The result is cached per
language with the page's figures (``results.cache``), so the charts are drawn once per change.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from shailoo.common.charts import Bar, Seats, Tile, bar_chart, cartogram, hemicycle
from shailoo.counting.results.models import Protocol, ProtocolDecision, ProtocolVersion
from shailoo.counting.results.public_explain import count, explain, percent
from shailoo.counting.results.public_names import pick

LINE_LABELS = {
    "voters_on_list": gettext_lazy("Voters on the list"),
    "ballots_received": gettext_lazy("Ballots received"),
    "ballots_issued": gettext_lazy("Ballots issued"),
    "ballots_spoiled": gettext_lazy("Ballots spoiled"),
    "ballots_unused": gettext_lazy("Ballots unused (cancelled)"),
    "ballots_found": gettext_lazy("Ballots found in the box"),
    "ballots_invalid": gettext_lazy("Invalid ballots"),
    "votes_valid": gettext_lazy("Valid votes"),
}
STATUS_LABELS = {**dict(Protocol.Status.choices), "missing": gettext_lazy("missing")}
ROLE_TITLES = {
    "cec_admin": gettext_lazy("CEC administrator"),
    "cec_member": gettext_lazy("CEC member"),
    "tec_operator": gettext_lazy("TEC operator"),
    "pec_operator": gettext_lazy("PEC operator"),
    "station_device": gettext_lazy("polling station device"),
}
#: The commission a system actor acted for, by its part in the procedure.
COMMISSION_ROLES = {
    "pec": gettext_lazy("precinct election commission"),
    "tec": gettext_lazy("territorial election commission"),
}
SYSTEM_NAMES = {
    "cli": gettext_lazy("the commission's server (command line)"),
    "import": gettext_lazy("a data import"),
    "demo": gettext_lazy("the demonstration data"),
    "system": gettext_lazy("the system"),
}
SOURCES = {
    ProtocolVersion.Source.STAFF: gettext_lazy("entered by the commission's staff"),
    ProtocolVersion.Source.SIGNED: gettext_lazy("sent signed by a device or commission key"),
}
DECISIONS = {
    ProtocolDecision.Kind.ACCEPT: gettext_lazy("Accepted and signed"),
    ProtocolDecision.Kind.DISPUTE: gettext_lazy("Disputed"),
}


def moment(text: str) -> datetime:
    """An ISO time of the figures, for the template to show in the reader's zone and format."""
    return datetime.fromisoformat(text)


def number(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def place(item: dict[str, Any]) -> dict[str, Any]:
    item["label"] = pick(item.get("names", {}), item.get("name") or item.get("code", ""))
    return item


def commission_label(commission: Mapping[str, Any]) -> str:
    level = commission.get("level")
    if level == "country":
        return gettext("Central Election Commission")
    if level == "station":
        return gettext("precinct commission №%(number)s") % {"number": commission.get("code")}
    return pick(commission.get("names", {}), str(commission.get("name") or commission.get("code")))


def who_label(who: Mapping[str, Any]) -> str:
    """Role and commission (or device, key, system), never an account name."""
    kind = who.get("kind")
    if kind == "staff":
        return "; ".join(
            f"{ROLE_TITLES.get(role['role'], gettext('staff member'))}, "
            f"{commission_label(role['commission'])}"
            for role in who.get("roles", [])
        )
    if kind == "commission":
        commission = who.get("commission", {})
        role = COMMISSION_ROLES.get(who.get("role", ""))
        label = commission_label(commission)
        if role is None or commission.get("level") == "station":
            return label  # "precinct commission №101" names its part already
        return f"{role}, {label}"
    if kind == "system":
        return str(SYSTEM_NAMES.get(who.get("system", ""), SYSTEM_NAMES["system"]))
    if kind == "key":
        if who.get("station") is not None:
            return gettext("the device of polling station №%(number)s") % {"number": who["station"]}
        if who.get("commission"):
            return gettext("the key of commission %(code)s") % {
                "code": key_commission(str(who["commission"]))
            }
        return gettext("registered key %(key)s") % {"key": who.get("key_id", "")}
    return gettext("not recorded")


def key_commission(code: str | None) -> str:
    return gettext("Central Election Commission") if code == "CEC" else str(code or "—")


def results_chart(contest: Mapping[str, Any]) -> Any:
    """Bars by votes (most first), the winners marked."""
    options = sorted(contest["options"], key=lambda o: -o["votes"])
    bars = [
        Bar(
            label=o["label"],
            value=float(o["votes"]),
            display=f"{count(o['votes'])} · {percent(o['share_percent'])}",
            highlight=bool(o["winner"]),
        )
        for o in options
    ]
    return bar_chart(
        bars,
        title=gettext("Votes: %(contest)s") % {"contest": contest["label"]},
        value_header=gettext("Votes"),
        label_header=gettext("Option"),
    )


def seats_chart(contest: Mapping[str, Any]) -> Any:
    outcome = contest.get("outcome") or {}
    seats = outcome.get("seats") or {}
    parties = [
        Seats(label=o["label"], seats=int(seats[o["option"]]))
        for o in contest["options"]
        if seats.get(o["option"])
    ]
    if not parties:
        return None
    total = sum(p.seats for p in parties)
    return hemicycle(
        parties,
        title=gettext("Seats: %(contest)s") % {"contest": contest["label"]},
        seats_header=gettext("Seats"),
        label_header=gettext("Party list"),
        majority_label=gettext("Majority: %(seats)s") % {"seats": total // 2 + 1},
    )


def mark(option: Mapping[str, Any], outcome: Mapping[str, Any]) -> str:
    """What the results table says beside an option: elected (on every protocol), leading
    (on the protocols accepted so far), in the run-off, tied (a tie decides its place, so it
    is never marked as the winner); party lists show their seats."""
    if option.get("tied"):
        return str(gettext("tied"))
    if outcome.get("kind") == "party_list" and outcome.get("status") == "elected":
        return ""
    if option.get("winner"):
        decided = "elected" in (outcome.get("status"), outcome.get("tie_in"))
        final = outcome.get("final") and decided
        return str(gettext("elected") if final else gettext("leading"))
    if option.get("runoff"):
        return str(gettext("in the run-off"))
    return ""


def leader_label(leader: Mapping[str, Any]) -> str:
    """The leading option's name, or "Tie: A, B" when others have as many votes."""
    tied = leader.get("tied") or []
    if tied:
        names = ", ".join(pick(o["names"], o["option"]) for o in tied)
        return f"{gettext('Tie')}: {names}"
    return pick(leader["names"], leader["option"])


def status_mark(outcome: Mapping[str, Any]) -> str:
    """A contest's outcome in a word or two, for the list of contests."""
    status, final = outcome.get("status"), bool(outcome.get("final"))
    if status in (None, "none"):
        return ""
    if not final:
        return str(gettext("provisional"))
    words = {
        "elected": gettext("elected"),
        "runoff": gettext("run-off"),
        "repeat": gettext("repeat election"),
        "cancelled": gettext("election cancelled"),
        "lot": gettext("tie: a lot decides"),
        "tied": gettext("tie"),
        "no_votes": gettext("no votes"),
    }
    return str(words.get(str(status), ""))


def contest(item: dict[str, Any], charts: bool = True) -> dict[str, Any]:
    """A contest summary for a page: names, numbers, the outcome in words, its charts."""
    item["label"] = pick(item.get("titles", {}), item["contest"])
    labels = {}
    outcome = item.get("outcome") or {}
    seats = outcome.get("seats") or {}
    for option in item["options"]:
        option["label"] = pick(option["names"], option["option"])
        option["party_label"] = pick(option.get("party", {}), "")
        option["share"] = number(option["share_percent"])
        option["seats"] = seats.get(option["option"]) if seats else None
        option["mark"] = mark(option, outcome)
        labels[option["option"]] = option["label"]
    item["turnout"] = number(item.get("turnout_percent"))
    leader = item.get("leader")
    if leader:
        leader["label"] = leader_label(leader)
        leader["share"] = number(leader["share_percent"])
    item["line_rows"] = [
        (LINE_LABELS[name], item["lines"][name])
        for name in LINE_LABELS
        if name in item.get("lines", {})
    ]
    item["explained"] = explain(item["outcome"], labels) if item.get("outcome") else None
    item["status_mark"] = status_mark(outcome)
    if charts and item.get("votes_valid"):
        item["chart"] = results_chart(item)
        item["seats_chart"] = seats_chart(item)
    return item


def rows(
    table: dict[str, Any], contests: Mapping[str, Mapping[str, Any]], head: str | None = None
) -> dict[str, Any]:
    """Unit rows: the unit's name, the leader named, turnout and share as numbers; a row
    whose leader is of another contest than the page's headline one names that contest."""
    for row in table["rows"]:
        place(row)
        row["turnout"] = number(row.get("turnout_percent"))
        leader = row.get("leader")
        if leader:
            leader["label"] = leader_label(leader)
            leader["share"] = number(leader["share_percent"])
        owner = contests.get(row.get("contest") or "")
        row["contest_label"] = owner["label"] if owner and row.get("contest") != head else ""
    return table


def turnout_map(table: Mapping[str, Any]) -> Any:
    """The regions as tiles shaded by turnout, each a link to its page."""
    tiles = [
        Tile(
            code=row["code"],
            label=row["label"],
            value=float(row["turnout"]) if row.get("turnout") is not None else None,
            display=percent(row.get("turnout_percent"), 1) if row.get("turnout") else "—",
            href=row["url"],
        )
        for row in table["rows"]
    ]
    return cartogram(
        tiles,
        title=gettext("Turnout by region"),
        value_header=gettext("Turnout"),
        fmt=lambda value: percent(Decimal(str(round(value, 1))), 1),
        label_header=gettext("Region"),
    )


def area_page(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The country, a contest, a region or a TEC: everything a page shows of it."""
    page = copy.deepcopy(dict(figures))
    for crumb in page["path"]:
        place(crumb)
    for key in ("region", "tec"):
        if key in page:
            place(page[key])
    summaries = page.get("contests")
    if isinstance(summaries, list):
        head = page.get("headline")
        featured = set(page.get("featured", [head] if head else []))
        for item in summaries:
            contest(item, charts=item["contest"] in featured)
        by_id = {c["contest"]: c for c in summaries}
        page["featured_contests"] = [c for c in summaries if c["contest"] in featured]
        page["other_contests"] = [c for c in summaries if c["contest"] not in featured]
    else:
        contest(page["contest"])
        by_id = {page["contest"]["contest"]: page["contest"]}
    rows(page["units"], by_id, page.get("headline") or page.get("contest", {}).get("contest"))
    if page["level"] == "country" and page["units"]["rows"]:
        page["map"] = turnout_map(page["units"])
    return page


def station_page(figures: Mapping[str, Any]) -> dict[str, Any]:
    """A station's protocols: figures as signed, signature, history in words."""
    page = copy.deepcopy(dict(figures))
    for crumb in page["path"]:
        place(crumb)
    for protocol in page["protocols"]:
        protocol["label"] = pick(protocol.get("titles", {}), protocol["contest"])
        protocol["status_label"] = STATUS_LABELS.get(protocol["status"], protocol["status"])
        names = {o["option"]: pick(o["names"], o["option"]) for o in protocol["options"]}
        accepted = protocol.get("accepted")
        if accepted:
            accepted["when"] = moment(accepted["at"])
            for vote in accepted["votes"]:
                vote["label"] = pick(vote["names"], vote["option"])
            accepted["line_rows"] = [
                (LINE_LABELS[name], value) for name, value in accepted["lines"].items()
            ]
            accepted["by_label"] = who_label(accepted["by"])
            accepted["signature"]["commission_label"] = key_commission(
                accepted["signature"].get("commission")
            )
        for version in protocol["history"]:
            version["when"] = moment(version["at"])
            version["by_label"] = who_label(version["by"])
            version["source_label"] = SOURCES.get(version["source"], version["source"])
            for change in version["changes"]:
                change["label"] = line_label(change["line"], names)
            for decision in version["decisions"]:
                decision["when"] = moment(decision["at"])
                decision["label"] = DECISIONS.get(decision["kind"], decision["kind"])
                decision["by_label"] = who_label(decision["by"])
    return page


def line_label(line: str, names: Mapping[str, str]) -> str:
    if line in LINE_LABELS:
        return str(LINE_LABELS[line])
    option = line.removeprefix("votes.")
    return gettext("Votes for %(option)s") % {"option": names.get(option, option)}
