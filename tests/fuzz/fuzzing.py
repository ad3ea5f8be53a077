"""What every fuzz test of ``tests/fuzz`` shares: its bounds, and what it holds a reader to.

Each test feeds one importer or file-reading command mutated versions of a valid file (made
by ``shailoo.synth`` or the product's own writers; the mutations are the shared strategies
of ``tests/strategies.py``) and asserts, for every input:

* no traceback: the reader answers with a result or a shared refusal (a ``Refusal``), and a
  row importer with a located reject per bad row;
* every refusal is located (:func:`assert_located`);
* a row importer stores every row the mutation did not touch (:func:`untouched_rows`).

Bounds: ``FUZZ_EXAMPLES`` examples per target (a few dozen, so ``make test`` stays quick),
reproducible (``derandomize``: the same inputs on every run and machine); set
``SHAILOO_FUZZ_EXAMPLES=2000`` for a longer run, which draws further inputs, and
``SHAILOO_FUZZ_RANDOM=1`` for other inputs on every run (``--hypothesis-seed`` repeats one).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, reject, settings

from shailoo.common.csvsource import CsvSource
from shailoo.common.refusals import Refusal

#: Examples per fuzz target: SHAILOO_FUZZ_EXAMPLES, else the test's own small default.
FUZZ_EXAMPLES = os.environ.get("SHAILOO_FUZZ_EXAMPLES")


def fuzz_settings(default: int = 30) -> settings:
    """Hypothesis settings of a fuzz target: ``default`` examples (or SHAILOO_FUZZ_EXAMPLES),
    no deadline, derandomized (the same inputs in CI and here, unless SHAILOO_FUZZ_RANDOM),
    no example database."""
    return settings(
        max_examples=int(FUZZ_EXAMPLES) if FUZZ_EXAMPLES else default,
        deadline=None,
        derandomize=not os.environ.get("SHAILOO_FUZZ_RANDOM"),
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


def assert_located(refusal: BaseException, *places: str) -> None:
    """``refusal`` is a shared refusal that says where: each of its problems has a ``where``
    or a ``line``; one without problems names one of ``places`` (a file, a key) in its
    message."""
    assert isinstance(refusal, Refusal), f"not a shared refusal: {refusal!r}"
    assert refusal.code and refusal.message, refusal
    if refusal.problems:
        for problem in refusal.problems:
            assert problem.why, refusal
            assert problem.where or problem.line is not None or problem.source, (
                f"a problem without a place: {problem!r}"
            )
    else:
        assert any(place and place in refusal.message for place in places), (
            f"a refusal that names no place: {refusal.message!r}"
        )


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one example in a transaction rolled back at its end: each sees the same database."""
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


#: Tracebacks found by this suite in files its authors may not edit, reported to their owners,
#: each pinned by a strict ``xfail`` test that passes (and fails the run) once it is fixed:
#: ``(exception, product file, function)`` of the innermost product frame -> that test. An
#: example that meets one is discarded (``reject``), so that a run goes on to find new ones.
#: Remove an entry with its test's marker.
KNOWN_DEFECTS: dict[tuple[str, str, str], str] = {}


def known_defect(exc: BaseException | None) -> str | None:
    """The test pinning ``exc`` when it is one of :data:`KNOWN_DEFECTS`, else None."""
    if exc is None:
        return None
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/src/shailoo/" in f.filename]
    if not frames:
        return None
    return KNOWN_DEFECTS.get((type(exc).__name__, Path(frames[-1].filename).name, frames[-1].name))


@contextmanager
def known_defects() -> Iterator[None]:
    """Discard the example (``hypothesis.reject``) when it meets a :data:`KNOWN_DEFECTS`."""
    try:
        yield
    except Exception as exc:
        if known_defect(exc) is not None:
            reject()
        raise


def assert_no_traceback(result: Any) -> None:
    """A command run by typer's ``CliRunner`` ended by exiting, not by an exception (shown)."""
    if result.exception is None or isinstance(result.exception, SystemExit):
        return
    if known_defect(result.exception) is not None:
        reject()
    shown = "".join(traceback.format_exception(*result.exc_info))
    raise AssertionError(f"traceback:\n{shown}\noutput:\n{result.output}")


def physical_lines(data: bytes) -> int:
    """The physical lines of a file as a line reader counts them (a last one without \\n too)."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def untouched_rows(path: Path, columns: tuple[str, ...], original: bytes, index: int) -> set[int]:
    """The 0-based lines of ``original`` (header at 0) whose rows reach the importer as they
    were, when ``path`` holds ``original`` with only its line ``index`` replaced.

    The replacement may hold line ends, lose its own (joining the next line), or open a
    quoted field that runs over the next lines: the lines of every record that holds a byte
    of the replacement are touched. The records are those the importers read
    (:class:`~shailoo.common.csvsource.CsvSource`); a record refused as broken is read again
    from its next line, so it touches only its first.
    """
    lines = original.splitlines(keepends=True)
    data = path.read_bytes()
    before = b"".join(lines[:index])
    after = b"".join(lines[index + 1 :])
    assert data.startswith(before) and data.endswith(after)
    # Physical lines (1-based) of the mutated file holding bytes of the replacement.
    first_dirty = index + 1
    replacement = data[len(before) : len(data) - len(after)]
    dirty_end = first_dirty + max(physical_lines(replacement) - 1, 0)
    joined = bool(replacement) and not replacement.endswith(b"\n") and after
    if joined:
        dirty_end = max(dirty_end, first_dirty + replacement.count(b"\n"))
    # The first original line after the replacement starts on this physical line.
    shift = (first_dirty + physical_lines(replacement)) - (index + 2)
    if joined:
        shift -= 1
    touched_physical: set[int] = set(range(first_dirty, dirty_end + 1)) if replacement else set()
    source = CsvSource(path, columns)
    try:
        spans = []
        for item in source:
            spans.append((item.line, source.line))
    except Refusal:  # the header itself: nothing reaches the importer
        return set()
    for start, end in spans:
        span = set(range(start, end + 1))
        if span & touched_physical:
            touched_physical |= span
    untouched = set()
    for original_index in range(1, len(lines)):
        if original_index == index:
            continue
        physical = original_index + 1
        if original_index > index:
            physical += shift
        if joined and original_index == index + 1:
            continue
        if physical not in touched_physical:
            untouched.add(original_index)
    return untouched
