"""``shailoo.common.safe_yaml``: alias bombs, deep nesting, duplicate keys refused, located."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from shailoo.common.refusals import InvalidInput
from shailoo.common.safe_yaml import BoundedLoader, YamlInputError, read_yaml


def laughs(levels: int) -> str:
    """The "billion laughs": each level lists the previous one nine times, by alias."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def refused(text: str | bytes, **options: object) -> YamlInputError:
    with pytest.raises(YamlInputError) as caught:
        read_yaml(text, "x.yaml", **options)  # type: ignore[arg-type]
    assert isinstance(caught.value, InvalidInput) and caught.value.code == "yaml_invalid"
    return caught.value


def test_the_billion_laughs_is_refused_at_once_with_little_memory() -> None:
    tracemalloc.start()
    start = time.perf_counter()
    error = refused(laughs(9))
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 5_000_000, (elapsed, peak)
    [problem] = error.problems
    assert (problem.line, problem.source) == (2, "x.yaml")
    assert problem.why == "alias *a0 refused: this file may not use aliases"


class _SomeAliases(BoundedLoader):
    max_aliases = 30
    max_nodes = 1000


def test_a_loader_that_allows_some_aliases_still_bounds_their_expansion() -> None:
    data, _ = read_yaml("base: &b {x: 1}\nuse: *b\n", loader=_SomeAliases)
    assert data == {"base": {"x": 1}, "use": {"x": 1}}
    error = refused(laughs(5), loader=_SomeAliases)  # 36 aliases
    assert "more than 30 aliases" in str(error)
    error = refused(laughs(3) + "z: [" + ", ".join(["*a2"] * 11) + "]\n", loader=_SomeAliases)
    assert "more than 1000 values once aliases are expanded" in str(error)
    error = refused("a: &a [1, *a]\n", loader=_SomeAliases)
    assert "refers to the collection that contains it" in str(error)


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    error = refused("x: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert error.problems[0].why == "nested deeper than 64 levels" and error.problems[0].line == 1


def test_duplicate_keys_are_refused_at_each_place() -> None:
    error = refused("a:\n  b: 1\n  b: 2\nc: 3\nc: 4\n")
    assert [(p.where, p.line, p.why) for p in error.problems] == [
        ("a.b", 3, "key given twice"),
        ("c", 5, "key given twice"),
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("n: " + "9" * 5000 + "\n", "an integer of 5000 digits (at most 20)"),
        ("share: .nan\n", ".nan is not a finite number"),
        ("share: -.inf\n", "-.inf is not a finite number"),
        ("x: !!python/object:os.system ls\n", "YAML: could not determine a constructor"),
        ("x: [1\n", "YAML syntax: expected ',' or ']'"),
    ],
)
def test_numbers_tags_and_syntax(text: str, why: str) -> None:
    [problem] = refused(text).problems
    assert problem.why.startswith(why) and problem.line in (1, 2), problem  # 2: at the end


def test_size_encoding_and_empty() -> None:
    assert "more than 10" in str(refused("a: 123456789\n", max_bytes=10))
    assert "not UTF-8 at byte 3" in str(refused(b"a: \xff\n"))
    assert read_yaml("") == (None, None)
    data, node = read_yaml("a: [1, 2.5, yes]\n")
    assert data == {"a": [1, 2.5, True]} and node is not None
