"""A reader follows the results down to one polling station's protocol and checks it, in a
real browser at 1280 px, in Kyrgyz and in English.

From the home page (the only address typed) the reader follows links only: Results → the
election → a contest (its winners marked ✓) and back → a region → its territorial
commission → a polling station. The station page must show the protocol's numbers as
signed, the commission's signature (key id, algorithm, value) and the hash of the signed
content, the versions and corrections, and the steps to verify them. The signed PDF opens
and names the station with the same figures; each page's JSON twin holds the figures the
page shows; and one number is verified as the page's steps say: the canonical content
holds it and hashes to the hash shown, the commission's Ed25519 signature covers the
statement naming that hash, the version's ledger entry leads by its RFC 9162 inclusion proof
to the signed tree head the proof names, and that head is the one the public ledger page
shows, its signature verifying with the key shown there.

The language is chosen with the page's own control (the header's buttons), never a cookie
set by the test; every page of the walk must be in that language and fit the window.
Screenshots go to ``artifacts/drilldown/<lang>/`` (or under ``$SHAILOO_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
from a11y.demo_site import ARTIFACTS, Site, demo_site, html_lang
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import translation
from playwright.sync_api import Browser, Locator, Page, Response, ViewportSize, expect

from shailoo.integrity import merkle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH = 1280
VIEWPORT: ViewportSize = {"width": WIDTH, "height": 800}


def say(lang: str, text: str) -> str:
    """``text`` as the site's catalogue gives it in ``lang``."""
    with translation.override(lang):
        return translation.gettext(text)


