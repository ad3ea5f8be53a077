"""The commission's results workspace: what needs a decision comes first, a protocol is typed
into a field per line and option (named, not coded), the law's arithmetic is checked beside
each field on the server, the scanners' count stands beside the manual one, and an action
that cannot be taken looks and is disabled.

Pages are read as parsed HTML (``django.test.html``), so the tests hold the structure a
person and a screen reader meet: labels tied to inputs, messages beside their field,
headings in order.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.test.html import Element, parse_html
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.counting.results import decisions, services, workspace
from shailoo.counting.results.aggregation import Tally
from shailoo.counting.results.forms import RELATION_MESSAGES, ProtocolLinesForm, line_label
from shailoo.counting.results.models import Protocol, ProtocolVersion
from shailoo.counting.results.protocol import BASE_LINES, StationProtocol, check_relations

# The protocol helpers live beside the counting tests, one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from counting_results_helpers import (
    RELATIONS,
    VOTES,
    enter,
    import_definition,
    lines,
    setup_world,
)

pytestmark = pytest.mark.django_db

NAMES = {"a": "Asanov ru", "b": "Bekova ru", "c": "Against all ru"}


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Stations 101, 102 (TEC T1), 201 (T2); contest ``pres`` with options a, b, c."""
    found = setup_world(monkeypatch, tmp_path)
    import_definition(found)
    return found


def signed_in(role: Role, territory: Any = None, name: str = "") -> Client:
    client = Client()
    login_verified(client, make_user(name or f"u-{role.value}", role, territory))
    return client


def ru(text: str) -> str:
    with translation.override("ru"):
        return translation.gettext(text)


# -- reading the parsed page -------------------------------------------------------------------


def page(client: Client, url: str, data: dict[str, Any] | None = None) -> Element:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return parse_html(response.content.decode())


def walk(node: Any) -> Iterator[Element]:
    if isinstance(node, Element):
        yield node
        for child in node.children:
            yield from walk(child)


def attrs(element: Element) -> dict[str, str | None]:
    return dict(element.attributes)


def find_all(root: Any, tag: str, **wanted: str) -> list[Element]:
    found = []
    for element in walk(root):
        if element.name != tag:
            continue
        have = attrs(element)
        if all(have.get(k.replace("_", "-")) == v for k, v in wanted.items()):
            found.append(element)
    return found


def body_rows(table: Element) -> list[Element]:
    """The rows of a table's own body (not those of a table inside a cell)."""
    (body,) = [c for c in table.children if isinstance(c, Element) and c.name == "tbody"]
    return [c for c in body.children if isinstance(c, Element) and c.name == "tr"]


def by_id(root: Any, ident: str) -> Element:
    (element,) = [e for e in walk(root) if attrs(e).get("id") == ident]
    return element


def text(node: Any) -> str:
    if isinstance(node, str):
        return node
    return " ".join(" ".join(text(child) for child in node.children).split())


def station_url(number: int, code: str) -> str:
    return reverse("staff_results:station", args=[number]) + f"?election={code}"


def enter_url(number: int, code: str) -> str:
    return reverse("staff_results:enter", args=[number]) + f"?election={code}"


def fields(contest: str = "pres", votes: dict[str, int] = VOTES, **changes: int) -> dict[str, Any]:
    """What the per-field form posts: ``c-<contest>-<line>`` and ``c-<contest>-vote-<option>``."""
    data: dict[str, Any] = {"contest": contest}
    for name, value in lines(**changes).items():
        data[f"c-{contest}-{name}"] = value
    for option, value in votes.items():
        data[f"c-{contest}-vote-{option}"] = value
    return data


