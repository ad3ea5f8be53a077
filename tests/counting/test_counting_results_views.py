"""Staff and public results pages: the permission matrix, territory, forms, PDF, shares."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pypdfium2
import pytest
from counting_results_helpers import VOTES, enter, lines, setup_world
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

import factories as f
from shailoo.accounts.roles import ROLES, URLS, Agency, Role, Scope, url_allowed
from shailoo.accounts.testing import login_verified, make_user
from shailoo.counting.results import decisions, services
from shailoo.counting.results.models import Protocol, ProtocolVersion

pytestmark = [pytest.mark.django_db, pytest.mark.urls("counting_results_test_urls")]

MINE = ("staff_results:", "results:", "api-results-")


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    return setup_world(monkeypatch, tmp_path)


def staff(name: str, role: Role, territory: Any) -> Any:
    return make_user(name, role, territory)


def client_for(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def my_routes(patterns: list[Any] | None = None, ns: str = "") -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{ns}:{entry.namespace}" if ns and entry.namespace else ns or entry.namespace
            found += my_routes(entry.url_patterns, inner or "")
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{ns}:{entry.name}" if ns else entry.name
            if name.startswith(MINE):
                found.append((name, list(entry.pattern.converters)))
    return found


def test_every_results_url_is_in_the_matrix() -> None:
    names = {name for name, _ in my_routes()}
    assert len(names) == 25
    assert names <= set(URLS)
    assert {k for k in URLS if k.startswith(MINE)} == names


def _denied(response: Any, url: str) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("case", [*(r.value for r in Role), "password-only"])
def test_results_urls_answer_as_the_matrix_says(case: str, world: dict[str, Any]) -> None:
    s1 = world["stations"][0]
    protocol = enter(world, s1).protocol
    values = {
        "number": str(s1.number),
        "pk": str(protocol.pk),
        "code": world["election"].code,
        "contest_id": "pres",
        "region_code": s1.region.code,
        "tec_code": s1.tec.code,
    }
    client, grants, signed_in = Client(), [], case not in ("public", "password-only")
    if case != "public":
        role = Role.CEC_ADMIN if case == "password-only" else Role(case)
        territory = {
            Scope.COUNTRY: None,
            Scope.REGION: s1.region,
            Scope.TEC: s1.tec,
            Scope.STATION: s1,
        }[sorted(ROLES[role].scopes)[0]]
        agency = Agency.POLICE.value if ROLES[role].agency else ""
        user = make_user(f"u-{case}", role, territory, agency=agency)
        grants = [a.grant() for a in user.role_assignments.all()]
        if signed_in:
            login_verified(client, user)
        else:
            client.force_login(user)
    mismatches = []
    for name, params in my_routes():
        url = reverse(name, kwargs={p: values[p] for p in params})
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        assert response.status_code < 500, (name, response.status_code)
        expected = url_allowed(URLS[name], grants, signed_in=signed_in)
        if _denied(response, url) == expected:
            mismatches.append((name, response.status_code, expected))
    assert mismatches == []


def test_a_pec_operator_sees_only_the_own_station(world: dict[str, Any]) -> None:
    s1, _, s3 = world["stations"]
    enter(world, s1)
    other = enter(world, s3).protocol
    client = client_for(staff("pec", Role.PEC_OPERATOR, s1))
    assert client.get(reverse("staff_results:station", args=[s3.number])).status_code == 403
    assert client.get(reverse("staff_results:protocol", args=[other.pk])).status_code == 403
    page = client.get(reverse("staff_results:dashboard")).content.decode()
    assert ">101<" in page and ">201<" not in page
    assert "Протоколы и результаты" in page  # the app's own catalogue is in use
    response = client.post(reverse("staff_results:enter", args=[s3.number]), {"contest": "x"})
    assert response.status_code == 403


def _form(**changes: Any) -> dict[str, Any]:
    data = {"contest": "pres", **lines(), "votes": "a: 300\nb: 200\nc: 50\n"}
    data.update(changes)
    return data


def test_entering_accepting_and_disputing_through_the_pages(world: dict[str, Any]) -> None:
    s1 = world["stations"][0]
    services.record_automatic_count(world["election"], s1, "pres", VOTES, "cli", source="scanner")
    pec = client_for(staff("pec", Role.PEC_OPERATOR, s1))
    response = pec.post(reverse("staff_results:enter", args=[s1.number]), _form())
    protocol = Protocol.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_results:protocol", args=[protocol.pk])
    assert protocol.current.entered_by == "pec"
    tec = client_for(staff("tec", Role.TEC_OPERATOR, s1.tec))
    page = tec.get(reverse("staff_results:protocol", args=[protocol.pk])).content.decode()
    assert reverse("staff_results:accept", args=[protocol.pk]) in page
    assert "Избиратели в списке" in page and ">1\xa0000<" in page  # lines by their names
    tec.post(reverse("staff_results:dispute", args=[protocol.pk]), {"reason": ""})
    protocol.refresh_from_db()
    assert protocol.status == "reported"  # no reason, no dispute
    tec.post(reverse("staff_results:accept", args=[protocol.pk]))
    protocol.refresh_from_db()
    assert protocol.status == "accepted"
    tec.post(reverse("staff_results:dispute", args=[protocol.pk]), {"reason": "recount asked"})
    protocol.refresh_from_db()
    assert protocol.status == "disputed"
    assert protocol.decisions.last().reason == "recount asked"


def test_bad_forms_are_refused_with_located_messages(world: dict[str, Any]) -> None:
    s1 = world["stations"][0]
    client = client_for(staff("pec", Role.PEC_OPERATOR, s1))
    url = reverse("staff_results:enter", args=[s1.number])
    cases = [
        (_form(votes="a 300\nb: 200\nb: 1"), ["строка 1:", "строка 3: вариант b встречается"]),
        (_form(ballots_found="-5"), ["ballots_found:"]),
        (_form(contest="bad id!"), ["contest:"]),
        (_form(votes=""), ["votes:"]),
    ]
    for data, expected in cases:
        response = client.post(url, data, follow=True)
        text = response.content.decode()
        for fragment in expected:
            assert fragment in text, (fragment, data)
    assert not ProtocolVersion.objects.exists()
    auto = reverse("staff_results:automatic", args=[s1.number])
    text = client.post(auto, {"contest": "pres", "counts": "a: x"}, follow=True).content.decode()
    assert "строка 1:" in text
    client.post(auto, {"contest": "pres", "counts": "a: 300\nb: 200\nc: 50"})
    response = client.post(url, _form(ballots_unused="431"), follow=True)
    text = response.content.decode()
    assert "Контрольное соотношение ballots_accounted не выполнено" in text
    assert "Неиспользованные (погашенные) бюллетени (431)" in text


def test_the_protocol_pdf_is_kyrgyz_and_russian(world: dict[str, Any]) -> None:
    s1 = world["stations"][0]
    version = enter(world, s1)
    decisions.accept_protocol(version.protocol, "cli")
    client = client_for(staff("cec", Role.CEC_MEMBER, None))
    response = client.get(reverse("staff_results:protocol_pdf", args=[version.protocol_id]))
    assert response["Content-Type"] == "application/pdf"
    # a signed protocol with names: never left in a browser's or a proxy's cache
    assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"
    pdf = pypdfium2.PdfDocument(response.content)
    text = pdf[0].get_textpage().get_text_range()
    assert "ПРОТОКОЛ УЧАСТКОВОЙ" in text and "Шайлоочулардын тизмесине" in text
    assert version.content_sha256 in text and "Кабыл алган / Принял: cli" in text


def _published(world: dict[str, Any]) -> None:
    """Three accepted protocols with shares that do not round evenly, one left reported."""
    s1, s2, s3 = world["stations"]
    odd = {"a": 1, "b": 1, "c": 1}
    odd_lines = lines(ballots_issued=13, ballots_unused=982, ballots_found=13, ballots_invalid=10)
    for station, votes, kw in ((s1, VOTES, {}), (s2, odd, {"lines": odd_lines})):
        decisions.accept_protocol(enter(world, station, votes=votes, **kw).protocol, "cli")
    enter(world, s3)  # reported, not accepted: not in the results


def test_public_results_count_accepted_protocols_and_shares_sum_to_100(
    world: dict[str, Any],
) -> None:
    _published(world)
    code = world["election"].code
    data = Client().get(reverse("api-results-election", args=[code])).json()
    assert data["status"] == {"reported": 1, "accepted": 2, "disputed": 0, "missing": 0}
    (contest,) = data["contests"]
    country = contest["country"]
    assert country["protocols"] == 2
    assert {o["option"]: o["votes"] for o in country["options"]} == {"a": 301, "b": 201, "c": 51}
    for tally in [country, *contest["regions"], *contest["tecs"]]:
        assert sum(Decimal(o["share_percent"]) for o in tally["options"]) == Decimal("100.00")
    (tec_a,) = [t for t in contest["tecs"] if t["code"] == "T1"]
    assert [o["share_percent"] for o in tec_a["options"]] == ["54.43", "36.35", "9.22"]
    page = Client().get(reverse("results:election", args=[code])).content.decode()
    table = page.split('<table class="results">')[1].split("</table>")[0]
    cells = re.findall(r'<td class="num">(\d+),(\d\d)</td></tr>', table)  # Russian: 54,43
    assert sum(Decimal(f"{w}.{d}") for w, d in cells) == Decimal("100.00") and len(cells) == 3
    assert "KG-N Область" not in page.split("<h2>")[1]  # no accepted protocol there yet
    station = Client().get(reverse("api-results-station", args=[code, 102])).json()
    assert [o["share_percent"] for o in station["contests"][0]["options"]] == [
        "33.34",
        "33.33",
        "33.33",
    ]
    empty = Client().get(reverse("api-results-station", args=[code, 201])).json()
    assert empty["contests"] == [] and empty["protocols"] == []
    (signed,) = station["protocols"]
    check_public_signature(code, 102, signed)
    index = Client().get(reverse("results:index")).content.decode()
    assert world["election"].name in index
    assert Client().get(reverse("results:station", args=[code, 101])).status_code == 200


def check_public_signature(code: str, number: int, signed: dict[str, Any]) -> None:
    """What an observer does with the public API alone: hash the figures, check the key."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from shailoo.integrity.canonical import canonical_json
    from shailoo.integrity.models import RegisteredKey

    content = {
        "election": code,
        "station": number,
        "contest": signed["contest"],
        "lines": signed["lines"],
        "votes": signed["votes"],
    }
    assert hashlib.sha256(canonical_json(content)).hexdigest() == signed["content_sha256"]
    statement = canonical_json(
        {
            "scheme": "shailoo-protocol-acceptance/1",
            "election": code,
            "station": number,
            "contest": signed["contest"],
            "version": signed["version"],
            "content_sha256": signed["content_sha256"],
        }
    )
    public = bytes(RegisteredKey.objects.get(key_id=signed["key_id"]).public_key)
    Ed25519PublicKey.from_public_bytes(public).verify(
        base64.b64decode(signed["signature"]), statement
    )