def number(text: str) -> int:
    """A count as a page shows it in any language (``1 412``, ``1,412``, ``1412``)."""
    digits = re.sub(r"\D", "", text)
    assert digits, f"no number in {text!r}"
    return int(digits)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def root_from_inclusion(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """The root an inclusion proof leads to, as RFC 9162 §2.1.3.2 says; ValueError when the
    proof does not fit the index and tree size."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = sha256(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return r


def ed25519_verifies(public_hex: str, signature_b64: str, message: bytes) -> bool:
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
    try:
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except InvalidSignature:
        return False
    return True


FETCH = """async (href) => {
  const answer = await fetch(href);
  return {status: answer.status, type: answer.headers.get('content-type') || '',
          text: await answer.text()};
}"""


# -- the walk -------------------------------------------------------------------------------


class Reader:
    """One tab at 1280 px: follows links, checks each page's language and width, keeps a
    screenshot of each step."""

    def __init__(self, page: Page, lang: str, folder: Path, election: str) -> None:
        self.page, self.lang, self.folder, self.election = page, lang, folder, election
        self.steps = 0
        self.problems: list[str] = []

    def follow(self, link: Locator, why: str) -> Response:
        """Click the one link ``link`` finds; the page it leads to answers 200."""
        count = link.count()
        assert count == 1, f"{self.page.url}: {count} links to {why}"
        href = link.get_attribute("href") or ""
        assert href.strip(), f"{self.page.url}: the link to {why} leads nowhere (href={href!r})"
        with self.page.expect_navigation() as navigation:
            link.click()
        answer = navigation.value
        assert answer is not None and answer.status == 200, (
            f"{self.page.url}: the link to {why} ({href}) answers "
            f"{answer.status if answer else 'nothing'}"
        )
        return answer

    def data_of(self, link: Locator, why: str) -> Any:
        """Follow a link to JSON, read it, come back (the browser's Back button)."""
        answer = self.follow(link, why)
        assert "json" in answer.headers.get("content-type", ""), f"{why}: not JSON"
        data = answer.json()
        self.page.go_back()
        return data

    def download_json(self, link: Locator, why: str) -> Any:
        """Fetch what the one link ``link`` finds points to, as a download (or curl) gets
        it: a browser's click on an API address shows DRF's HTML view of it instead."""
        assert link.count() == 1, f"{self.page.url}: {link.count()} links to {why}"
        href = link.get_attribute("href") or ""
        got: dict[str, Any] = self.page.evaluate(FETCH, href)
        assert got["status"] == 200 and "json" in got["type"], f"{why} ({href}): {got}"
        return json.loads(got["text"])

    def look(self, name: str) -> None:
        """The page is in the reader's language and fits the window; a screenshot."""
        self.steps += 1
        where = urlsplit(self.page.url).path
        if html_lang(self.page) != self.lang:
            self.problems.append(f"{where}: <html lang={html_lang(self.page)!r}>")
        wide = self.page.evaluate("document.documentElement.scrollWidth")
        if wide > WIDTH:
            self.problems.append(f"{where}: {wide} px wide at {WIDTH} px")
        shot = self.folder / f"{self.steps:02d}-{name}.jpg"
        self.page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=60)

    def main(self) -> Locator:
        return self.page.locator("main")


def rows(table: Locator) -> list[tuple[str, str]]:
    """A table's body rows as (row header, last cell) texts."""
    found: list[list[str]] = table.evaluate(
        "(t) => [...t.tBodies[0].rows].map((r) => [r.cells[0].innerText.trim(),"
        " r.cells[r.cells.length - 1].innerText.trim()])"
    )
    return [(head, last) for head, last in found]


def facts(dl: Locator) -> dict[str, str]:
    found: list[list[str]] = dl.evaluate(
        "(dl) => [...dl.querySelectorAll('dt')].map((dt) => [dt.innerText.trim(),"
        " dt.nextElementSibling.innerText.trim()])"
    )
    return {term: value for term, value in found}


def status_of(reader: Reader) -> dict[str, int]:
    """The page's protocol counts (accepted, reported, disputed, missing, expected)."""
    items = reader.main().locator("ul.public-status li strong").all_inner_texts()
    keys = ("accepted", "reported", "disputed", "missing", "expected")
    assert len(items) == len(keys), f"{reader.page.url}: protocol counts {items}"
    return {key: number(text) for key, text in zip(keys, items, strict=True)}


def same_status_as_data(reader: Reader, level: str) -> dict[str, Any]:
    """Follow the page's JSON twin: the same place and the same protocol counts."""
    shown = status_of(reader)
    data = reader.data_of(reader.main().locator("p.data-link a"), "the page's data (JSON)")
    assert data["level"] == level, data["level"]
    status = data["status"] if "status" in data else data["contest"]["status"]
    assert {k: status[k] for k in shown} == shown, f"{reader.page.url}: page {shown} ≠ JSON"
    return dict(data)


# -- the contest page and its winners -------------------------------------------------------


def check_contest(reader: Reader) -> None:
    """The contest's table marks with ✓ the options its JSON calls winners, and no option
    left unmarked has more votes than one marked."""
    page = reader.page
    link = reader.main().locator("table.contests tbody tr").first.locator("a")
    name = link.inner_text().strip()
    reader.follow(link, "the first contest")
    expect(page.locator("h1")).to_have_text(name)
    reader.look("contest")
    table = reader.main().locator("section.contest-result table.results")
    shown: list[dict[str, Any]] = table.evaluate(
        "(t) => [...t.tBodies[0].rows].map((r) => ({winner: r.classList.contains('winner'),"
        " mark: (r.querySelector('.mark') || {}).textContent || '',"
        " votes: r.cells[1].innerText}))"
    )
    assert shown, "the contest page shows no option"
    data = same_status_as_data(reader, "contest")
    options = data["contest"]["options"]
    assert [o["votes"] for o in options] == [number(r["votes"]) for r in shown]
    assert [o["winner"] for o in options] == [r["winner"] for r in shown]
    winners = [r for r in shown if r["winner"]]
    others = [r for r in shown if not r["winner"]]
    assert winners, "no winner (or leader) marked on a contest with accepted protocols"
    assert len(winners) <= max(1, int(data["contest"].get("seats") or 1))
    assert all(r["mark"].startswith("✓") for r in winners), winners
    assert not any("✓" in r["mark"] for r in others), others
    least = min(number(r["votes"]) for r in winners)
    assert all(number(r["votes"]) <= least for r in others), "a loser outpolls a winner"


# -- the station page -----------------------------------------------------------------------


def check_pdf(reader: Reader, section: Locator, station: int, lines: list[int]) -> dict[str, int]:
    """Download the signed protocol: a PDF naming the station, with the page's lines; its
    votes by option id."""
    link = section.locator("a[type='application/pdf']")
    assert link.count() == 1, "no PDF of the signed protocol"
    with reader.page.expect_download() as download:
        link.click()
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"%PDF-"), body[:20]
    document = pdfium.PdfDocument(body)
    text = "\n".join(p.get_textpage().get_text_range() for p in document)
    document.close()
    assert f"№{station}" in text, "the PDF does not name the station"
    printed = [int(m[1]) for m in re.finditer(r"^\s*\d+\. .* (\d+)\s*$", text, re.M)]
    assert printed == lines, f"PDF lines {printed} ≠ page {lines}"
    return {m[1]: int(m[2]) for m in re.finditer(r"\(([^()\s]+)\) (\d+)\s*$", text, re.M)}


