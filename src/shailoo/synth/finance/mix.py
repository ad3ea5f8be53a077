"""The background's proportions: the kinds of entries a party's or a candidate's fund
books, the sizes of gifts and the spending by purpose.

In one place because both the plan (which sizes funds by ``MEAN_INCOME``) and the stream (which
draws from the mix) depend on them: change one, re-measure the other.
"""

from __future__ import annotations

from itertools import accumulate

CANDIDATE_MIX = (
    ("person", 74), ("batch", 1.2), ("company", 5), ("own", 1.5), ("party", 1),
    ("name_only", 1), ("agent", 1), ("reversal", 0.4), ("spend", 11), ("fee", 1),
)  # fmt: skip
PARTY_MIX = (
    ("person", 72.5), ("batch", 1.5), ("company", 7), ("own", 0.5), ("name_only", 1),
    ("agent", 1), ("reversal", 0.4), ("spend", 11), ("fee", 1),
)  # fmt: skip
INCOME_KINDS = frozenset(
    {"person", "batch", "company", "own", "party", "name_only", "agent", "reversal"}
)


SPEND_WEIGHTS = (25, 20, 15, 15, 8, 10, 7)
SPEND_RANGES = {
    "printing": (15_000, 300_000),
    "media": (30_000, 500_000),
    "advertising": (20_000, 400_000),
    "campaign_services": (10_000, 150_000),
    "rent": (20_000, 120_000),
    "transport": (5_000, 80_000),
    "other": (2_000, 40_000),
}
_GIFTS = ((1000, 15), (2000, 12), (3000, 10), (5000, 18), (10000, 17), (15000, 6),
          (20000, 8), (25000, 4), (30000, 4), (50000, 4), (0, 2))  # fmt: skip
GIFT_AMOUNTS = tuple(a for a, _ in _GIFTS)
GIFT_CUMULATIVE = tuple(accumulate(w for _, w in _GIFTS))
MEAN_INCOME = 17_000  # som of income per background entry (gifts, own money), measured
