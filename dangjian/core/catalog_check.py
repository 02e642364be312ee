"""Check the Chinese translation catalog (run by ``make lint``).

Fails when a string in the code is missing from ``locale/zh_Hans/LC_MESSAGES/django.po``,
when an entry is untranslated or fuzzy, or when the compiled ``.mo`` differs from the
``.po``. ``make messages`` refreshes and compiles the catalog.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _extracted_msgids() -> set[str]:
    """The msgids makemessages finds in the code now (the catalog is left untouched)."""
    with tempfile.TemporaryDirectory() as tmp:
        backup = Path(tmp) / "django.po"
        shutil.copy2(PO, backup)
        try:
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "zh_Hans",
                    "--no-obsolete",
                    "--ignore",
                    ".venv/*",
                    "--ignore",
                    "node_modules/*",
                    "--ignore",
                    "bench/*",
                    "-v0",
                ],
                cwd=ROOT,
                check=True,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "dangjian.settings"},
            )
            return {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
        finally:
            shutil.copy2(backup, PO)


def main() -> int:
    if shutil.which("xgettext") is None:
        print("catalog check: GNU gettext is not installed (apt-get install gettext).")
        return 1
    po = polib.pofile(str(PO))
    problems: list[str] = []
    known = {e.msgid for e in po if not e.obsolete}
    missing = sorted(_extracted_msgids() - known)
    problems += [f"not in the catalog: {m!r}" for m in missing]
    problems += [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    problems += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(str(MO))}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        if compiled.get(key) != (entry.msgstr, tuple(sorted(entry.msgstr_plural.items()))):
            problems.append(f"the .mo is out of date for {entry.msgid!r} (run make messages)")
            break
    for line in problems[:50]:
        print("catalog check:", line)
    if len(problems) > 50:
        print(f"catalog check: … and {len(problems) - 50} more")
    if problems:
        print("catalog check: FAILED. Run `make messages`, translate the new entries, run it again.")
        return 1
    print(f"catalog check: {len(po.translated_entries())} entries, all translated and compiled.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
