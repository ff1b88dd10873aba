"""Catalogue upkeep: ``python -m clinic_site.i18n_tools`` (run by ``make messages``).

Message ids are English, so the English catalogues are filled with the ids themselves; this
keeps both catalogues complete, which a test checks. Korean needs a translator: the command
lists what is still untranslated.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIRS = ("locale", "members/locale", "consultations/locale", "privacy/locale")


def catalogues(language: str) -> list[Path]:
    return [ROOT / folder / language / "LC_MESSAGES" / "django.po" for folder in CATALOGUE_DIRS]


def untranslated(path: Path) -> list[str]:
    return [entry.msgid for entry in polib.pofile(str(path))
            if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)]


def fill_english() -> None:
    for path in catalogues("en"):
        po = polib.pofile(str(path))
        for entry in po:
            # Always the id itself: makemessages' fuzzy guesses (a neighbouring message's text)
            # must never become the English wording.
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save()


def main() -> int:
    fill_english()
    missing = {path: untranslated(path) for path in catalogues("ko")}
    for path, ids in missing.items():
        for msgid in ids:
            print(f"{path.relative_to(ROOT)}: untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
