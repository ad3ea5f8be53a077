"""Finance flags explained in the reader's language: no English summary, no bare code, amounts
in the reader's notation, the law cited from the edition's own titles."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from shailoo.finance.explain_text import citation_text, evidence_value, explain, money

ENGLISH = (
    "Art. 41(3), Constitutional Law No. 68 of 2 July 2011 “On elections of the President and "
    "deputies of the Jogorku Kenesh of the Kyrgyz Republic” (as amended in June 2025)"
)


def flag(kind: str, **evidence: Any) -> Any:
    fund = SimpleNamespace(account="1290144442925583", currency="KGS")
    return SimpleNamespace(kind=kind, evidence=evidence, fund=fund, donor=None, amount="0")


def test_a_citation_reads_in_russian_and_kyrgyz_from_the_editions_titles() -> None:
    ru = citation_text(ENGLISH, "kg-2025", "ru")
    ky = citation_text(ENGLISH, "kg-2025", "ky")
    assert ru.startswith("ч. 3 ст. 41, Конституционный закон") and "Kyrgyz" not in ru
    assert ky.startswith("41-берененин 3-бөлүгү") and "Constitutional" not in ky
    assert citation_text(ENGLISH, "kg-2025", "en") == " ".join(ENGLISH.split())
    unknown = "Art. 5, Some other act"
    assert citation_text(unknown, "kg-2025", "ru") == unknown, "an act the edition lacks"
    assert citation_text(ENGLISH, "no-such-edition", "ru") == " ".join(ENGLISH.split())


@pytest.mark.parametrize(
    ("lang", "expected"), [("ru", "3\xa0300\xa0000,00"), ("en", "3,300,000.00")]
)
def test_amounts_are_written_the_readers_way(lang: str, expected: str) -> None:
    with translation.override(lang):
        assert money("3300000.00") == expected
        assert money(200000) == ("200\xa0000" if lang == "ru" else "200,000"), "no kopeks when none"


def test_a_prohibited_source_is_explained_with_its_category_named() -> None:
    f = flag(
        "foreign_supplier",
        fund="1290144442925583",
        day="2027-03-06",
        amount="250000.00",
        purpose="printing",
        supplier_name="ОсОО «Восток Принт»",
    )
    with translation.override("en"):
        text = explain(f)
    assert "250,000.00 som" in text and "ОсОО «Восток Принт»" in text and "printing" in text
    g = flag(
        "prohibited_source",
        fund="1",
        day="2027-02-12",
        amount="120000.00",
        counterparty_name="Филиал «Hansa Invest GmbH»",
        categories=["foreign_branch"],
    )
    with translation.override("en"):
        text = explain(g)
    assert "foreign_branch" not in text and "branch or office of a foreign legal entity" in text


def test_evidence_without_what_the_sentence_needs_names_the_kind() -> None:
    with translation.override("en"):
        assert explain(flag("over_donor_cap", fund="1")) == "Donation over the donor's limit"
        assert explain(flag("structuring")) == "Donation split among several donors"


def test_evidence_values_are_named_or_left_alone() -> None:
    with translation.override("en"):
        assert evidence_value("effective_share", "0.7") == "70 %"
        assert evidence_value("day", "2027-02-12") == "2027-02-12"
    with translation.override("ru"):
        assert evidence_value("day", "2027-02-12") == "12.02.2027"
        assert evidence_value("amount", "45000.00") == "45\xa0000,00"
    with translation.override("en"):
        assert evidence_value("reasons", ["account in RU", "bank in RU"]) == (
            "account in RU, bank in RU"
        )
        assert evidence_value("reasons", ["something else"]) is None
        assert evidence_value("donor", "P:1") is None
