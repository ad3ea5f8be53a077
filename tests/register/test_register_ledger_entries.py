"""Staff actions on the register reach the ledger, and no PIN travels with them."""

from __future__ import annotations

import datetime

import pytest

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.integrity.canonical import canonical_loads
from shailoo.integrity.export import verify_database
from shailoo.integrity.ledger import pin_ref
from shailoo.integrity.models import LedgerEntry
from shailoo.register import services

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 1, 10, 12, tzinfo=datetime.UTC)


def _entries() -> list[tuple[str, dict]]:
    rows = LedgerEntry.objects.order_by("sequence")
    out = []
    for entry in rows:
        body = canonical_loads(bytes(entry.data))
        out.append((body["kind"], body["payload"]))  # type: ignore[index]
    return out


def test_voting_place_change_and_admin_edit_are_ledgered_without_pins() -> None:
    f.election("kg-2025", datetime.date(2027, 3, 14))
    home = f.station(1001, district_=f.district(code="A-1"))
    remote = f.station(2002, district_=f.district(code="B-1"), is_remote_voting=True)
    voter = f.person(home)
    staff = make_user("clerk", Role.CEC_ADMIN)

    services.change_voting_place(voter, remote, staff, now=NOW)
    voter.refresh_from_db()
    voter.address = "Бишкек ш., Чүй пр., 2"
    services.save_admin_edit(voter, staff)

    entries = _entries()
    kinds = [kind for kind, _ in entries]
    assert "register.voting_place_change" in kinds
    assert kinds.count("register.person_change") == 2  # the move, then the address edit
    for kind, payload in entries:
        if kind == "register.person_state":  # the states each change bound: by row id
            assert (payload["first_id"], payload["last_id"]) == (voter.pk, voter.pk)
        elif kind.startswith("register."):
            assert payload["data"]["pin_ref"] == pin_ref(voter.pin)
            assert payload["actor"] == "clerk"
    assert kinds.count("register.person_state") == 2
    for entry in LedgerEntry.objects.all():
        assert voter.pin.encode() not in bytes(entry.data)
    assert verify_database().ok


def test_recomputed_verdicts_are_ledgered() -> None:
    from shailoo.register.verdicts import reevaluate_all

    election = f.election("kg-2025", datetime.date(2027, 3, 14))
    station = f.station(1001)
    minor = f.person(station, birth_date=datetime.date(2009, 3, 1))  # 18 on 1 March 2027
    election.polling_day = datetime.date(2027, 2, 1)  # the date moves earlier: now a minor
    election.save()
    changed, total = reevaluate_all(election)
    assert (changed, total) == (1, 1)
    minor.refresh_from_db()
    assert not minor.eligible and "AGE" in minor.ineligible_codes
    (entry,) = [p for k, p in _entries() if k == "register.verdicts_recomputed"]
    assert entry["changed"] == 1 and entry["election_code"] == election.code
