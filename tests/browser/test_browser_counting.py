"""What commission staff and the public do with the count in a real browser: adjudicate a
sheet the scanner doubted, enter and accept a station protocol, read the published results,
and what a user outside the territory (or not signed in) is refused.

Data comes through the services: a synthetic ballot rendered, marked and read by the OMR
engine and recorded as a scan; protocols and automatic counts entered as the CLI does.
"""

from __future__ import annotations

import io
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from PIL import Image
from playwright.sync_api import Page, expect

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.counting import services as counting
from shailoo.counting.models import Adjudication, ScannedSheet
from shailoo.counting.omr import read_sheet
from shailoo.counting.reads import Thresholds
from shailoo.counting.results import decisions
from shailoo.counting.results.models import Protocol
from shailoo.synth import ballots as synth_ballots
from shailoo.synth.ballot_definitions import make_ballot_definition

# The protocol helpers live beside the counting tests; this folder is not on sys.path when
# the browser tests run alone.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "counting"))
from counting_results_helpers import (
    VOTES,
    enter,
    import_definition,
    lines,
    setup_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRAME = (220, 0, 0)  # the colour the sheet-image view draws the contest frame in
PIN_LIKE = re.compile(r"\b\d{14}\b")


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


def post_as_tab(page: Page, url: str) -> int:
    """POST ``url`` with the tab's session and CSRF token, as a forged form would; the status."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(url, headers={"X-CSRFToken": token}, max_redirects=0).status


def ru(text: str) -> str:
    """``text`` as the Russian interface shows it (the tab asks for Russian)."""
    with translation.override("ru"):
        return translation.gettext(text)


# -- ballot adjudication ---------------------------------------------------------------------


@pytest.fixture
def doubted_sheet(settings: Any, tmp_path: Path) -> dict[str, Any]:
    """A jk-list ballot of station 1001 with only a faint speck in party02's oval, rendered,
    read by the OMR engine and recorded: it waits for a person."""
    settings.VAR_DIR = tmp_path / "var"
    region = f.region("KG-T")
    tec_a, tec_b = f.tec(region, "TA"), f.tec(region, "TB")
    own = f.station(1001, district_=f.district(region), tec_=tec_a)
    other = f.station(1002, district_=f.district(region), tec_=tec_b)
    definition = make_ballot_definition(
        seed=3, stations=("1001", "1002"), district_candidates=4, parties=5, local_parties=3
    )
    election = f.election("kg-2025", code=definition.election_id)
    counting.import_definition(election, definition, "cli")
    speck = synth_ballots.random_mark(random.Random("speck"), "jk-list", "party02", "speck")
    plan = synth_ballots.SheetPlan("jk-list", "000001", (speck,), (), seed=11)
    image = synth_ballots.render_plan(definition, "1001", plan, 100)
    scans = tmp_path / "scans"
    scans.mkdir()
    Image.fromarray(image).save(scans / "000001.png")
    read = read_sheet(image, definition, "1001", Thresholds(), source="000001.png")
    assert read.needs_adjudication, "the speck must read as a marginal mark"
    counting.record_scan(election, own, [read], scans, "cli")
    return {
        "sheet": ScannedSheet.objects.get(serial="000001"),
        "tec_a": tec_a,
        "own": own,
        "other": other,
    }


def _framed_pixels(page: Page, src: str) -> int:
    """How many pixels of the image at ``src`` (fetched with the tab's session) are the
    frame's red."""
    response = page.request.get(src)
    assert response.status == 200, src
    assert response.headers["cache-control"] == "private, no-store"
    pixels = np.asarray(Image.open(io.BytesIO(response.body())).convert("RGB"))
    return int(np.all(pixels == FRAME, axis=-1).sum())


def test_staff_decide_a_marginal_mark_and_the_sheet_leaves_the_queue(
    page: Page, doubted_sheet: dict[str, Any], sign_in: Callable[[Any], None]
) -> None:
    sheet = doubted_sheet["sheet"]
    sign_in(make_user("tec-a", Role.TEC_OPERATOR, doubted_sheet["tec_a"]))
    page.goto("/staff/counting/")
    row = page.locator("#queue tbody tr", has_text="000001")
    # the reason by its name, the code one hover away (issue 17: names for every code)
    expect(row.locator('span.tag[title="marginal-mark"]')).to_have_text(ru("marginal mark"))
    row.get_by_role("link", name="000001").click()
    expect(page).to_have_url(re.compile(rf"/staff/counting/sheets/{sheet.pk}/$"))
    expect(page.locator('#reasons span.tag[title="marginal-mark"]')).to_be_visible()

    image = page.locator("#sheet-image")
    expect(image).to_have_attribute("src", re.compile(r"\?contest=jk-list$"))
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('#sheet-image').naturalWidth > 0")
    src = image.get_attribute("src") or ""
    assert _framed_pixels(page, src) > 500, "the contest must be framed in red on the image"
    assert _framed_pixels(page, src.split("?")[0]) == 0  # the plain scan has no frame

    contest = page.locator("#contest-jk-list")
    fill = contest.locator("tbody tr").nth(1)  # party02, the second option
    expect(fill.locator(".bad")).to_have_text(ru("marginal"))
    form = contest.locator("form")
    form.locator("input[name='c-jk-list-decision'][value='vote']").check()
    form.locator("input[name='c-jk-list-options'][value='party02']").check()
    reason = form.locator("textarea[name='c-jk-list-reason']")
    form.locator("button[type=submit]").click()  # no reason: the browser will not send it
    assert reason.evaluate("el => el.validity.valueMissing") is True
    expect(page).to_have_url(re.compile(rf"/sheets/{sheet.pk}/$"))
    reason.fill("   ")  # only spaces: the server must refuse it, with the message
    form.locator("button[type=submit]").click()
    expect(page.locator("ul.messages li.error")).to_have_text(
        ru("Choose a decision and write its reason.")
    )
    assert not Adjudication.objects.exists()

    form = page.locator("#contest-jk-list form")  # the page was rendered again
    form.locator("input[name='c-jk-list-decision'][value='vote']").check()
    form.locator("input[name='c-jk-list-options'][value='party02']").check()
    form.locator("textarea[name='c-jk-list-reason']").fill("Точка в овале party02, других нет")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/counting/$"))
    expect(page.locator("ul.messages li.success")).to_have_text(
        ru("Decision recorded on the ledger.")
    )
    expect(page.locator("#queue")).to_have_count(0)
    expect(page.get_by_text(ru("No sheets wait for a decision."))).to_be_visible()
    recent = page.locator("table tbody tr", has_text="000001")
    expect(recent).to_contain_text("Точка в овале party02")
    expect(recent).to_contain_text("party02")
    expect(recent).to_contain_text("tec-a")
    decision = Adjudication.objects.get()
    assert decision.votes == ["party02"] and decision.decided_by.username == "tec-a"
    sheet.refresh_from_db()
    assert sheet.state == ScannedSheet.State.DECIDED


def test_the_queue_and_a_sheet_are_refused_outside_the_territory(
    page: Page, doubted_sheet: dict[str, Any], sign_in: Callable[[Any], None]
) -> None:
    sheet = doubted_sheet["sheet"]
    url = f"/staff/counting/sheets/{sheet.pk}/"
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))  # anonymous
    assert "/accounts/login/" in page.request.get(f"{url}image/").url

    sign_in(make_user("pec-b", Role.PEC_OPERATOR, doubted_sheet["other"]))
    page.goto("/staff/counting/")
    expect(page.locator("h1")).to_have_text(ru("Ballot adjudication"))
    expect(page.locator("#queue")).to_have_count(0)  # another station's sheet is not listed
    response = page.goto(url)
    assert response is not None and response.status == 403
    assert page.request.get(f"{url}image/?contest=jk-list").status == 403
    assert ScannedSheet.objects.get(pk=sheet.pk).state == ScannedSheet.State.PENDING


