"""No PIN in a log line: the masking filter, and that every configured handler carries it.

The attack that found full PINs in the server log went through Django's ``django.request``
logger ("Not Found: /api/persons/<PIN>/eligibility/"); the development server and waitress
write request lines, and tracebacks quote exception messages. ``common.logs.MaskPins`` sits
on every handler ``settings.LOGGING`` configures and on the loggers that write requests.
"""

from __future__ import annotations

import io
import logging
import sys

import pytest

from shailoo.common.logs import MaskPins, mask_record

PIN = "21705199099999"
MASKED = "2***********99"
#: The loggers that write requests or the platform's own messages (settings.LOGGING).
LOGGERS = ("", "django", "django.request", "django.server", "waitress", "shailoo")


def record(msg: object, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("shailoo.test", logging.WARNING, __file__, 1, msg, args, None)
    made.__dict__.update(extra)
    return made


def formatted(made: logging.LogRecord) -> str:
    return logging.Formatter("%(message)s").format(made)


@pytest.mark.parametrize(
    ("msg", "args"),
    [
        (f"Not Found: /api/persons/{PIN}/eligibility/", ()),
        ("Not Found: %s", (f"/api/persons/{PIN}/eligibility/",)),
        ('"%s" %s %s', (f"GET /check/?pin={PIN} HTTP/1.1", "404", "12")),
        ("person %d", (int(PIN),)),  # a number argument
        ("%(path)s", {"path": f"/x/{PIN}/"}),
        (ValueError(f"bad {PIN}"), ()),  # an object as the message
    ],
)
def test_the_filter_masks_the_message_and_its_arguments(msg: object, args: object) -> None:
    made = record(msg, *args) if not isinstance(args, dict) else record(msg, args)
    assert MaskPins().filter(made) is True  # never drops a record
    text = formatted(made)
    assert PIN not in text and PIN not in repr(made.args)
    assert MASKED in text


def test_the_filter_masks_tracebacks_stacks_and_extras() -> None:
    try:
        raise ValueError(f"no person {PIN}")
    except ValueError:
        made = record("Internal Server Error: %s", "/boom/")
        made.exc_info = sys.exc_info()
    made.stack_info = f"Stack (most recent call last):\n  pin={PIN}"
    made.sql, made.params, made.duration = f"SELECT 1 WHERE pin = '{PIN}'", (PIN, 7), 0.1
    mask_record(made)
    text = formatted(made)
    assert PIN not in text and f"ValueError: no person {MASKED}" in text
    assert made.exc_info is None  # the exception object, which names the PIN, is gone
    assert PIN not in made.sql and made.params == [MASKED, 7] and made.duration == 0.1


def test_the_filter_leaves_other_numbers_alone() -> None:
    made = record("station %s, %s ballots, serial 1234567890123", "101", 565)
    mask_record(made)
    assert formatted(made) == "station 101, 565 ballots, serial 1234567890123"


def _configured_handlers() -> list[tuple[str, logging.Handler]]:
    """The handlers ``settings.LOGGING`` installs (libraries may add their own at run time:
    those are covered by the record factory, see the test below)."""
    from django.conf import settings

    names = ["", *settings.LOGGING.get("loggers", {})]
    loggers = [logging.getLogger(name) for name in names]
    return [
        (logger.name, handler)
        for logger in loggers
        for handler in logger.handlers
        # pytest's own capture handlers are not the platform's; a NullHandler writes nothing
        if not type(handler).__module__.startswith("_pytest")
        and not isinstance(handler, logging.NullHandler)
    ]


def test_a_handler_added_at_run_time_without_the_filter_sees_no_pin() -> None:
    import django

    django.setup()
    written = io.StringIO()
    stray = logging.StreamHandler(written)  # as a library (dask) adds one: no filter
    stray.setLevel(logging.DEBUG)
    logger = logging.getLogger("some.library")
    logger.addHandler(stray)
    logger.setLevel(logging.DEBUG)
    try:
        logger.warning("refused %s at /api/persons/%s/", PIN, PIN)
    finally:
        logger.removeHandler(stray)
    assert PIN not in written.getvalue() and written.getvalue().strip()


def test_every_configured_handler_and_request_logger_masks_pins() -> None:
    import django

    django.setup()  # applies settings.LOGGING (pytest-django has done it already)
    handlers = _configured_handlers()
    assert {name for name, _ in handlers} >= {"root", "django.server"}
    for name, handler in handlers:
        assert any(isinstance(f, MaskPins) for f in handler.filters), (name, handler)
    for name in LOGGERS:
        assert any(isinstance(f, MaskPins) for f in logging.getLogger(name).filters), name
    # Django's default handlers (console, mail_admins with its full request report) are gone
    assert not logging.getLogger("django").handlers


@pytest.mark.parametrize(
    ("logger", "args"),
    [
        ("django.request", ("Not Found: %s", f"/api/persons/{PIN}/eligibility/")),
        ("django.server", ('"%s" %s %s', f"GET /x/?pin={PIN} HTTP/1.1", "404", "9")),
        ("waitress", (f"Exception while serving /api/persons/{PIN}/eligibility/",)),
        ("shailoo.register.importer", ("row %s refused", PIN)),
    ],
)
def test_what_the_configured_handlers_write_has_no_pin(logger: str, args: tuple) -> None:
    target = logging.getLogger(logger)
    written = io.StringIO()
    handlers = [h for _, h in _configured_handlers() if isinstance(h, logging.StreamHandler)]
    # Swapped in place: ``setStream`` would flush the old stream, which an earlier test's
    # output capture may already have closed.
    streams = [h.stream for h in handlers]
    for handler in handlers:
        handler.stream = written
    try:
        target.warning(*args, extra={"status_code": 404, "server_time": "now"})
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.stream = stream
    assert MASKED in written.getvalue() and PIN not in written.getvalue()
