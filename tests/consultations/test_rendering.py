"""What people typed is shown as they typed it: escaped, line breaks kept, on the pages that
show post and review bodies, and each main page runs a fixed number of queries."""

from __future__ import annotations

import pytest
from django.test import Client

from consultations.models import ReviewStatus
from tests.consultations.factories import AnswerFactory, ConsultationFactory, ReviewFactory

pytestmark = pytest.mark.django_db

TYPED = "<script>alert('x')</script> & \"따옴표\"\r\n둘째 줄\n셋째 줄"
SHOWN = ("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;따옴표&quot;<br>"
         "둘째 줄<br>셋째 줄")


def test_post_and_answer_bodies_are_escaped_with_their_line_breaks(client: Client) -> None:
    consultation = ConsultationFactory(title="<b>제목</b>", body=TYPED, is_private=False)
    AnswerFactory(consultation=consultation, body=TYPED)
    html = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert html.count(SHOWN) == 2
    assert "<script>" not in html and "<b>제목</b>" not in html
    assert "&lt;b&gt;제목&lt;/b&gt;" in html


def test_review_bodies_are_escaped_with_their_line_breaks(client: Client) -> None:
    ReviewFactory(title="<i>후기</i>", body=TYPED, status=ReviewStatus.PUBLISHED)
    html = client.get("/reviews/").content.decode()
    assert SHOWN in html and "<script>" not in html and "&lt;i&gt;후기&lt;/i&gt;" in html


def test_board_titles_are_escaped(client: Client) -> None:
    ConsultationFactory(title="<img src=x onerror=alert(1)>", is_private=False)
    html = client.get("/consultations/").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
