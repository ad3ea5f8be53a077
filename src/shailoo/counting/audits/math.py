"""Risk-limiting audit math: BRAVO ballot polling and super-simple ballot comparison.

Pure functions over plain counts, so the numbers can be checked against published figures
(see ``tests/counting/test_counting_audit_math.py``) and by anyone with a calculator.

**BRAVO** (Lindeman, Stark & Yates, "BRAVO: Ballot-polling Risk-limiting Audits to Verify
Outcomes", EVT/WOTE 2012). For each pair of a reported winner ``w`` and loser ``l`` let
``s_w = v_w / (v_w + v_l)`` be the winner's reported share of the pair's votes. Wald's
sequential probability ratio test starts at ``T = 1`` and, for each ballot drawn, multiplies
``T`` by ``2 s_w`` for a vote for ``w``, by ``2 (1 - s_w)`` for a vote for ``l``, and leaves it
alone otherwise. The audit may stop, confirming the outcome, the first time ``T >= 1/alpha``
for every pair; ``1/T`` is the pair's P-value. The average sample number when the reported
results are right is (ibid., with ``p_w``, ``p_l`` the shares of *all* ballots)::

    ASN ≈ (ln(1/alpha) + ln(2 s_w) / 2) / (p_w ln(2 s_w) + p_l ln(2 - 2 s_w))

The 60/40 contest of 1,000 ballots at a 10% risk limit gives 118.9, hence 119.

**Ballot comparison** (Stark, "Super-simple simultaneous single-ballot risk-limiting audits",
EVT/WOTE 2010; the Kaplan-Markov bound with error inflation ``gamma``). With diluted margin
``mu`` (the smallest winner-loser margin in votes over all ballots) and each audited ballot's
overstatement ``e`` of that margin (in votes: 1 or 2 overstate it, -1 or -2 understate it), the
P-value after ``n`` ballots is::

    P = prod_i (1 - mu / (2 gamma)) / (1 - e_i / (2 gamma))

and the initial sample size for expected counts ``o1, o2`` (one- and two-vote overstatements)
and ``u1, u2`` (understatements) is the smallest ``n`` with ``P <= alpha``, in the usual
first-order form::

    n = ceil(-2 gamma (ln alpha + o1 ln(1 - 1/(2 gamma)) + o2 ln(1 - 1/gamma)
                        + u1 ln(1 + 1/(2 gamma)) + u2 ln(1 + 1/gamma)) / mu)

The expected counts come from rates (default: one-vote 1 in 1,000, two-vote 1 in 10,000, as
in Stark's tool and Colorado's audits) times a first estimate of ``n``; one-vote counts are
rounded up, two-vote counts to the nearest whole number. ``gamma = 1.03905`` is the inflation
used by Stark's tool, "A Gentle Introduction to Risk-Limiting Audits" and Colorado.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from shailoo.common.refusals import InvalidInput

DEFAULT_GAMMA = 1.03905


class AuditMathError(InvalidInput):
    """Inputs for which an audit is not defined (no loser, a tie at the boundary, bad alpha)."""

    default_code = "audit_math_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


def _check_alpha(risk_limit: float) -> None:
    if not 0.0 < risk_limit < 1.0:
        raise AuditMathError(f"risk limit must lie strictly between 0 and 1, not {risk_limit}")


# -- BRAVO ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BravoPair:
    """A reported winner and loser, with the winner's reported share of their two votes."""

    winner: str
    loser: str
    winner_votes: int
    loser_votes: int

    @property
    def share(self) -> float:
        return self.winner_votes / (self.winner_votes + self.loser_votes)

    def log_step(self, vote: str | None) -> float:
        """ln of the factor one ballot applies to ``T`` (-inf: this pair can never confirm)."""
        if vote == self.winner:
            return math.log(2 * self.share)
        if vote == self.loser:
            rest = 2 * (1 - self.share)
            return math.log(rest) if rest > 0 else -math.inf
        return 0.0


def reported_winners(reported: Mapping[str, int], winners: int = 1) -> tuple[str, ...]:
    """The ``winners`` options with most votes; a tie across the boundary is refused."""
    if winners < 1 or winners >= len(reported):
        raise AuditMathError("an audit needs at least one reported winner and one loser")
    ranked = sorted(reported, key=lambda o: (-reported[o], o))
    if reported[ranked[winners - 1]] == reported[ranked[winners]]:
        raise AuditMathError(
            f"{ranked[winners - 1]} and {ranked[winners]} tie at the winning boundary: "
            "no sample can confirm a tied outcome, count every ballot"
        )
    return tuple(ranked[:winners])


