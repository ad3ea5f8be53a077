"""Signed HTTP for a station device: ``shailoo-request/1`` over one keep-alive connection.

Every request carries a fresh sequence number (saved before it leaves, see
:mod:`.state`) and the device's time plus the offset it learnt from the server. The server
answers every request with ``X-Shailoo-Server-Time``; when it refuses a signature as
``stale_timestamp`` (the device's clock is more than the allowed skew off — the server keeps a
security event of it, which is how a wrong clock is detected), the device learns the offset
from that header and signs the request once more with a new sequence, then keeps working.
A network failure (refused connection, reset, timeout) raises :class:`Offline`; so does any
request while the device was switched offline (simulations).

Requests are signed by :func:`shailoo.integrity.request_signing.sign_request`, the one
definition of the scheme the server checks (pure: the device client imports no Django).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shailoo.common import safe_json
from shailoo.common.refusals import InvalidInput
from shailoo.integrity.request_signing import sign_request
from shailoo.polling.client.state import DeviceState

SERVER_TIME: Final = "X-Shailoo-Server-Time"
STALE: Final = "stale_timestamp"
MAX_ANSWER_BYTES: Final = 64 * 1024 * 1024


class Offline(Exception):
    """The server cannot be reached (or the device is switched offline): decide locally."""


class ServerRefused(Exception):
    """The server answered with a refusal (4xx) or an error (5xx): status, code and body."""

    def __init__(self, status: int, code: str, detail: str, body: Any) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.body = body


@dataclass(frozen=True, slots=True)
class Answer:
    """A 2xx answer: status, decoded JSON body and the server's clock (ms), if it said."""

    status: int
    body: Any
    server_time_ms: int | None
    raw: bytes = field(repr=False, default=b"")


def sign(
    private_key: Ed25519PrivateKey,
    method: str,
    path: str,
    body: bytes,
    *,
    sequence: int,
    timestamp: int,
) -> dict[str, str]:
    """The five ``X-Shailoo-*`` headers of a signed request (scheme ``shailoo-request/1``)."""
    return sign_request(private_key, method, path, body, sequence=sequence, timestamp=timestamp)


class Transport:
    """One device's connection to its server (thread-safe: one request at a time).

    ``clock`` is the device's wall clock in seconds (``time.time``); ``hlc_reading`` is asked,
    just before a request is signed, for the clock reading the body will carry, so that the
    sequence and the reading are saved together before sending (see :meth:`request`).
    """

    def __init__(
        self,
        state: DeviceState,
        *,
        clock: Callable[[], float] = time.time,
        timeout_s: float | None = None,
        on_server_time: Callable[[int], None] | None = None,
    ) -> None:
        url = urllib.parse.urlsplit(state.config.server)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise InvalidInput("server", f"not an http(s) URL: {state.config.server!r}")
        self.state = state
        self.clock = clock
        self.timeout_s = timeout_s if timeout_s is not None else state.config.timeout_s
        self.on_server_time = on_server_time
        self._url = url
        self._prefix = url.path.rstrip("/")
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.RLock()
        self.offline = False
        #: How many times the server refused a timestamp and the offset was corrected.
        self.clock_corrections = 0

    # -- switches ------------------------------------------------------------------------------

    def go_offline(self) -> None:
        """Act as if the network were down (simulations): every request raises Offline."""
        with self._lock:
            self.offline = True
            self._drop()

    def go_online(self) -> None:
        with self._lock:
            self.offline = False

    def close(self) -> None:
        with self._lock:
            self._drop()

    # -- requests ------------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The device's time corrected by the offset learnt from the server, in ms."""
        return int(self.clock() * 1000) + self.state.offset_ms

    def request(
        self,
        method: str,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        body_of: Callable[[], Mapping[str, Any]] | None = None,
    ) -> Answer:
        """Send a signed request; the answer's JSON, or :class:`ServerRefused` / :class:`Offline`.

        ``body_of`` builds the body at sending time (it ticks the device's clock): on a
        stale-timestamp retry the body is built again, so the clock reading it carries
        follows the corrected time.
        """
        with self._lock:
            first = self._send(method, path, payload, body_of)
            if first.status == 401 and _code(first.body) == STALE and first.server_time_ms:
                self._learn_offset(first.server_time_ms)
                first = self._send(method, path, payload, body_of)
            return self._result(first)

    def _learn_offset(self, server_ms: int) -> None:
        offset = server_ms - int(self.clock() * 1000)
        self.state.save_offset(offset)
        self.clock_corrections += 1

    def _send(
        self,
        method: str,
        path: str,
        payload: Mapping[str, Any] | None,
        body_of: Callable[[], Mapping[str, Any]] | None,
        *,
        fresh: bool = False,
    ) -> Answer:
        if self.offline:
            raise Offline("the device is offline")
        data = body_of() if body_of is not None else payload
        body = b"" if data is None else json.dumps(data, separators=(",", ":")).encode("utf-8")
        hlc_value = int(data.get("hlc", 0)) if data is not None else 0
        sequence = self.state.reserve(hlc_value)
        full = self._prefix + path
        headers = sign(
            self.state.signing_key,
            method,
            full,
            body,
            sequence=sequence,
            timestamp=self.now_ms() // 1000,
        )
        headers["Accept"] = "application/json"
        if body:
            headers["Content-Type"] = "application/json"
        reused = self._conn is not None
        try:
            conn = self._connection()
            conn.request(method, full, body=body or None, headers=headers)
            response = conn.getresponse()
            raw = response.read(MAX_ANSWER_BYTES + 1)
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            if reused and not fresh and not isinstance(exc, TimeoutError):
                # The kept-alive connection was closed by the other end while idle (a server
                # restarted, a proxy's idle limit): send again at once on a new connection, as
                # a new request (new sequence, same idempotency key), instead of reporting the
                # network down and waiting out a back-off with a voter at the desk.
                return self._send(method, path, payload, body_of, fresh=True)
            raise Offline(f"{type(exc).__name__}: {exc}") from exc
        if response.getheader("Connection", "").lower() == "close" or response.will_close:
            self._drop()
        server_ms = _int_or_none(response.getheader(SERVER_TIME))
        if server_ms is not None and self.on_server_time is not None:
            self.on_server_time(server_ms)
        try:
            decoded = safe_json.loads(raw, source=f"{method} {path}") if raw else None
        except InvalidInput:
            decoded = {"code": "not_json", "detail": raw[:200].decode("utf-8", "replace")}
        return Answer(response.status, decoded, server_ms, raw)

    def _result(self, answer: Answer) -> Answer:
        if 200 <= answer.status < 300:
            return answer
        body = answer.body
        raise ServerRefused(answer.status, _code(body), _detail(body), body)

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            host, port = self._url.hostname or "", self._url.port
            if self._url.scheme == "https":
                self._conn = http.client.HTTPSConnection(host, port, timeout=self.timeout_s)
            else:
                self._conn = http.client.HTTPConnection(host, port, timeout=self.timeout_s)
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _int_or_none(text: str | None) -> int | None:
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 16:
        return None
    return int(text)


def _code(body: Any) -> str:
    if isinstance(body, dict):
        code = body.get("code")
        if isinstance(code, str):
            return code
        detail = body.get("detail")
        if isinstance(detail, dict) and isinstance(detail.get("code"), str):
            return str(detail["code"])
    return ""


def _detail(body: Any) -> str:
    if isinstance(body, dict):
        detail = body.get("detail", body.get("message", ""))
        if isinstance(detail, dict):
            detail = detail.get("detail", "")
        return str(detail)[:500]
    return ""
