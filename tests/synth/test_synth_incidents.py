"""The synthetic campaign and polling day of complaints: deterministic, in the published mix,
every report placed, every complainant's contact present (for the redaction tests)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from shailoo.incidents.categories import CATEGORIES
from shailoo.synth.incidents import CAMPAIGN_DAYS, generate_reports

POLLING_DAY = date(2027, 3, 14)


def test_the_same_seed_gives_the_same_reports() -> None:
    first = generate_reports(3, [1001, 1002, 2001], POLLING_DAY)
    assert first == generate_reports(3, [1001, 1002, 2001], POLLING_DAY)
    assert first != generate_reports(4, [1001, 1002, 2001], POLLING_DAY)


def test_campaign_and_polling_day_volumes_and_mix() -> None:
    reports = generate_reports(1, list(range(1001, 1101)), POLLING_DAY)
    on_day = [r for r in reports if r.received_at.date() == POLLING_DAY]
    before = [r for r in reports if r.received_at.date() < POLLING_DAY]
    assert (len(before), len(on_day)) == (220, 70)
    assert min(r.received_at.date() for r in before) >= POLLING_DAY - timedelta(days=CAMPAIGN_DAYS)
    campaign = Counter(r.category for r in before)
    assert campaign.most_common(1)[0][0] == "illegal_campaigning"
    assert Counter(r.category for r in on_day)["multiple_voting"] > 0
    assert all(r.category in CATEGORIES for r in reports)
    assert all(r.station is not None or r.place for r in reports)
    assert all(r.complainant_phone.startswith("+99655") for r in reports)
    assert [r.received_at for r in reports] == sorted(r.received_at for r in reports)
    assert 0 < sum(r.decided_after_h is None for r in reports) < len(reports) // 4


def test_no_station_is_refused() -> None:
    with pytest.raises(ValueError):
        generate_reports(1, [], POLLING_DAY)
