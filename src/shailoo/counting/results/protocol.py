"""The station protocol as numbers: its lines, the law's control relations, the count comparison.

A precinct commission's protocol is a handful of integers (voters on the list, ballots
received, issued, spoiled, unused, found in the box, invalid, votes per option). The law
says which sums must agree ("control relations") and how far the scanners' automatic count
may differ from the commission's manual count. Both come from the law edition as data; this
module only evaluates them, and explains every failure with the lines and values involved,
because a TEC operator must see *which* line of *which* relation is wrong, not a red cross.

Rewritten protocols were a real problem in 2021, so nothing here rounds, guesses or fills a
missing line with zero: a line that is absent, negative or not an integer is an input error.

Pure: no Django. Services load the law's parameters and store what this module decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Literal, Protocol

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

__all__ = [
    "BASE_LINES",
    "OPS",
    "VOTES_PREFIX",
    "VOTES_VALID",
    "CountDifference",
    "ProtocolInputError",
    "Relation",
    "RelationFailure",
    "RelationLike",
    "StationProtocol",
    "Verdict",
    "check_relations",
    "compare_counts",
    "evaluate",
    "line_values",
    "parse_counts",
    "parse_protocol",
    "relations_from",
    "shares",
]

#: The protocol's own lines, in the order the printed protocol lists them.
BASE_LINES: tuple[str, ...] = (
    "voters_on_list",
    "ballots_received",
    "ballots_issued",
    "ballots_spoiled",
    "ballots_unused",
    "ballots_found",
    "ballots_invalid",
)
#: Derived line: the sum of the votes for every option (against-all included).
VOTES_VALID = "votes_valid"
#: Option lines are named ``votes.<option id>``; ``votes.*`` in a relation means all of them.
VOTES_PREFIX = "votes."
ALL_VOTES = "votes.*"
OPS: tuple[str, ...] = ("=", "<=", ">=")
#: Largest count a line may hold: more than every voter of a country, far below overflow.
MAX_COUNT = 10**9

Op = Literal["=", "<=", ">="]


class ProtocolInputError(InvalidInput):
    """Protocol data that cannot be used (``protocol_invalid``), with every problem.

    Each problem's ``where`` is the field path: ``lines.ballots_found``, ``votes.a``,
    ``control_relations.2.op``.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("protocol_invalid", "The protocol data cannot be used.", problems=problems)


class RelationLike(Protocol):
    """What the law file gives for one control relation (the schema's model fits this)."""

    @property
    def name(self) -> str: ...

    @property
    def left(self) -> Sequence[str]: ...

    @property
    def op(self) -> str: ...

    @property
    def right(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class Relation:
    """``sum(left) op sum(right)``, e.g. received = issued + spoiled + unused."""

    name: str
    left: tuple[str, ...]
    op: str
    right: tuple[str, ...]

    def lines(self) -> tuple[str, ...]:
        return self.left + self.right

    def text(self) -> str:
        return f"{' + '.join(self.left)} {self.op} {' + '.join(self.right)}"


@dataclass(frozen=True, slots=True)
class StationProtocol:
    """One contest's protocol at one station: the base lines and the votes per option."""

    lines: Mapping[str, int]
    votes: Mapping[str, int]

    @property
    def votes_valid(self) -> int:
        return sum(self.votes.values())


@dataclass(frozen=True, slots=True)
class RelationFailure:
    """A control relation that does not hold, with every line's value: the located reason."""

    relation: str
    text: str
    left: tuple[tuple[str, int], ...]
    op: str
    right: tuple[tuple[str, int], ...]
    left_total: int
    right_total: int

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.left + self.right)

    def explain(self) -> str:
        def side(items: tuple[tuple[str, int], ...]) -> str:
            return " + ".join(f"{name} ({value})" for name, value in items)

        gap = self.left_total - self.right_total
        return (
            f"control relation {self.relation!r} fails: {side(self.left)} {self.op} "
            f"{side(self.right)}, but {self.left_total} vs {self.right_total} "
            f"(difference {gap:+d})"
        )


@dataclass(frozen=True, slots=True)
class CountDifference:
    """One option whose automatic and manual counts differ by more than the tolerance."""

    option: str
    automatic: int | None
    manual: int | None
    difference: int
    tolerance: int

    def explain(self) -> str:
        auto = "absent (0)" if self.automatic is None else str(self.automatic)
        manual = "absent (0)" if self.manual is None else str(self.manual)
        return (
            f"votes for {self.option!r}: automatic count {auto}, manual count {manual}, "
            f"difference {self.difference} exceeds the tolerance of {self.tolerance}"
        )


