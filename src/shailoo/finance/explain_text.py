"""A finance flag explained in the reader's language, at display time.

The screen (``finance.screening``) stores each flag's kind and structured evidence beside an
English summary for logs and the command line. A page does not show that summary: it writes
the explanation here from the kind and the evidence, with amounts and dates in the reader's
notation (``3 300 000,00`` in Kyrgyz and Russian) and the law cited in the reader's language
from the edition's own titles (``ст. 41(3)``... , ``41-берененин 3-бөлүгү``...). A flag whose
evidence lacks what its sentence needs is named by its kind alone, never by the English text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shailoo.common.localized import reader_language
from shailoo.common.refusals import Refusal
from shailoo.finance.forms import (
    EVIDENCE_VALUE_LABELS,
    KIND_LABELS,
    PURPOSE_LABELS,
    SOURCE_CATEGORY_LABELS,
    label,
)
from shailoo.finance.models import Flag
from shailoo.law.loader import load_edition
from shailoo.law.schema import Lang, localize_cite

#: The donor's kind after a name (``caps``: the limit differs by kind).
DONOR_KIND_LABELS: dict[str, Any] = {
    "person": _("a person"),
    "entity": _("a legal entity"),
    "own_funds": _("the candidate's own funds"),
    "party": _("the nominating party"),
}
#: Why a donation is anonymous (``origin.anonymous``'s ``reason``), by the engine's words.
ANONYMOUS_REASONS: dict[str, Any] = {
    "the resolution found it anonymous": _("the bank entry names nobody the register knows"),
    "the entry names no payer and no account": _("the entry names no payer and no account"),
}
#: Why money is foreign (``origin.foreign_account``'s ``reasons``: ``account in RU``).
_WHERE = re.compile(r"^(account|bank) in ([A-Z]{2})$")


def money(value: Any) -> str:
    """An amount in som the reader's way, with kopeks when it has any (``3 300 000,00``)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = 0 if amount == amount.to_integral_value() and "." not in str(value) else 2
    return str(formats.number_format(amount, places, use_l10n=True, force_grouping=True))


def share(value: Any) -> str:
    """A share (``0.7``) as a percentage the reader's way (``70 %``)."""
    try:
        percent = Decimal(str(value)) * 100
    except (InvalidOperation, ValueError):
        return str(value)
    places = 0 if percent == percent.to_integral_value() else 1
    return f"{formats.number_format(percent, places, use_l10n=True)} %"


