"""What a reader sees of a page or an email, and the words in it that are in the wrong language.

Korean pages and emails must not show the "을(를)" notation of unresolved particles, English
words, nor 해요체 endings; English ones must not show Hangul, nor "Sign in" beside "Log in".
Text inside an element that declares its own language
(``lang="en"`` on a Korean page: the language switcher's "English") is what it says it is.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

UNRESOLVED_PARTICLES = re.compile(r"을\(를\)|를\(을\)|은\(는\)|는\(은\)|이\(가\)|가\(이\)"
                                  r"|과\(와\)|와\(과\)|\(으\)로|으\(로\)")
# 해요체 endings: the site speaks 하십시오체 ("-습니다", "-십시오", "-습니까?") throughout.
HAEYO = re.compile(
    r"[가-힣]*(?:세요|해요|어요|아요|여요|에요|예요|나요|까요|네요|군요|래요|게요|죠)"
    r"(?=[\s.?!,)\]”’\"':<]|$)"
)
# English uses one term for signing in and out: "Log in", "Log out".
OTHER_TERMS = re.compile(r"\b[Ss]ign[ -]?(?:[Ii]n|[Oo]ut)\b")
# Terms that Korean text writes in Latin letters.
LATIN_ALLOWED = {
    "URL", "IP", "ID", "CSV", "TOTP", "PDF", "SMS", "QR", "OTP", "PIN", "HTML", "JSON", "KB",
    "MB", "OS", "PC", "Chrome", "Safari", "Firefox", "Edge", "Android", "iOS", "Windows",
    "macOS", "Linux", "iPhone", "TLS", "AES", "GCM", "Google", "Authenticator", "Microsoft",
    "ZIP", "Kantara", "DB", "Control", "Command", "Mac", "JPEG", "PNG", "WebP", "ISO", "KR",
}
# Korean that English pages show on purpose: the clinic's name and the language switcher.
HANGUL_ALLOWED = {"장성형외과", "한국어"}
# Not language: scripts, and code (cookie names, file names) that reads the same everywhere.
_SKIPPED = {"script", "style", "template", "code", "kbd", "samp"}
_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label", "aria-description")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_EMAIL_OR_URL = re.compile(
    r"\S+@\S+|[a-z][a-z0-9+.-]*://\S+|/[\w./?=&%#-]*|www\.\S+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:kr|com|net|org|example)\b"
)
# Identifiers with a digit or an underscore in them (login IDs, reference numbers, versions)
# are data, not words.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_-]*[0-9_][A-Za-z0-9_-]*")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_HANGUL_RUN = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+")


class _Text(HTMLParser):
    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = [("", language)]
        self.parts: list[tuple[str, str]] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        language = (values.get("lang") or self.stack[-1][1]).split("-")[0]
        if tag in _SKIPPED:
            self.skipping += 1
        for name in _ATTRIBUTES:
            if values.get(name):
                self.parts.append((language, values[name] or ""))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append((language, values["value"] or ""))
        if tag not in _VOID:
            self.stack.append((tag, language))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.parts.append((self.stack[-1][1], data))


def visible_text(html: str, language: str) -> list[tuple[str, str]]:
    """(language, text) of each run of text and each read-out attribute of the page."""
    parser = _Text(language)
    parser.feed(html)
    parser.close()
    return parser.parts


def wrong_language(text: str, language: str, allowed: set[str] = frozenset()) -> list[str]:
    """Words of ``text`` that are not in ``language`` and not allowed."""
    if language == "ko":
        found = UNRESOLVED_PARTICLES.findall(text)
        found += [word for word in HAEYO.findall(text) if word not in allowed]
        plain = _IDENTIFIER.sub(" ", _EMAIL_OR_URL.sub(" ", text))
        found += [word for word in _LATIN_WORD.findall(plain)
                  if word not in LATIN_ALLOWED and word not in allowed]
        return found
    return [run for run in _HANGUL_RUN.findall(text)
            if run not in HANGUL_ALLOWED and run not in allowed] + OTHER_TERMS.findall(text)


def page_problems(html: str, language: str, allowed: set[str] = frozenset()) -> list[str]:
    problems: list[str] = []
    for part_language, text in visible_text(html, language):
        if part_language == language:
            problems += wrong_language(text, language, allowed)
    return problems
