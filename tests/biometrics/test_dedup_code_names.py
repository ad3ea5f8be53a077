"""The deduplication pages speak plainly: a verdict first, in words, with the figures one click
away; finger positions, statuses and outcomes by name, never by code."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.biometrics.dedup.models import DedupRun, DuplicateCandidate

pytestmark = pytest.mark.django_db

SAME = {
    "face": 0.7837,
    "face_strength": 7.02,
    "fingers": {"2": 0.1431, "7": 0.2171},
    "finger_strengths": {"2": 10.41, "7": 11.71},
    "lsh_votes": 0,
    "fused": 25.78,
}
UNCLEAR = {
    "face": None,
    "face_strength": None,
    "fingers": {"1": 0.05, "2": 0.21, "7": 0.06},
    "finger_strengths": {"1": 1.2, "2": 11.9, "7": 2.3},
    "lsh_votes": 41,
    "fused": 11.4,
}


def _pair(run: DedupRun, station: Any, evidence: dict[str, Any], n: int) -> DuplicateCandidate:
    a = f.person(station, given_name=f"Айбек{n}")
    b = f.person(station, given_name=f"Айдар{n}")
    first, second = sorted((a, b), key=lambda p: p.pk)
    return DuplicateCandidate.objects.create(
        run=run,
        person_a=first,
        person_b=second,
        face_score=evidence["face"],
        fused_strength=evidence["fused"],
        evidence=evidence,
    )


@pytest.fixture
def pairs() -> dict[str, Any]:
    station = f.station(701)
    run = DedupRun.objects.create(
        actor="cli",
        status=DedupRun.Status.FINISHED,
        config={"thresholds": {"face": 0.5, "strength": 11.0}},
    )
    return {"same": _pair(run, station, SAME, 1), "unclear": _pair(run, station, UNCLEAR, 2)}


def _visible(html: str) -> str:
    """The page's text as a reader sees it, without <code> and attribute values."""
    html = re.sub(r"<(code|script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _client(lang: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    login_verified(client, make_user("cec", Role.CEC_MEMBER))
    return client


def test_the_pair_page_says_the_verdict_first_and_keeps_the_figures_one_click_away(
    pairs: dict[str, Any],
) -> None:
    page = _client().get(reverse("biometrics_dedup:candidate", args=[pairs["same"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    verdict = html.index('id="verdict"')
    figures = html.index('<details id="figures"')
    assert verdict < figures, "the verdict comes before the figures"
    assert 'data-level="same"' in html[verdict:figures]
    said = _visible(html[verdict:figures])
    assert "Likely the same person — 2 of 2 fingers and the face agree" in said
    assert "Right index finger: agrees" in said and "Left index finger: agrees" in said
    # the cosines and -log10 FMR figures live only behind "Show the figures"
    assert "0.7837" not in said and "25.78" not in said
    inside = html[figures : html.index("</details>", figures)]
    assert "Show the figures" in inside
    assert "0.7837" in inside and "25.78" in inside and "10.41" in inside
    assert "right index finger" in _visible(inside)


def test_an_unclear_pair_says_which_fingers_disagree_and_what_to_do(
    pairs: dict[str, Any],
) -> None:
    page = _client().get(reverse("biometrics_dedup:candidate", args=[pairs["unclear"].pk]))
    said = _visible(page.content.decode())
    assert "Unclear — 1 of 3 fingers agree" in said
    assert "Right thumb: disagrees" in said and "Right index finger: agrees" in said
    assert "Compare the records side by side" in said


def test_the_queue_names_each_pair_s_verdict_and_the_runs_status(pairs: dict[str, Any]) -> None:
    html = _client().get(reverse("biometrics_dedup:queue")).content.decode()
    rows = re.findall(r'<tr data-level="(\w+)">(.*?)</tr>', html, flags=re.S)
    assert {level for level, _ in rows} == {"same", "unclear"}
    text = _visible(html)
    assert "Likely the same person" in text and "Unclear" in text
    assert "finished" in text and "cosine" not in text.lower()


def test_no_raw_code_of_a_decided_pair(pairs: dict[str, Any]) -> None:
    from shailoo.biometrics.dedup import services

    user = make_user("decider", Role.CEC_MEMBER)
    services.adjudicate(pairs["same"], "same_person", "One face, two names, one birth.", user)
    text = _visible(
        _client("en")
        .get(reverse("biometrics_dedup:candidate", args=[pairs["same"].pk]))
        .content.decode()
    )
    assert "same person (duplicate enrolment)" in text
    assert "same_person" not in text