# -- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_what_needs_a_decision_first(world: dict[str, Any]) -> None:
    s101, s102, s201 = world["stations"]
    enter(world, s101, automatic={"a": 290, "b": 200, "c": 50})  # a discrepancy: blocked
    decisions.accept_protocol(enter(world, s102).protocol, "cli")
    enter(world, s201)  # reported, ready to accept
    root = page(signed_in(Role.CEC_MEMBER), reverse("staff_results:dashboard"))
    headings = [text(h) for h in find_all(root, "h2")]
    wanted = [
        ru("Counting alerts"),
        ru("Protocols awaiting a decision"),
        ru("By territorial commission"),
        ru("Results of accepted protocols"),
    ]
    assert [h for h in headings if h in wanted] == wanted, headings

    alerts = by_id(root, "alerts")
    (row,) = find_all(find_all(alerts, "tbody")[0], "tr")
    assert "101" in text(row) and "President ru" in text(row)  # the contest by its title
    pending = find_all(find_all(by_id(root, "pending"), "tbody")[0], "tr")
    assert ["101" in text(r) for r in pending] == [True, False]  # the blocked one first
    assert ru("blocked") in text(pending[0]) and ru("pass") in text(pending[1])

    (contest_row,) = find_all(find_all(by_id(root, "contests"), "tbody")[0], "tr")
    cells = [text(td) for td in find_all(contest_row, "td")]
    assert cells[0] == "President ru" and cells[1].endswith("1 / 3")  # 102 of 101, 102, 201
    assert cells[2] == "Asanov ru 54,55"  # 300 of 550 valid votes
    link = find_all(contest_row, "a")[0]
    assert attrs(link)["href"] == (
        reverse("staff_results:contest", args=["pres"]) + f"?election={world['election'].code}"
    )
    for name in NAMES.values():  # no option has a column of its own
        assert all(name not in text(th) for th in find_all(root, "th"))


def test_the_tec_table_counts_every_status_and_lists_tecs_with_work_first(
    world: dict[str, Any],
) -> None:
    s101, s102, _ = world["stations"]
    decisions.accept_protocol(enter(world, s101).protocol, "cli")
    enter(world, s102)  # T1: one accepted, one reported; T2: 201 missing
    root = page(signed_in(Role.CEC_MEMBER), reverse("staff_results:dashboard"))
    rows = find_all(find_all(by_id(root, "tecs"), "tbody")[0], "tr")
    tecs = [world["tecs"][1].name, world["tecs"][0].name]
    assert [text(find_all(r, "td")[0]) for r in rows] == tecs  # T2 misses 201: first
    cells = [[text(td) for td in find_all(r, "td")] for r in rows]
    assert cells[0][1:] == ["0 / 1", "0", "0", "0", "1"]  # reported, accepted, disputed, missing
    assert cells[1][1:] == ["1 / 2", "1", "1", "0", "0"]
    progress = find_all(rows[1], "progress")[0]
    assert attrs(progress)["value"] == "1" and attrs(progress)["max"] == "2"


def test_a_contest_page_has_the_full_figures_one_row_per_unit(world: dict[str, Any]) -> None:
    s101, _, s201 = world["stations"]
    decisions.accept_protocol(enter(world, s101).protocol, "cli")
    tied = {"a": 100, "b": 100, "c": 50}
    tied_lines = lines(ballots_issued=265, ballots_unused=730, ballots_found=260)
    decisions.accept_protocol(enter(world, s201, votes=tied, lines=tied_lines).protocol, "cli")
    url = reverse("staff_results:contest", args=["pres"]) + f"?election={world['election'].code}"
    root = page(signed_in(Role.CEC_MEMBER), url)
    assert text(find_all(root, "h1")[0]) == "President ru"
    standings = find_all(find_all(by_id(root, "standings"), "tbody")[0], "tr")
    assert [text(find_all(r, "th")[0]).split(" ")[0] for r in standings] == [
        "Asanov",
        "Bekova",
        "Against",
    ]
    assert ru("leading") in text(standings[0]) and ru("leading") not in text(standings[1])
    tables = find_all(root, "table")
    breakdowns = [t for t in tables if "breakdown" in (attrs(t).get("class") or "")]
    assert len(breakdowns) == 2  # regions, TECs
    for table in breakdowns:
        header = find_all(find_all(table, "thead")[0], "th")
        assert len(header) == 5  # never one column per option
    region_rows = body_rows(breakdowns[0])
    assert len(region_rows) == 2
    tie = next(r for r in region_rows if ru("Tie") in text(r))
    assert "Asanov ru" in text(tie) and "Bekova ru" in text(tie)
    details = find_all(tie, "details")[0]
    assert [text(td) for td in find_all(details, "td")][:3] == ["Asanov ru", "100", "40,00"]


def test_a_contest_page_refuses_an_unknown_contest_and_other_territories(
    world: dict[str, Any],
) -> None:
    code = world["election"].code
    client = signed_in(Role.CEC_MEMBER)
    url = reverse("staff_results:contest", args=["nope"]) + f"?election={code}"
    assert client.get(url).status_code == 404
    s201 = world["stations"][2]
    outsider = signed_in(Role.PEC_OPERATOR, s201)
    decisions.accept_protocol(enter(world, world["stations"][0]).protocol, "cli")
    own = reverse("staff_results:contest", args=["pres"]) + f"?election={code}"
    root = page(outsider, own)  # pres is voted at 201 too; 101's votes are not in scope
    assert "300" not in text(by_id(root, "content"))
    assert Client().get(own).status_code == 302  # not signed in: to the login