# -- protocols and results -------------------------------------------------------------------


@pytest.fixture
def results_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Stations 101, 102 (TEC T1) and 201 (T2), contest ``pres`` (a, b, c) imported, and the
    scanners' count a=300, b=200, c=50 at 101 and 102."""
    world = setup_world(monkeypatch, tmp_path)
    import_definition(world)
    from shailoo.counting.results import services

    for station in world["stations"][:2]:
        services.record_automatic_count(
            world["election"], station, "pres", VOTES, "cli", source="scanner"
        )
    return world


def _enter_protocol(
    page: Page, station: int, election: str, votes: dict[str, int] = VOTES, **changes: int
) -> None:
    """Type a protocol for ``pres`` (``changes`` to the consistent lines) into the station
    page's per-field form and submit it (as written, when the arithmetic fails)."""
    page.goto(f"/staff/results/stations/{station}/?election={election}")
    form = page.locator("#protocol-form-pres")
    for name, value in lines(**changes).items():
        form.locator(f"#id_c-pres-{name}").fill(str(value))
    for option, value in votes.items():
        form.locator(f"#id_c-pres-vote-{option}").fill(str(value))
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/results/(stations/\d+/enter/|protocols/\d+/)"))
    as_written = page.locator("#id_c-pres-as_written")
    if as_written.count():  # the server found a failed relation; the paper says so
        as_written.check()  # the form was shown again with what was typed
        page.locator("#protocol-form-pres button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/results/protocols/\d+/$"))