def check_station(reader: Reader, station: int) -> None:
    page, lang = reader.page, reader.lang
    main = reader.main()
    expect(page.locator("h1")).to_contain_text(f"№{station}")
    section = main.locator("section.protocol").filter(has=page.locator("table.signed-lines"))
    expect(section.first).to_be_visible()
    section = section.first
    reader.look("station")

    # The numbers as signed: every line, the valid votes, every option.
    lines = [number(v) for _, v in rows(section.locator("table.signed-lines"))]
    votes = rows(section.locator("table.results"))
    assert lines and votes, "the protocol's numbers are not shown"
    # The signature block and the hash.
    signature = facts(section.locator("dl.signature"))
    key_id = signature[say(lang, "Key id")]
    value = signature[say(lang, "Signature")]
    public_key = signature[say(lang, "Public key")]
    digest = signature[say(lang, "SHA-256 of the signed content")]
    assert signature[say(lang, "Algorithm")].startswith("Ed25519")
    assert re.fullmatch(r"[0-9a-f]{32}", key_id), key_id
    assert re.fullmatch(r"[0-9a-f]{64}", digest), digest
    assert len(base64.b64decode(value, validate=True)) == 64
    # The versions and corrections, each with its ledger entry.
    expect(section.locator("h3", has_text=say(lang, "Versions and corrections"))).to_have_count(1)
    history = section.locator("ol.history > li")
    assert history.count() >= 1
    expect(history.first).to_contain_text(say(lang, "Version %(version)s") % {"version": 1})
    expect(history.last.locator("ul.decisions")).to_contain_text(say(lang, "Accepted and signed"))
    assert history.locator("a[href*='/api/integrity/entries/']").count() >= 2
    # The verification steps.
    steps = section.locator("ol.verify-steps > li")
    expect(section.locator("h3", has_text=say(lang, "How to verify these figures"))).to_be_visible()
    assert steps.count() >= 5, steps.count()

    pdf_votes = check_pdf(reader, section, station, lines)

    # The JSON twin holds the same figures, signature and hash.
    data = reader.data_of(main.locator("p.data-link a"), "the station's data (JSON)")
    assert data["level"] == "station" and data["station"]["number"] == station
    (twin,) = [p for p in data["protocols"] if p["contest"] == section_contest(section)]
    accepted = twin["accepted"]
    assert [*accepted["lines"].values(), accepted["votes_valid"]] == lines
    assert [v["votes"] for v in accepted["votes"]] == [number(n) for _, n in votes]
    for (label, _), vote in zip(votes, accepted["votes"], strict=True):
        assert label in vote["names"].values(), f"{label!r} is not a name of {vote['option']}"
    assert {v["option"]: v["votes"] for v in accepted["votes"]} == pdf_votes
    assert accepted["signature"]["key_id"] == key_id
    assert accepted["signature"]["value"] == value
    assert accepted["signature"]["public_key"] == public_key
    assert accepted["content_sha256"] == digest
    assert len(twin["history"]) == history.count()

    verify_a_number(reader, steps, accepted, votes, digest, public_key, value)


def section_contest(section: Locator) -> str:
    return (section.get_attribute("id") or "").removeprefix("protocol-")


def verify_a_number(
    reader: Reader,
    steps: Locator,
    accepted: dict[str, Any],
    votes: list[tuple[str, str]],
    digest: str,
    public_key: str,
    signature: str,
) -> None:
    """The most-voted option's count, verified as the steps on the page say."""
    best = max(range(len(votes)), key=lambda i: number(votes[i][1]))
    option, count = accepted["votes"][best]["option"], number(votes[best][1])
    # 1: the canonical content holds the number and hashes to the hash shown.
    content = steps.nth(0).locator("pre code").inner_text()
    assert json.loads(content)["votes"][option] == count
    assert sha256(content.encode("utf-8")).hex() == digest
    expect(steps.nth(0)).to_contain_text(digest)
    # 2: the commission signed the statement that names this hash.
    statement = steps.nth(1).locator("pre code").inner_text()
    assert json.loads(statement)["content_sha256"] == digest
    assert ed25519_verifies(public_key, signature, statement.encode("utf-8"))
    assert not ed25519_verifies(public_key, signature, statement.replace(digest, "0" * 64).encode())
    # 3 and 4: the version's ledger entry is in the signed tree head its proof names.
    entry = accepted["ledger"]["version"]["index"]
    link = steps.nth(2).locator(f"a[href*='/entries/{entry}/proof/']")
    proof = reader.download_json(link, f"the proof of ledger entry #{entry}")
    assert proof["index"] == entry and proof["summary"]["kind"] == "counting.protocol_version"
    assert proof.get("entry") is None, "the page says the public proof leaves the bytes out"
    head = proof["head"]
    assert head is not None, "the proof names no signed tree head"
    root = root_from_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        entry,
        proof["tree_size"],
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    assert root.hex() == proof["root_hash"] == head["root_hash"]
    assert proof["tree_size"] == head["size"]
    # 5: that head is the one the public ledger shows, and its signature verifies.
    reader.follow(steps.nth(4).locator("a[href='/ledger/']"), "the public ledger")
    check_ledger(reader, head)


