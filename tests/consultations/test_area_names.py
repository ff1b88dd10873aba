"""The board and the reviews name each row's area from its keyed digest and the cached areas,
opening the sealed id only for a row whose digest the areas lack (an older lookup key, before
``privacy refresh-lookup-digests``), and naming nothing once the row's key is destroyed."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from consultations.models import Consultation, ConsultationArea
from consultations.selectors import area_list_cache_clear
from privacy.lookup import area_digest
from privacy.models import DataKey
from tests.consultations.factories import (
    ConsultationAreaFactory,
    ConsultationFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

OLD_KEY = b"an older lookup key, 32 bytes.."


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def area_openings() -> Iterator[mock.MagicMock]:
    """Every opening of a sealed value, recorded with its field (``openings_of_areas``)."""
    field_class = type(Consultation._meta.get_field("area_ref"))
    with mock.patch.object(field_class, "_open", autospec=True,
                           side_effect=field_class._open) as opened:
        yield opened


def openings_of_areas(opened: mock.MagicMock) -> int:
    """How many sealed area ids were opened (titles, names and bodies are opened as before)."""
    return sum(1 for call in opened.call_args_list if call.args[0].name == "area_ref")


def test_the_board_names_areas_in_korean_and_english_without_opening_them(
    client: Client, area_openings: mock.MagicMock
) -> None:
    nose = ConsultationAreaFactory(name_ko="코", name_en="Nose")
    eyes = ConsultationAreaFactory(name_ko="눈", name_en="Eyes")
    ConsultationFactory(area=nose, title="코 질문")
    ConsultationFactory(area=eyes, title="눈 질문")

    korean = html(client.get("/consultations/"))
    assert '<td data-label="부위">코</td>' in korean
    assert '<td data-label="부위">눈</td>' in korean
    client.cookies["django_language"] = "en"
    english = html(client.get("/consultations/"))
    assert '<td data-label="Area">Nose</td>' in english
    assert '<td data-label="Area">Eyes</td>' in english
    assert openings_of_areas(area_openings) == 0


def test_the_reviews_name_areas_without_opening_them(
    client: Client, area_openings: mock.MagicMock
) -> None:
    ReviewFactory(area=ConsultationAreaFactory(name_ko="가슴", name_en="Breast"))
    assert '<p class="meta">가슴 · ' in html(client.get("/reviews/"))
    client.cookies["django_language"] = "en"
    assert '<p class="meta">Breast · ' in html(client.get("/reviews/"))
    assert openings_of_areas(area_openings) == 0


def test_a_renamed_area_shows_its_new_name(client: Client) -> None:
    area = ConsultationAreaFactory(name_ko="코", name_en="Nose")
    ConsultationFactory(area=area)
    ReviewFactory(area=area)
    assert '<td data-label="부위">코</td>' in html(client.get("/consultations/"))
    area.name_ko = "코 성형"
    area.save()
    area_list_cache_clear()  # what the admin's save of an area calls
    assert '<td data-label="부위">코 성형</td>' in html(client.get("/consultations/"))
    assert '<p class="meta">코 성형 · ' in html(client.get("/reviews/"))


def test_a_row_whose_digest_is_unknown_still_shows_its_area(
    client: Client, area_openings: mock.MagicMock, django_assert_max_num_queries
) -> None:
    """Digests under the key listed before the newest (not refreshed yet), or none at all:
    the row's sealed id is opened instead, at no extra query."""
    nose = ConsultationAreaFactory(name_ko="코")
    eyes = ConsultationAreaFactory(name_ko="눈")
    old = ConsultationFactory(area=nose, title="옛 열쇠의 질문")
    missing = ConsultationFactory(area=eyes, title="요약 없는 질문")
    ConsultationFactory(area=eyes, title="새 질문")
    Consultation.objects.filter(pk=old.pk).update(area_digest=area_digest(nose.pk, key=OLD_KEY))
    Consultation.objects.filter(pk=missing.pk).update(area_digest="")
    client.get("/consultations/")

    with django_assert_max_num_queries(6):
        page = html(client.get("/consultations/"))
    assert page.count('<td data-label="부위">코</td>') == 1
    assert page.count('<td data-label="부위">눈</td>') == 2
    assert openings_of_areas(area_openings) == 4  # two rows, two requests


def test_the_digests_follow_a_new_lookup_key(client: Client) -> None:
    area = ConsultationAreaFactory(name_ko="코")
    consultation = ConsultationFactory(area=area)
    stored = Consultation.objects.get(pk=consultation.pk).area_digest
    assert ConsultationArea.objects.by_digest()[stored] == area
    with override_settings(PRIVACY_LOOKUP_KEY=[OLD_KEY]):
        by_digest = ConsultationArea.objects.by_digest()
        assert by_digest[area_digest(area.pk)] == area and stored not in by_digest
        # The row's digest is under the key listed no more first: its sealed id names it.
        assert '<td data-label="부위">코</td>' in html(client.get("/consultations/"))


def test_a_row_whose_key_is_destroyed_names_no_area_though_its_digest_stays(
    client: Client,
) -> None:
    area = ConsultationAreaFactory(name_ko="코")
    consultation = ConsultationFactory(area=area, title="지워질 질문")
    ReviewFactory(area=area, author=consultation.author, data_key=consultation.data_key)
    DataKey.objects.filter(pk=consultation.data_key_id).delete()
    assert Consultation.objects.get(pk=consultation.pk).area_digest == area_digest(area.pk)
    assert '<td data-label="부위">코</td>' not in html(client.get("/consultations/"))
    assert '<p class="meta">코 · ' not in html(client.get("/reviews/"))


def test_a_members_own_questions_name_their_areas_without_opening_them(
    client: Client, area_openings: mock.MagicMock
) -> None:
    nose = ConsultationAreaFactory(name_ko="코")
    consultation = ConsultationFactory(area=nose, title="내 코 질문")
    client.force_login(consultation.author)
    assert "<td>코</td>" in html(client.get("/consultations/mine/"))
    assert "<td>코</td>" in html(client.get(reverse("members:my_page")))
    assert openings_of_areas(area_openings) == 0
