"""One JSON object per log line (``SHAILOO_LOG_FORMAT=json``), for a log collector.

On a results night the logs of several workers go to one collector, which reads fields,
not prose. The formatter writes what a record says (time in UTC, level, logger, message,
the worker's process id, the traceback when there is one) and the values passed as
``extra`` that are plain text or numbers. It masks nothing itself and needs not: the
``mask_pins`` filter (``common.logs``) runs on every handler before any formatter, and the
record factory masks each record as it is made, so what reaches this formatter holds no PIN.
Objects passed as ``extra`` (Django's ``request``) are left out: their ``repr`` is not a
field a collector can use, and it could hold what the masking does not see.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

#: What every record has; anything else was passed as ``extra``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "server_time",
}


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON (keys: time, level, logger, message, ...)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name, value in record.__dict__.items():
            plain = isinstance(value, str | int | float | bool) or value is None
            if plain and name not in _STANDARD and not name.startswith("_") and name not in line:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