# -- the protocol form -------------------------------------------------------------------------


def test_the_form_has_a_named_field_per_line_and_option(world: dict[str, Any]) -> None:
    s101 = world["stations"][0]
    code = world["election"].code
    root = page(signed_in(Role.PEC_OPERATOR, s101), station_url(101, code))
    form = by_id(root, "protocol-form-pres")
    assert find_all(form, "textarea") == []  # no "option: votes" typing
    inputs = {attrs(i)["name"]: i for i in find_all(form, "input") if attrs(i).get("name")}
    labels = {attrs(label)["for"]: text(label) for label in find_all(form, "label")}
    expected = {f"c-pres-{name}": name for name in BASE_LINES}
    expected |= {f"c-pres-vote-{o}": f"votes.{o}" for o in NAMES}
    for name, line in expected.items():
        field = inputs[name]
        assert attrs(field)["type"] == "number" and attrs(field)["min"] == "0"
        assert attrs(field)["data-line"] == line
        label = labels[attrs(field)["id"]]
        with translation.override("ru"):
            assert label == line_label(line, NAMES), name
        # the message beside it is what the field is described by
        described = attrs(field)["aria-describedby"]
        assert described == f"{attrs(field)['id']}-msg" and by_id(form, described)
    assert "d02" not in text(form) and "vote-a" not in text(form)
    assert attrs(inputs["contest"])["type"] == "hidden"


def test_the_form_carries_the_laws_checks_for_the_live_script(world: dict[str, Any]) -> None:
    import json

    s101 = world["stations"][0]
    response = signed_in(Role.PEC_OPERATOR, s101).get(station_url(101, world["election"].code))
    html = response.content.decode()
    assert re.search(r'<script src="/static/shailoo/protocol-form[.\w]*js" defer>', html)
    root = parse_html(html)
    holder = by_id(root, "config-pres")
    assert attrs(holder)["type"] == "application/json"
    config = json.loads(text(holder))
    assert config["relations"] == [
        {"left": list(r.left), "op": r.op, "right": list(r.right)} for r in RELATIONS
    ]
    assert config["tolerance"] == 2 and config["automatic"] is None
    for line, ident in config["fields"].items():
        assert attrs(by_id(root, ident))["data-line"] == line
    assert config["labels"]["votes_valid"] == ru("Valid votes")
    assert config["messages"]["="] == ru(str(RELATION_MESSAGES["="]))
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_a_protocol_that_does_not_add_up_is_shown_again_with_the_error_beside_the_line(
    world: dict[str, Any],
) -> None:
    s101 = world["stations"][0]
    code = world["election"].code
    services.record_automatic_count(world["election"], s101, "pres", VOTES, "cli")
    client = signed_in(Role.PEC_OPERATOR, s101)
    root = page(client, enter_url(101, code), fields(ballots_unused=431))
    assert not ProtocolVersion.objects.exists()  # nothing recorded from a typing slip
    form = by_id(root, "protocol-form-pres")
    message = text(by_id(form, "id_c-pres-ballots_received-msg"))
    with translation.override("ru"):
        expected = str(RELATION_MESSAGES["="]) % {
            "left": translation.gettext("Ballots received"),
            "right": " + ".join(
                translation.gettext(n)
                for n in ("Ballots issued", "Ballots spoiled", "Ballots unused (cancelled)")
            ),
            "left_total": "1\xa0000",
            "right_total": "1\xa0001",
        }
    assert " ".join(expected.split()) in message
    assert "ballots_accounted" not in text(root)  # the rule by its lines, not its code
    for line in ("ballots_received", "ballots_issued", "ballots_spoiled", "ballots_unused"):
        assert attrs(by_id(form, f"id_c-pres-{line}"))["aria-invalid"] == "true", line
    assert "aria-invalid" not in attrs(by_id(form, "id_c-pres-voters_on_list"))
    assert attrs(by_id(form, "id_c-pres-ballots_unused"))["value"] == "431"  # kept as typed
    problem = find_all(form, "div", role="alert")[0]
    assert text(problem) == " ".join(
        ru(
            "The protocol does not add up. Correct the lines marked; if the signed paper "
            "protocol says exactly this, tick the box below and record it as written."
        ).split()
    )
    (language_next,) = find_all(root, "input", name="next")  # never back to a POST address
    assert attrs(language_next)["value"] == station_url(101, code)
    (as_written,) = find_all(form, "input", name="c-pres-as_written")
    assert attrs(as_written)["type"] == "checkbox"

    # The paper says exactly this: recorded as written, blocked, with its alert.
    confirmed = fields(ballots_unused=431) | {"c-pres-as_written": "on"}
    response = client.post(enter_url(101, code), confirmed)
    protocol = Protocol.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_results:protocol", args=[protocol.pk])
    assert not protocol.acceptable and protocol.current.lines["ballots_unused"] == 431
    assert protocol.alerts.filter(kind="control", resolved=False).exists()