def bravo_pairs(reported: Mapping[str, int], winners: int = 1) -> list[BravoPair]:
    """Every (reported winner, reported loser) pair the audit must confirm."""
    if any(v < 0 for v in reported.values()):
        raise AuditMathError("reported votes cannot be negative")
    top = reported_winners(reported, winners)
    return [
        BravoPair(w, loser, reported[w], reported[loser])
        for w in top
        for loser in sorted(reported)
        if loser not in top
    ]


def bravo_pair_asn(
    winner_votes: int, loser_votes: int, ballots: int, risk_limit: float, log_t: float = 0.0
) -> int | None:
    """The BRAVO average sample number for one pair; ``None`` when they tie (count all).

    ``log_t`` is ln T measured by the sample so far (later rounds): the further ballots
    expected to reach ``1/alpha`` from there. Zero or less: the sample already reached it.
    """
    _check_alpha(risk_limit)
    if winner_votes <= loser_votes:
        return None
    if winner_votes + loser_votes > ballots:
        raise AuditMathError("the pair has more votes than there are ballots")
    s_w = winner_votes / (winner_votes + loser_votes)
    p_w, p_l = winner_votes / ballots, loser_votes / ballots
    z_w = math.log(2 * s_w)
    z_l = math.log(2 - 2 * s_w) if s_w < 1 else 0.0
    return math.ceil((math.log(1 / risk_limit) - log_t + z_w / 2) / (p_w * z_w + p_l * z_l))


def bravo_asn(
    reported: Mapping[str, int], ballots: int, risk_limit: float, winners: int = 1
) -> int | None:
    """Expected ballots to confirm the whole contest: the hardest pair's ASN, at most all."""
    sizes = []
    for pair in bravo_pairs(reported, winners):
        size = bravo_pair_asn(pair.winner_votes, pair.loser_votes, ballots, risk_limit)
        if size is None:
            return None
        sizes.append(size)
    return min(max(sizes), ballots)


def bravo_completion_size(
    winner_votes: int,
    loser_votes: int,
    ballots: int,
    risk_limit: float,
    probability: float,
    log_t: float = 0.0,
) -> int:
    """Smallest sample that confirms the pair in one round with ``probability`` (exact).

    Counts only the pair's ballots: of ``m`` such ballots, ``k`` for the winner confirm when
    ``k ln(2 s_w) + (m - k) ln(2 - 2 s_w) >= ln(1/alpha) - log_t``; ``k`` is binomial(m, s_w)
    when the reported results are right. The smallest ``m`` whose chance reaches
    ``probability`` is scaled up by the pair's share of all ballots (other ballots do not move
    ``T``). ``log_t`` is ln T measured so far (0 before the first round): a later round needs
    only the rest of the way; 0 when the sample already confirms the pair.
    """
    _check_alpha(risk_limit)
    if not 0.0 < probability < 1.0:
        raise AuditMathError("probability must lie strictly between 0 and 1")
    if winner_votes <= loser_votes:
        raise AuditMathError("the pair ties or the winner trails: count every ballot")
    s_w = winner_votes / (winner_votes + loser_votes)
    plus = math.log(2 * s_w)
    minus = math.log(2 - 2 * s_w) if s_w < 1 else -math.inf
    need = math.log(1 / risk_limit) - log_t
    if need <= 1e-12:
        return 0
    pair_share = (winner_votes + loser_votes) / ballots
    limit = math.ceil(ballots * pair_share)
    start = 1
    while start <= limit:
        # Blocks of candidate sizes at once: the chance is not monotone in m (it is discrete),
        # so the first m that reaches it is searched in order, not bisected.
        m = np.arange(start, min(start + 4096, limit + 1))
        if math.isinf(minus):
            k_min = np.full(m.shape, math.ceil(need / plus - 1e-12))
        else:
            k_min = np.maximum(0, np.ceil((need - m * minus) / (plus - minus) - 1e-12))
        chance = np.where(k_min <= m, stats.binom.sf(k_min - 1, m, s_w), 0.0)
        hits = np.flatnonzero(chance >= probability)
        if hits.size:
            return min(math.ceil(int(m[hits[0]]) / pair_share), ballots)
        start = int(m[-1]) + 1
    return ballots


@dataclass(frozen=True, slots=True)
class BravoOutcome:
    """Where a BRAVO test stands after the ballots seen so far, in draw order."""

    confirmed: bool
    #: 1-based count of ballots at which every pair first reached 1/alpha, if it did.
    stopped_at: int | None
    examined: int
    #: P-value (min(1, 1/T)) per "winner>loser" pair at the stop, or after every ballot.
    p_values: dict[str, float]
    #: ln T per pair at the same point (unclipped: what a next round's size starts from).
    log_t: dict[str, float] = field(default_factory=dict)

    @property
    def risk(self) -> float:
        return max(self.p_values.values())


