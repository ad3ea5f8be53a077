"""Found by the fuzz suite (``tests/fuzz``) (fixed: this is its regression test).

A scalar tagged explicitly with a type it is not (``!!float 1 no``, ``!!float`` with nothing,
``!!int abc``, ``!!int 0x``, ``!!bool maybe``, ``!!timestamp 2025-13-45``) reaches PyYAML's or
``BoundedLoader``'s constructor, whose ``ValueError``, ``KeyError`` or ``IndexError`` leaves
``safe_yaml.read_yaml`` (and ``law.loader.parse_edition``, ``shailoo law check``): a traceback
instead of a located ``YamlInputError``.
"""

from __future__ import annotations

import pytest

from shailoo.common import safe_yaml

TAGGED = [
    "x: !!float 1 no\n",
    "x: !!float\n",
    "x: !!int abc\n",
    "x: !!int 0x\n",
    "x: !!bool maybe\n",
    "y: 1\nx: !!timestamp 2025-13-45\n",
]


@pytest.mark.parametrize("text", TAGGED)
def test_a_scalar_tagged_with_a_type_it_is_not_is_a_located_refusal(text: str) -> None:
    with pytest.raises(safe_yaml.YamlInputError) as caught:
        safe_yaml.read_yaml(text, "edition.yaml")
    assert caught.value.problems[0].line == text.count("\n")
