"""Compile the gettext catalogues (.po → .mo) with polib, so no machine needs GNU gettext.

Django reads only the binary .mo files; we commit them next to their .po sources. Run after
editing a .po file::

    .venv/bin/python tools/compile_messages.py            # write every stale .mo
    .venv/bin/python tools/compile_messages.py --check    # exit 1 if any .mo is stale

Fuzzy and untranslated entries are left out of the .mo (as ``msgfmt`` does), so Django falls
back to the English source for them instead of showing a guess. polib reads broken files
without complaint (an unterminated string is silently cut short), so every catalogue is
checked line by line first, and nothing is written unless all of them are sound.

Exit status: 0 done (or up to date), 1 stale .mo with ``--check``, 2 bad input.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "src" / "shailoo" / "locale"
REQUIRED_HEADERS = ("Language", "Plural-Forms", "Content-Type")
# One non-comment PO line: an optional keyword, then one complete double-quoted string.
PO_LINE = re.compile(
    r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"$'
)


def po_files(locale_dir: Path) -> list[Path]:
    """Every ``<lang>/LC_MESSAGES/*.po`` under ``locale_dir``, in a stable order."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def problems(po_path: Path) -> list[str]:
    """What makes ``po_path`` unfit to compile, each as ``file:line: reason``; empty if sound."""
    try:
        text = po_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{po_path}: cannot read as UTF-8: {exc}"]
    found = [
        f"{po_path}:{number}: not a keyword and a complete quoted string: {line.strip()[:60]}"
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#") and not PO_LINE.match(line.strip())
    ]
    if found:
        return found
    try:
        catalogue = polib.pofile(text, check_for_duplicates=True)
    except (OSError, ValueError) as exc:
        return [f"{po_path}: {exc}"]
    if catalogue.metadata_is_fuzzy:
        found.append(f"{po_path}: the header is marked fuzzy; fill it in, then remove '#, fuzzy'")
    found += [
        f"{po_path}: the header lacks {name}"
        for name in REQUIRED_HEADERS
        if not catalogue.metadata.get(name)
    ]
    if "charset=UTF-8" not in catalogue.metadata.get("Content-Type", "charset=UTF-8"):
        found.append(f"{po_path}: the header must declare charset=UTF-8")
    return found


def compiled(po_path: Path) -> bytes:
    """The .mo bytes for ``po_path``; polib writes only to files, so go through a temp file."""
    catalogue = polib.pofile(str(po_path))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "django.mo"
        catalogue.save_as_mofile(str(target))
        return target.read_bytes()


def stale_mo_files(paths: Sequence[Path], write: bool) -> list[Path]:
    """The .mo files that differ from a fresh compile of their .po; ``write`` replaces them."""
    stale: list[Path] = []
    for po_path in paths:
        mo_path = po_path.with_suffix(".mo")
        data = compiled(po_path)
        if mo_path.exists() and mo_path.read_bytes() == data:
            continue
        stale.append(mo_path)
        if write:
            mo_path.write_bytes(data)
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compile .po catalogues to .mo with polib.")
    parser.add_argument("--check", action="store_true", help="report stale .mo files, write none")
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)
    paths = po_files(args.locale_dir)
    if not paths:
        print(f"no <lang>/LC_MESSAGES/*.po files under {args.locale_dir}", file=sys.stderr)
        return 2
    found = [problem for path in paths for problem in problems(path)]
    if found:
        print("\n".join(found), file=sys.stderr)
        print("nothing compiled: fix the catalogues above first", file=sys.stderr)
        return 2
    stale = stale_mo_files(paths, write=not args.check)
    for mo_path in stale:
        print(f"{'stale' if args.check else 'compiled'}: {mo_path}")
    if not stale:
        print("all .mo files are up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