def bravo_sequential(
    pairs: Sequence[BravoPair], votes: Iterable[str | None], risk_limit: float
) -> BravoOutcome:
    """Run the sequential test over votes read from paper, in the order they were drawn.

    ``None`` is a ballot with no vote for any option of the pair (blank, overvote, another
    option). Stops at the first ballot after which ``T >= 1/alpha`` for every pair.
    """
    _check_alpha(risk_limit)
    if not pairs:
        raise AuditMathError("no winner-loser pair to test")
    target = math.log(1 / risk_limit)
    log_t = [0.0] * len(pairs)
    examined = 0
    stopped: int | None = None
    for vote in votes:
        examined += 1
        for i, pair in enumerate(pairs):
            log_t[i] += pair.log_step(vote)
        if all(t >= target - 1e-12 for t in log_t):
            stopped = examined
            break
    p_values = {
        f"{p.winner}>{p.loser}": min(1.0, math.exp(-t)) if t > -math.inf else 1.0
        for p, t in zip(pairs, log_t, strict=True)
    }
    logs = {f"{p.winner}>{p.loser}": t for p, t in zip(pairs, log_t, strict=True)}
    return BravoOutcome(stopped is not None, stopped, examined, p_values, logs)


# -- ballot comparison ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErrorRates:
    """Expected discrepancy rates per audited ballot, for planning a comparison audit."""

    one_over: float = 0.001
    two_over: float = 0.0001
    one_under: float = 0.001
    two_under: float = 0.0001


def diluted_margin(reported: Mapping[str, int], ballots: int, winners: int = 1) -> float:
    """The smallest winner-loser margin in votes, over all ballots cast (``mu``)."""
    pairs = bravo_pairs(reported, winners)
    if ballots <= 0:
        raise AuditMathError("ballots must be positive")
    return min(p.winner_votes - p.loser_votes for p in pairs) / ballots


def _km_terms(gamma: float, o1: float, o2: float, u1: float, u2: float) -> float:
    return (
        o1 * math.log(1 - 1 / (2 * gamma))
        + o2 * math.log(1 - 1 / gamma)
        + u1 * math.log(1 + 1 / (2 * gamma))
        + u2 * math.log(1 + 1 / gamma)
    )


def comparison_sample_size(
    margin: float,
    risk_limit: float,
    *,
    gamma: float = DEFAULT_GAMMA,
    rates: ErrorRates | None = None,
    ballots: int | None = None,
) -> int:
    """Initial sample size of a super-simple ballot-comparison audit (see the module text)."""
    _check_alpha(risk_limit)
    if gamma <= 1:
        raise AuditMathError("gamma must exceed 1")
    if not 0 < margin <= 1:
        raise AuditMathError("the diluted margin must lie in (0, 1]: a tie needs a full count")
    rates = rates or ErrorRates()
    need = math.log(risk_limit)
    per_ballot = math.log(1 - margin / (2 * gamma)) - _km_terms(
        gamma, rates.one_over, rates.two_over, rates.one_under, rates.two_under
    )
    if per_ballot >= 0:
        return ballots if ballots is not None else math.inf  # type: ignore[return-value]
    first = math.ceil(need / per_ballot)
    o1, u1 = math.ceil(rates.one_over * first), math.ceil(rates.one_under * first)
    o2, u2 = round(rates.two_over * first), round(rates.two_under * first)
    size = math.ceil(-2 * gamma * (need + _km_terms(gamma, o1, o2, u1, u2)) / margin)
    size = max(size, o1 + o2 + u1 + u2)
    return min(size, ballots) if ballots is not None else size


def comparison_p_value(
    margin: float, overstatements: Iterable[float], *, gamma: float = DEFAULT_GAMMA
) -> float:
    """Kaplan-Markov P-value after the audited ballots' overstatements (in margin votes)."""
    if gamma <= 1 or not 0 < margin <= 1:
        raise AuditMathError("need gamma > 1 and a diluted margin in (0, 1]")
    log_p = 0.0
    for e in overstatements:
        if e >= 2 * gamma:
            return 1.0
        log_p += math.log(1 - margin / (2 * gamma)) - math.log(1 - e / (2 * gamma))
    return min(1.0, math.exp(log_p))


def overstatement(
    reported_vote: str | None, audited_vote: str | None, pairs: Sequence[BravoPair]
) -> float:
    """How much one ballot's reported vote overstated the tightest margin, in its votes.

    For each pair the overstatement is (reported - audited) of (winner minus loser) votes;
    it is scaled to the smallest pair margin so one scale serves every pair, and the worst
    pair counts.
    """

    def margin_votes(vote: str | None, pair: BravoPair) -> int:
        return (vote == pair.winner) - (vote == pair.loser)

    tightest = min(p.winner_votes - p.loser_votes for p in pairs)
    worst = -math.inf
    for pair in pairs:
        e = margin_votes(reported_vote, pair) - margin_votes(audited_vote, pair)
        worst = max(worst, e * tightest / (pair.winner_votes - pair.loser_votes))
    return worst
