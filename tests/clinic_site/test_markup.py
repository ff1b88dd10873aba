"""The list rows' escaping (``clinic_site.markup``) writes what Django's own functions write."""

from __future__ import annotations

from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from clinic_site.markup import escape_text, text_to_html

TRICKY = ["", "<script>alert('x')</script>", 'a "quoted" & <b>', "line\r\nnext\rmore\n",
          "&amp; already escaped", "한국어 <제목>\n둘째 줄"]


def test_escape_text_matches_django_on_tricky_text():
    for text in TRICKY:
        assert escape_text(text) == escape(text)


def test_text_to_html_matches_linebreaksbr_and_is_safe():
    for text in TRICKY:
        html = text_to_html(text)
        assert html == linebreaksbr(text, autoescape=True)
        assert isinstance(html, SafeString)
    assert text_to_html("<b>\r\n") == "&lt;b&gt;<br>"


@given(st.text())
def test_same_as_django_on_any_text(text):
    assert escape_text(text) == escape(text)
    assert text_to_html(text) == linebreaksbr(text, autoescape=True)
