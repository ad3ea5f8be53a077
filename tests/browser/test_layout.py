"""Every page of the served demo fits a 1280 px window, in Kyrgyz, Russian and English, and
switches language where it stands; the open-data downloads open.

The pages are the site's URL patterns with arguments from the demo's rows
(``a11y/site_pages.py``): public pages as a visitor, staff pages (the admin included) as a
superuser and as the PEC clerk of one station. On each page the test reads
``document.documentElement.scrollWidth`` at a 1280×800 viewport, clicks the language
buttons in the header (the page must come back at the same URL with ``<html lang>`` of the
language chosen) and saves a full-page screenshot of each language under the artefacts
folder (``tests/browser/artifacts/layout/<public, staff, admin, pec-clerk>/``, or the same
under ``$SHAILOO_TEST_ARTIFACTS``), one folder per test, emptied when it starts.
A page wider than the window is reported with the elements that stick out.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from a11y.demo_site import ARTIFACTS, LANGS, THIRD_PARTY, Site, demo_site, html_lang, slug
from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH = 1280
VIEWPORT = {"width": WIDTH, "height": 800}

#: What sticks out past the window: the innermost elements whose right edge is beyond it
#: (their ancestors stick out only because they do), as short CSS paths.
STICKING_OUT = """(limit) => {
  const width = document.documentElement.clientWidth;
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
      let part = e.localName;
      if (e.id) { parts.unshift(part + '#' + e.id); break; }
      if (e.classList.length) part += '.' + [...e.classList].slice(0, 2).join('.');
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    const inner = [...el.children].some((c) => c.getBoundingClientRect().right > width + 1);
    if (!inner) out.push(path(el) + ' (right edge ' + Math.round(r.right) + ' px)');
    if (out.length >= limit) break;
  }
  return {scroll: document.documentElement.scrollWidth, culprits: out};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with demo_site(tmp_path_factory, "layout") as served:
        yield served


def _tab(browser: Browser, site: Site, who: str) -> Page:
    context = browser.new_context(base_url=site.url, viewport=VIEWPORT, locale="ky-KG")  # type: ignore[arg-type]
    context.set_default_timeout(30_000)
    if who != "visitor":
        context.add_cookies(site.session_cookies(who))  # type: ignore[arg-type]
    return context.new_page()


def _same_place(page: Page, url: str) -> bool:
    """The page is back at ``url``: the same path, every parameter the reader had kept (a
    page may add one it chose by default, such as ``?election=``)."""
    now, was = urlsplit(page.url), urlsplit(url)
    return now.path == was.path and set(parse_qsl(was.query)) <= set(parse_qsl(now.query))


def _look(page: Page, folder: Path, url: str, lang: str, problems: list[str]) -> None:
    """Width and screenshot of the page as it stands, in ``lang``."""
    seen = html_lang(page)
    if seen != lang:
        problems.append(f"{url} [{lang}]: <html lang={seen!r}>, the language chosen was {lang}")
    measured = page.evaluate(STICKING_OUT, 5)
    if measured["scroll"] > WIDTH:
        culprits = "; ".join(measured["culprits"]) or "no single element"
        problems.append(f"{url} [{lang}]: {measured['scroll']} px wide (sticking out: {culprits})")
    shot = folder / f"{slug(url)[:80]}-{lang or 'no-lang'}.jpg"
    page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=60)


def sweep(
    browser: Browser, site: Site, who: str, pages: list[dict[str, str]], shots: str
) -> list[str]:
    """Each page in each language, reached by the page's own language buttons; the problems.

    The first language of a page is the one the previous page left (the cookie the switch
    sets); two clicks then bring the page back in the other two, so every page is measured
    in all three and its switch is used twice.
    """
    assert pages, f"no page found for {who}"
    folder = ARTIFACTS / "layout" / shots
    shutil.rmtree(folder, ignore_errors=True)  # this run's screenshots only
    folder.mkdir(parents=True)
    page = _tab(browser, site, who)
    problems: list[str] = []
    lang = "ky"  # the default language, and the one the tab asks for
    try:
        for entry in pages:
            url = entry["url"]
            answer = page.goto(url)
            if answer is None or answer.status != 200:
                problems.append(f"{url}: answers {answer.status if answer else 'nothing'}")
                continue
            if entry["key"] in THIRD_PARTY:  # width only: not our markup, no switch
                _look(page, folder, url, html_lang(page), problems)
                continue
            _look(page, folder, url, lang, problems)
            here = page.url  # where the reader is (a page may canonicalise its address)
            for target in [code for code in LANGS if code != lang][:2]:
                button = page.locator(f"form.lang button[value={target}]")
                if button.count() != 1:
                    problems.append(f"{url} [{lang}]: no language switch to {target}")
                    break
                with page.expect_navigation():
                    button.click()
                lang = target  # the switch set the cookie, wherever it went
                if not _same_place(page, here):
                    problems.append(f"{url}: switching to {target} went to {page.url}")
                    break
                _look(page, folder, url, lang, problems)
    finally:
        page.context.close()
    return problems


def _is_admin(entry: dict[str, str]) -> bool:
    return entry["key"].startswith("admin")


def test_public_pages_fit_the_window_and_switch_language(browser: Browser, site: Site) -> None:
    problems = sweep(browser, site, "visitor", site.pages("visitor"), "public")
    assert problems == [], "\n".join(problems)


