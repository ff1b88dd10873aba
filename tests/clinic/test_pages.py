"""The clinic's read pages as a visitor sees them: area pages, doctors, visit, home, footer,
sitemap; each within a fixed number of queries."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.clinic.factories import (
    DoctorFactory,
    HolidayFactory,
    ProcedurePageFactory,
    VisitInformationFactory,
    week_of_hours,
)
from tests.consultations.factories import ConsultationAreaFactory

pytestmark = pytest.mark.django_db


def test_area_page_shows_procedures_recovery_and_risks_in_korean(
    client: Client, django_assert_max_num_queries
) -> None:
    ProcedurePageFactory(area=ConsultationAreaFactory(slug="eyes", name_ko="눈"))
    client.get("/procedures/eyes/")  # fills the caches
    with django_assert_max_num_queries(3):
        response = client.get("/procedures/eyes/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>눈</h1>" in html and "<strong>눈매교정</strong>" in html
    assert "큰 붓기는 2~4주면 빠집니다." in html and "<li>붓기와 멍</li>" in html
    assert '<meta name="description" content="자연스러운 눈매를 만듭니다.">' in html
    assert '<link rel="canonical" href="http://127.0.0.1:8000/procedures/eyes/">' in html
    assert '<meta property="og:title" content="눈 · 장성형외과">' in html
    assert 'href="/consultations/booking/?area=eyes"' in html


def test_area_page_in_english(client: Client) -> None:
    ProcedurePageFactory(area=ConsultationAreaFactory(slug="eyes", name_en="Eyes"))
    html = client.get("/procedures/eyes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Eyes</h1>" in html and "ptosis correction" in html


def test_unpublished_or_missing_area_page_is_404(client: Client) -> None:
    ProcedurePageFactory(area=ConsultationAreaFactory(slug="nose"), is_published=False)
    assert client.get("/procedures/nose/").status_code == 404
    assert client.get("/procedures/nothing-here/").status_code == 404


def test_markup_stored_around_the_admin_is_still_sanitised_when_shown(client: Client) -> None:
    ProcedurePageFactory(
        area=ConsultationAreaFactory(slug="eyes"),
        procedures_ko='<p onclick="steal()">안내</p><script>alert(1)</script>'
                      '<a href="javascript:alert(1)">링크</a>',
    )
    response = client.get("/procedures/eyes/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<p>안내</p>" in html
    assert "alert(1)" not in html and "onclick" not in html and "javascript:" not in html


def test_doctors_page_lists_name_specialty_and_qualifications(
    client: Client, django_assert_max_num_queries
) -> None:
    DoctorFactory(name_ko="장진우", qualifications_ko="성형외과 전문의\n대한성형외과학회 정회원")
    DoctorFactory(name_ko="숨은의사", is_active=False)
    client.get("/doctors/")
    with django_assert_max_num_queries(3):
        response = client.get("/doctors/")
    html = response.content.decode()
    assert "<h2>장진우</h2>" in html and "<li>대한성형외과학회 정회원</li>" in html
    assert "숨은의사" not in html


def test_visit_page_has_address_phone_map_links_hours_and_holidays(
    client: Client, django_assert_max_num_queries
) -> None:
    week_of_hours()
    HolidayFactory()
    VisitInformationFactory()
    client.get("/visit/")
    with django_assert_max_num_queries(3):
        response = client.get("/visit/")
    html = response.content.decode()
    assert 'href="tel:02-6677-0000"' in html
    assert 'href="https://map.naver.com/p/search/' in html
    assert 'href="https://map.kakao.com/link/search/' in html
    assert "10:00–19:00" in html and "10:00–15:00" in html
    assert "성탄절" in html and "2호선 강남역 10번 출구" in html
    # No third-party script, frame or map tile on the page.
    assert "<iframe" not in html and "dapi.kakao.com" not in html
    assert "openapi.map.naver.com" not in html


def test_home_tiles_link_to_published_area_pages_and_lead_to_doctors_and_visit(
    client: Client,
) -> None:
    ProcedurePageFactory(area=ConsultationAreaFactory(slug="eyes", name_ko="눈"))
    ConsultationAreaFactory(slug="other", name_ko="기타")
    html = client.get("/").content.decode()
    assert '<a href="/procedures/eyes/">눈</a>' in html
    assert "<li>기타</li>" in html
    assert 'href="/doctors/"' in html and 'href="/visit/"' in html


def test_footer_carries_the_business_information(client: Client, settings) -> None:
    html = client.get("/visit/").content.decode()
    assert "사업자등록번호" in html and "000-00-00000" in html
    assert "대표자" in html and "의료기관" in html


def test_sitemap_lists_the_public_clinic_pages(client: Client) -> None:
    ProcedurePageFactory(area=ConsultationAreaFactory(slug="eyes"))
    xml = client.get("/sitemap.xml").content.decode()
    for path in ("/procedures/eyes/", "/doctors/", "/visit/"):
        assert f"<loc>http://testserver{path}</loc>" in xml or path in xml
