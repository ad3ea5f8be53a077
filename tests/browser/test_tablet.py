"""The station device's tablet page in a real browser: the commission member checks a voter
in (demo capture), sees the big answer, then sees the same voter refused with where and when;
the page refuses a non-loopback Host header and escapes what it shows."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

import factories as f
from shailoo.biometrics import services as biometrics
from shailoo.demo.device_sim import synthetic_captures
from shailoo.integrity import heads, keys
from shailoo.polling import devices, sealing
from shailoo.polling.client.device import StationDevice
from shailoo.polling.client.state import DeviceState
from shailoo.polling.client.tablet import TabletServer
from shailoo.polling.models import CheckIn
from shailoo.synth.enrolment import person_templates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEED = 77


@pytest.fixture
def tablet(live_server: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    biometrics.forget_galleries()
    f.election("kg-2025", timezone.localdate())
    station = f.station(831)
    voters = [f.person(station, surname=f"Сайлоочу{i}") for i in range(4)]
    voters.append(f.person(station, surname="<b>Тест</b>"))
    for person in voters:
        biometrics.enrol(person, person_templates(person.pk, SEED, 0, "standard"), "cli")
    signing, seal = sealing.new_device_keys()
    devices.enrol(
        station,
        signing_public=keys.raw_public(signing),
        seal_public=sealing.raw_public_x25519(seal),
        actor="cli",
    )
    state = DeviceState.create(
        tmp_path / "device",
        server=live_server.url,
        station=station.number,
        signing_key=signing,
        seal_key=seal,
        commission_key=keys.raw_public(heads.load_signing_key()),
        timeout_s=30,
    )
    device = StationDevice(state, backoff_s=0.01)
    device.download_package()
    server = TabletServer(
        device, "127.0.0.1", 0, demo_captures=lambda pid, s: synthetic_captures(pid, SEED, s)
    )
    server.start()
    yield {"server": server, "voters": voters, "station": station, "device": device}
    server.shutdown()
    server.server_close()


def test_the_commission_member_checks_a_voter_in_on_the_tablet(
    browser: Any, tablet: dict[str, Any]
) -> None:
    voter = tablet["voters"][4]
    page = browser.new_page()
    try:
        page.goto(tablet["server"].url)
        expect(page.locator("#status")).to_contain_text("5 voters")
        page.fill("input[name=demo_person]", str(voter.pk))
        page.click("#check-in")
        answer = page.locator("#answer")
        expect(answer).to_have_text("ISSUE THE BALLOT")
        expect(answer).to_have_attribute("data-outcome", "issued")
        # The name is shown as text, never as markup.
        expect(page.locator("#voter")).to_contain_text("<b>Тест</b>")
        assert CheckIn.objects.filter(person=voter).count() == 1

        page.fill("input[name=demo_person]", str(voter.pk))
        page.fill("input[name=demo_session]", "2")
        page.click("#check-in")
        expect(page.locator("#answer")).to_have_text("DO NOT ISSUE")
        expect(page.locator("body")).to_contain_text(
            f"Already voted at station: {tablet['station'].number}"
        )
        assert CheckIn.objects.filter(person=voter).count() == 1
    finally:
        page.close()


def test_the_tablet_page_refuses_a_foreign_host_header(tablet: dict[str, Any]) -> None:
    host, port = tablet["server"].server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/", headers={"Host": "evil.example"})
    assert conn.getresponse().status == 403
    conn.close()
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/", headers={"Host": f"localhost:{port}"})
    assert conn.getresponse().status == 200
    conn.close()
    with pytest.raises(ValueError):
        TabletServer(tablet["device"], "0.0.0.0", 0)
