"""The screen's input checked before any flag is computed: a malformed record is refused with
its place (``donations.12.amount``, and the record's own ``line`` as the source), never
screened into a wrong flag — or into no flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from shailoo.common.problems import Problem

from .model import (
    CHANNELS,
    DONOR_KINDS,
    FUND_KINDS,
    RESOLUTIONS,
    Donation,
    Payment,
    ScreeningError,
    Transfer,
)

__all__ = ["MAX_PROBLEMS", "check_input"]

#: Problems collected before refusing: enough to fix a whole batch, never a flood.
MAX_PROBLEMS: Final = 100

_FUND_KINDS = frozenset(FUND_KINDS)
_CHANNELS = frozenset(CHANNELS)
_RESOLUTIONS = frozenset(RESOLUTIONS)
_DONOR_KINDS = frozenset(DONOR_KINDS)


def _is_day(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _is_money(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite() and value >= 0


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.fund_kinds: dict[str, str] = {}

    def add(self, where: str, why: str, source: str = "") -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(where, why, source=source))

    def fund(self, where: str, fund: object, kind: object, source: str) -> None:
        if not isinstance(fund, str) or not fund:
            self.add(f"{where}.fund", "must name the fund", source)
            return
        if kind not in _FUND_KINDS:
            self.add(f"{where}.fund_kind", f"must be one of {', '.join(FUND_KINDS)}", source)
            return
        seen = self.fund_kinds.setdefault(fund, str(kind))
        if seen != kind:
            self.add(f"{where}.fund_kind", f"fund {fund} is a {seen} fund elsewhere", source)


def _donation(check: _Checker, index: int, d: object, ids: set[int]) -> None:
    where = f"donations.{index}"
    if not isinstance(d, Donation):
        check.add(where, "must be a Donation")
        return
    source = d.line if isinstance(d.line, str) else ""
    if not _is_id(d.id):
        check.add(f"{where}.id", "must be a whole number", source)
    elif d.id in ids:
        check.add(f"{where}.id", f"donation {d.id} is given twice", source)
    else:
        ids.add(d.id)
    check.fund(where, d.fund, d.fund_kind, source)
    if not _is_day(d.day):
        check.add(f"{where}.day", "must be a date", source)
    if not _is_money(d.amount):
        check.add(f"{where}.amount", "must be a finite Decimal, zero or more", source)
    if not isinstance(d.credit, bool) or not isinstance(d.reversal, bool):
        check.add(f"{where}.credit", "credit and reversal must be true or false", source)
    if d.channel not in _CHANNELS:
        check.add(f"{where}.channel", f"must be one of {', '.join(CHANNELS)}", source)
    if d.resolution not in _RESOLUTIONS:
        check.add(f"{where}.resolution", f"must be one of {', '.join(RESOLUTIONS)}", source)
    if d.donor_kind not in _DONOR_KINDS:
        check.add(
            f"{where}.donor_kind", "must be person, entity, own_funds, party or empty", source
        )
    if not isinstance(d.donor, str):
        check.add(f"{where}.donor", "must be an identity key or empty", source)
    if d.at is not None and (not isinstance(d.at, datetime) or d.at.utcoffset() is None):
        check.add(f"{where}.at", "must be a moment with its time zone", source)


def _payment(check: _Checker, index: int, p: object, ids: set[int]) -> None:
    where = f"payments.{index}"
    if not isinstance(p, Payment):
        check.add(where, "must be a Payment")
        return
    source = p.line if isinstance(p.line, str) else ""
    if not _is_id(p.id):
        check.add(f"{where}.id", "must be a whole number", source)
    elif p.id in ids:
        check.add(f"{where}.id", f"payment {p.id} is given twice", source)
    else:
        ids.add(p.id)
    check.fund(where, p.fund, p.fund_kind, source)
    if not _is_day(p.day):
        check.add(f"{where}.day", "must be a date", source)
    if not _is_money(p.amount):
        check.add(f"{where}.amount", "must be a finite Decimal, zero or more", source)
    if not isinstance(p.purpose, str) or not isinstance(p.supplier, str):
        check.add(f"{where}.purpose", "purpose and supplier must be text", source)


def _transfer(check: _Checker, index: int, t: object) -> None:
    where = f"transfers.{index}"
    if not isinstance(t, Transfer):
        check.add(where, "must be a Transfer")
        return
    if not isinstance(t.payer, str) or not t.payer:
        check.add(f"{where}.payer", "must be an identity key")
    if not isinstance(t.payee, str) or not t.payee:
        check.add(f"{where}.payee", "must be an identity key")
    if not _is_day(t.day):
        check.add(f"{where}.day", "must be a date")
    if not _is_money(t.amount):
        check.add(f"{where}.amount", "must be a finite Decimal, zero or more")


def check_input(
    donations: Sequence[object], payments: Sequence[object], transfers: Sequence[object]
) -> None:
    """Refuse (:class:`ScreeningError`) with every problem found, up to :data:`MAX_PROBLEMS`."""
    check = _Checker()
    ids: set[int] = set()
    for index, d in enumerate(donations):
        _donation(check, index, d, ids)
    ids = set()
    for index, p in enumerate(payments):
        _payment(check, index, p, ids)
    for index, t in enumerate(transfers):
        _transfer(check, index, t)
    if check.problems:
        raise ScreeningError(
            message=f"the screen's input has {len(check.problems)} problem(s)"
            + (f" (the first {MAX_PROBLEMS} shown)" if len(check.problems) >= MAX_PROBLEMS else ""),
            problems=check.problems,
        )