def test_a_protocol_that_adds_up_is_recorded_at_once(world: dict[str, Any]) -> None:
    s101 = world["stations"][0]
    services.record_automatic_count(world["election"], s101, "pres", VOTES, "cli")
    client = signed_in(Role.PEC_OPERATOR, s101)
    response = client.post(enter_url(101, world["election"].code), fields())
    protocol = Protocol.objects.get()
    assert response.status_code == 302 and protocol.acceptable
    assert protocol.current.votes == VOTES and protocol.current.lines == lines()
    assert protocol.current.entered_by == "u-pec_operator"


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"c-pres-ballots_found": "-5"}, "ballots_found", "0"),
        ({"c-pres-ballots_found": "many"}, "ballots_found", ""),
        ({"c-pres-vote-a": str(10**9 + 1)}, "vote-a", "1000000000"),
        ({"c-pres-vote-b": ""}, "vote-b", ""),
    ],
)
def test_bad_fields_are_refused_beside_the_field(
    world: dict[str, Any], change: dict[str, str], field: str, fragment: str
) -> None:
    s101 = world["stations"][0]
    root = page(
        signed_in(Role.PEC_OPERATOR, s101),
        enter_url(101, world["election"].code),
        fields() | change,
    )
    message = text(by_id(root, f"id_c-pres-{field}-msg"))
    assert message and fragment in message
    assert attrs(by_id(root, f"id_c-pres-{field}"))["aria-invalid"] == "true"
    assert not ProtocolVersion.objects.exists()


def test_a_contest_the_station_does_not_vote_in_is_refused(world: dict[str, Any]) -> None:
    s101 = world["stations"][0]
    client = signed_in(Role.PEC_OPERATOR, s101)
    code = world["election"].code
    data = {k.replace("c-pres-", "c-mayor-"): v for k, v in fields().items()}
    response = client.post(enter_url(101, code), data | {"contest": "mayor"}, follow=True)
    assert ru("This polling station does not vote in that contest.") in response.content.decode()
    assert not ProtocolVersion.objects.exists()
    other = signed_in(Role.PEC_OPERATOR, world["stations"][2], name="pec-201")
    assert other.post(enter_url(101, code), fields()).status_code == 403


def test_the_free_form_entry_still_works_for_other_callers(world: dict[str, Any]) -> None:
    s101 = world["stations"][0]
    services.record_automatic_count(world["election"], s101, "pres", VOTES, "cli")
    data = {"contest": "pres", **lines(), "votes": "a: 300\nb: 200\nc: 50\n"}
    response = signed_in(Role.PEC_OPERATOR, s101).post(enter_url(101, world["election"].code), data)
    assert response.status_code == 302
    assert Protocol.objects.get().current.votes == VOTES


def test_the_automatic_count_is_typed_per_option_too(world: dict[str, Any]) -> None:
    s101 = world["stations"][0]
    client = signed_in(Role.PEC_OPERATOR, s101)
    url = reverse("staff_results:automatic", args=[101]) + f"?election={world['election'].code}"
    counts = {"contest": "pres", "a-pres-vote-a": 300, "a-pres-vote-b": 200, "a-pres-vote-c": 50}
    root = page(client, url, counts | {"a-pres-vote-c": "-1"})
    assert text(by_id(root, "id_a-pres-vote-c-msg"))
    assert "open" in attrs(find_all(by_id(root, "contest-pres"), "details")[0])  # open again
    response = client.post(url, counts)
    assert response.status_code == 302
    assert services.latest_automatic(world["election"], s101, "pres").counts == VOTES


# -- the automatic count beside the manual one -------------------------------------------------