def check_ledger(reader: Reader, head: dict[str, Any]) -> None:
    page, lang = reader.page, reader.lang
    expect(page.locator("h2#head-title")).to_have_text(say(lang, "Latest signed tree head"))
    reader.look("ledger")
    assert number(page.locator("#head-size").inner_text()) == head["size"]
    assert page.locator("#head-root").inner_text().strip() == head["root_hash"]
    assert page.locator("#head-key").inner_text().strip() == head["key_id"]
    signature = page.locator("#head-signature").inner_text().strip()
    assert signature == head["signature"]
    message = page.locator("dl.ledger-head dd").last.inner_text().strip()
    signed = json.loads(message)
    assert (signed["size"], signed["root_hash"]) == (head["size"], head["root_hash"])
    public_key = page.locator("#head-public-key").inner_text().strip()
    assert ed25519_verifies(public_key, signature, message.encode("utf-8"))


# -- the tests ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with demo_site(tmp_path_factory, "drilldown") as served:
        yield served


def _reader(browser: Browser, site: Site, lang: str, name: str) -> Reader:
    folder = ARTIFACTS / "drilldown" / name
    shutil.rmtree(folder, ignore_errors=True)  # this run's screenshots only
    folder.mkdir(parents=True)
    # A Russian browser: the language the reader wants comes from the page's control.
    context = browser.new_context(
        base_url=site.url,
        viewport=VIEWPORT,
        locale="ru-RU",
        accept_downloads=True,
    )
    context.set_default_timeout(30_000)
    return Reader(context.new_page(), lang, folder, site.found["values"]["election"])


def _choose_language(reader: Reader) -> None:
    page = reader.page
    answer = page.goto("/")  # the only address typed
    assert answer is not None and answer.status == 200
    with page.expect_navigation():
        page.locator(f"form.lang button[value={reader.lang}]").click()
    assert urlsplit(page.url).path == "/", f"the language switch went to {page.url}"
    assert html_lang(page) == reader.lang


def _walk_to_election(reader: Reader) -> dict[str, Any]:
    """Home → Results → the election; its entry of the index's JSON twin."""
    page, lang, main = reader.page, reader.lang, reader.main()
    reader.look("home")
    reader.follow(main.get_by_role("link", name=say(lang, "Results"), exact=True), "results")
    reader.look("results")
    index = reader.data_of(main.locator("p.data-link a"), "the list's data (JSON)")
    code = reader.election
    (election,) = [e for e in index["elections"] if e["code"] == code]
    link = main.locator(f"ul.elections a[href='{election['url']}']")
    # The election is named in the reader's language where the election has that name.
    expect(link).to_have_text(election["names"].get(lang) or election["name"])
    reader.follow(link, "the election")
    expect(page.locator("h1")).to_have_text(election["names"].get(lang) or election["name"])
    return dict(election)


def _down_to(reader: Reader, level: str, code: str, what: str) -> str:
    """Follow the row of ``code`` in the page's table of units; the page's heading is the
    link's text, a name and not the code."""
    link = reader.main().locator(f"table.units a[href$='/{level}/{code}/']")
    name = link.inner_text().strip()
    assert name and name != code, f"{what} {code} is shown by its code"
    reader.follow(link, f"{what} {code}")
    heading = reader.page.locator("h1")
    if level == "stations":
        expect(heading).to_contain_text(f"№{code}")
    else:
        expect(heading).to_have_text(name)
    return name


