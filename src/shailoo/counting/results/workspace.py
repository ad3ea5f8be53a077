"""What the commission's results workspace shows: decisions first, then progress, then results.

A results night is read by people who must act: which protocols are blocked and why, which
territorial commissions are behind, and only then who leads. So the staff dashboard is built
from compact rows (one per contest, one per TEC) with the full tables one click away on a
contest's own page, where a region or TEC row names its leader and opens its full figures
instead of spreading one column per option across the screen (thirty candidates made the old
page 51,000 pixels tall).

Names, never codes: contests by their titles, options by their printed names, regions in the
reader's language. Reads a few queries per page (the rows of a country are a few thousand).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language, gettext

from shailoo.counting.results import aggregation
from shailoo.counting.results.forms import LINE_LABELS
from shailoo.counting.results.models import AutomaticCount, Protocol
from shailoo.counting.results.presentation import lang
from shailoo.counting.results.protocol import BASE_LINES
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation, Region


@dataclass(frozen=True, slots=True)
class Standing:
    """One option's place in a tally: its printed name, votes and share of valid votes."""

    option: str
    name: str
    votes: int
    share: Decimal


@dataclass
class ContestSummary:
    """A contest in one row: how far the count is and who leads it."""

    code: str
    title: str
    expected: int = 0
    accepted: int = 0
    reported: int = 0
    disputed: int = 0
    turnout: Decimal = Decimal("0.00")
    votes_valid: int = 0
    standings: list[Standing] = field(default_factory=list)

    @property
    def leaders(self) -> list[Standing]:
        """Every option with the most votes (more than one is a tie); none before any vote."""
        if not self.standings or self.standings[0].votes == 0:
            return []
        top = self.standings[0].votes
        return [s for s in self.standings if s.votes == top]

    @property
    def lead(self) -> int | None:
        """Votes between the first and the second (None with fewer than two options)."""
        if len(self.standings) < 2:
            return None
        return self.standings[0].votes - self.standings[1].votes


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A region or a TEC in a contest: protocols, turnout, the leader, and every option."""

    code: str
    name: str
    protocols: int
    turnout: Decimal
    votes_valid: int
    standings: list[Standing]

    @property
    def leaders(self) -> list[Standing]:
        if not self.standings or self.standings[0].votes == 0:
            return []
        top = self.standings[0].votes
        return [s for s in self.standings if s.votes == top]


@dataclass(frozen=True, slots=True)
class Comparison:
    """An option's manual count beside the scanners' count, and whether they differ."""

    option: str
    name: str
    manual: int | None
    automatic: int | None
    tolerance: int | None

    @property
    def difference(self) -> int | None:
        """Manual minus automatic (an option the scanners did not report counts 0 there)."""
        if self.manual is None or self.automatic is None:
            return None
        return self.manual - self.automatic

    @property
    def over_tolerance(self) -> bool:
        gap = self.difference
        return gap is not None and self.tolerance is not None and abs(gap) > self.tolerance


def region_names() -> dict[str, str]:
    """Region code → its name in the reader's language (Kyrgyz, Russian or English)."""
    language = (get_language() or "")[:2]
    column = {"ky": "name_ky", "en": "name_en"}.get(language, "name_ru")
    return {code: name for code, name in Region.objects.values_list("code", column)}


def standings(tally: aggregation.Tally, names: Mapping[str, str]) -> list[Standing]:
    """Options by votes, most first (ties in ballot order), with shares summing to 100."""
    order = {option: i for i, option in enumerate(names)}
    share = tally.shares()
    ranked = sorted(tally.votes, key=lambda o: (-tally.votes[o], order.get(o, len(order)), o))
    return [Standing(o, names.get(o, o), tally.votes[o], share[o]) for o in ranked]


def contest_summaries(
    election: Election,
    stations: QuerySet[PollingStation],
    results: Mapping[str, aggregation.ContestResults],
) -> list[ContestSummary]:
    """One row per contest in ballot order: progress over ``stations`` and the standings."""
    titles = aggregation.contest_titles(election, lang())
    labels = aggregation.option_labels(election, lang())
    expected = aggregation.expected_pairs(election, stations)
    summaries: dict[str, ContestSummary] = {}
    for code in [*titles, *sorted(expected), *sorted(results)]:
        if code not in summaries:
            summaries[code] = ContestSummary(code, titles.get(code, code))
    for code, wanted in expected.items():
        summaries[code].expected = len(wanted)
    rows = Protocol.objects.filter(election=election, station__in=stations).values_list(
        "contest_id", "status"
    )
    for code, status in rows:
        summary = summaries.setdefault(code, ContestSummary(code, titles.get(code, code)))
        setattr(summary, status, getattr(summary, status) + 1)
    for code, contest in results.items():
        summary = summaries[code]
        summary.turnout = contest.country.turnout
        summary.votes_valid = contest.country.votes_valid
        summary.standings = standings(contest.country, labels.get(code, {}))
    ordered = [code for code in titles if code in summaries]
    ordered += sorted(code for code in summaries if code not in titles)
    return [summaries[code] for code in ordered if _counted(summaries[code])]


