"""Write docs/permissions.md from the permission matrix in src/shailoo/accounts/roles.py.

Usage: .venv/bin/python tools/render_permissions.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from shailoo.accounts.permissions_doc import render

TARGET = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is out of date: run tools/render_permissions.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
