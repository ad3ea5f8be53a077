"""The next round of a risk-limiting audit: how many more ballots, from the risk measured so far.

A round that ends without confirming the outcome is not a reason to count everything by hand:
the evidence gathered so far stays (BRAVO's ``T`` and Kaplan-Markov's ``P`` are products over
the ballots read, so a later round continues them) and the next round only has to go the rest
of the way. Its size is the one that confirms a correct outcome *from where the audit stands*:

* BRAVO: for each pair, the smallest number of further ballots that lifts ``ln T`` from its
  measured value to ``ln(1/alpha)`` with ``probability`` (exact binomial, as the first round:
  :func:`shailoo.counting.audits.math.bravo_completion_size` with ``log_t``); the hardest pair
  decides. A pair that can no longer confirm (``T = 0``) calls for a full hand count.
* comparison: the super-simple size recomputed for the whole sample, each kind of
  discrepancy counted as the larger of what was found and what the planning rates expect
  (overstatement rates: the larger of the defaults and those observed; understatements: the
  smaller), minus the draws so far; never fewer than the clean ballots that could still
  confirm from the measured ``P``. A round that found errors plans for more of them.

A full hand count is chosen when the next round would bring the draws to the number of ballots
in the manifest or beyond: reading that many ballots one by one costs more than counting them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shailoo.counting.audits import math as rla

#: The chance that a round confirms a correct outcome, as planned for the first round.
ROUND_PROBABILITY = 0.9


@dataclass(frozen=True, slots=True)
class RoundPlan:
    """What the next round should be: ``more`` draws, or a full hand count, and why."""

    more: int
    total: int
    full_hand_count: bool
    reason: str


def _decide(more: int, drawn: int, ballots: int, basis: str) -> RoundPlan:
    total = drawn + more
    if more >= ballots or total >= ballots:
        reason = (
            f"{basis}: {more} more draws would bring the sample to {total} of the {ballots} "
            "ballots in the manifest: a full hand count"
        )
        return RoundPlan(more, total, True, reason)
    return RoundPlan(more, total, False, f"{basis}: {more} more draws ({total} in all)")


def bravo_next_round(
    pairs: Sequence[rla.BravoPair],
    log_t: Mapping[str, float],
    ballots: int,
    drawn: int,
    risk_limit: float,
    probability: float = ROUND_PROBABILITY,
) -> RoundPlan:
    """The next BRAVO round from the measured ``ln T`` per ``"winner>loser"`` pair."""
    sizes: list[int] = []
    for pair in pairs:
        key = f"{pair.winner}>{pair.loser}"
        measured = log_t.get(key, 0.0)
        if measured == -math.inf:
            reason = f"{key}: a vote for a loser with no reported votes: T is 0 for good"
            return RoundPlan(ballots, drawn + ballots, True, reason + ": a full hand count")
        sizes.append(
            rla.bravo_completion_size(
                pair.winner_votes, pair.loser_votes, ballots, risk_limit, probability, measured
            )
        )
    more = max(sizes, default=0)
    if more == 0:
        return RoundPlan(0, drawn, False, "the sample already meets the risk limit")
    return _decide(more, drawn, ballots, f"{probability:.0%} chance to confirm from T so far")


def comparison_next_round(
    margin: float,
    overstatements: Sequence[float],
    ballots: int,
    drawn: int,
    risk_limit: float,
    gamma: float = rla.DEFAULT_GAMMA,
    rates: rla.ErrorRates | None = None,
) -> RoundPlan:
    """The next comparison round from the overstatements found so far (in draw order).

    The super-simple size is recomputed for the whole sample with each kind of discrepancy
    counted as the larger of what was found and what the planning rates expect; the round is
    what that total adds to the draws so far, and never fewer than the clean ballots that
    could still confirm from the measured P.
    """
    base = rates or rla.ErrorRates()
    p_value = rla.comparison_p_value(margin, overstatements, gamma=gamma)
    if p_value <= risk_limit:
        return RoundPlan(0, drawn, False, "the sample already meets the risk limit")
    planning = observed_rates(overstatements, base)
    first = rla.comparison_sample_size(margin, risk_limit, gamma=gamma, rates=planning)
    found = _counts(overstatements)
    expected = (
        math.ceil(planning.one_over * first),
        round(planning.two_over * first),
        math.ceil(planning.one_under * first),
        round(planning.two_under * first),
    )
    o1, o2, u1, u2 = (max(a, b) for a, b in zip(found, expected, strict=True))
    terms = (
        o1 * math.log(1 - 1 / (2 * gamma))
        + o2 * math.log(1 - 1 / gamma)
        + u1 * math.log(1 + 1 / (2 * gamma))
        + u2 * math.log(1 + 1 / gamma)
    )
    total = math.ceil(-2 * gamma * (math.log(risk_limit) + terms) / margin)
    clean = math.ceil(
        (math.log(risk_limit) - math.log(p_value)) / math.log(1 - margin / (2 * gamma))
    )
    more = max(total - drawn, clean, 1)
    return _decide(more, drawn, ballots, f"from P = {p_value:.4f} so far")


def _counts(overstatements: Sequence[float]) -> tuple[int, int, int, int]:
    """Discrepancies found: one- and two-vote overstatements, then understatements."""

    def count(lo: float, hi: float) -> int:
        return sum(lo <= e < hi for e in overstatements)

    return (
        count(0.5, 1.5),
        count(1.5, math.inf),
        count(-1.5, -0.5),
        count(-math.inf, -1.5),
    )


def observed_rates(overstatements: Sequence[float], base: rla.ErrorRates) -> rla.ErrorRates:
    """Planning rates: overstatements at least the defaults, understatements at most."""
    n = len(overstatements)
    if n == 0:
        return base
    o1, o2, u1, u2 = _counts(overstatements)
    return rla.ErrorRates(
        one_over=max(base.one_over, o1 / n),
        two_over=max(base.two_over, o2 / n),
        one_under=min(base.one_under, u1 / n),
        two_under=min(base.two_under, u2 / n),
    )
