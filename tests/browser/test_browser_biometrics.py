"""What national staff do with the biometric deduplication queue in a real browser: open a
likely duplicate, compare the two records and the scores side by side (never a template),
decide with a reason; and what territorial staff and anonymous visitors are refused.

The pairs come from a real deduplication run over synthetic faces and fingerprints enrolled
through the biometrics service.
"""

from __future__ import annotations

import base64
import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from playwright.sync_api import Page, expect

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.biometrics import services as biometric_services
from shailoo.biometrics.dedup import services as dedup
from shailoo.biometrics.dedup.models import AdjudicationDecision, DuplicateCandidate
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.models import BiometricTemplate
from shailoo.register.pin import mask_pin
from shailoo.synth import embeddings
from shailoo.synth.fingerprints import impression, master_finger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = 77
PIN_LIKE = re.compile(r"\b\d{14}\b")


def ru(text: str) -> str:
    """``text`` as the Russian interface shows it (the tab asks for Russian)."""
    with translation.override("ru"):
        return translation.gettext(text)


def decimal(value: float, places: int) -> str:
    """``value`` as the Russian pages print it (a decimal comma)."""
    return f"{value:.{places}f}".replace(".", ",")


@pytest.fixture
def sign_in(page: Page, live_server: Any) -> Callable[[Any], None]:
    """Give the tab the session a password + TOTP login leaves (typing the login itself is
    covered by test_browser_flows)."""

    def as_user(user: Any) -> None:
        client = Client()
        login_verified(client, user)
        name = django_settings.SESSION_COOKIE_NAME
        cookie = {"name": name, "value": client.cookies[name].value, "url": live_server.url}
        page.context.add_cookies([cookie])  # type: ignore[list-item]

    return as_user


def _face(identity: int, session: int) -> EmbeddingTemplate:
    vector = embeddings.capture_of(embeddings.ISOTROPIC, SEED, identity, session)
    return EmbeddingTemplate("synth-face-512", vector)


def _fingers(identity: int, session: int) -> list[Any]:
    return [impression(master_finger(SEED, identity, pos), session) for pos in (2, 7)]


@pytest.fixture
def pairs(settings: Any, tmp_path: Path) -> dict[str, Any]:
    """Five enrolled voters: Aibek enrolled twice by face (as Aibek and as "Aidar"), Nurlan
    twice by fingerprints (as Nurlan and "Nurbek"), one stranger; a finished run queues the
    face pair and the fingerprint pair."""
    settings.DEDUP_DIR = tmp_path / "runs"
    settings.DEDUP_STRENGTH_THRESHOLD = 8.0
    f.election("kg-2025", datetime.date(2099, 3, 14))
    region = f.region("KG-Y")
    tec = f.tec(region, "TY")
    station = f.station(701, district_=f.district(region), tec_=tec)
    people = {
        "aibek": f.person(station, "Асанов", "Айбек", "Русланович", sex="M"),
        "aidar": f.person(station, "Асанов", "Айдар", "Русланович", sex="M"),
        "nurlan": f.person(station, "Токтогулов", "Нурлан", "", sex="M"),
        "nurbek": f.person(station, "Токтогулов", "Нурбек", "", sex="M"),
        "stranger": f.person(station, "Бекова", "Жылдыз", "Алмазовна"),
    }
    enrolments = {
        "aibek": [_face(0, 0)],
        "aidar": [_face(0, 1)],
        "nurlan": _fingers(10, 0),
        "nurbek": _fingers(10, 1),
        "stranger": [_face(1, 0)],
    }
    for who, templates in enrolments.items():
        biometric_services.enrol(people[who], templates, "test")
    dedup.start_run("cli", scheduler="synchronous")
    queued = {
        frozenset((c.person_a_id, c.person_b_id)): c for c in DuplicateCandidate.objects.all()
    }
    face_pair = queued.pop(frozenset((people["aibek"].pk, people["aidar"].pk)))
    finger_pair = queued.pop(frozenset((people["nurlan"].pk, people["nurbek"].pk)))
    assert not queued, "the stranger must not be queued"
    return {"people": people, "face": face_pair, "finger": finger_pair, "tec": tec}


def _template_fragments() -> list[str]:
    """Ways the stored template bytes could leak into a page: base64 and hex of each start."""
    fragments = []
    for template in BiometricTemplate.objects.all():
        data = bytes(template.data)
        fragments += [base64.b64encode(data[:24]).decode(), data[:16].hex()]
    return fragments


def _assert_no_biometric_data(page: Page) -> None:
    html = page.content()
    assert not PIN_LIKE.search(html), "no full PIN on the pair page"
    for fragment in _template_fragments():
        assert fragment not in html and fragment.upper() not in html
    expect(page.locator("main img, main canvas, main svg, main object")).to_have_count(0)
    assert "data:" not in html


