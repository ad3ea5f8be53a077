"""The auditors' workspace names what the screens record by code: each item of a flag's
evidence (not ``counterparty_name``), the coded values in it (how the donor was identified,
the prohibited source a donor falls under: not ``name_match`` or ``civil_servant``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.finance.forms import EVIDENCE_LABELS, SOURCE_CATEGORY_LABELS
from shailoo.finance.models import Flag
from visible_text import visible

from .test_finance_pages import funded  # noqa: F401 (the fixture is used by name)
from .test_finance_services import world  # noqa: F401 (the fixture is used by name)

pytestmark = pytest.mark.django_db


def test_a_flag_s_evidence_is_named_item_by_item(funded: dict[str, Any]) -> None:  # noqa: F811
    flag = Flag.objects.filter(kind="prohibited_source").first()
    assert flag is not None and "categories" in flag.evidence
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(client, make_user("auditor", Role.FINANCE_AUDITOR))
    html = client.get(reverse("finance:flag", args=[flag.pk])).content.decode()
    evidence = visible(html, 'id="evidence"', "</table>")
    with translation.override("en"):
        for key in flag.evidence:
            assert str(EVIDENCE_LABELS[key]) in evidence, key
        for category in flag.evidence["categories"]:
            assert str(SOURCE_CATEGORY_LABELS[category]) in evidence
    for key in flag.evidence:
        if "_" in key:
            assert key not in evidence, key
        assert f'data-key="{key}"' in html  # the code stays for scripts and tests
    for category in flag.evidence["categories"]:
        assert category not in evidence
    assert flag.evidence["resolution"] not in evidence.split()


def test_every_prohibited_source_of_every_edition_has_a_name() -> None:
    from shailoo.law.loader import available_editions, load_edition

    for edition in available_editions():
        sources = load_edition(edition).finance.prohibited_sources.value
        assert set(sources) <= set(SOURCE_CATEGORY_LABELS), edition
