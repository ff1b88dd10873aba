"""Korean particles (josa) chosen for the word they follow.

A Korean particle has two forms, one after a syllable with a final consonant (받침) and one
after a vowel: 주소를 but 이름을, 정보는 but 번호는. A sentence built from a label the code
supplies ("%(item)s") cannot fix the form in the catalogue, and the "을(를)" notation that
leaves the choice to the reader reads as machine text. The catalogue is written with one form
("%(item)s를 입력하셨습니다") and :func:`format_with_particles` corrects it for the value.

How the last sound of a word is read:

- A Hangul syllable: its final consonant; ㄹ counts as a vowel for 으로/로 (서울로, 길로).
- A digit, as read in Korean: 0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구,
  and round numbers by their last unit (10 십, 100 백, 1000 천, 10000 만).
- A Latin letter, by its Korean letter name, so abbreviations read as people say them:
  only L (엘), M (엠), N (엔) and R (알) end in a consonant ("URL은", "IP는", "PDF를",
  "SMS로"). A lowercase English word is read the same way, by its last letter ("email은").
- Closing quotes, brackets and a final parenthesised remark are skipped: the particle
  belongs to the word before them ("주소(선택)를", "“동의”를").
- Anything else (an empty string, a symbol) is read as ending in a vowel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.functional import Promise

# (form after a final consonant, form after a vowel); ㄹ is handled for the 으로 family.
PARTICLES: tuple[tuple[str, str], ...] = (
    ("으로서", "로서"), ("으로써", "로써"), ("으로", "로"),
    ("이라고", "라고"), ("이라는", "라는"), ("이라면", "라면"), ("이라", "라"),
    ("이에요", "예요"), ("이며", "며"), ("이나", "나"), ("이든", "든"), ("이랑", "랑"),
    ("이야", "야"), ("이여", "여"),
    ("을", "를"), ("은", "는"), ("이", "가"), ("과", "와"), ("아", "야"),
)
_RIEUL_EXCEPTION = {"으로서", "으로써", "으로"}
_FORMS = {form: pair for pair in PARTICLES for form in pair}

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # index of ㄹ among the final consonants of a Hangul syllable
# Final consonant of each digit read in Korean (0 none, 8 ㄹ, 4 ㄴ, 16 ㅁ, 1 ㄱ, 21 ㅇ).
_DIGIT_FINAL = {"0": 21, "1": _RIEUL, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": _RIEUL,
                "8": _RIEUL, "9": 0}
# Round numbers end in their unit: 십 (ㅂ, 17), 백 (ㄱ, 1), 천 (ㄴ, 4), 만 (ㄴ, 4).
_UNIT_FINAL = {1: 17, 2: 1, 3: 4}
_MAN_FINAL = 4
# Korean letter names ending in a consonant: 엘, 엠, 엔, 알.
_LETTER_FINAL = {"l": _RIEUL, "m": 16, "n": 4, "r": _RIEUL}
_CLOSING = "\"'”’»」』》〉)]}>.,!?…·"
_TRAILING_REMARK = re.compile(r"\s*\([^()]*\)$")


def final_consonant(word: str) -> int:
    """Index (1-27) of the final consonant the word ends in when read aloud, 0 for a vowel."""
    text = _TRAILING_REMARK.sub("", word.rstrip())
    text = text.rstrip(_CLOSING + " ") if text else text
    if not text:
        return 0
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28
    if last.isdigit() and last.isascii():
        number = re.search(r"\d+$", text)
        digits = number.group() if number else last
        zeros = len(digits) - len(digits.rstrip("0"))
        if zeros == 0 or digits.strip("0") == "":
            return _DIGIT_FINAL[last]
        return _UNIT_FINAL.get(zeros, _MAN_FINAL)
    return _LETTER_FINAL.get(last.lower(), 0)


def particle_for(word: str, particle: str) -> str:
    """The form of ``particle`` (either form, or "을/를", "을(를)") that follows ``word``."""
    key = re.split(r"[/(]", particle, maxsplit=1)[0]
    with_final, after_vowel = _FORMS.get(key, (key, key))
    final = final_consonant(word)
    if final == 0 or (final == _RIEUL and with_final in _RIEUL_EXCEPTION):
        return after_vowel
    return with_final


def josa(word: str, particle: str) -> str:
    """``word`` followed by the right form of ``particle``: josa("주소", "을") == "주소를"."""
    return f"{word}{particle_for(word, particle)}"


_PARTICLE_AFTER = "|".join(sorted(_FORMS, key=len, reverse=True))
# A placeholder, then a particle written directly after it (the "을(를)" notation included)
# that is not the start of a longer word.
_PLACEHOLDER = re.compile(
    rf"(?P<placeholder>%\((?P<name>\w+)\)s)"
    rf"(?P<particle>(?:{_PARTICLE_AFTER})(?:\([가-힣]+\))?)(?![가-힣])"
)


def format_with_particles(template: str | Promise, values: Mapping[str, object]) -> str:
    """``template % values`` with the particle right after each placeholder fitted to its value.

    Only a particle written directly after a ``%(name)s`` placeholder and not followed by
    another Hangul syllable is changed, so words such as "%(day)s이후" are left alone.
    English templates have no particles and come out as ``template % values`` does.
    """

    def fit(match: re.Match[str]) -> str:
        value = str(values[match["name"]])
        return match["placeholder"] + particle_for(value, match["particle"])

    return _PLACEHOLDER.sub(fit, str(template)) % values