def _counted(summary: ContestSummary) -> bool:
    """A contest worth a row: voted in this territory, or with a protocol here."""
    return bool(summary.expected or summary.accepted or summary.reported or summary.disputed)


def unit_rows(
    tallies: Mapping[str, aggregation.Tally], names: Mapping[str, str], units: Mapping[str, str]
) -> list[UnitRow]:
    """Regions or TECs of one contest, by code: name, protocols, turnout, standings."""
    return [
        UnitRow(
            code,
            units.get(code, tally.name) or code,
            tally.protocols,
            tally.turnout,
            tally.votes_valid,
            standings(tally, names),
        )
        for code, tally in sorted(tallies.items())
    ]


def comparisons(
    options: Iterable[tuple[str, str]],
    manual: Mapping[str, Any] | None,
    automatic: Mapping[str, Any] | None,
    tolerance: int | None,
) -> list[Comparison]:
    """Each option's manual and automatic count, in ballot order.

    With an automatic count, an option it does not name had no vote read (0); without one
    there is nothing to compare (``None``). A manual count names every option of the ballot;
    one it lacks was not typed yet (``None``). Options outside the ballot come last.
    """
    listed = list(options)
    known = {o for o, _ in listed}
    extra = sorted({*(manual or {}), *(automatic or {})} - known)
    rows = []
    for option, name in [*listed, *((o, o) for o in extra)]:
        typed = None if manual is None else manual.get(option)
        hand = None if typed is None else int(typed)
        scanned = None if automatic is None else int(automatic.get(option, 0))
        rows.append(Comparison(option, name, hand, scanned, tolerance))
    return rows


def station_ballot(election: Election, place: PollingStation) -> list[tuple[str, str, list]]:
    """``(contest id, title, [(option id, name), …])`` for each contest voted at ``place``.

    Empty when no election definition is imported (the free-form entry is offered then).
    """
    from shailoo.counting.models import Contest

    contests = (
        Contest.objects.filter(election=election, ballot_styles__stations=place)
        .distinct()
        .prefetch_related("options")
        .order_by("position")
    )
    ky = lang() == "ky"
    return [
        (
            c.code,
            c.title_ky if ky else c.title_ru,
            [(o.code, o.name_ky if ky else o.name_ru) for o in c.options.all()],
        )
        for c in contests
    ]


def latest_automatic_counts(election: Election, place: PollingStation) -> dict[str, AutomaticCount]:
    """Contest id → the automatic count each contest is compared with now (the newest)."""
    newest: dict[str, AutomaticCount] = {}
    for row in AutomaticCount.objects.filter(election=election, station=place).order_by("-id"):
        newest.setdefault(row.contest_id, row)
    return newest


def line_rows(version: Any) -> list[tuple[str, int]]:
    """A version's protocol lines by their printed names, then its valid votes (the sum)."""
    rows = [(str(LINE_LABELS[name]), int(version.lines[name])) for name in BASE_LINES]
    return [*rows, (gettext("Valid votes"), version.votes_valid)]


def tec_rows(
    by_tec: Iterable[aggregation.StatusCount],
) -> tuple[list[aggregation.StatusCount], list[aggregation.StatusCount]]:
    """TECs with something left to do (reported, disputed or missing protocols), those with
    the most disputed and missing first; then the TECs whose every protocol is accepted."""
    counts = list(by_tec)
    busy = [c for c in counts if c.reported or c.disputed or c.missing]
    busy.sort(key=lambda c: (-(c.disputed + c.missing), -c.reported, c.code))
    done = sorted((c for c in counts if c not in busy), key=lambda c: c.code)
    return busy, done


def blocked_first(protocols: QuerySet[Protocol]) -> QuerySet[Protocol]:
    """Protocols awaiting a decision, blocked ones first, then disputed, then ready."""
    return protocols.order_by("acceptable", "status", "station__number", "contest_id")
