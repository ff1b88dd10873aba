"""The layout's and the public pages' cached fragments (the "layout" cache, per process): each
follows what it shows (language, the areas, the published area pages, the chosen area), and
none holds anything personal."""

from __future__ import annotations

import pickle
import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from clinic.selectors import clinic_cache_clear
from consultations.selectors import area_list_cache_clear
from tests.clinic.factories import ProcedurePageFactory
from tests.consultations.factories import (
    ConsultationAreaFactory,
    ConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import PosterFactory, log_in

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def html(response) -> str:
    return response.content.decode()


def layout_fragments() -> list[str]:
    """Every fragment in this process's layout cache (a local-memory cache keeps its values
    pickled in ``_cache``, and there is no public way to list a cache's entries; these are
    the test's own pickles)."""
    entries = caches["layout"]._cache.values()  # type: ignore[attr-defined]
    return [pickle.loads(value) for value in entries]  # noqa: S301


def test_the_language_buttons_mark_the_pages_language(client: Client) -> None:
    korean = html(client.get("/"))
    assert re.search(r'value="ko" lang="ko"\s+aria-current="true" class="current">', korean)
    assert not re.search(r'value="en" lang="en"\s+aria-current', korean)
    client.cookies["django_language"] = "en"
    english = html(client.get("/"))
    assert re.search(r'value="en" lang="en"\s+aria-current="true" class="current">', english)
    assert not re.search(r'value="ko" lang="ko"\s+aria-current', english)
    assert html(client.get("/reviews/")).count('aria-current="true"') == 1


def test_the_heads_links_follow_the_language(client: Client) -> None:
    assert '<meta property="og:locale" content="ko_KR">' in html(client.get("/"))
    client.cookies["django_language"] = "en"
    english = html(client.get("/"))
    assert '<meta property="og:locale" content="en_US">' in english
    assert '<link rel="stylesheet" href="/static/css/site.css">' in english


def test_the_home_page_shows_a_renamed_area_and_a_newly_published_area_page(
    client: Client,
) -> None:
    area = ConsultationAreaFactory(slug="eyes", name_ko="눈", name_en="Eyes")
    assert "<li>눈</li>" in html(client.get("/"))
    area.name_ko = "눈 성형"
    area.save()
    area_list_cache_clear()  # what the admin's save of an area calls
    assert "<li>눈 성형</li>" in html(client.get("/"))
    ProcedurePageFactory(area=area)
    clinic_cache_clear()  # what the admin's save of a page calls
    assert '<a href="/procedures/eyes/">눈 성형</a>' in html(client.get("/"))
    client.cookies["django_language"] = "en"
    assert '<a href="/procedures/eyes/">Eyes</a>' in html(client.get("/"))


def test_the_boards_area_choices_follow_the_chosen_area_and_a_rename(client: Client) -> None:
    ConsultationAreaFactory(slug="eyes", name_ko="눈")
    nose = ConsultationAreaFactory(slug="nose", name_ko="코")
    assert '<option value="nose">코</option>' in html(client.get("/consultations/"))
    chosen = html(client.get("/consultations/", {"area": "nose"}))
    assert '<option value="nose" selected>코</option>' in chosen
    assert '<option value="eyes">눈</option>' in chosen
    nose.name_ko = "코 성형"
    nose.save()
    area_list_cache_clear()
    assert '<option value="nose" selected>코 성형</option>' in html(
        client.get("/consultations/", {"area": "nose"}))
    client.cookies["django_language"] = "en"
    assert '<option value="">All areas</option>' in html(client.get("/consultations/"))


def test_no_cached_fragment_holds_anything_personal(client: Client) -> None:
    author = PosterFactory(name="김민수")
    ConsultationFactory(author=author, title="공개 코 질문")
    ConsultationFactory(author=author, title="비밀 눈 질문", is_private=True)
    ReviewFactory(author=author, title="만족한 후기", body="붓기가 금방 빠졌습니다")
    for page in ("/", "/consultations/", "/reviews/", "/consultations/?area=area-0"):
        client.get(page)
    log_in(client, author)
    for page in ("/", "/consultations/", "/reviews/", reverse("members:my_page")):
        assert client.get(page).status_code == 200
    board = html(client.get("/consultations/"))
    assert "비밀 눈 질문" in board and "김*수" in board  # the page itself shows them

    fragments = layout_fragments()
    assert any("cookie" in fragment.lower() for fragment in fragments)
    assert any("<option" in fragment for fragment in fragments)
    for fragment in fragments:
        for personal in ("김민수", "김*수", author.username, author.email, "공개 코 질문",
                         "비밀 눈 질문", "만족한 후기", "붓기가", "csrfmiddlewaretoken"):
            assert personal not in fragment


def test_blank_forms_follow_a_renamed_area_and_the_language(client: Client) -> None:
    area = ConsultationAreaFactory(slug="eyes", name_ko="눈", name_en="Eyes")
    pages = ("/accounts/signup/", "/consultations/guest/", "/consultations/booking/")
    for page in pages:
        assert ">눈</option>" in html(client.get(page)), page
    area.name_ko = "눈 성형"
    area.save()
    area_list_cache_clear()  # what the admin's save of an area calls
    for page in pages:
        shown = html(client.get(page))
        assert ">눈 성형</option>" in shown and ">눈</option>" not in shown, page
    client.cookies["django_language"] = "en"
    for page in pages:
        assert ">Eyes</option>" in html(client.get(page)), page


def test_a_prefilled_or_sent_back_form_is_never_kept_for_others(client: Client) -> None:
    """An address prefilled from ?email=, an area chosen by a link and the values of a form
    sent back with errors are the visitor's own: the next blank form shows none of them."""
    ConsultationAreaFactory(slug="eyes", name_ko="눈")
    ConsultationAreaFactory(slug="nose", name_ko="코")
    client.get("/accounts/signup/")
    prefilled = html(client.get("/accounts/signup/", {"email": "someone@example.com"}))
    assert 'value="someone@example.com"' in prefilled
    assert "someone@example.com" not in html(client.get("/accounts/signup/"))

    assert 'selected>코</option>' in html(client.get("/consultations/booking/", {"area": "nose"}))
    assert "selected>" not in html(client.get("/consultations/booking/")).split(
        'name="slot_date"')[0].split('id="id_area"')[1]

    sent = html(client.post("/consultations/guest/", {"name": "박지민", "title": "코 끝 질문"}))
    assert 'value="박지민"' in sent and 'value="코 끝 질문"' in sent
    blank = html(client.get("/consultations/guest/"))
    assert "박지민" not in blank and "코 끝 질문" not in blank

    for fragment in layout_fragments():
        for personal in ("someone@example.com", "박지민", "코 끝 질문"):
            assert personal not in fragment
