"""The screen's work in batches (resolutions stored a batch at a time, transactions read a
chunk at a time) gives what one batch gives: one donor per identity, whatever the batch a
donation falls in, and a donor already stored is kept as it is."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given, settings

import strategies as sx
from shailoo.finance import registry_adapters, screen_services
from shailoo.finance.import_services import import_statements
from shailoo.finance.models import Donor, Transaction
from shailoo.finance.screen_services import engine_rows, screen
from shailoo.finance.statements.model import Party as StatementParty
from shailoo.integrity import ledger

from .test_finance_services import _donations, _statement, _tx, _write, world

__all__ = ["world"]  # the fixture, shared with the services' tests


@settings(max_examples=50, deadline=None)
@given(sx.pins)
def test_an_owner_named_with_the_pepper_read_once_is_the_ledger_reference(pin: str) -> None:
    node = registry_adapters._person_node(pin, ledger.pepper())
    assert node == registry_adapters._person_node(pin) == f"person:{ledger.pin_ref(pin)[:32]}"


def _import(w: dict[str, Any], tmp_path) -> None:
    citizen = w["citizen"]
    again = _tx(
        "E7",
        "3000",
        debtor=StatementParty(
            name=f"{citizen.surname} {citizen.given_name}", person_id=citizen.pin, id_scheme="NIDN"
        ),
        debtor_account="1090000000000001",
        booking_date=datetime.date(2027, 2, 12),
    )
    import_statements("cli", _write(tmp_path, [_statement([*_donations(w), again])]))


@pytest.mark.django_db
def test_donations_resolved_a_batch_at_a_time_name_one_donor_per_identity(
    world, tmp_path, monkeypatch
) -> None:
    _import(world, tmp_path)
    citizen = world["citizen"]
    # Stored by an earlier run under its register name: kept as it is, not stored again.
    known = Donor.objects.create(
        key=f"P:{citizen.pin}", kind="person", name="Токтогулова Айпери", country="KG",
        first_seen=datetime.date(2026, 1, 1),
    )  # fmt: skip
    monkeypatch.setattr(screen_services, "RESOLVE_BATCH", 1)
    monkeypatch.setattr(screen_services, "ROWS_CHUNK", 2)
    screen("cli", world["election"])
    rows = dict(Transaction.objects.values_list("entry_ref", "donor__key"))
    assert rows["E1"] == rows["E7"] == known.key  # two batches, one donor
    assert Donor.objects.get(key=known.key).first_seen == datetime.date(2026, 1, 1)
    keys = [k for k in Donor.objects.values_list("key", flat=True)]
    assert len(keys) == len(set(keys))
    assert rows["E4"] == f"E:{world['donor_co'].inn}"
    assert Donor.objects.get(key=rows["E4"]).kind == "entity"
    assert Donor.objects.get(key=rows["E4"]).first_seen == datetime.date(2027, 2, 10)
    assert rows["E6"] is None
    assert Transaction.objects.filter(resolution="pending").count() == 0


@pytest.mark.django_db
def test_the_screen_reads_the_same_donations_in_chunks_of_any_size(
    world, tmp_path, monkeypatch
) -> None:
    _import(world, tmp_path)
    index = registry_adapters.donor_index()
    screen_services.resolve_pending(world["election"], index)
    whole = engine_rows(world["election"], index)
    monkeypatch.setattr(screen_services, "ROWS_CHUNK", 1)
    assert engine_rows(world["election"], index) == whole
    # A donor resolved to a person is linked by the register's address, however the
    # statement wrote (or left out) theirs.
    citizen = world["citizen"]
    mine = [d for d in whole[0] if d.donor == f"P:{citizen.pin}"]
    assert len(mine) == 2
    assert {d.address for d in mine} == {citizen.address.strip()}
