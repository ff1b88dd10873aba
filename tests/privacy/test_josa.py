"""Korean particles fitted to the word before them (privacy.josa)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from privacy.josa import final_consonant, format_with_particles, josa


@pytest.mark.parametrize(("word", "particle", "expected"), [
    ("자택 주소", "을", "자택 주소를"),
    ("이름", "를", "이름을"),
    ("접속 IP 정보", "은", "접속 IP 정보는"),
    ("휴대전화번호", "는", "휴대전화번호는"),
    ("생년월일", "이", "생년월일이"),
    ("이메일", "가", "이메일이"),
    ("성명", "와", "성명과"),
    ("주소", "과", "주소와"),
    ("서울", "으로", "서울로"),  # ㄹ takes 로
    ("병원", "로", "병원으로"),
    ("학교", "으로", "학교로"),
    ("동의", "이에요", "동의예요"),
    ("회원", "이며", "회원이며"),
    ("주소", "을/를", "주소를"),
    ("이름", "을(를)", "이름을"),
])
def test_hangul_words(word: str, particle: str, expected: str) -> None:
    assert josa(word, particle) == expected


@pytest.mark.parametrize(("word", "particle", "expected"), [
    ("IP", "은", "IP는"),     # 피
    ("URL", "은", "URL은"),   # 엘
    ("URL", "으로", "URL로"),  # 엘: ㄹ takes 로
    ("PDF", "을", "PDF를"),   # 에프
    ("SMS", "으로", "SMS로"),  # 에스
    ("TOTP", "이", "TOTP가"),  # 피
    ("CSV", "을", "CSV를"),   # 브이
    ("ID", "은", "ID는"),     # 디
    ("HTML", "을", "HTML을"),  # 엘
    ("PIN", "이", "PIN이"),   # 엔
    ("email", "은", "email은"),
])
def test_latin_letters_read_by_their_korean_names(word: str, particle: str, expected: str) -> None:
    assert josa(word, particle) == expected


@pytest.mark.parametrize(("word", "particle", "expected"), [
    ("1", "이", "1이"),        # 일
    ("2", "이", "2가"),        # 이
    ("3", "을", "3을"),        # 삼
    ("6", "으로", "6으로"),    # 육
    ("7", "으로", "7로"),      # 칠: ㄹ
    ("9", "은", "9는"),        # 구
    ("10", "은", "10은"),      # 십
    ("100", "이", "100이"),    # 백
    ("2000", "은", "2000은"),  # 천
    ("20000", "은", "20000은"),  # 만
    ("2026-12-07", "까지", "2026-12-07까지"),  # not a particle with two forms
    ("0", "이", "0이"),        # 영
])
def test_digits_read_in_korean(word: str, particle: str, expected: str) -> None:
    assert josa(word, particle) == expected


@pytest.mark.parametrize(("word", "particle", "expected"), [
    ("“마케팅 수신”", "에", "“마케팅 수신”에"),
    ("“동의”", "을", "“동의”를"),
    ("자택 주소(선택)", "을", "자택 주소(선택)를"),
    ("이름.", "이", "이름.이"),
    ("", "을", "를"),
    ("★", "은", "★는"),
])
def test_quotes_remarks_and_symbols(word: str, particle: str, expected: str) -> None:
    assert josa(word, particle) == expected


def test_final_consonant_index() -> None:
    assert final_consonant("가") == 0
    assert final_consonant("각") == 1
    assert final_consonant("갈") == 8


def test_format_with_particles_fits_the_particle_after_each_placeholder() -> None:
    template = "%(item)s를 입력하셨습니다. %(other)s은 %(day)s이후에 %(count)d건입니다."
    text = format_with_particles(template, {"item": "이름", "other": "주소", "day": "12월 7일",
                                            "count": 3})
    assert text == "이름을 입력하셨습니다. 주소는 12월 7일이후에 3건입니다."


def test_format_with_particles_resolves_the_bracket_notation_and_leaves_english_alone() -> None:
    assert format_with_particles("%(item)s을(를) 지웁니다", {"item": "주소"}) == "주소를 지웁니다"
    english = "You entered your %(item)s (100%%)."
    assert format_with_particles(english, {"item": "home address"}) == (
        "You entered your home address (100%)."
    )


def test_template_filter() -> None:
    rendered = Template('{% load korean %}{{ a|josa:"을" }} {{ b|josa:"으로" }} {{ c|josa:"은" }}')
    assert rendered.render(Context({"a": "자택 주소", "b": "서울", "c": "<IP>"})) == (
        "자택 주소를 서울로 &lt;IP&gt;는"
    )
