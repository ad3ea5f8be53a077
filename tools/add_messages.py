"""Add or update entries of the ky and ru catalogues from the command line, then compile.

    python tools/add_messages.py messages.json

``messages.json`` maps each English msgid to ``{"ky": "...", "ru": "..."}``; an entry whose
msgid is given as ``{"replaces": "old msgid", ...}`` renames the old entry. A plural message
(``ngettext``/``{% blocktranslate count %}``) gives ``"plural": "English plural"`` and a list of
forms per language, in the catalogue's Plural-Forms order (ky: one form; ru: one, few, many). Only the named
entries change, so several people can add their strings without rewriting each other's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "src" / "shailoo" / "locale"


def main(path: str) -> None:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    for lang in ("ky", "ru"):
        po_file = LOCALE / lang / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(po_file), wrapwidth=78)
        for msgid, texts in wanted.items():
            old = texts.get("replaces")
            entry = catalogue.find(old) if old else None
            entry = entry or catalogue.find(msgid)
            if entry is None:
                entry = polib.POEntry(msgid=msgid)
                catalogue.append(entry)
            entry.msgid = msgid
            if "plural" in texts:
                entry.msgid_plural = texts["plural"]
                entry.msgstr = ""
                entry.msgstr_plural = dict(enumerate(texts[lang]))
            else:
                entry.msgstr = texts[lang]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save(str(po_file))
    subprocess.run([sys.executable, str(Path(__file__).with_name("compile_messages.py"))], check=True)


if __name__ == "__main__":
    main(sys.argv[1])
