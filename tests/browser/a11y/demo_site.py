"""The demo country served as in production, for the page sweeps of the browser tests.

``shailoo demo --no-serve`` builds a small country (every domain's rows: accepted, blocked
and disputed protocols, candidates, cases, funds, turnout) into its own var folder, once per
test session whichever test module (or xdist worker) asks first; ``site_pages.py`` finds the
pages in it and signs the staff users in; ``shailoo serve --server waitress`` serves it on a
free loopback port (DEBUG off, compressed statics: what a visitor gets).

axe-core comes from the npm registry (``package.json`` beside this file); :func:`axe_source`
fails, never skips, when it was not installed.

While working on pages, ``SHAILOO_SWEEP_DEMO_DIR=/some/folder`` keeps the built demo there
between runs (delete the folder, or run ``shailoo manage migrate`` with its
``SHAILOO_VAR_DIR``, after a model change).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_AXE = f"npm ci --prefix {HERE.relative_to(ROOT)}"
ARTIFACTS = Path(os.environ.get("SHAILOO_TEST_ARTIFACTS", HERE.parent / "artifacts"))
#: The demo's size: 50 stations, every domain's rows, built in a few minutes on CI.
DEMO_ARGS = ("--scale", "3000", "--seed", "4", "--no-serve")
LANGS = ("ky", "ru", "en")
#: Pages that are not Shailoo's own markup, and why: in the width sweep without a language
#: switch (their content is English). axe checks the API explorer in its own test
#: (``test_a11y.test_the_api_explorer_…``), our shell and Swagger UI's repaired markup alike.
THIRD_PARTY = {
    "api-docs": "Swagger UI, the API's explorer for developers: English, its own page",
}


@dataclass(frozen=True)
class Site:
    """The served demo: its address and what ``site_pages.py`` found in it."""

    url: str
    found: dict[str, Any]

    def pages(self, who: str) -> list[dict[str, str]]:
        return list(self.found["pages"][who])

    def session_cookies(self, who: str) -> list[dict[str, Any]]:
        """The cookie of ``who``'s signed-in session, for a browser context."""
        value = self.found["sessions"][who]
        return [{"name": self.found["cookie"], "value": value, "url": self.url}]


def axe_source() -> str:
    """axe-core's browser build; a missing install fails the test with the command."""
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed ({AXE} is missing): run `{INSTALL_AXE}` "
            "(make test runs it)",
            pytrace=False,
        )
    return AXE.read_text(encoding="utf-8")


def _env(var: Path) -> dict[str, str]:
    env = dict(os.environ, SHAILOO_VAR_DIR=str(var), PYTHONUNBUFFERED="1")
    for name in ("SHAILOO_DATABASE_URL", "SHAILOO_PROTOCOL_KEY_FILE", "SHAILOO_CACHE_URL"):
        env.pop(name, None)
    return env


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run shares (the run's base temp folder), or
    ``$SHAILOO_SWEEP_DEMO_DIR``: a demo kept between runs while working on pages."""
    if os.environ.get("SHAILOO_SWEEP_DEMO_DIR"):
        return Path(os.environ["SHAILOO_SWEEP_DEMO_DIR"])
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The demo's var folder and the pages found in it, built once per test run."""
    root = _shared_root(tmp_path_factory) / "a11y-demo"
    root.mkdir(parents=True, exist_ok=True)
    var, found = root / "var", root / "pages.json"
    with open(root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not found.exists():
            for command, timeout in (
                ([sys.executable, "-m", "shailoo.cli", "demo", *DEMO_ARGS], 1200),
                ([sys.executable, str(HERE / "site_pages.py"), str(found)], 600),
            ):
                done = subprocess.run(
                    command,
                    env=_env(var),
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                )
                if done.returncode != 0:
                    found.unlink(missing_ok=True)
                    pytest.fail(
                        f"{' '.join(command[1:])} failed:\n{done.stdout[-3000:]}\n"
                        f"{done.stderr[-6000:]}",
                        pytrace=False,
                    )
    return var, json.loads(found.read_text(encoding="utf-8"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(var: Path, log: Path) -> Iterator[str]:
    """``shailoo serve`` (waitress) on the demo's database until the block ends."""
    port = _free_port()
    command = [
        sys.executable, "-m", "shailoo.cli", "serve", "--server", "waitress",
        "--port", str(port), "--threads", "4", "--no-access-log",
    ]  # fmt: skip
    with open(log, "w") as out:
        server = subprocess.Popen(command, env=_env(var), cwd=ROOT, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"shailoo serve did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def demo_site(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Site]:
    """The demo, built once per run, served for one test module."""
    var, found = build(tmp_path_factory)
    log = tmp_path_factory.mktemp(name) / "serve.log"
    with served(var, log) as url:
        yield Site(url, found)


def slug(url: str) -> str:
    """A file name for ``url``: ``/results/jk-2027/`` → ``results-jk-2027``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-") or "home"


def html_lang(page: Any) -> str:
    return str(page.evaluate("document.documentElement.lang"))