@dataclass(frozen=True, slots=True)
class Verdict:
    """Acceptable, or blocked with every reason (control failures, count differences)."""

    failures: tuple[RelationFailure, ...] = ()
    differences: tuple[CountDifference, ...] = ()
    missing_automatic: bool = False

    @property
    def acceptable(self) -> bool:
        return not (self.failures or self.differences or self.missing_automatic)

    def reasons(self) -> list[str]:
        found = [f.explain() for f in self.failures] + [d.explain() for d in self.differences]
        if self.missing_automatic:
            found.append("no automatic count to compare the manual count with")
        return found

    def to_json(self) -> dict[str, object]:
        return {
            "acceptable": self.acceptable,
            "missing_automatic": self.missing_automatic,
            "failures": [
                {
                    "relation": f.relation,
                    "text": f.text,
                    "op": f.op,
                    "left": [[n, v] for n, v in f.left],
                    "right": [[n, v] for n, v in f.right],
                    "left_total": f.left_total,
                    "right_total": f.right_total,
                }
                for f in self.failures
            ],
            "differences": [
                {
                    "option": d.option,
                    "automatic": d.automatic,
                    "manual": d.manual,
                    "difference": d.difference,
                    "tolerance": d.tolerance,
                }
                for d in self.differences
            ],
            "reasons": self.reasons(),
        }


# -- input -----------------------------------------------------------------------------------


def _count(value: object, where: str, problems: list[Problem]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem(where, f"must be a whole number, got {value!r}"[:200]))
        return None
    if value < 0:
        problems.append(Problem(where, f"must not be negative, got {value}"))
        return None
    if value > MAX_COUNT:
        problems.append(Problem(where, f"is implausibly large ({value})"))
        return None
    return value


def parse_counts(data: object, where: str) -> dict[str, int]:
    """Votes per option from decoded JSON: ``{option id: whole number >= 0}``."""
    if not isinstance(data, Mapping):
        raise ProtocolInputError([Problem(where, "must be an object of option id to votes")])
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key or len(key) > 64:
            problems.append(
                Problem(f"{where}.{key!r}", "an option id is a text of 1-64 characters")
            )
            continue
        number = _count(value, f"{where}.{key}", problems)
        if number is not None:
            counts[key] = number
    if problems:
        raise ProtocolInputError(problems)
    return counts


def parse_protocol(
    lines: object, votes: object, options: Iterable[str] | None = None
) -> StationProtocol:
    """Validate already-decoded lines and votes; ``options`` (when known) must match exactly.

    Every problem is collected (``lines.ballots_found: must not be negative``) so that an
    operator fixes a form once, not once per error.
    """
    problems: list[Problem] = []
    parsed: dict[str, int] = {}
    if not isinstance(lines, Mapping):
        problems.append(Problem("lines", "must be an object of line name to number"))
    else:
        for name in BASE_LINES:
            if name not in lines:
                problems.append(Problem(f"lines.{name}", "is missing"))
                continue
            number = _count(lines[name], f"lines.{name}", problems)
            if number is not None:
                parsed[name] = number
        for name in lines:
            if name not in BASE_LINES:
                problems.append(Problem(f"lines.{name}", "is not a protocol line"))
    counts: dict[str, int] = {}
    try:
        counts = parse_counts(votes, "votes")
    except ProtocolInputError as exc:
        problems.extend(exc.problems)
    if options is not None and isinstance(votes, Mapping):
        expected = list(options)
        for option in expected:
            if option not in votes:
                problems.append(Problem(f"votes.{option}", "is missing"))
        for option in votes:
            if option not in expected:
                problems.append(Problem(f"votes.{option}", "is not an option of this contest"))
    if problems:
        raise ProtocolInputError(problems)
    return StationProtocol(parsed, counts)


def relations_from(items: Iterable[RelationLike]) -> tuple[Relation, ...]:
    """Plain relations from the law file's objects, checked for a known operator and lines."""
    relations: list[Relation] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        relation = Relation(str(item.name), tuple(item.left), str(item.op), tuple(item.right))
        if relation.op not in OPS:
            problems.append(
                Problem(f"control_relations.{i}.op", f"must be one of {', '.join(OPS)}")
            )
        if not relation.left or not relation.right:
            problems.append(Problem(f"control_relations.{i}", "both sides need at least one line"))
        for name in relation.lines():
            if not _known_line(name):
                problems.append(Problem(f"control_relations.{i}", f"unknown line {name!r}"))
        relations.append(relation)
    if problems:
        raise ProtocolInputError(problems)
    return tuple(relations)


def _known_line(name: str) -> bool:
    return (
        name in BASE_LINES
        or name == VOTES_VALID
        or (name.startswith(VOTES_PREFIX) and len(name) > len(VOTES_PREFIX))
    )


