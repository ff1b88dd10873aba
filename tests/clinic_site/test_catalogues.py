"""Both catalogues are complete and compiled (DESIGN.md, Languages)."""

from __future__ import annotations

import polib
import pytest

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