def test_the_scanners_count_stands_beside_each_option(world: dict[str, Any]) -> None:
    s101 = world["stations"][0]
    code = world["election"].code
    scanned = {"a": 296, "b": 200}  # c had no mark read: 0
    services.record_automatic_count(world["election"], s101, "pres", scanned, "cli")
    client = signed_in(Role.PEC_OPERATOR, s101)
    root = page(client, station_url(101, code))
    rows = {attrs(r)["data-option"]: r for r in find_all(root, "tr") if "data-option" in attrs(r)}
    assert [text(find_all(rows[o], "td")[1]) for o in "abc"] == ["296", "200", "0"]
    assert attrs(find_all(rows["a"], "td")[1])["data-value"] == "296"

    typed = page(client, enter_url(101, code), fields(ballots_unused=431))  # shown again
    rows = {attrs(r)["data-option"]: r for r in find_all(typed, "tr") if "data-option" in attrs(r)}
    diffs = {o: find_all(rows[o], "td")[2] for o in "abc"}
    assert [text(d) for d in diffs.values()] == ["+4", "0", "+50"]
    assert "over" in attrs(diffs["a"])["class"] and "over" in attrs(diffs["c"])["class"]
    assert "differs" not in attrs(diffs["b"])["class"]

    version = enter(world, s101, automatic=None)  # the count above stays the newest
    root = page(client, reverse("staff_results:protocol", args=[version.protocol_id]))
    table = by_id(root, "comparison")
    cells = [[text(td) for td in find_all(r, "td")] for r in find_all(table, "tr")[1:]]
    assert cells == [["300", "296", "+4"], ["200", "200", "0"], ["50", "0", "+50"]]


def test_a_small_difference_within_the_tolerance_is_marked_but_not_over(
    world: dict[str, Any],
) -> None:
    s101 = world["stations"][0]
    version = enter(world, s101, automatic={"a": 299, "b": 200, "c": 50})  # tolerance 2
    root = page(
        signed_in(Role.TEC_OPERATOR, s101.tec),
        reverse("staff_results:protocol", args=[version.protocol_id]),
    )
    first = find_all(find_all(by_id(root, "comparison"), "tbody")[0], "td")
    assert text(first[2]) == "+1" and set(attrs(first[2])["class"].split()) == {
        "num",
        "diff",
        "differs",
    }
    assert version.protocol.acceptable


# -- disabled decisions ------------------------------------------------------------------------


def test_accept_is_disabled_while_blocked_and_says_why(world: dict[str, Any]) -> None:
    s101 = world["stations"][0]
    version = enter(world, s101, automatic={"a": 290, "b": 200, "c": 50})
    tec = signed_in(Role.TEC_OPERATOR, s101.tec)
    url = reverse("staff_results:protocol", args=[version.protocol_id])
    button = by_id(page(tec, url), "accept")
    assert "disabled" in attrs(button) and attrs(button)["aria-describedby"] == "accept-why-not"
    assert text(by_id(page(tec, url), "accept-why-not"))

    fixed = enter(world, s101)  # the same protocol, corrected, with a matching count
    assert fixed.protocol_id == version.protocol_id
    button = by_id(page(tec, url), "accept")
    assert "disabled" not in attrs(button)
    assert tec.post(reverse("staff_results:accept", args=[fixed.protocol_id])).status_code == 302
    root = page(tec, url)
    assert "disabled" in attrs(by_id(root, "accept"))  # accepted: nothing left to accept
    assert attrs(by_id(root, "protocol-status"))["data-status"] == "accepted"


def test_an_accepted_protocol_offers_no_entry_form(world: dict[str, Any]) -> None:
    s101 = world["stations"][0]
    decisions.accept_protocol(enter(world, s101).protocol, "cli")
    root = page(signed_in(Role.PEC_OPERATOR, s101), station_url(101, world["election"].code))
    section = by_id(root, "contest-pres")
    assert [e for e in walk(root) if attrs(e).get("id") == "protocol-form-pres"] == []
    assert find_all(section, "input") == []
    notice = ru(
        "This protocol was accepted; the territorial commission must dispute it before a "
        "corrected version can be entered."
    )
    assert notice in text(section)
    rows = find_all(find_all(section, "tbody")[0], "tr")
    assert text(rows[0]) == "Asanov ru 300 300 0"  # the figures, read-only


# -- the header ----------------------------------------------------------------------------------


