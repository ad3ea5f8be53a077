"""Load law editions from YAML, and say exactly where a broken one is broken.

Packaged editions live in ``src/shailoo/law/editions/<id>.yaml`` and are cached by id; a path
is read afresh each time, so ``shailoo law check`` always sees the file as it is now. Every
problem carries the dotted key path (``voters.min_age.value``) and, where the YAML has the
key, its line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput
from shailoo.common.safe_yaml import BoundedLoader, YamlInputError, read_yaml
from shailoo.law.schema import PATTERN_HINTS, Edition

__all__ = [
    "LawError",
    "available_editions",
    "format_problem",
    "load_edition",
    "parse_edition",
]


def format_problem(problem: Problem) -> str:
    """``FILE:LINE: key.path: reason``, the form editors and CI logs understand.

    A problem with the whole file (no key path) reads ``FILE:LINE: <file>: reason``.
    """
    return str(problem if problem.where else replace(problem, where="<file>"))


class LawError(InvalidInput):
    """An edition could not be loaded; ``problems`` lists every reason found.

    ``str()`` is one :func:`format_problem` line per problem, each naming ``source``.
    """

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        super().__init__(
            "law_invalid",
            f"the law edition {source} cannot be loaded",
            problems=[problem.located(source) for problem in problems],
        )

    def __str__(self) -> str:
        return "\n".join(format_problem(problem) for problem in self.problems)


def _editions_dir() -> Path:
    return Path(str(resources.files("shailoo.law").joinpath("editions")))


def available_editions() -> list[str]:
    """Ids of the packaged editions, oldest first by name."""
    return sorted(path.stem for path in _editions_dir().glob("*.yaml"))


def load_edition(name_or_path: str | Path) -> Edition:
    """A packaged edition by id (``"kg-2025"``) or any edition file by path.

    Raises :class:`LawError` with every problem found.
    """
    if isinstance(name_or_path, Path) or _looks_like_path(name_or_path):
        return _load_file(Path(name_or_path))
    return _load_packaged(name_or_path)


def _looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.endswith((".yaml", ".yml"))


@cache
def _load_packaged(edition_id: str) -> Edition:
    if edition_id not in available_editions():
        known = ", ".join(available_editions()) or "none"
        raise LawError(
            edition_id, [Problem("", f"unknown law edition {edition_id!r}; available: {known}")]
        )
    return _load_file(_editions_dir() / f"{edition_id}.yaml")


def _load_file(path: Path) -> Edition:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_EDITION_BYTES + 1)  # never more: a law file is small
        if len(raw) > MAX_EDITION_BYTES:
            reason = f"the file is larger than {MAX_EDITION_BYTES} bytes: not an edition"
            raise LawError(str(path), [Problem("", reason)])
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LawError(str(path), [Problem("", f"cannot read the file: {exc}")]) from exc
    return parse_edition(text, str(path), expected_id=path.stem)


def parse_edition(text: str, source: str = "<text>", expected_id: str | None = None) -> Edition:
    """Validate YAML ``text``; ``expected_id`` (the file name) must equal ``meta.id``."""
    data, lines = _read_yaml(text, source)
    try:
        edition = Edition.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(error, lines) for error in exc.errors()]
        raise LawError(source, _sorted(problems)) from None
    problems = [
        Problem(problem.where, problem.why, _line_for(problem.where.split("."), lines))
        for problem in edition.problems()
    ]
    if expected_id is not None and edition.meta.id != expected_id:
        problems.append(
            Problem(
                "meta.id",
                f"{edition.meta.id!r} does not match the file name {expected_id + '.yaml'!r}",
                _line_for(["meta", "id"], lines),
            )
        )
    if edition.meta.supersedes is not None and edition.meta.supersedes not in available_editions():
        problems.append(
            Problem(
                "meta.supersedes",
                f"no packaged edition {edition.meta.supersedes!r}",
                _line_for(["meta", "supersedes"], lines),
            )
        )
    if problems:
        raise LawError(source, _sorted(problems))
    return edition


# -- YAML with positions -----------------------------------------------------------------

Lines = dict[tuple[str, ...], int]
#: An edition is some 30 KB of YAML; a file many times larger is not one.
MAX_EDITION_BYTES = 1024 * 1024


class _Loader(BoundedLoader):
    """Bounded safe YAML (no aliases, see :mod:`shailoo.common.safe_yaml`), except that an
    impossible date stays text for the schema to reject."""


def _timestamp(loader: _Loader, node: ScalarNode) -> object:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _read_yaml(text: str, source: str) -> tuple[Any, Lines]:
    try:
        data, node = read_yaml(text, source, loader=_Loader, max_bytes=MAX_EDITION_BYTES)
    except YamlInputError as exc:
        raise LawError(source, list(exc.problems)) from None
    if node is None:
        raise LawError(source, [Problem("", "the file is empty", 1)])
    lines = dict(_positions(node, ()))
    if not isinstance(data, dict):
        raise LawError(
            source, [Problem("", "an edition must be a mapping of sections (meta, ...)", 1)]
        )
    return data, lines


def _positions(node: Node, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], int]]:
    """Map each key path to the line where its key (or list item) is written.

    Duplicate keys and aliases were refused by :func:`read_yaml`, so this walks a tree.
    """
    yield path, node.start_mark.line + 1
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            yield from _positions(value_node, (*path, key))
            yield (*path, key), key_node.start_mark.line + 1
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _positions(item, (*path, str(index)))


def _line_for(path: list[str] | tuple[str, ...], lines: Lines) -> int | None:
    """The line of the longest prefix of ``path`` that the file has."""
    parts = tuple(path)
    while parts:
        if parts in lines:
            return lines[parts]
        parts = parts[:-1]
    return lines.get(())


# -- pydantic errors in an official's words ------------------------------------------------


def _problem(error: Any, lines: Lines) -> Problem:
    loc = tuple(str(part) for part in error["loc"] if not _is_union_tag(part))
    return Problem(".".join(loc), _reason(error), _line_for(loc, lines))


def _is_union_tag(part: object) -> bool:
    """Pydantic names union members in paths (``Cited[bool]``); officials never see those."""
    return isinstance(part, str) and ("[" in part or part in {"none", "function-after"})


def _reason(error: Any) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key (not part of this schema; check the spelling)"
    if kind in {"date_type", "date_parsing", "date_from_datetime_inexact"}:
        return f"not a valid date: {given!r} (write YYYY-MM-DD, unquoted)"
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        return f"{PATTERN_HINTS.get(pattern, error['msg'])} (got {given!r})"
    message = str(error["msg"])
    if kind in {"int_type", "bool_type", "string_type", "literal_error"} or "type" in kind:
        return f"{message}, got {_describe(given)}"
    return f"{message} (got {given!r})"


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"yes/no value {value!r}"
    if isinstance(value, date):
        return f"date {value.isoformat()}"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line if p.line is not None else 0, p.where))
