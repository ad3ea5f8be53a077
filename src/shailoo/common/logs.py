"""Log records without PINs: a filter that masks every 14-digit run before a record is written.

PINs are kept out of URLs (the eligibility API takes the PIN in a POST body, the person search
and the self-check are POST forms), but a PIN can still arrive: an old client calling a URL
with a PIN in it, a visitor typing one into an address bar, an exception whose message names
one. Django logs the path of every 4xx/5xx (``django.request``), the development server and
waitress log request lines, and tracebacks quote exception messages. :class:`MaskPins` runs on
every handler and on the loggers that write requests (``settings.LOGGING``): it masks
14-digit runs in the message, its arguments (the request path and request line among them),
the traceback, the stack and text passed as ``extra`` (the SQL log's statement and
parameters), the way ``register.pin.mask_pin`` masks a PIN (first digit and last two kept).
Objects passed as ``extra`` (Django's ``request``) are left as they are: no handler here
prints them, and none that does (``AdminEmailHandler``) may be configured.

The record itself is changed, so every handler after the first (a test's capture handler,
an error tracker) sees the masked record too. :func:`install` (run when Django starts) also
masks each record as it is made, so a handler that a library adds at run time without the
filter (dask's workers add their own) never sees a PIN in a message either.
"""

from __future__ import annotations

import logging
from typing import Any

from shailoo.common.csvsource import mask_pins

_formatter = logging.Formatter()
#: What every record has; anything else was passed as ``extra`` (``sql``, ``params``, ...).
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
}


def _masked(value: Any) -> Any:
    """A string argument masked; any other value unchanged (see :func:`mask_record`)."""
    return mask_pins(value) if isinstance(value, str) else value


def _masked_extra(value: Any) -> Any:
    """An ``extra`` value masked: text, a number, or a sequence of them (the SQL log's
    ``params``); objects are left as they are."""
    if isinstance(value, str):
        return mask_pins(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        return mask_pins(text) if mask_pins(text) != text else value
    if isinstance(value, tuple | list):
        return [_masked_extra(item) for item in value]
    return value


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask PIN-shaped runs of ``record`` in place (message, arguments, traceback, stack)."""
    if isinstance(record.msg, str):
        record.msg = mask_pins(record.msg)
    if isinstance(record.args, dict):
        record.args = {key: _masked(value) for key, value in record.args.items()}
    elif record.args:
        record.args = tuple(_masked(value) for value in record.args)
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: the handler reports it, without the arguments
        message = mask_pins(str(record.msg))
        record.msg, record.args = message, ()
    masked = mask_pins(message)
    if masked != message:
        # A PIN inside a non-string argument (a number, an object's str): keep the masked text.
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = _formatter.formatException(record.exc_info)
    if record.exc_text and mask_pins(record.exc_text) != record.exc_text:
        record.exc_text = mask_pins(record.exc_text)
        # The formatted traceback stays (formatters print exc_text); the exception object,
        # whose message names the PIN, leaves the record.
        record.exc_info = None
    if record.stack_info:
        record.stack_info = mask_pins(record.stack_info)
    for name, value in list(record.__dict__.items()):
        if name not in _STANDARD:
            setattr(record, name, _masked_extra(value))
    return record


class MaskPins(logging.Filter):
    """Mask PINs in every record that passes; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install() -> None:
    """Mask every record as it is made (once per process), whatever handlers exist later."""
    current = logging.getLogRecordFactory()
    if getattr(current, "shailoo_masks_pins", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(current(*args, **kwargs))

    factory.shailoo_masks_pins = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
