"""Ballot adjudication speaks in names: why a sheet waits (not ``marginal-mark``), which election,
ballot and contest (not ``jk-2025`` or ``d01``), which candidates a decision counted; the
codes stay only where staff cross-reference them (a ``title``, a muted ``<code>``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image
from test_counting_cvr_store import counting_world, first_contest, sheet_read

from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.counting import services
from shailoo.counting.labels import REASON_NAMES, reason_name
from shailoo.counting.models import ContestOption, ScannedSheet
from shailoo.counting.reads import Reason
from visible_text import visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path: Path, settings: object) -> dict[str, object]:
    settings.VAR_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    scans = tmp_path / "scans"
    scans.mkdir()
    Image.new("L", (170, 220), 255).save(scans / "M1.png")
    read = sheet_read(w.definition, station, "M1", {contest: {options[1]: 0.2}})
    services.record_scan(w.election, station, [read], scans, "cli")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(client, make_user("pec", Role.PEC_OPERATOR, station))
    return {
        "w": w,
        "sheet": ScannedSheet.objects.get(),
        "contest": contest,
        "options": options,
        "client": client,
    }


def test_every_reason_the_reader_gives_has_a_name() -> None:
    assert set(REASON_NAMES) == {r.value for r in Reason}
    with translation.override("en"):
        assert reason_name("marginal-mark") == "marginal mark"
        assert reason_name("qr-unreadable") == "the QR code cannot be read"
        assert reason_name("some-new-reason") == "some-new-reason"  # unknown: the code


def test_the_queue_names_reasons_election_and_ballot(world: dict[str, object]) -> None:
    client, sheet = world["client"], world["sheet"]
    assert isinstance(client, Client) and isinstance(sheet, ScannedSheet)
    html = client.get(reverse("counting:queue")).content.decode()
    text = visible(html)
    assert "marginal mark" in text and "marginal-mark" not in text
    assert 'title="marginal-mark"' in html  # the code stays for cross-reference
    assert sheet.election.name in text and "jk-2025" not in text
    title = sheet.style.contests.get().title_ru  # the ballot by its contest's title
    assert title in text and sheet.style.code not in text


def test_the_sheet_and_its_decisions_name_the_contest_and_the_candidates(
    world: dict[str, object],
) -> None:
    client, sheet = world["client"], world["sheet"]
    contest, options = world["contest"], world["options"]
    assert isinstance(client, Client) and isinstance(sheet, ScannedSheet)
    assert isinstance(contest, str) and isinstance(options, list)
    page = client.get(reverse("counting:sheet", args=[sheet.pk])).content.decode()
    text = visible(page)
    assert "marginal mark" in text and "marginal-mark" not in text
    assert f"<code>{contest}</code>" in page or f'<code class="muted">{contest}</code>' in page
    client.post(
        reverse("counting:decide", args=[sheet.pk]),
        {
            f"c-{contest}-contest": contest,
            f"c-{contest}-decision": "vote",
            f"c-{contest}-options": [options[1]],
            f"c-{contest}-reason": "a clear tick in the oval",
        },
    )
    chosen = ContestOption.objects.get(contest__code=contest, code=options[1])
    pages = {
        reverse("counting:queue"): 'id="recent-decisions"',
        reverse("counting:sheet", args=[sheet.pk]): 'id="decisions"',
    }
    for url, table in pages.items():
        decisions = visible(client.get(url).content.decode(), table, "</table>")
        assert chosen.name_ru in decisions, url
        assert options[1] not in decisions and f" {contest} " not in decisions, url
        assert chosen.contest.title_ru in decisions, url
