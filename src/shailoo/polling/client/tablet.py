"""The device's local web page for the commission member's tablet (stdlib ``http.server``).

It listens on the loopback interface only and refuses a request whose ``Host`` header is not
a loopback name (so a web page elsewhere cannot reach it through DNS rebinding); with nobody
else able to reach it, plain forms need no CSRF token. Everything shown is escaped.

The page shows the device's state (station, online or offline, queue, clock offset, package),
a check-in form — the document's PIN if read, and the capture: template files from the
scanner (ISO/IEC 19794-2, ANSI/INCITS 378, a face embedding) or, in demo mode, a synthetic
person id — and the answer in big letters: issue, or do not issue and why (already voted
where and when, listed at which station). Buttons open and close the station and sync.
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs

from shailoo.common.refusals import Refusal
from shailoo.polling.client.device import Capture, StationDevice
from shailoo.polling.client.transport import Offline, ServerRefused

LOOPBACK: Final = ("127.0.0.1", "::1", "localhost")
MAX_BODY: Final = 2 * 1024 * 1024
FILE_FIELDS: Final = (
    ("finger_iso", "Fingerprint (ISO/IEC 19794-2)"),
    ("finger_ansi", "Fingerprint (ANSI/INCITS 378)"),
    ("embedding", "Face embedding"),
)
DemoCaptures = Callable[[int, int], list[Capture]]

_STYLE = """
body{font-family:sans-serif;margin:1rem;max-width:48rem}
.answer{font-size:2.2rem;font-weight:bold;padding:1rem;border-radius:.5rem;margin:1rem 0}
.issue{background:#d4f7d4;color:#064d06}.refuse{background:#fbd5d5;color:#7a0b0b}
.wait{background:#fff2c7;color:#5e4700}
fieldset{margin:.8rem 0}label{display:block;margin:.3rem 0}
button{font-size:1.1rem;padding:.4rem 1rem;margin:.2rem}
table{border-collapse:collapse}td{padding:.1rem .6rem}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _answer_html(answer: dict[str, Any] | None, error: str) -> str:
    if error:
        return f'<div class="answer wait" id="answer">{_e(error)}</div>'
    if answer is None:
        return ""
    outcome = str(answer.get("outcome", ""))
    css = "issue" if outcome == "issued" else "wait" if outcome == "needs_server" else "refuse"
    head = "ISSUE THE BALLOT" if outcome == "issued" else "DO NOT ISSUE"
    lines = [f'<div class="answer {css}" id="answer" data-outcome="{_e(outcome)}">{head}</div>']
    lines.append(f'<p id="message">{_e(answer.get("message", ""))}</p>')
    voter = answer.get("voter")
    if isinstance(voter, dict):
        name = " ".join(str(voter.get(k, "")) for k in ("surname", "given_name", "patronymic"))
        lines.append(f'<p id="voter">{_e(name)} ({_e(voter.get("birth_year", ""))})</p>')
    facts = [
        ("voted_station", "Already voted at station"),
        ("voted_at", "at"),
        ("listed_at", "Listed at station"),
        ("ballot_style", "Ballot"),
    ]
    for key, label in facts:
        if answer.get(key) not in (None, ""):
            lines.append(f"<p>{_e(label)}: <b>{_e(answer[key])}</b></p>")
    if answer.get("offline"):
        lines.append("<p><i>Decided on this device (offline).</i></p>")
    return "\n".join(lines)


def render(device: StationDevice, answer: dict[str, Any] | None, error: str, demo: bool) -> str:
    """The whole page (status, forms, the last answer)."""
    status = device.status()
    package = status["package"]
    reasons = device.package.manual_reasons if device.package else ()
    rows = [
        ("Station", status["station"]),
        ("Network", "online" if status["online"] else "OFFLINE"),
        ("Waiting to sync", status["queue"]),
        ("Clock offset (s)", status["clock_offset_s"]),
        ("Package", f"{package['voters']} voters" if package else "not loaded"),
        ("Alerts", status["alerts"]),
    ]
    table = "".join(
        f'<tr><td>{_e(k)}</td><td id="status-{i}">{_e(v)}</td></tr>'
        for i, (k, v) in enumerate(rows)
    )
    files = "".join(
        f'<label>{_e(label)} <input type="file" name="{name}"></label>'
        for name, label in FILE_FIELDS
    )
    demo_field = (
        '<label>Demo: synthetic person id <input name="demo_person" inputmode="numeric"></label>'
        '<label>Demo: capture session <input name="demo_session" value="1"></label>'
        if demo
        else ""
    )
    options = "".join(f'<option value="{_e(r)}">{_e(r)}</option>' for r in reasons)
    alerts = "".join(
        f"<li>{_e(a.get('outcome', ''))}: {_e(a.get('message', ''))}</li>"
        for a in device.alerts[-10:]
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Station {_e(status["station"])} — check-in</title><style>{_STYLE}</style></head><body>
<h1>Station {_e(status["station"])}</h1>
<table id="status">{table}</table>
{_answer_html(answer, error)}
<form method="post" action="/checkin" enctype="multipart/form-data">
<fieldset><legend>Check in</legend>
<label>PIN from the document <input name="pin" inputmode="numeric" maxlength="14"></label>
{files}{demo_field}
<label>Manual procedure <select name="manual_reason"><option value="">—</option>{options}
</select></label>
<label>Failed biometric attempts <input name="attempts" value="0" inputmode="numeric"></label>
<button type="submit" id="check-in">Check in</button></fieldset></form>
<form method="post" action="/open"><label>Ballots received
<input name="ballots_received" inputmode="numeric"></label><button>Open station</button></form>
<form method="post" action="/sync"><button>Sync now</button></form>
<form method="post" action="/close"><label>Unused ballots <input name="unused"></label>
<label>Spoiled ballots <input name="spoiled"></label><button>Close station</button></form>
<ul id="alerts">{alerts}</ul>
</body></html>"""


def _form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """Text fields and uploaded files of a urlencoded or multipart form."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}, {}
    if not content_type.startswith("multipart/form-data"):
        return {}, {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        if part.get_filename() is not None:
            if payload:
                files[name] = payload
        else:
            fields[name] = payload.decode("utf-8", "replace")
    return fields, files


def _int(text: str, name: str, default: int | None = None) -> int:
    text = text.strip()
    if not text and default is not None:
        return default
    if not text.isdigit() or len(text) > 9:
        raise ValueError(f"{name}: a whole number")
    return int(text)


class _Handler(BaseHTTPRequestHandler):
    server: TabletServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: paths carry nothing secret, but a PIN form must not end in a log either."""

    def _loopback_host(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            name = host[1 : host.find("]")] if "]" in host else ""
        else:
            name = host.rsplit(":", 1)[0] if ":" in host else host
        return name in LOOPBACK

    def _send(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if not self._loopback_host():
            self._send(HTTPStatus.FORBIDDEN, "loopback only")
            return
        if self.path not in ("/", "/index.html"):
            self._send(HTTPStatus.NOT_FOUND, "not found")
            return
        self._page(None, "")

    def do_POST(self) -> None:
        if not self._loopback_host():
            self._send(HTTPStatus.FORBIDDEN, "loopback only")
            return
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too large")
            return
        body = self.rfile.read(int(length))
        fields, files = _form(self.headers.get("Content-Type", ""), body)
        device = self.server.device
        answer: dict[str, Any] | None = None
        error = ""
        try:
            if self.path == "/checkin":
                answer = self._check_in(fields, files)
            elif self.path == "/open":
                device.open(_int(fields.get("ballots_received", ""), "ballots received"))
                error = "Station opened."
            elif self.path == "/close":
                closing = device.close(
                    _int(fields.get("unused", ""), "unused", 0),
                    _int(fields.get("spoiled", ""), "spoiled", 0),
                )
                error = f"Station closed; difference {closing.get('difference', 0)}."
            elif self.path == "/sync":
                error = f"Synced {len(device.sync())} ballots issued offline."
            else:
                self._send(HTTPStatus.NOT_FOUND, "not found")
                return
        except Offline:
            error = "The server cannot be reached: try again when the network is back."
        except ServerRefused as exc:
            error = f"The server refused: {exc.detail or exc.code}"
        except (Refusal, ValueError) as exc:
            error = str(exc)
        self._page(answer, error)

    def _check_in(self, fields: dict[str, str], files: dict[str, bytes]) -> dict[str, Any]:
        captures = [Capture(name, files[name]) for name, _ in FILE_FIELDS if name in files]
        demo = self.server.demo_captures
        person = fields.get("demo_person", "").strip()
        if demo is not None and person:
            captures += demo(
                _int(person, "person id"), _int(fields.get("demo_session", ""), "session", 1)
            )
        pin = fields.get("pin", "").strip() or None
        reason = fields.get("manual_reason", "").strip()
        mode = "manual" if reason else None
        return self.server.device.check_in(
            [] if mode == "manual" else captures,
            pin=pin,
            mode=mode,
            manual_reason=reason,
            attempts=_int(fields.get("attempts", ""), "attempts", 0),
        )

    def _page(self, answer: dict[str, Any] | None, error: str) -> None:
        self._send(
            HTTPStatus.OK,
            render(self.server.device, answer, error, self.server.demo_captures is not None),
        )


class TabletServer(ThreadingHTTPServer):
    """The page's HTTP server, bound to a loopback address."""

    daemon_threads = True

    def __init__(
        self,
        device: StationDevice,
        host: str = "127.0.0.1",
        port: int = 8765,
        *,
        demo_captures: DemoCaptures | None = None,
    ) -> None:
        if host not in LOOPBACK:
            raise ValueError(f"the tablet page listens on a loopback address only, not {host!r}")
        if host == "::1":
            import socket

            self.address_family = socket.AF_INET6
        self.device = device
        self.demo_captures = demo_captures
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name if ':' not in name else f'[{name}]'}:{port}/"

    def start(self) -> threading.Thread:
        """Serve in a background thread (tests, the simulator); :meth:`shutdown` stops it."""
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread


def serve_tablet(
    device: StationDevice,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    demo_captures: DemoCaptures | None = None,
) -> None:
    """Serve the page until interrupted (the ``shailoo device tablet`` command)."""
    server = TabletServer(device, host, port, demo_captures=demo_captures)
    try:
        server.serve_forever()
    finally:
        server.server_close()
