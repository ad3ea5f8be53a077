"""Election funds: opening one at a designated bank, for a registered candidate or a party."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.candidates.models import Candidate, Party
from shailoo.common.actors import actor_name
from shailoo.common.refusals import Conflict, InvalidInput, Refusal
from shailoo.elections.models import Election
from shailoo.finance.models import DesignatedBank, Fund
from shailoo.integrity import ledger
from shailoo.law.loader import load_edition

FUND_OPENED = "finance.fund_opened"
BANK_DESIGNATED = "finance.bank_designated"
MAX_ACCOUNT = 40


def designate_bank(actor: Any, bic: str, name: str, on: date, decision: str = "") -> DesignatedBank:
    """Record the CEC's decision that a bank may hold election funds."""
    require(actor, Permission.FINANCE_IMPORT)
    bic = bic.strip().upper()
    if len(bic) not in (8, 11) or not bic.isalnum():
        raise InvalidInput("bad_bic", gettext("A BIC has 8 or 11 letters and digits."))
    with transaction.atomic():
        bank, _ = DesignatedBank.objects.update_or_create(
            bic=bic, defaults={"name": name[:200], "designated_on": on, "decision": decision[:120]}
        )
        ledger.record(
            BANK_DESIGNATED,
            actor=actor_name(actor),
            subject=ledger.ref(bank),
            data={"bic": bic, "on": on.isoformat(), "decision": decision[:120]},
        )
    return bank


def open_fund(
    actor: Any,
    *,
    election: Election,
    account: str,
    opened_on: date,
    candidate: Candidate | None = None,
    party: Party | None = None,
    bank_bic: str = "",
    bank_name: str = "",
) -> Fund:
    """Open the special account of a candidate (or of a party) for ``election``.

    The law's edition says whether only designated banks may hold funds; then the bank must
    be one the CEC designated, else the fund is refused with the article.
    """
    require(actor, Permission.FINANCE_IMPORT)
    account = account.strip().replace(" ", "")
    if not account or len(account) > MAX_ACCOUNT or not account.isalnum():
        raise InvalidInput(
            "bad_account",
            gettext("An account is 1 to 40 letters and digits."),
            problems=[("account", gettext("1 to 40 letters and digits"))],
        )
    if (candidate is None) == (party is None):
        raise InvalidInput("fund_owner", gettext("A fund belongs to one candidate or one party."))
    law = load_edition(election.law_edition).finance
    bic = bank_bic.strip().upper()
    if law.designated_banks_only.value and not DesignatedBank.objects.filter(bic=bic).exists():
        raise Refusal(
            "bank_not_designated",
            gettext("The bank %(bic)s is not designated to hold election funds.")
            % {"bic": bic or "?"},
            citation=law.designated_banks_only.citation,
        )
    if Fund.objects.filter(account=account).exists():
        raise Conflict("fund_exists", gettext("A fund already has this account."))
    with transaction.atomic():
        fund = Fund.objects.create(
            election=election,
            kind=Fund.Kind.CANDIDATE if candidate is not None else Fund.Kind.PARTY,
            candidate=candidate,
            party=party,
            account=account,
            bank_bic=bic,
            bank_name=bank_name[:200],
            currency=law.currency.value,
            opened_on=opened_on,
        )
        ledger.record(
            FUND_OPENED,
            actor=actor_name(actor),
            subject=ledger.ref(fund),
            data={
                "election": election.code,
                "kind": fund.kind,
                "owner": candidate.ref if candidate is not None else party.code,  # type: ignore[union-attr]
                "account": account,
                "bank": bic,
                "opened_on": opened_on.isoformat(),
            },
        )
    return fund
