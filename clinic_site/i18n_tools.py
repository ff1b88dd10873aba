"""Catalogue upkeep: ``python -m clinic_site.i18n_tools`` (run by ``make messages``).

Message ids are English, so the English catalogues are filled with the ids themselves; this
keeps both catalogues complete, which a test checks. Korean needs a translator: the command
lists what is still untranslated, and what the sources use that no catalogue has yet (a
string added without running ``make messages``).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import polib
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIRS = ("locale", "members/locale", "consultations/locale", "privacy/locale",
                  "clinic_site/locale_overrides")
SOURCE_DIRS = ("clinic_site", "members", "consultations", "privacy", "templates")
# The gettext functions makemessages extracts, and where the context and message ids are.
GETTEXT_CALLS = {
    "_": (None, 0), "gettext": (None, 0), "gettext_lazy": (None, 0), "gettext_noop": (None, 0),
    "ngettext": (None, 0), "ngettext_lazy": (None, 0),
    "pgettext": (0, 1), "pgettext_lazy": (0, 1), "npgettext": (0, 1), "npgettext_lazy": (0, 1),
}
# Translator comment of an entry that rewords a library's English (allauth's "Sign In" is
# the site's "Log in"): its English is not the id, so fill_english keeps it.
LIBRARY_OVERRIDE = "library override"
_TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(")


def _message(call: ast.Call) -> tuple[str | None, str] | None:
    """(context, msgid) of a gettext call with literal arguments, else None."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name not in GETTEXT_CALLS:
        return None
    context_at, msgid_at = GETTEXT_CALLS[name]
    args = call.args
    if len(args) <= msgid_at or not all(
        isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        for arg in args[: msgid_at + 1]
    ):
        return None
    context = args[context_at].value if context_at is not None else None
    return context, args[msgid_at].value


def _python_messages(source: str) -> Iterator[tuple[str | None, str]]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and (message := _message(node)):
            yield message


def _template_messages(source: str) -> Iterator[tuple[str | None, str]]:
    """Django's templatize turns a template into the gettext calls makemessages reads."""

    text = templatize(source)
    for match in _TEMPLATE_CALL.finditer(text):
        start = match.start()
        end = text.find(")", match.end())
        while end != -1:
            try:
                [statement] = ast.parse(text[start:end + 1]).body
            except SyntaxError:
                end = text.find(")", end + 1)
                continue
            if isinstance(statement.value, ast.Call) and (message := _message(statement.value)):
                yield message
            break


def source_messages() -> set[tuple[str | None, str]]:
    """Every literal message the project's Python code and templates translate."""
    messages: set[tuple[str | None, str]] = set()
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix == ".py":
                messages.update(_python_messages(path.read_text(encoding="utf-8")))
            elif path.suffix in (".html", ".txt") and "templates" in path.parts:
                messages.update(_template_messages(path.read_text(encoding="utf-8")))
    return messages


def catalogued(language: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every translated entry of the language's catalogues."""
    return {
        (entry.msgctxt, entry.msgid)
        for path in catalogues(language)
        for entry in polib.pofile(str(path))
        if not entry.obsolete and entry.translated() and "fuzzy" not in entry.flags
    }


def not_catalogued(language: str) -> list[tuple[str | None, str]]:
    return sorted(source_messages() - catalogued(language), key=lambda m: (m[0] or "", m[1]))


def catalogues(language: str) -> list[Path]:
    return [ROOT / folder / language / "LC_MESSAGES" / "django.po" for folder in CATALOGUE_DIRS]


def untranslated(path: Path) -> list[str]:
    return [entry.msgid for entry in polib.pofile(str(path))
            if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)]


def fill_english() -> None:
    for path in catalogues("en"):
        po = polib.pofile(str(path))
        for entry in po:
            if LIBRARY_OVERRIDE in entry.comment:
                continue
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
    for _context, msgid in not_catalogued("ko"):
        print(f"in the sources, in no Korean catalogue: {msgid!r}")
    return 0


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
    django.setup()
    sys.exit(main())