def test_staff_enter_a_protocol_fix_it_and_accept_it(
    page: Page, results_world: dict[str, Any], sign_in: Callable[[Any], None]
) -> None:
    code = results_world["election"].code
    sign_in(make_user("tec-1", Role.TEC_OPERATOR, results_world["tecs"][0]))
    _enter_protocol(page, 101, code, ballots_unused=420)  # 1000 received, 990 accounted for
    checks = page.locator("main > ul.messages").last
    expect(checks.locator("li.error")).to_have_count(1)
    expect(checks).to_contain_text("ballots_accounted")
    expect(checks).to_contain_text("1000")
    expect(checks).to_contain_text("990")
    expect(page.locator("li.warning").first).to_be_visible()
    accept = page.get_by_role("button", name=ru("Accept and sign"))
    expect(accept).to_be_disabled()

    page.get_by_role("link", name=ru("All protocols of the station")).click()
    expect(page).to_have_url(re.compile(r"/staff/results/stations/101/\?election="))
    _enter_protocol(page, 101, code)
    expect(page.locator("ul.messages li.success")).to_be_visible()
    expect(page.locator("#comparison tbody tr").first).to_contain_text("Asanov ru")
    expect(page.locator("#comparison tbody tr").first.locator("td").nth(1)).to_have_text("300")
    expect(page.locator("main > ul.messages li.error")).to_have_count(0)
    expect(accept).to_be_enabled()
    accept.click()
    expect(page.locator("ul.messages li.success")).to_have_text(ru("Protocol accepted and signed."))
    expect(accept).to_be_disabled()
    protocol = Protocol.objects.get(station__number=101)
    assert protocol.status == Protocol.Status.ACCEPTED
    assert protocol.versions.count() == 2


def test_a_discrepancy_beyond_tolerance_blocks_acceptance_and_raises_an_alert(
    page: Page, results_world: dict[str, Any], sign_in: Callable[[Any], None]
) -> None:
    code = results_world["election"].code
    sign_in(make_user("tec-1", Role.TEC_OPERATOR, results_world["tecs"][0]))
    _enter_protocol(page, 102, code, votes={"a": 296, "b": 204, "c": 50})  # tolerance is 2
    reasons = page.locator("main > ul.messages").last.locator("li.error")
    expect(reasons).to_have_count(2)
    expect(reasons.first).to_contain_text("300")
    expect(reasons.first).to_contain_text("296")
    accept = page.get_by_role("button", name=ru("Accept and sign"))
    expect(accept).to_be_disabled()
    accept.evaluate("button => button.removeAttribute('disabled')")  # a stale page's button
    accept.click()
    expect(page.locator("ul.messages li.error").first).to_have_text(
        ru("The protocol cannot be accepted:")
    )
    assert Protocol.objects.get(station__number=102).status != Protocol.Status.ACCEPTED

    page.goto(f"/staff/results/?election={code}")
    alerts = page.locator("h2", has_text=ru("Counting alerts")).locator(
        "xpath=following-sibling::table[1]"
    )
    alert = alerts.locator("tbody tr", has_text="102")
    expect(alert).to_have_count(1)
    expect(alert.locator("td").nth(1)).to_have_text("President ru")
    expect(alert.locator("td.bad")).to_be_visible()
    expect(alert.locator("td").nth(3)).to_contain_text("296")
    alert.get_by_role("link", name="102").click()
    expect(page).to_have_url(re.compile(r"/staff/results/protocols/\d+/$"))