def test_public_pages_and_api_answer_404_for_unknown_things(world: dict[str, Any]) -> None:
    client = Client()
    assert client.get(reverse("results:election", args=["nope"])).status_code == 404
    assert client.get(reverse("results:station", args=["nope", 101])).status_code == 404
    code = world["election"].code
    assert client.get(reverse("results:station", args=[code, 999])).status_code == 404
    assert client.get(reverse("api-results-election", args=["nope"])).status_code == 404
    response = client.get(reverse("api-results-station", args=[code, 999]))
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "no polling station", "problems": []}


def test_the_public_api_does_a_fixed_number_of_queries(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    _published(world)
    with django_assert_max_num_queries(12):
        Client().get(reverse("api-results-election", args=[world["election"].code]))


def test_a_blocked_acceptance_is_explained_in_the_readers_language(world: dict[str, Any]) -> None:
    s1 = world["stations"][0]
    version = enter(world, s1, automatic={"a": 297, "b": 200, "c": 50})
    tec = client_for(staff("tec", Role.TEC_OPERATOR, s1.tec))
    url = reverse("staff_results:accept", args=[version.protocol_id])
    text = tec.post(url, follow=True).content.decode()
    assert "Протокол не может быть принят:" in text
    assert "Голоса за a: автоматический подсчёт 297, ручной подсчёт 300" in text
    assert Protocol.objects.get().status == "reported"
    dashboard = tec.get(reverse("staff_results:dashboard")).content.decode()
    assert "автоматический и ручной подсчёты расходятся" in dashboard  # the open alert


def test_the_dashboard_finds_a_station_by_number(world: dict[str, Any]) -> None:
    client = client_for(staff("cec", Role.CEC_MEMBER, None))
    response = client.get(reverse("staff_results:dashboard"), {"station": "№201"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff_results:station", args=[201]))
    response = client.get(reverse("staff_results:dashboard"), {"station": "12a"}, follow=True)
    assert "Номер избирательного участка — целое число." in response.content.decode()
    assert client.get(reverse("staff_results:station", args=[999])).status_code == 404


def test_the_station_page_shows_the_ballot_and_the_automatic_counts(
    world: dict[str, Any],
) -> None:
    from counting_results_helpers import import_definition

    import_definition(world)
    s1 = world["stations"][0]
    enter(world, s1)
    page = client_for(staff("pec", Role.PEC_OPERATOR, s1)).get(
        reverse("staff_results:station", args=[s1.number])
    )
    text = page.content.decode()
    # one field per option, labelled with its name; the scanners' count beside each
    assert 'for="id_c-pres-vote-a">Asanov ru</label>' in text
    assert 'data-value="300"' in text


def test_a_long_protocol_continues_on_a_second_page(world: dict[str, Any]) -> None:
    from shailoo.counting.results.pdf import render_protocol_pdf

    votes = {f"p{i:02d}": 5 for i in range(80)}  # 400 valid votes
    kw = {"ballots_found": 410, "ballots_issued": 415, "ballots_unused": 580}
    version = enter(world, world["stations"][0], votes=votes, lines=lines(**kw))
    assert version.acceptable
    pdf = pypdfium2.PdfDocument(render_protocol_pdf(version.protocol, version, {}, {}))
    assert len(pdf) == 2
    assert "p79" in pdf[1].get_textpage().get_text_range()


# -- alerts in the reader's language, on the dashboard and the protocol page ---------------


def _rows(page: str, heading: str) -> list[str]:
    """The body rows of the first table after ``<h2>heading</h2>``."""
    table = page.split(f"<h2>{heading}</h2>")[1].split("</table>")[0]
    return table.split("<tbody>")[1].split("<tr>")[1:]


def _two_alerts(world: dict[str, Any]) -> Any:
    """Station 101's protocol fails ``ballots_accounted`` and differs from the automatic count
    for ``a``: a control alert and a discrepancy alert."""
    s1 = world["stations"][0]
    auto = {"a": 297, "b": 200, "c": 50}
    return enter(world, s1, automatic=auto, lines=lines(ballots_unused=431)).protocol


def test_the_dashboard_shows_alert_reasons_in_the_readers_language(
    world: dict[str, Any],
) -> None:
    protocol = _two_alerts(world)
    stored = {a.kind: a.reasons for a in protocol.alerts.all()}
    assert set(stored) == {"control", "discrepancy"}
    assert "votes for 'a'" in stored["discrepancy"][0]  # the ledger's English, kept
    client = client_for(staff("cec", Role.CEC_MEMBER, None))
    page = client.get(reverse("staff_results:dashboard")).content.decode()
    rows = _rows(page, "Тревоги подсчёта")
    control = next(r for r in rows if "контрольное соотношение не выполнено" in r)
    discrepancy = next(r for r in rows if "подсчёты расходятся" in r)
    assert "Контрольное соотношение ballots_accounted не выполнено" in control
    assert "Неиспользованные (погашенные) бюллетени (431)" in control
    assert "Голоса за" not in control  # only the relation failures
    assert "Голоса за a: автоматический подсчёт 297, ручной подсчёт 300" in discrepancy
    assert "Контрольное соотношение" not in discrepancy  # only the count differences
    assert "votes for 'a'" not in page and "automatic count 297" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ky"
    page = client.get(reverse("staff_results:dashboard")).content.decode()
    assert "a үчүн добуштар: автоматтык эсеп 297, кол менен эсептөө 300" in page
    assert "ballots_accounted контролдук катнашы аткарылбайт" in page
    assert {a.kind: a.reasons for a in protocol.alerts.all()} == stored  # unchanged


def test_an_alert_raised_when_the_automatic_count_came_later_is_localized(
    world: dict[str, Any],
) -> None:
    s1 = world["stations"][0]
    version = enter(world, s1, automatic=None)
    (waiting,) = version.protocol.alerts.filter(resolved=False)
    assert waiting.kind == "no_automatic"
    auto = {"a": 300, "b": 196, "c": 50}
    services.record_automatic_count(world["election"], s1, "pres", auto, "cli", source="scanner")
    (alert,) = version.protocol.alerts.filter(resolved=False)
    assert alert.kind == "discrepancy" and alert.version_id == version.pk
    assert not ProtocolVersion.objects.get(pk=version.pk).verdict["differences"]
    client = client_for(staff("tec", Role.TEC_OPERATOR, s1.tec))
    page = client.get(reverse("staff_results:dashboard")).content.decode()
    (row,) = _rows(page, "Тревоги подсчёта")
    assert "Голоса за b: автоматический подсчёт 196, ручной подсчёт 200" in row
    assert "Нет автоматического подсчёта" not in row and "automatic count" not in row


def test_an_alert_whose_verdict_no_longer_matches_shows_the_stored_text(
    world: dict[str, Any],
) -> None:
    from shailoo.counting.results.presentation import alert_reasons

    protocol = enter(world, world["stations"][0], automatic={"a": 297, "b": 200, "c": 50})
    (alert,) = protocol.alerts.all()
    assert alert_reasons(alert, {"a": "Asanov"})[0].startswith("Голоса за Asanov:")
    # enter() returns the version; the verdict to empty is the protocol's
    assert Protocol.objects.filter(pk=alert.protocol_id).update(verdict={"differences": []}) == 1
    alert = protocol.alerts.select_related("protocol", "version").get()
    assert alert_reasons(alert, {}) == alert.reasons


def test_the_protocol_page_lists_its_open_alerts(world: dict[str, Any]) -> None:
    protocol = _two_alerts(world)
    client = client_for(staff("tec", Role.TEC_OPERATOR, world["stations"][0].tec))
    url = reverse("staff_results:protocol", args=[protocol.pk])
    page = first = client.get(url).content.decode()
    with translation.override("ru"):
        heading = translation.gettext("Open alerts")
        state = translation.pgettext("counting alert", "open")
    rows = _rows(page, heading)
    assert len(rows) == 2
    control = next(r for r in rows if "контрольное соотношение не выполнено" in r)
    discrepancy = next(r for r in rows if "подсчёты расходятся" in r)
    assert "Контрольное соотношение ballots_accounted не выполнено" in control
    assert "Голоса за a: автоматический подсчёт 297, ручной подсчёт 300" in discrepancy
    assert all(f"<td>{state}</td>" in row for row in rows)
    for alert, row in (
        (protocol.alerts.get(kind="control"), control),
        (protocol.alerts.get(kind="discrepancy"), discrepancy),
    ):
        assert timezone.localtime(alert.created_at).strftime("%d.%m.%Y %H:%M") in row
    decisions.accept_protocol(enter(world, world["stations"][0]).protocol, "cli")
    page = client.get(url).content.decode()
    assert f"<h2>{heading}</h2>" not in page  # fixed and accepted: nothing open
    public = reverse("results:station", args=[world["election"].code, 101])
    assert f'href="{public}"' in page  # accepted: its published page is one click away
    assert public not in first  # not while it was only reported


# -- the public station lookup ---------------------------------------------------------------


def test_the_public_election_page_finds_a_station_protocol(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    _published(world)  # 101 and 102 accepted, 201 only reported
    code = world["election"].code
    url = reverse("results:election", args=[code])
    client = Client()
    page = client.get(url).content.decode()
    assert f'action="{url}"' in page and 'name="station"' in page
    with django_assert_max_num_queries(4):
        response = client.get(url, {"station": "№ 102"})
    assert response.status_code == 302
    assert response["Location"] == reverse("results:station", args=[code, 102])
    with translation.override("ru"):
        unknown = translation.gettext("There is no polling station №%(number)s.")
        waiting = translation.gettext(
            "Polling station №%(number)s has no accepted protocol in this election yet."
        )
    cases = [
        ("999", unknown % {"number": 999}),
        ("201", waiting % {"number": 201}),
        ("12a", "Номер избирательного участка — целое число."),
        ("1" * 30, "Номер избирательного участка — целое число."),
    ]
    for wanted, message in cases:
        response = client.get(url, {"station": wanted})
        text = response.content.decode()
        assert response.status_code == 200, wanted
        assert f'role="alert">{message}</li>' in text, wanted
        assert 'class="results"' in text  # the results are still shown
    other = f.election("kg-2025", code="local-2028")
    response = client.get(reverse("results:election", args=[other.code]), {"station": "101"})
    assert (waiting % {"number": 101}) in response.content.decode()  # accepted elsewhere only
