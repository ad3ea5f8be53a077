"""Found by the fuzz suite (``tests/fuzz``) (fixed: this is its regression test).

``common.safe_yaml.read_yaml`` builds PyYAML's loader outside its ``try``: a character PyYAML
will not read (U+0000, another C0 control but tab and line ends, U+FFFE) raises
``yaml.reader.ReaderError`` out of ``law.loader.load_edition`` and ``shailoo law check``,
a traceback instead of a located ``LawError``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shailoo.law.loader import LawError, load_edition


@pytest.mark.parametrize("text", ["a\x00: 1\n", "meta:\n  id: kg-2025\x01\n", "x: \ufffe\n"])
def test_a_character_yaml_cannot_read_is_a_located_law_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "kg-2025.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LawError) as caught:
        load_edition(path)
    assert all(p.line is not None or p.where for p in caught.value.problems)
