"""Both catalogues are complete and compiled (DESIGN.md, Languages)."""

from __future__ import annotations

import polib
import pytest
from django.utils import translation
from django.utils.translation import gettext

from clinic_site import i18n_tools
from clinic_site.i18n_tools import (
    ROOT,
    _python_messages,
    _template_messages,
    catalogued,
    catalogues,
    not_catalogued,
    untranslated,
)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_message_is_translated(language: str) -> None:
    missing = {str(path): untranslated(path) for path in catalogues(language)}
    assert {path: ids for path, ids in missing.items() if ids} == {}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_compiled_catalogues_match_their_sources(language: str) -> None:
    for path in catalogues(language):
        source = {e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.translated()}
        compiled = {e.msgid: e.msgstr for e in polib.mofile(str(path.with_suffix(".mo")))}
        assert source.items() <= compiled.items(), f"{path}: run `make messages`"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_message_of_the_sources_is_in_the_catalogues(language: str) -> None:
    """A string added to the code or a template without `make messages` (and a Korean
    translation) is caught here, not by a visitor who sees English on the Korean site."""
    assert not_catalogued(language) == []


def test_the_source_scan_finds_template_and_python_messages() -> None:
    template = (
        '{% load i18n %}<h1>{% translate "Not in any catalogue" %}</h1>'
        '{% blocktranslate trimmed with day=day %}\n  Until {{ day }}\n{% endblocktranslate %}'
        '{% translate "Menu" context "navigation" %}{% translate variable_name %}'
    )
    assert set(_template_messages(template)) == {
        (None, "Not in any catalogue"), (None, "Until %(day)s"), ("navigation", "Menu"),
    }
    python = 'A = _("First " "part")\nB = pgettext_lazy("ctx", "Second")\nC = _(name)\n'
    assert set(_python_messages(python)) == {(None, "First part"), ("ctx", "Second")}
    assert (None, "Not in any catalogue") not in catalogued("ko")


def test_make_messages_fills_english_before_compiling() -> None:
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("\nmessages:", 1)[1].split("\n\n", 1)[0]
    assert target.index("-m clinic_site.i18n_tools") < target.index("compilemessages")


def test_library_overrides_survive_filling_english(tmp_path, monkeypatch) -> None:
    """allauth's "Sign In" reads "Log in" on the site: filling the English catalogues with
    their ids must not undo a library override."""
    source = ROOT / "clinic_site" / "locale_overrides" / "en" / "LC_MESSAGES" / "django.po"
    copy = tmp_path / "django.po"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(i18n_tools, "catalogues", lambda language: [copy])
    i18n_tools.fill_english()
    entries = {entry.msgid: entry.msgstr for entry in polib.pofile(str(copy))}
    assert entries["Sign In"] == "Log in"
    assert entries["Sign Out"] == "Log out"


def test_library_overrides_win_over_the_libraries() -> None:
    with translation.override("ko"):
        assert gettext("Enter your password:") == "비밀번호를 입력해 주십시오."
        assert gettext("Hello from %(site_name)s!") == "안녕하십니까, %(site_name)s입니다."
        assert gettext(" By %(filter_title)s ") == " %(filter_title)s 기준 "
    with translation.override("en"):
        assert gettext("Sign In") == "Log in"