# -- evaluation ------------------------------------------------------------------------------


def line_values(protocol: StationProtocol) -> dict[str, int]:
    """Every line by name: the base lines, ``votes.<option>`` and the derived ``votes_valid``."""
    values = dict(protocol.lines)
    for option, votes in protocol.votes.items():
        values[VOTES_PREFIX + option] = votes
    values[VOTES_VALID] = protocol.votes_valid
    return values


def _side(names: Sequence[str], values: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    items: list[tuple[str, int]] = []
    for name in names:
        if name == ALL_VOTES:
            items.extend((n, v) for n, v in values.items() if n.startswith(VOTES_PREFIX))
        elif name in values:
            items.append((name, values[name]))
        elif name.startswith(VOTES_PREFIX):
            items.append((name, 0))  # an option this contest does not have
        else:
            raise ProtocolInputError(
                [Problem(name, "the relation names a line the protocol lacks")]
            )
    return tuple(items)


def _holds(left: int, op: str, right: int) -> bool:
    if op == "=":
        return left == right
    if op == "<=":
        return left <= right
    if op == ">=":
        return left >= right
    raise ProtocolInputError(
        [Problem("op", f"unknown operator {op!r}; use one of {', '.join(OPS)}")]
    )


def check_relations(
    protocol: StationProtocol, relations: Iterable[Relation]
) -> tuple[RelationFailure, ...]:
    """Every relation that does not hold, in the law's order."""
    values = line_values(protocol)
    failures: list[RelationFailure] = []
    for relation in relations:
        left, right = _side(relation.left, values), _side(relation.right, values)
        left_total, right_total = sum(v for _, v in left), sum(v for _, v in right)
        if not _holds(left_total, relation.op, right_total):
            failures.append(
                RelationFailure(
                    relation.name,
                    relation.text(),
                    left,
                    relation.op,
                    right,
                    left_total,
                    right_total,
                )
            )
    return tuple(failures)


def compare_counts(
    automatic: Mapping[str, int], manual: Mapping[str, int], tolerance: int
) -> tuple[CountDifference, ...]:
    """Options whose counts differ by more than ``tolerance`` votes, sorted by option id.

    Scanners report only the options they saw marked, so an option absent on one side counts
    as zero votes there (and is reported as ``None``, so the reader sees it was absent).
    ``|a - m| <= tolerance`` passes. Symmetric: swapping the sides swaps ``automatic`` and
    ``manual`` in each difference and changes nothing else.
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, int) or tolerance < 0:
        raise ProtocolInputError([Problem("tolerance_votes", "must be a whole number >= 0")])
    differences: list[CountDifference] = []
    for option in sorted(set(automatic) | set(manual)):
        auto, hand = automatic.get(option), manual.get(option)
        gap = abs((auto or 0) - (hand or 0))
        if gap > tolerance:
            differences.append(CountDifference(option, auto, hand, gap, tolerance))
    return tuple(differences)


def evaluate(
    protocol: StationProtocol,
    relations: Iterable[Relation],
    automatic: Mapping[str, int] | None,
    tolerance: int,
) -> Verdict:
    """The whole decision: control relations, then the automatic/manual comparison."""
    failures = check_relations(protocol, relations)
    if automatic is None:
        return Verdict(failures, (), missing_automatic=True)
    return Verdict(failures, compare_counts(automatic, protocol.votes, tolerance))


# -- presentation ----------------------------------------------------------------------------


def shares(votes: Mapping[str, int], decimals: int = 2) -> dict[str, Decimal]:
    """Percentages of the total that add up to exactly 100 (largest-remainder rounding).

    The 2021 results site showed party shares summing to over 150%; rounding each share on
    its own can also give 99.99 or 100.01. Here every share is rounded down to ``decimals``
    places and the missing hundredths go to the largest remainders (ties: the option id),
    so the published column always sums to 100 when anyone voted, and is all zeros if not.
    """
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    step = Decimal(1).scaleb(-decimals)
    total = sum(votes.values())
    if total <= 0:
        return {option: Decimal(0).quantize(step) for option in votes}
    units = 100 * 10**decimals  # 100% in units of the last decimal
    floors: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for option, count in votes.items():
        whole, rest = divmod(count * units, total)
        floors[option] = whole
        remainders.append((-rest, option))
    missing = units - sum(floors.values())
    for _, option in sorted(remainders)[:missing]:
        floors[option] += 1
    return {
        option: (Decimal(units_) * step).quantize(step, rounding=ROUND_DOWN)
        for option, units_ in floors.items()
    }
