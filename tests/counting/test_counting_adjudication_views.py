"""Adjudication pages: permission and scope, the permission-checked image, the decision.

This module is also its own URLconf (the site's URLs plus ``staff/counting/``, as the lead
will wire them), so the pages are tested before ``shailoo/urls.py`` includes them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import include, path, reverse
from PIL import Image
from test_counting_cvr_store import World, counting_world, first_contest, sheet_read

from shailoo.accounts.roles import PAGES, Permission, Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.counting import services
from shailoo.counting.models import Adjudication, BallotStyle, Contest, ScannedSheet
from shailoo.integrity.models import LedgerEntry
from shailoo.urls import urlpatterns as site

urlpatterns = [path("staff/counting/", include("shailoo.counting.urls")), *site]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("test_counting_adjudication_views"),
]


@pytest.fixture
def world(tmp_path: Path, settings: object) -> tuple[World, ScannedSheet, str, list[str]]:
    settings.VAR_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    scans = tmp_path / "scans"
    scans.mkdir()
    Image.new("L", (170, 220), 255).save(scans / "M1.png")
    read = sheet_read(w.definition, station, "M1", {contest: {options[1]: 0.2}})
    services.record_scan(w.election, station, [read], scans, "cli")
    return w, ScannedSheet.objects.get(), contest, options


def _client(user: object) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_pages_are_in_the_permission_matrix() -> None:
    for name in ("queue", "sheet", "decide", "sheet_image"):
        assert PAGES[f"counting:{name}"] is Permission.BALLOT_ADJUDICATE


def test_anonymous_is_sent_to_login(world: tuple[World, ScannedSheet, str, list[str]]) -> None:
    _, sheet, _, _ = world
    for url in (
        reverse("counting:queue"),
        reverse("counting:sheet", args=[sheet.pk]),
        reverse("counting:sheet_image", args=[sheet.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_queue_lists_only_the_users_territory(
    world: tuple[World, ScannedSheet, str, list[str]],
) -> None:
    w, sheet, _, _ = world
    own = _client(make_user("pec-a", Role.PEC_OPERATOR, w.stations[0]))
    page = own.get(reverse("counting:queue"))
    assert page.status_code == 200 and sheet.serial in page.content.decode()
    other = _client(make_user("pec-b", Role.PEC_OPERATOR, w.stations[2]))
    page = other.get(reverse("counting:queue"))
    # The sheets on the page, not the whole HTML (a random CSRF token may hold "M1").
    listed = {s.serial for s in page.context["page"].object_list}
    assert page.status_code == 200 and sheet.serial not in listed
    no_role = _client(make_user("member", Role.CEC_MEMBER))
    assert no_role.get(reverse("counting:queue")).status_code == 403


def test_operator_of_another_station_cannot_open_see_or_decide(
    world: tuple[World, ScannedSheet, str, list[str]],
) -> None:
    w, sheet, contest, _ = world
    other = _client(make_user("pec-b", Role.PEC_OPERATOR, w.stations[2]))
    assert other.get(reverse("counting:sheet", args=[sheet.pk])).status_code == 403
    assert other.get(reverse("counting:sheet_image", args=[sheet.pk])).status_code == 403
    post = other.post(
        reverse("counting:decide", args=[sheet.pk]),
        {f"c-{contest}-contest": contest, f"c-{contest}-decision": "blank",
         f"c-{contest}-reason": "no"},
    )  # fmt: skip
    assert post.status_code == 403
    assert not Adjudication.objects.exists()
    assert other.get(reverse("counting:sheet", args=[999999])).status_code == 404


def test_sheet_page_shows_fills_reason_and_image(
    world: tuple[World, ScannedSheet, str, list[str]],
) -> None:
    w, sheet, contest, options = world
    tec = _client(make_user("tec-a", Role.TEC_OPERATOR, w.tec_a))
    page = tec.get(reverse("counting:sheet", args=[sheet.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "marginal-mark" in html and 'value="0.200"' in html and f'value="{options[1]}"' in html
    assert reverse("counting:sheet_image", args=[sheet.pk]) in html
    assert "<script" not in html.split("</head>")[1] and 'style="' not in html
    image = tec.get(reverse("counting:sheet_image", args=[sheet.pk]) + f"?contest={contest}")
    assert image.status_code == 200 and image["Cache-Control"] == "private, no-store"
    body = b"".join(image.streaming_content) if image.streaming else image.content
    assert Image.open(io.BytesIO(body)).size == (170, 220)


def test_decision_is_recorded_with_who_and_why(
    world: tuple[World, ScannedSheet, str, list[str]],
) -> None:
    w, sheet, contest, options = world
    user = make_user("pec-a", Role.PEC_OPERATOR, w.stations[0])
    client = _client(user)
    url = reverse("counting:decide", args=[sheet.pk])
    missing_reason = client.post(
        url, {f"c-{contest}-contest": contest, f"c-{contest}-decision": "vote",
              f"c-{contest}-options": [options[1]]},
    )  # fmt: skip
    assert missing_reason.status_code == 400 and not Adjudication.objects.exists()
    before = LedgerEntry.objects.count()
    done = client.post(
        url, {f"c-{contest}-contest": contest, f"c-{contest}-decision": "vote",
              f"c-{contest}-options": [options[1]], f"c-{contest}-reason": "clear tick"},
    )  # fmt: skip
    assert done.status_code == 302 and done["Location"] == reverse("counting:queue")
    decision = Adjudication.objects.get()
    assert decision.decided_by == user and decision.reason == "clear tick"
    assert decision.votes == [options[1]]
    assert LedgerEntry.objects.count() == before + 1
    assert (
        LedgerEntry.objects.get(sequence=decision.ledger_sequence).kind == "counting.adjudication"
    )
    sheet.refresh_from_db()
    assert sheet.state == ScannedSheet.State.DECIDED
    assert services.automatic_count(w.election, sheet.station)[contest][options[1]] == 1
    page = client.get(reverse("counting:sheet", args=[sheet.pk])).content.decode()
    assert "clear tick" in page and "pec-a" in page


def test_sheet_can_be_declared_invalid(world: tuple[World, ScannedSheet, str, list[str]]) -> None:
    w, sheet, _, _ = world
    client = _client(make_user("tec-a", Role.TEC_OPERATOR, w.tec_a))
    url = reverse("counting:decide", args=[sheet.pk])
    assert client.post(url, {"sheet-reason": ""}).status_code == 400
    assert client.post(url, {"sheet-reason": "ballot of 2021"}).status_code == 302
    sheet.refresh_from_db()
    assert sheet.state == ScannedSheet.State.INVALID
    assert Adjudication.objects.get().decision == "sheet-invalid"


def test_image_without_file_is_404(world: tuple[World, ScannedSheet, str, list[str]]) -> None:
    w, sheet, _, _ = world
    ScannedSheet.objects.filter(pk=sheet.pk).update(image_path="")
    client = _client(make_user("tec-a", Role.TEC_OPERATOR, w.tec_a))
    assert client.get(reverse("counting:sheet_image", args=[sheet.pk])).status_code == 404
    ScannedSheet.objects.filter(pk=sheet.pk).update(image_path="../../etc/passwd")
    assert client.get(reverse("counting:sheet_image", args=[sheet.pk])).status_code == 404


def test_admin_lists_are_read_only_for_the_cec_admin(
    world: tuple[World, ScannedSheet, str, list[str]],
) -> None:
    w, sheet, _, _ = world
    user = make_user("staff", Role.CEC_ADMIN)
    user.is_staff = True
    user.save()
    client = _client(user)
    for model in ("definition", "contest", "contestoption", "ballotstyle", "scannedsheet"):
        page = client.get(reverse(f"admin:counting_{model}_changelist"))
        assert page.status_code == 200, model
    change = client.get(reverse("admin:counting_scannedsheet_change", args=[sheet.pk]))
    assert change.status_code == 200 and "M1" in change.content.decode()
    assert client.get(reverse("admin:counting_scannedsheet_add")).status_code == 403
    assert client.get(reverse("admin:counting_adjudication_changelist")).status_code == 200
    contest = Contest.objects.filter(election=w.election).first()
    style = BallotStyle.objects.filter(election=w.election).first()
    assert contest is not None and style is not None
    for name, pk in (("contest", contest.pk), ("ballotstyle", style.pk)):
        assert client.get(reverse(f"admin:counting_{name}_change", args=[pk])).status_code == 200


def test_image_frames_the_contest_the_engine_locates(
    world: tuple[World, ScannedSheet, str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shailoo.counting import views

    w, sheet, contest, _ = world
    asked: list[str] = []

    def locate(image: object, definition: object, read: object, contest_id: str) -> tuple:
        asked.append(contest_id)
        return (10, 20, 50, 60)  # x, y, width, height

    monkeypatch.setattr(views, "_locator", lambda: locate)
    client = _client(make_user("tec-a", Role.TEC_OPERATOR, w.tec_a))
    url = reverse("counting:sheet_image", args=[sheet.pk])
    framed = Image.open(io.BytesIO(client.get(f"{url}?contest={contest}").content)).convert("RGB")
    assert asked == [contest]
    assert framed.getpixel((10, 50)) == (220, 0, 0) and framed.getpixel((60, 80)) == (220, 0, 0)
    assert framed.getpixel((35, 50)) == (255, 255, 255)  # inside the frame: untouched
    assert framed.getpixel((100, 150)) == (255, 255, 255)  # beyond x + width: untouched

    def broken(*args: object) -> tuple:
        raise LookupError("frame not found")

    monkeypatch.setattr(views, "_locator", lambda: broken)
    plain = client.get(f"{url}?contest={contest}")
    assert plain.status_code == 200 and plain["Content-Type"] == "image/png"


def test_image_is_shown_upright(
    world: tuple[World, ScannedSheet, str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shailoo.counting import views

    w, sheet, contest, _ = world
    sheet.read = {**sheet.read, "geometry": {"orientation": 180.0}}
    sheet.save(update_fields=["read"])
    monkeypatch.setattr(views, "_locator", lambda: lambda *args: (10, 20, 50, 60))
    client = _client(make_user("tec-a", Role.TEC_OPERATOR, w.tec_a))
    url = reverse("counting:sheet_image", args=[sheet.pk])
    shown = Image.open(io.BytesIO(client.get(f"{url}?contest={contest}").content)).convert("RGB")
    assert shown.getpixel((169 - 10, 219 - 50)) == (220, 0, 0)  # the frame, turned with the page
    assert shown.getpixel((10, 50)) == (255, 255, 255)