@pytest.mark.parametrize("lang", ["ky", "en"])
def test_a_reader_follows_the_results_down_to_a_station_and_verifies_a_number(
    browser: Browser, site: Site, lang: str
) -> None:
    values = site.found["values"]
    reader = _reader(browser, site, lang, lang)
    page = reader.page
    try:
        _choose_language(reader)
        election = _walk_to_election(reader)
        reader.look("election")
        data = same_status_as_data(reader, "country")
        assert data["path"][0]["code"] == election["code"]

        check_contest(reader)
        crumbs = reader.main().locator(f"nav.crumbs a[href='{election['url']}']")
        reader.follow(crumbs, "the election (from the contest's path)")

        region = _down_to(reader, "regions", values["region"], "region")
        reader.look("region")
        same_status_as_data(reader, "region")
        tec = _down_to(reader, "tecs", values["tec"], "territorial commission")
        reader.look("tec")
        same_status_as_data(reader, "tec")
        _down_to(reader, "stations", str(values["station"]), "polling station")
        # The station's path names the places the reader came through.
        expect(page.locator("nav.crumbs")).to_contain_text(region)
        expect(page.locator("nav.crumbs")).to_contain_text(tec)
        check_station(reader, int(values["station"]))
    finally:
        page.context.close()
    assert reader.problems == [], "\n".join(reader.problems)


def test_a_disputed_protocol_shows_its_history_and_not_its_figures(
    browser: Browser, site: Site
) -> None:
    """The station whose accepted protocol the TEC then disputed: reached by links, it
    shows the status, why it was disputed and each decision with its ledger entry, and no
    figure as the station's result. Which region and TEC hold the station is read from
    its JSON first (a lookup, not the walk), so that the walk can go there by links."""
    number_ = site.found["values"]["disputed_station"]
    assert number_ is not None, "the demo has no disputed protocol"
    reader = _reader(browser, site, "ky", "disputed-ky")
    page = reader.page
    try:
        code = site.found["values"]["election"]
        where = page.request.get(f"/results/{code}/stations/{number_}.json").json()
        region, tec = where["path"][1]["code"], where["path"][2]["code"]
        _choose_language(reader)
        _walk_to_election(reader)
        _down_to(reader, "regions", region, "region")
        _down_to(reader, "tecs", tec, "territorial commission")
        _down_to(reader, "stations", str(number_), "polling station")
        reader.look("station")
        section = (
            reader.main().locator("section.protocol").filter(has=page.locator("p.status-disputed"))
        )
        expect(section).to_have_count(1)
        expect(section.locator("table.signed-lines")).to_have_count(0)
        expect(section.locator("dl.signature")).to_have_count(0)
        decisions = section.locator("ol.history ul.decisions > li")
        expect(decisions).to_have_count(2)
        expect(decisions.nth(0)).to_contain_text(say("ky", "Accepted and signed"))
        expect(decisions.nth(1)).to_contain_text(say("ky", "Disputed"))
        expect(decisions.nth(1)).to_contain_text(say("ky", "Why"))
        assert decisions.locator("a[href*='/api/integrity/entries/']").count() == 2
        (twin,) = [p for p in where["protocols"] if p["status"] == "disputed"]
        reason = twin["history"][-1]["decisions"][-1]["reason"]
        assert reason, "the dispute has no reason in the data"
        expect(decisions.nth(1)).to_contain_text(reason)
        assert twin["accepted"] is None
    finally:
        page.context.close()
    assert reader.problems == [], "\n".join(reader.problems)


def refused(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """The proof does not lead to ``root`` for this index and size, or does not fit them."""
    try:
        return root_from_inclusion(leaf, index, size, path) != root
    except ValueError:
        return True


def test_the_inclusion_check_follows_rfc_9162() -> None:
    """The walk's verifier agrees with the ledger's Merkle tree on every leaf of trees of
    1 to 33 leaves, and refuses a changed leaf, sibling or index and a shortened proof."""
    for size in range(1, 34):
        leaves = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(size)]
        root = merkle.root(leaves)
        for index in range(size):
            path = merkle.inclusion_proof(leaves, index)
            assert root_from_inclusion(leaves[index], index, size, path) == root
            other = merkle.leaf_hash(b"changed")
            assert root_from_inclusion(other, index, size, path) != root
            if path:
                bent = [sha256(path[0]), *path[1:]]
                assert root_from_inclusion(leaves[index], index, size, bent) != root
            if size > 1:
                assert refused(leaves[index], (index + 1) % size, size, path, root)
            if path:
                assert refused(leaves[index], index, size, path[:-1], root)
    with pytest.raises(ValueError):
        root_from_inclusion(leaves[0], 0, 1, [leaves[0]])
    with pytest.raises(ValueError):
        root_from_inclusion(leaves[0], 5, 5, [])