@pytest.fixture
def published(results_world: dict[str, Any]) -> dict[str, Any]:
    """Protocols of 101 and 201 accepted, 102 reported only; a voter with a PIN at 101."""
    s101, s102, s201 = results_world["stations"]
    clerk = make_user("cec-clerk", Role.CEC_MEMBER)
    enter(results_world, s101)
    enter(results_world, s201, votes={"a": 100, "b": 150, "c": 50}, lines=lines(
        ballots_issued=315, ballots_unused=680, ballots_found=310, ballots_invalid=10
    ))  # fmt: skip
    enter(results_world, s102)
    for number in (101, 201):
        decisions.accept_protocol(Protocol.objects.get(station__number=number), clerk)
    results_world["voter"] = f.person(s101)
    return results_world


def test_public_results_show_totals_and_a_station_protocol_in_kyrgyz(
    page: Page, published: dict[str, Any]
) -> None:
    election = published["election"]
    page.goto("/results/")
    page.get_by_role("link", name=election.name).click()
    expect(page).to_have_url(re.compile(rf"/results/{election.code}/$"))
    expect(page.locator("h2").first).to_have_text("President ru")
    totals = page.locator("table.results tbody tr")
    expect(totals).to_have_count(3)
    expect(totals.nth(0)).to_contain_text("Asanov ru")
    expect(totals.nth(0)).to_contain_text("400")  # 300 at 101 + 100 at 201; 102 not accepted
    expect(totals.nth(1)).to_contain_text("350")
    expect(totals.nth(2)).to_contain_text("100")
    expect(page.locator("ul.stats li").first).to_contain_text("2")  # accepted protocols

    page.goto(f"/results/{election.code}/stations/101/")
    station = page.locator("main")
    expect(station.locator("table.results tbody tr").first).to_contain_text("300")
    expect(station).to_contain_text("1000")  # voters on the list, from the protocol lines
    html = page.content()
    assert not PIN_LIKE.search(html), "no PIN on a public page"
    assert published["voter"].pin not in html
    # The public page shows the signature, hash and ledger entry (issue 17), never the account.
    for staff_only in ("cec-clerk", ru("Accept and sign")):
        assert staff_only not in html, staff_only
    expect(page.locator("a[href^='/staff/'], a[href^='/admin/']")).to_have_count(0)

    page.click("form.lang button[value=ky]")
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    expect(page).to_have_url(re.compile(rf"/results/{election.code}/stations/101/$"))
    expect(station.locator("h2").first).to_have_text("President ky")
    expect(station.locator("table.results tbody tr").first).to_contain_text("Asanov ky")
    with translation.override("ky"):
        kyrgyz_label = translation.gettext("Voters on the list")
    assert kyrgyz_label != ru("Voters on the list"), "the Kyrgyz catalogue must have the line"
    expect(station).to_contain_text(kyrgyz_label)
    assert not PIN_LIKE.search(page.content())


def test_protocol_pages_are_refused_outside_the_territory(
    page: Page, results_world: dict[str, Any], sign_in: Callable[[Any], None]
) -> None:
    s101 = results_world["stations"][0]
    version = enter(results_world, s101)
    protocol_url = f"/staff/results/protocols/{version.protocol_id}/"
    page.goto("/staff/results/stations/101/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))  # anonymous

    sign_in(make_user("pec-201", Role.PEC_OPERATOR, results_world["stations"][2]))
    for url in ("/staff/results/stations/101/", protocol_url):
        response = page.goto(url)
        assert response is not None and response.status == 403, url
    page.goto("/staff/results/")
    expect(page.locator("main")).not_to_contain_text("101")

    page.context.clear_cookies()
    sign_in(make_user("pec-101", Role.PEC_OPERATOR, s101))  # may enter, may not accept
    page.goto(protocol_url)
    expect(page.locator("main h1")).to_contain_text("101")
    expect(page.get_by_role("button", name=ru("Accept and sign"))).to_have_count(0)
    assert post_as_tab(page, f"{protocol_url}accept/") == 403
    assert Protocol.objects.get(pk=version.protocol_id).status != Protocol.Status.ACCEPTED
