"""Both catalogues are complete and compiled (DESIGN.md, Languages)."""

from __future__ import annotations

import polib
import pytest

from clinic_site.i18n_tools import catalogues, untranslated


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
