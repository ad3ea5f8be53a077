"""Sending the offline queue once the network is back: in order, in batches, nothing dropped.

The queue goes before any other request: the server refuses a clock reading older than one it
already accepted, so the older offline issues must arrive first. A batch holds at most
:data:`SYNC_BATCH` issues (half the server's limit, ``api.MAX_SYNC``). An entry is marked
done only once the server answered it, so an entry whose answer was lost is sent again and its
idempotency key makes it count once; an answer that names no key of the batch is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from shailoo.polling.client.state import DeviceState, QueuedIssue
from shailoo.polling.client.transport import Answer, ServerRefused

SYNC_PATH: Final = "/api/polling/sync/"
SYNC_BATCH: Final = 500

#: How the device sends a request (``StationDevice._call``: retries, then ``Offline``).
Send = Callable[[str, str, Mapping[str, Any]], Answer]


def send_queue(state: DeviceState, send: Send) -> Iterator[dict[str, Any]]:
    """Send the pending issues in order; yield each answer once its entry is marked done.

    Raises ``Offline`` if the server cannot be reached (what was answered so far stays done,
    the rest stays queued) and :class:`ServerRefused` for a reply without answers.
    """
    pending = state.pending()
    for start in range(0, len(pending), SYNC_BATCH):
        batch = pending[start : start + SYNC_BATCH]
        answer = send("POST", SYNC_PATH, {"issues": [entry.to_json() for entry in batch]})
        body = answer.body if isinstance(answer.body, dict) else {}
        got = body.get("answers")
        if not isinstance(got, list):
            raise ServerRefused(answer.status, "bad_answer", "no answers in sync reply", body)
        for item in answers_of(got, batch):
            state.mark_done(str(item["key"]), str(item.get("outcome", "")))
            yield item


def answers_of(got: Iterable[Any], batch: Sequence[QueuedIssue]) -> list[dict[str, Any]]:
    """The sync answers that name a key of the batch (anything else is ignored)."""
    keys = {entry.key for entry in batch}
    return [a for a in got if isinstance(a, dict) and a.get("key") in keys]
