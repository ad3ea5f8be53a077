"""The real server in its own process: killed with SIGKILL between a check-in's commit and its
answer, the device's retry (same idempotency key, new signature) after the restart gets the
first answer; a burst of concurrent retries of one check-in counts once."""

from __future__ import annotations

import http.client
import json
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from shailoo.integrity import keys
from shailoo.integrity.submissions import sign_request
from shailoo.polling import hlc

from .day_kit import captures

SCRIPT = Path(__file__).with_name("crash_server.py")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(folder: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, str(SCRIPT), "serve", str(folder), str(port), *extra]
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def _post(port: int, key_file: Path, sequence: int, body: dict) -> tuple[int, dict]:
    raw = json.dumps(body).encode()
    path = "/api/polling/checkins/"
    headers = sign_request(keys.load_private_key(key_file), "POST", path, raw, sequence=sequence)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST", path, body=raw, headers={**headers, "Content-Type": "application/json"}
    )
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def test_a_retry_after_kill_9_between_commit_and_answer_gets_the_first_answer(tmp_path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "setup", str(tmp_path)], check=True)
    voter = json.loads((tmp_path / "setup.json").read_text())["voter"]
    body = {
        "key": "crash-000001",
        "hlc": hlc.Clock().tick(),
        "mode": "identify",
        "templates": captures(voter),
    }
    port = _port()
    server = _start(tmp_path, port, "crash")
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        _post(port, tmp_path / "device.pem", 1, body)
    assert server.wait(timeout=60) == -9  # died by SIGKILL, with no answer sent
    server = _start(tmp_path, port)
    try:
        status, answer = _post(port, tmp_path / "device.pem", 2, body)  # same key, new signature
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert status == 200 and answer["outcome"] == "issued" and answer["repeat"] is True
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        (ballots,) = db.execute("select count(*) from polling_checkin").fetchone()
    assert ballots == 1


def test_a_burst_of_concurrent_retries_of_one_check_in_counts_once(tmp_path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "setup", str(tmp_path)], check=True)
    voter = json.loads((tmp_path / "setup.json").read_text())["voter"]
    body = {
        "key": "burst-000001",
        "hlc": hlc.Clock().tick(),
        "mode": "identify",
        "templates": captures(voter),
    }
    port = _port()
    server = _start(tmp_path, port)
    try:
        with ThreadPoolExecutor(8) as pool:  # eight sends of one request, each signed anew
            answers = list(
                pool.map(lambda n: _post(port, tmp_path / "device.pem", n, body), range(1, 9))
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Sends overtaking each other may be refused as replays (their sequence is below one
    # already accepted); every one that is accepted gets the one answer.
    accepted = [a for status, a in answers if status == 200]
    refused = [a for status, a in answers if status != 200]
    assert all(a.get("code") == "replayed_sequence" for a in refused), refused
    assert len(accepted) >= 2 and {a["outcome"] for a in accepted} == {"issued"}
    assert sum(1 for a in accepted if not a["repeat"]) == 1
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        (ballots,) = db.execute("select count(*) from polling_checkin").fetchone()
        (answers_kept,) = db.execute("select count(*) from polling_answer").fetchone()
    assert ballots == 1 and answers_kept == 1
