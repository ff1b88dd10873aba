"""Hypothesis strategies for hostile input, and the checks every form must pass with them."""

from __future__ import annotations

import os

from django.conf import settings as django_settings
from django.http import HttpResponse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.security.conftest import inline_code_problems
from tests.security.test_headers import csp_directives, csp_nonce

# Small and without a deadline, so the suite stays fast; the same examples every CI run (a
# failure there can be replayed), fresh ones on a developer's machine.
HOSTILE = settings(
    max_examples=20,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Payloads whose raw presence in a page means the input was not escaped.
MARKUP = [
    '<script>alert("xss-marker")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert('xss')>",
    "</textarea><script>alert(1)</script>",
    "<a href=\"javascript:alert(1)\">x</a>",
]
TEMPLATE = ["{{ settings.SECRET_KEY }}", "{% debug %}", "${7*7}", "{{ request.session }}"]
SQL = [
    "' OR '1'='1",
    "admin'--",
    "1; DROP TABLE members_member; --",
    "\" OR \"\"=\"",
    "' UNION SELECT password FROM members_member --",
    "%' AND 1=1 AND '%'='",
]
CONTROL = "".join(chr(code) for code in [*range(0, 32), 127, 0x85, 0x2028, 0x202E, 0xFEFF])
REDIRECTS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    " https://evil.example",
]

unicode_text = st.text(max_size=60)
control_text = st.text(alphabet=CONTROL, min_size=1, max_size=20)
long_text = st.builds(lambda chunk, times: chunk * times,
                      st.text(min_size=1, max_size=8), st.integers(200, 1500))
markup = st.sampled_from(MARKUP + TEMPLATE)
sql = st.sampled_from(SQL)


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    """Arbitrary unicode, control characters, very long strings, HTML/script or SQL-looking
    text, or a mix of them."""
    kind = draw(st.sampled_from(["unicode", "control", "long", "markup", "sql", "mixed"]))
    if kind == "unicode":
        return draw(unicode_text)
    if kind == "control":
        return draw(control_text)
    if kind == "long":
        return draw(long_text)
    if kind == "markup":
        return draw(markup)
    if kind == "sql":
        return draw(sql)
    parts = draw(st.lists(st.one_of(unicode_text, control_text, markup, sql), min_size=2,
                          max_size=4))
    return "".join(parts)


def assert_safe(response: HttpResponse, *values: str) -> None:
    """No server error, no markup payload of the input echoed unescaped, no template
    evaluated (a secret key in the page would say so), and the page as rendered for this input
    (form errors and all) keeps to the strict CSP."""

    assert response.status_code < 500, response.status_code
    content = response.content.decode(errors="replace")
    assert django_settings.SECRET_KEY not in content
    for value in values:
        for payload in MARKUP:
            if payload in value:
                assert payload not in content, f"unescaped {payload!r} in the page"
    if response.get("Content-Type", "").startswith("text/html") and content:
        nonce = csp_nonce(csp_directives(response.get("Content-Security-Policy", "")))
        assert not inline_code_problems(content, nonce)


# Phone numbers and dates as people mistype them, and as attackers send them.
MALFORMED_PHONES = [
    "010-1234-567", "010-12345-67890", "02-123-4567", "+82 10 1234 5678 9", "0101234567890123",
    "O10-1234-5678", "010‐1234‐5678", "０１０-１２３４-５６７８", "010-1234-5678; DROP TABLE", "-",
    "()", "010 1234 5678\n010 8765 4321", "٠١٠١٢٣٤٥٦٧٨",
]
MALFORMED_DATES = [
    "2026-02-30", "0000-00-00", "9999-12-31", "1899-12-31", "31/12/1990", "1990-13-01",
    "1990-1-1 00:00", "yesterday", "19900517", "-1990-05-17", "1990-05-17' OR '1'='1",
    "2100-01-01", "１９９０-０５-１７",
]
phones = st.one_of(st.sampled_from(MALFORMED_PHONES), hostile_text(),
                   st.from_regex(r"[0-9\- ]{0,24}", fullmatch=True))
dates = st.one_of(st.sampled_from(MALFORMED_DATES), hostile_text(), st.dates().map(str))