def test_the_header_skip_link_landmarks_and_current_page(world: dict[str, Any]) -> None:
    client = signed_in(Role.CEC_MEMBER)
    url = reverse("staff_results:dashboard")
    response = client.get(url)
    root = parse_html(response.content.decode())
    body = find_all(root, "body")[0]
    focusable = [e for e in walk(body) if e.name in ("a", "button", "input", "select")]
    first = focusable[0]
    assert first.name == "a" and attrs(first)["href"] == "#content"
    assert text(first) == ru("Skip to content")
    assert attrs(find_all(root, "main")[0])["id"] == "content"
    current = [e for e in walk(root) if attrs(e).get("aria-current") == "page"]
    assert [attrs(e)["href"] for e in current] == [url]
    workspace_nav = find_all(root, "nav", aria_label=ru("Commission workspace"))
    assert len(workspace_nav) == 1
    assert find_all(root, "button", type="submit", **{"class": "link logout"})
    public = parse_html(Client().get(url, follow=True).content.decode())
    assert find_all(public, "nav", aria_label=ru("Commission workspace")) == []


# -- properties of the form's checks and the standings -------------------------------------------

LINE_VALUES = st.fixed_dictionaries({name: sx.vote_counts(2000) for name in BASE_LINES})


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(line_values=LINE_VALUES, votes=st.tuples(*(sx.vote_counts(2000) for _ in range(3))))
def test_the_form_accepts_exactly_what_the_engine_accepts(
    line_values: dict[str, int], votes: tuple[int, ...]
) -> None:
    options = [("a", "A"), ("b", "B"), ("c", "C")]
    data = {name: str(value) for name, value in line_values.items()}
    data |= {f"vote-{o}": str(v) for (o, _), v in zip(options, votes, strict=True)}
    form = ProtocolLinesForm(data, options=options, relations=RELATIONS)
    protocol = StationProtocol(line_values, dict(zip("abc", votes, strict=True)))
    failures = check_relations(protocol, RELATIONS)
    assert form.is_valid() == (not failures)
    assert [f for _, f in form.failures] == list(failures)
    shown = " ".join(str(e) for errors in form.errors.values() for e in errors)
    for relation in RELATIONS:
        assert relation.name not in shown  # never the rule's code
    confirmed = ProtocolLinesForm(data | {"as_written": "on"}, options=options, relations=RELATIONS)
    assert confirmed.is_valid()  # what the paper says can always be recorded


@settings(max_examples=80)
@given(votes=sx.vote_maps("abcdef", min_size=1))
def test_standings_rank_by_votes_and_shares_sum_to_100(votes: dict[str, int]) -> None:
    tally = Tally("country", "country", "", "x", votes=dict(votes))
    names = {o: o.upper() for o in "abcdef"}
    ranked = workspace.standings(tally, names)
    assert [s.votes for s in ranked] == sorted(votes.values(), reverse=True)
    assert {s.option for s in ranked} == set(votes)
    if sum(votes.values()):
        assert sum(s.share for s in ranked) == 100
    summary = workspace.ContestSummary("x", "X", standings=ranked)
    top = max(votes.values())
    assert {s.option for s in summary.leaders} == (
        {o for o, n in votes.items() if n == top} if top else set()
    )


@settings(max_examples=80)
@given(
    manual=sx.vote_maps("abc"),
    automatic=st.none() | sx.vote_maps("abcd"),
    tolerance=st.integers(0, 5),
)
def test_comparisons_take_missing_scanner_options_as_zero(
    manual: dict[str, int], automatic: dict[str, int] | None, tolerance: int
) -> None:
    rows = workspace.comparisons([("a", "A"), ("b", "B"), ("c", "C")], manual, automatic, tolerance)
    assert [r.option for r in rows[:3]] == ["a", "b", "c"]
    for row in rows:
        assert row.manual == manual.get(row.option)
        if automatic is None:
            assert row.automatic is None and row.difference is None and not row.over_tolerance
            continue
        assert row.automatic == automatic.get(row.option, 0)
        if row.manual is not None:
            assert row.difference == row.manual - row.automatic
            assert row.over_tolerance == (abs(row.difference) > tolerance)


def test_without_a_definition_the_page_offers_the_free_form_entry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bare = setup_world(monkeypatch, tmp_path)  # no election definition imported
    s101 = bare["stations"][0]
    services.record_automatic_count(bare["election"], s101, "pres", VOTES, "cli")
    root = page(signed_in(Role.PEC_OPERATOR, s101), station_url(101, bare["election"].code))
    assert find_all(root, "textarea", name="votes")  # options can only be typed by id
    assert [e for e in walk(root) if attrs(e).get("data-config")] == []
    assert "a 300, b 200, c 50" in text(by_id(root, "content"))
