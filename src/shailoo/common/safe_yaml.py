"""Reading YAML nobody vouches for: bounded, no alias bombs, no duplicate keys, located.

PyYAML's ``SafeLoader`` builds no arbitrary objects, but it trusts the shape of what it reads:
nine lines of nested aliases (the "billion laughs") expand to a billion items in whatever
walks the result, a few thousand nested brackets exhaust the recursion limit, two equal keys
silently keep the last value, ``.nan``/``.inf`` are floats, and a 5,000-digit integer ends in
a bare ``ValueError``. :func:`read_yaml` (and :class:`BoundedLoader` for readers that add
constructors of their own, like the law loader) refuse all of that with a
:class:`YamlInputError` — an :class:`~shailoo.common.refusals.InvalidInput` whose problems name
the key path and the line:

* more than ``max_bytes``;
* an alias (``*name``) beyond ``max_aliases`` — none by default: Shailoo's own files (the law
  editions) do not use them, so a file that does is refused at its first alias, before
  anything is expanded;
* more than ``max_nodes`` nodes once aliases are expanded, or an alias inside its own anchor;
* nesting deeper than ``max_depth``;
* a key given twice in one mapping;
* an integer of more than :data:`MAX_INT_DIGITS` digits, ``.nan`` and ``.inf``;
* YAML syntax errors, tags the safe loader does not know, bytes that are not UTF-8.

Pure: no Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 0
MAX_NODES = 200_000
MAX_INT_DIGITS = 20
#: How many duplicate keys one refusal lists.
MAX_PROBLEMS = 50

__all__ = ["BoundedLoader", "YamlInputError", "read_yaml"]


class YamlInputError(InvalidInput):
    """A YAML text refused by :func:`read_yaml` (code ``yaml_invalid``), every problem located.

    Each problem's ``where`` is the dotted key path (empty for the file as a whole), ``line``
    the 1-based line, ``source`` the file.
    """

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        located = [problem.located(source) if source else problem for problem in problems]
        super().__init__("yaml_invalid", "; ".join(str(p) for p in located[:3]), problems=located)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class _Limit(yaml.MarkedYAMLError):
    """A bound of this module was passed (not a syntax error: reported without "syntax")."""


class BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that counts aliases, nodes and depth while composing.

    Subclass it (and set the class attributes) to change a bound or add constructors.
    """

    max_depth: ClassVar[int] = MAX_DEPTH
    max_aliases: ClassVar[int] = MAX_ALIASES
    max_nodes: ClassVar[int] = MAX_NODES

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > self.max_aliases:
                why = (
                    f"alias *{event.anchor} refused: this file may not use aliases"
                    if self.max_aliases == 0
                    else f"more than {self.max_aliases} aliases"
                )
                raise _Limit(problem=why, problem_mark=mark)
        else:
            self._nodes += 1
            if self._nodes > self.max_nodes:
                raise _Limit(problem=f"more than {self.max_nodes} values", problem_mark=mark)
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise _Limit(
                    problem=f"nested deeper than {self.max_depth} levels", problem_mark=mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: ScalarNode) -> int:
        text = str(node.value).replace("_", "")
        if len(text.lstrip("+-")) > MAX_INT_DIGITS:
            raise _Limit(
                problem=f"an integer of {len(text.lstrip('+-'))} digits (at most {MAX_INT_DIGITS})",
                problem_mark=node.start_mark,
            )
        value: int = SafeConstructor.construct_yaml_int(self, node)
        return value

    def construct_yaml_float(self, node: ScalarNode) -> float:
        value: float = SafeConstructor.construct_yaml_float(self, node)
        if not math.isfinite(value):
            raise _Limit(
                problem=f"{node.value} is not a finite number", problem_mark=node.start_mark
            )
        return value


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)
BoundedLoader.add_constructor("tag:yaml.org,2002:float", BoundedLoader.construct_yaml_float)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _expanded_size(root: Node, limit: int) -> Problem | None:
    """A problem when ``root`` expands (aliases followed) beyond ``limit`` nodes or into itself."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            if total > limit:
                return Problem("", f"more than {limit} values once aliases are expanded", 1)
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in open_:
            return Problem("", "an alias refers to the collection that contains it", _line(node))
        open_.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return None


def _key_text(node: Node) -> str:
    return str(node.value) if isinstance(node, ScalarNode) else "?"


def _duplicates(root: Node) -> Iterator[Problem]:
    """A problem for every key given twice in one mapping (each node visited once)."""
    seen_nodes: set[int] = set()
    stack: list[tuple[Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, MappingNode):
            keys: set[tuple[str, str]] = set()
            for key_node, value_node in node.value:
                key = _key_text(key_node)
                if isinstance(key_node, ScalarNode):
                    if (key_node.tag, key) in keys:
                        yield Problem(".".join((*path, key)), "key given twice", _line(key_node))
                    keys.add((key_node.tag, key))
                stack.append((value_node, (*path, key)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, str(i))) for i, item in enumerate(node.value))


def _mark_line(exc: yaml.MarkedYAMLError) -> int | None:
    mark = exc.problem_mark or exc.context_mark
    return None if mark is None or mark.line is None else int(mark.line) + 1


def _bad_scalar_line(reader: BoundedLoader, node: Node) -> int | None:
    """The line of the first scalar that cannot be constructed as its tag says."""
    pending = [node]
    while pending:
        item = pending.pop(0)
        if isinstance(item, yaml.ScalarNode):
            try:
                reader.construct_object(item, deep=True)
            except (ValueError, KeyError, IndexError):
                return int(item.start_mark.line) + 1
        elif isinstance(item, yaml.SequenceNode):
            pending.extend(item.value)
        elif isinstance(item, yaml.MappingNode):
            pending.extend(child for pair in item.value for child in pair)
    return None


def read_yaml(
    text: str | bytes,
    source: str = "",
    *,
    loader: type[BoundedLoader] = BoundedLoader,
    max_bytes: int = MAX_BYTES,
) -> tuple[Any, Node | None]:
    """Compose, check and construct one YAML document: ``(data, root node)``.

    The node (``None`` for an empty document, whose data is ``None``) lets a caller map key
    paths to lines. Raises :class:`YamlInputError` with the located problems.
    """
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise YamlInputError(source, [Problem("", f"{size} bytes: more than {max_bytes}")])
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise YamlInputError(
                source, [Problem("", f"not UTF-8 at byte {exc.start}", line)]
            ) from None
    reader: BoundedLoader | None = None
    try:
        reader = loader(text)  # PyYAML's reader refuses some characters as it starts
        node = reader.get_single_node()
        if node is None:
            return None, None
        problems = sorted(_duplicates(node), key=lambda p: p.line or 0)[:MAX_PROBLEMS]
        expansion = _expanded_size(node, loader.max_nodes) if reader._aliases else None
        if expansion is not None:
            problems.append(expansion)
        if problems:
            raise YamlInputError(source, problems)
        try:
            data = reader.construct_document(node)
        except (ValueError, KeyError, IndexError) as exc:  # a scalar tagged as what it is not
            if isinstance(exc, YamlInputError):
                raise
            why = f"a value cannot be read as its tag says: {exc!s}"[:300]
            raise YamlInputError(
                source, [Problem("", why, _bad_scalar_line(reader, node))]
            ) from None
    except _Limit as exc:
        raise YamlInputError(source, [Problem("", str(exc.problem), _mark_line(exc))]) from None
    except yaml.MarkedYAMLError as exc:
        why = f"YAML syntax: {exc.problem or exc.context}"
        if isinstance(exc, ConstructorError):
            why = f"YAML: {exc.problem or exc.context}"
        raise YamlInputError(source, [Problem("", why, _mark_line(exc))]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        why = f"a character YAML cannot hold ({exc.character!r}) at position {exc.position}"
        raise YamlInputError(source, [Problem("", why, line)]) from None
    except yaml.YAMLError as exc:
        raise YamlInputError(source, [Problem("", f"YAML: {exc}")]) from None
    except RecursionError:
        raise YamlInputError(source, [Problem("", "nested too deeply")]) from None
    finally:
        if reader is not None:
            reader.dispose()
    return data, node