def test_staff_pages_fit_the_window_and_switch_language(browser: Browser, site: Site) -> None:
    pages = [p for p in site.pages("superuser") if not _is_admin(p)]
    problems = sweep(browser, site, "superuser", pages, "staff")
    assert problems == [], "\n".join(problems)


def test_admin_pages_fit_the_window_and_switch_language(browser: Browser, site: Site) -> None:
    pages = [p for p in site.pages("superuser") if _is_admin(p)]
    problems = sweep(browser, site, "superuser", pages, "admin")
    assert problems == [], "\n".join(problems)


def test_pec_clerk_pages_fit_the_window_and_switch_language(browser: Browser, site: Site) -> None:
    pages = site.pages("clerk")
    keys = {p["key"] for p in pages}
    assert "staff_results:station" in keys, "the clerk reaches the station's protocols"
    problems = sweep(browser, site, "clerk", pages, "pec-clerk")
    assert problems == [], "\n".join(problems)


def test_the_sweep_covers_the_pages_people_use(site: Site) -> None:
    """The walk reached the pages the issue names, with real arguments (an unfilled route
    would silently drop out of the sweep)."""
    public = {p["key"] for p in site.pages("visitor")}
    assert {
        "portal:home",
        "portal:check",
        "portal:stations",
        "portal:ledger",
        "portal:open_data",
        "results:index",
        "results:election",
        "results:contest",
        "results:region",
        "results:tec",
        "results:station",
        "candidates:public",
        "incidents:register",
        "incidents:status",
        "finance:funds",
        "finance:fund",
        "polling:public",
        "login",
    } <= public
    staff = {p["key"] for p in site.pages("superuser")}
    assert {
        "register:dashboard",
        "staff_results:dashboard",
        "staff_results:station",
        "staff_results:protocol",
        "counting:sheet",
        "biometrics_dedup:candidate",
        "candidates:candidate",
        "incidents:case",
        "finance:flag",
        "polling:dashboard",
        "admin:index",
    } <= staff
    # Every public page is swept: a public route left out for want of arguments is an API
    # (JSON for programs), never a page.
    pages_left_out = [
        key
        for key in site.found["unfilled_public"]
        if not key.startswith(("api-", "open311-", "integrity-"))
    ]
    assert pages_left_out == [], f"public routes the sweep could not fill: {pages_left_out}"


# -- downloads ------------------------------------------------------------------------------

FETCH = """async (href) => {
  const answer = await fetch(href);
  return {status: answer.status, type: answer.headers.get('content-type') || '',
          text: await answer.text()};
}"""

DOWNLOAD_LINKS = (
    "a[href$='.csv'], a[href$='.json'], a[href$='.jsonl'], a[href*='.csv?'], a[href*='.json?']"
)


def _parses(href: str, kind: str, text: str) -> str | None:
    """Why the file at ``href`` does not open as its type says, or None."""
    try:
        if "json" in kind and href.split("?")[0].endswith(".jsonl"):
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
            return None if rows else "no entries"
        if "json" in kind:
            json.loads(text)
            return None
        if "csv" in kind:
            rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), strict=True))
            if not rows or not any(rows[0]):
                return "no header"
            widths = {len(row) for row in rows if row}
            return None if len(widths) == 1 else f"rows of different widths {sorted(widths)}"
    except (ValueError, csv.Error) as error:
        return str(error)
    return f"served as {kind!r}"


def test_open_data_downloads_open_in_the_browser(browser: Browser, site: Site) -> None:
    """Each download linked from the open-data, turnout, finance and ledger pages, and each
    open-data address of the URL map (``site_pages``), fetched by the page the way a click
    fetches it, parses as what it says it is: JSON, JSON lines, CSV with one width."""
    page = _tab(browser, site, "visitor")
    code = site.found["values"]["election"]
    opened: dict[str, str] = {}
    problems: list[str] = []
    try:
        hrefs: list[tuple[str, str]] = []
        for where in ("/open-data/", "/turnout/", "/finance/", "/ledger/"):
            page.goto(where)
            links = page.eval_on_selector_all(
                DOWNLOAD_LINKS, "(links) => links.map((a) => a.getAttribute('href'))"
            )
            hrefs += [(where, href) for href in links]
        hrefs += [("URL map", d["url"]) for d in site.found["downloads"]]
        page.goto("/open-data/")
        for where, href in hrefs:
            if href in opened:
                continue
            got: dict[str, Any] = page.evaluate(FETCH, href)
            opened[href] = got["type"]
            if got["status"] != 200:
                problems.append(f"{where} → {href}: answers {got['status']}")
                continue
            why = _parses(href, got["type"], got["text"])
            if why:
                problems.append(f"{where} → {href}: {why}")
    finally:
        page.context.close()
    assert problems == [], "\n".join(problems)
    keys = {d["key"] for d in site.found["downloads"]}
    assert {
        "portal:open_data_results_csv",
        "portal:open_data_results_nist",
        "portal:ledger_export",
        "polling:public_csv",
        "polling:public_json",
        "finance:open_data",
    } <= keys, sorted(keys)
    assert f"/open-data/{code}/results.csv" in opened, sorted(opened)