def test_staff_compare_a_pair_side_by_side_and_decide_with_a_reason(
    page: Page, pairs: dict[str, Any], sign_in: Callable[[Any], None]
) -> None:
    people, face_pair = pairs["people"], pairs["face"]
    sign_in(make_user("cec", Role.CEC_MEMBER))
    page.goto("/staff/dedup/")
    queue = page.locator("#queue tbody tr")
    expect(queue).to_have_count(2)
    face_row = queue.filter(has_text="Айбек")
    expect(face_row).to_contain_text("Айдар")
    face_row.get_by_role("link", name=f"#{face_pair.pk}").click()
    expect(page).to_have_url(re.compile(rf"/staff/dedup/{face_pair.pk}/$"))

    side = page.locator("#side-by-side")
    expect(side).to_contain_text("Асанов Айбек Русланович")
    expect(side).to_contain_text("Асанов Айдар Русланович")
    expect(side).to_contain_text(mask_pin(people["aibek"].pin))
    expect(side).to_contain_text(mask_pin(people["aidar"].pin))
    expect(side).to_contain_text("№701")
    scores = page.locator("#scores")
    expect(scores.locator("dd").first).to_contain_text(decimal(face_pair.face_score, 4))
    _assert_no_biometric_data(page)

    form = page.locator("form.card")
    form.locator("input[name=outcome][value=same_person]").check()
    reason = form.locator("textarea[name=reason]")
    form.locator("button[type=submit]").click()  # no reason: the browser will not send it
    assert reason.evaluate("el => el.validity.valueMissing") is True
    reason.fill(" " * 12)  # long enough for the browser, empty to the server
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/staff/dedup/{face_pair.pk}/$"))
    expect(page.locator("ul.messages li.error")).to_be_visible()
    assert not AdjudicationDecision.objects.exists()

    form.locator("input[name=outcome][value=same_person]").check()
    form.locator("textarea[name=reason]").fill("Одно лицо, одна дата рождения, отчество.")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/dedup/$"))
    expect(page.locator("ul.messages li.success")).to_have_text(ru("Decision recorded."))
    expect(queue).to_have_count(1)
    expect(queue.first).to_contain_text("Нурлан")

    page.goto(f"/staff/dedup/{face_pair.pk}/")
    decided = page.locator("#decision")
    with translation.override("ru"):
        same = str(AdjudicationDecision.Outcome.SAME_PERSON.label)
    expect(decided).to_contain_text(same)
    expect(decided).to_contain_text("cec")
    expect(page.get_by_text("Одно лицо, одна дата рождения")).to_be_visible()
    expect(page.locator("form.card")).to_have_count(0)  # decided once, for good
    decision = AdjudicationDecision.objects.get()
    assert decision.outcome == "same_person" and decision.candidate_id == face_pair.pk


def test_staff_see_finger_scores_and_decide_different_persons(
    page: Page, pairs: dict[str, Any], sign_in: Callable[[Any], None]
) -> None:
    finger_pair = pairs["finger"]
    sign_in(make_user("cec", Role.CEC_MEMBER))
    page.goto(f"/staff/dedup/{finger_pair.pk}/")
    fingers = page.locator("#fingers tbody tr")
    expect(fingers).to_have_count(2)
    expect(fingers.nth(0).locator("td").first).to_have_text("2")
    expect(fingers.nth(1).locator("td").first).to_have_text("7")
    expect(page.locator("#scores")).to_contain_text(decimal(finger_pair.fused_strength, 2))
    _assert_no_biometric_data(page)

    page.locator("input[name=outcome][value=different_persons]").check()
    page.locator("textarea[name=reason]").fill("Близнецы: разные даты выдачи паспорта.")
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/dedup/$"))
    expect(page.locator("#queue tbody tr")).to_have_count(1)  # the face pair is left
    page.goto(f"/staff/dedup/{finger_pair.pk}/")
    with translation.override("ru"):
        different = str(AdjudicationDecision.Outcome.DIFFERENT_PERSONS.label)
    expect(page.locator("#decision")).to_contain_text(different)
    expect(page.get_by_text("Близнецы")).to_be_visible()


def test_territorial_staff_and_anonymous_visitors_are_refused(
    page: Page, pairs: dict[str, Any], sign_in: Callable[[Any], None]
) -> None:
    pair_url = f"/staff/dedup/{pairs['face'].pk}/"
    for url in ("/staff/dedup/", pair_url):
        page.goto(url)
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

    sign_in(make_user("tec", Role.TEC_OPERATOR, pairs["tec"]))
    for url in ("/staff/dedup/", pair_url):
        response = page.goto(url)
        assert response is not None and response.status == 403, url
        expect(page.locator("body")).not_to_contain_text("Айбек")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    forged = page.request.post(
        f"{pair_url}decide/",
        form={"outcome": "same_person", "reason": "Trying from a TEC account."},
        headers={"X-CSRFToken": token},
        max_redirects=0,
    )
    assert forged.status == 403
    assert not AdjudicationDecision.objects.exists()