def day(value: Any) -> str:
    """An ISO date in the reader's short form (``12.02.2027``)."""
    try:
        return str(formats.date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT"))
    except ValueError:
        return str(value)


def _lang() -> Lang:
    return cast(Lang, reader_language())


def citation_text(english: str, edition: str, lang: Lang | None = None) -> str:
    """A citation stored in English (``Art. 41(3), Constitutional Law No. 68 ...``) in the
    reader's language, from the edition's own title of the act; as stored when the edition
    does not name that act (or cannot be read)."""
    lang = lang or _lang()
    text = " ".join(english.split())
    if not text or lang == "en":
        return text
    try:
        sources = load_edition(edition).meta.sources
    except (Refusal, OSError):  # an unreadable edition leaves the citation as stored
        return text
    for source in sources:
        title = " ".join(source.title.en.split())
        if text.endswith(f", {title}"):
            cite = text[: -len(title) - 2]
            return f"{localize_cite(cite, lang)}, {' '.join(source.title.get(lang).split())}"
    return text


def flag_citation(flag: Flag, lang: Lang | None = None) -> str:
    """The law a flag applies, in the reader's language."""
    return citation_text(flag.citation, flag.fund.election.law_edition, lang)


def _donor(flag: Flag, evidence: Mapping[str, Any]) -> str:
    name = str(evidence.get("counterparty_name") or evidence.get("registry_name") or "")
    if not name and flag.donor is not None:
        name = flag.donor.name
    return name or gettext("a donor not named")


def _categories(evidence: Mapping[str, Any]) -> str:
    return ", ".join(label(SOURCE_CATEGORY_LABELS, str(c)) for c in evidence.get("categories", []))


def _where(evidence: Mapping[str, Any]) -> str:
    parts = []
    for reason in evidence.get("reasons", []):
        match = _WHERE.match(str(reason))
        if match and match[1] == "account":
            parts.append(gettext("account in %(country)s") % {"country": match[2]})
        elif match:
            parts.append(gettext("bank in %(country)s") % {"country": match[2]})
    return ", ".join(parts)


def _sentence(flag: Flag, e: Mapping[str, Any]) -> str:
    """The explanation of ``flag`` from its evidence (KeyError: the evidence lacks a part)."""
    kind = flag.kind
    base = {
        "donor": _donor(flag, e),
        "fund": e.get("fund", flag.fund.account),
        "amount": money(e.get("amount", flag.amount)),
        "day": day(e["day"]) if "day" in e else "",
    }
    if kind == "prohibited_source":
        return gettext(
            "%(donor)s gave %(amount)s som to fund %(fund)s on %(day)s, but is a source the "
            "law forbids: %(categories)s."
        ) % {**base, "categories": _categories(e)}
    if kind == "foreign_participation":
        text = (
            gettext(
                "%(donor)s gave %(amount)s som to fund %(fund)s on %(day)s; foreign owners "
                "hold %(share)s of it through intermediaries they control, and the law forbids "
                "donations from legal entities with foreign participants."
            )
            if e.get("rule") == "look_through"
            else gettext(
                "%(donor)s gave %(amount)s som to fund %(fund)s on %(day)s; foreign "
                "participants hold %(share)s of it directly, and the law forbids donations "
                "from legal entities with foreign participants."
            )
        )
        key = "effective_share" if e.get("rule") == "look_through" else "direct_share"
        return text % {**base, "share": share(e[key])}
    if kind == "foreign_account":
        return gettext(
            "%(donor)s gave %(amount)s som to fund %(fund)s on %(day)s from abroad "
            "(%(where)s); money from a foreign account or bank may come from a prohibited "
            "foreign source."
        ) % {**base, "where": _where(e) or "—"}
    if kind == "foreign_currency":
        return gettext(
            "%(donor)s gave %(amount)s som to fund %(fund)s on %(day)s in %(currencies)s "
            "rather than %(law_currency)s; money in a foreign currency is a sign of foreign "
            "origin."
        ) % {
            **base,
            "currencies": ", ".join(str(c) for c in e["other_currencies"]),
            "law_currency": e["law_currency"],
        }
    if kind == "anonymous":
        return gettext(
            "An anonymous donation of %(amount)s som reached fund %(fund)s on %(day)s "
            "(%(why)s); the law forbids anonymous donations."
        ) % {**base, "why": label(ANONYMOUS_REASONS, str(e.get("reason", "")))}
    if kind == "cash":
        return (
            gettext(
                "%(donor)s gave %(amount)s som in cash to fund %(fund)s on %(day)s; the law "
                "admits money to a fund only through its special account."
            )
            % base
        )
    if kind == "over_donor_cap":
        return gettext(
            "%(donor)s (%(donor_kind)s) gave fund %(fund)s %(total)s som in %(count)s "
            "donations, over the limit of %(cap)s som by %(excess)s som."
        ) % {
            **base,
            "donor_kind": label(DONOR_KIND_LABELS, str(e.get("donor_kind", ""))),
            "total": money(e["total"]),
            "count": formats.number_format(int(e["donation_count"]), use_l10n=True),
            "cap": money(e["cap"]),
            "excess": money(e["excess"]),
        }
    if kind == "over_fund_cap":
        text = (
            gettext(
                "Fund %(fund)s spent %(total)s som, over its spending limit of %(cap)s som "
                "by %(excess)s som."
            )
            if e.get("what") == "spending"
            else gettext(
                "Fund %(fund)s received %(total)s som, over its limit of %(cap)s som by "
                "%(excess)s som."
            )
        )
        return text % {
            **base,
            "total": money(e["total"]),
            "cap": money(e["cap"]),
            "excess": money(e["excess"]),
        }
    if kind == "structuring":
        names = [str(t).rsplit(": ", 1)[0] for t in e.get("donor_totals", [])]
        how = label(EVIDENCE_VALUE_LABELS["pattern"], str(e.get("pattern", "")))
        return gettext(
            "%(n)s donors (%(names)s) gave fund %(fund)s %(total)s som between %(first)s and "
            "%(last)s — %(how)s: a sign of one donation split among several names."
        ) % {
            **base,
            "n": len(e["donors"]),
            "names": ", ".join(names) or "—",
            "total": money(e["window_total"]),
            "first": day(e["window_first_day"]),
            "last": day(e["window_last_day"]),
            "how": how,
        }
    if kind == "conduit":
        return gettext(
            "%(donor)s gave %(amount)s som to fund %(fund)s on %(day)s after receiving "
            "%(received)s som from a prohibited source in the %(days)s days before: the donor "
            "may be passing that money on."
        ) % {**base, "received": money(e["received_total"]), "days": e["conduit_days"]}
    if kind == "foreign_supplier":
        return gettext(
            "Fund %(fund)s paid %(supplier)s %(amount)s som for %(purpose)s on %(day)s, but "
            "the supplier is foreign; the law forbids foreign participation in informing and "
            "campaigning."
        ) % {
            **base,
            "supplier": e.get("supplier_name") or e.get("supplier") or "—",
            "purpose": label(PURPOSE_LABELS, str(e.get("purpose", "other"))).lower(),
        }
    raise KeyError(kind)


def explain(flag: Flag) -> str:
    """What the flag says, in the reader's language (its kind's name when the evidence does
    not hold what the sentence needs)."""
    try:
        return _sentence(flag, flag.evidence or {})
    except (KeyError, TypeError, ValueError):
        return label(KIND_LABELS, flag.kind)


def evidence_value(key: str, value: Any) -> str | None:
    """An evidence value the reader's way where its key says what it is (None: not known
    here, the page writes it as it is)."""
    if key in AMOUNT_KEYS and isinstance(value, str | int | float):
        return money(value)
    if key in SHARE_KEYS and isinstance(value, str | int | float):
        return share(value)
    if key in DAY_KEYS and isinstance(value, str):
        return day(value)
    if key == "reason" and isinstance(value, str) and value in ANONYMOUS_REASONS:
        return str(ANONYMOUS_REASONS[value])
    if key == "donor_kind" and isinstance(value, str) and value in DONOR_KIND_LABELS:
        return str(DONOR_KIND_LABELS[value])
    if key == "reasons" and isinstance(value, list) and value:
        where = _where({"reasons": value})
        return where if where and where.count(",") == len(value) - 1 else None
    return None


AMOUNT_KEYS = frozenset(
    {"amount", "amount_each", "cap", "total", "excess", "received_total", "window_total"}
)
SHARE_KEYS = frozenset(
    {
        "direct_share",
        "effective_share",
        "min_share",
        "look_through_control_share",
        "near_cap_share",
        "substantial_share",
        "received_share",
        "burst_min_share",
        "conduit_min_share",
    }
)
DAY_KEYS = frozenset({"day", "crossing_day", "window_first_day", "window_last_day"})


def notice(flag: Flag, lang: Lang) -> str:
    """The notice to the fund's owner in ``lang`` (``review_services.notice_text``) with the
    flag explained and the law cited in that language, not in the screen's English."""
    from django.utils import translation

    from shailoo.finance.review_services import notice_text

    text = notice_text(flag, lang)
    with translation.override(lang):
        explained = explain(flag)
    if flag.summary:
        text = text.replace(flag.summary, explained)
    if flag.citation:
        text = text.replace(flag.citation, flag_citation(flag, lang))
    return text
