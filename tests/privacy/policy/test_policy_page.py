"""The policy page is rendered from the registry, in the clinic policy's order and sections."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from privacy import registry
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db

SECTIONS = ["items", "purposes", "retention", "destruction", "delegation", "rights", "cookies",
            "officer", "provision", "overseas", "safety", "automated", "pseudonymised", "boards"]


def page(client: Client, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get("/privacy/policy/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_page_names_every_registry_item_in_both_languages(
    client: Client, language: str
) -> None:
    html = page(client, language)
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        for item in registry.ITEMS:
            assert escape(str(item.label)) in html, item.key
            assert escape(str(item.retention.achieved_when)) in html, item.key
        for purpose in registry.Purpose:
            if any(purpose in item.purposes for item in registry.ITEMS):
                assert escape(str(purpose.label)) in html
        for method in registry.Collection:
            assert escape(str(method.label)) in html
        for consent in registry.CONSENTS:
            assert escape(str(consent.label)) in html


def test_sections_come_in_the_order_of_the_clinic_policy(client: Client) -> None:
    html = page(client, "ko")
    positions = [html.index(f'id="{section}"') for section in SECTIONS]
    assert positions == sorted(positions)
    assert "1. 수집하는 개인정보 항목" in html


def test_purposes_include_what_consents_add(client: Client) -> None:
    html = page(client, "en")
    purposes = html[html.index('id="purposes"'):html.index('id="retention"')]
    marketing = purposes[purposes.index("<dt>marketing</dt>"):]
    marketing = marketing[:marketing.index("</dd>")]
    for label in ("cookies", "email", "mobile phone number"):
        assert label in marketing


def test_english_page_is_in_english(client: Client) -> None:
    html = page(client, "en")
    assert "1. Personal information collection items" in html
    assert "login ID" in html
    assert "Jang Jin-woo" in html


def test_processors_are_listed_in_section_5_and_ended_ones_are_not(client: Client) -> None:
    ProcessorFactory(name="Hanbit Mail Co.", tasks_ko="이메일 발송 대행",
                     tasks_en="sending email for us", requires_consent=True)
    ProcessorFactory(name="Gone Storage Inc.", until=datetime.date(2026, 2, 1))
    html = page(client, "en")
    delegation = html[html.index('id="delegation"'):html.index('id="rights"')]
    assert "Hanbit Mail Co." in delegation
    assert "sending email for us" in delegation
    assert "only with your consent" in delegation
    assert "Gone Storage Inc." not in html
    ko = page(client, "ko")
    assert "이메일 발송 대행" in ko


def test_a_processor_change_shows_at_once_though_the_body_is_cached(client: Client) -> None:
    """The rendered body is kept per language, keyed by the processors in force: a change in
    the admin, a new processor or one whose contract ended shows on the next request."""
    processor = ProcessorFactory(name="Hanbit Mail Co.", tasks_en="sending email for us")
    assert "sending email for us" in page(client, "en")
    processor.tasks_en = "sending text messages for us"
    processor.save()
    html = page(client, "en")
    assert "sending text messages for us" in html and "sending email for us" not in html
    ProcessorFactory(name="Second Storage Inc.")
    assert "Second Storage Inc." in page(client, "en")
    processor.until = datetime.date(2020, 1, 1)
    processor.save()
    assert "Hanbit Mail Co." not in page(client, "en")
    assert "Hanbit Mail Co." not in page(client, "ko")


def test_cookies_and_complaints_are_linked_and_outside_bodies_listed(client: Client) -> None:
    html = page(client, "en")
    cookies = html[html.index('id="cookies"'):html.index('id="officer"')]
    assert 'href="/cookies/"' in cookies
    officer = html[html.index('id="officer"'):]
    assert 'href="/privacy/complaints/"' in officer
    for body in ("kopico.go.kr", "privacy.kisa.or.kr", "spo.go.kr", "ecrm.police.go.kr"):
        assert body in officer


def test_the_page_costs_few_queries(client: Client, django_assert_max_num_queries) -> None:
    ProcessorFactory.create_batch(5)
    page(client, "ko")  # warms the cache of policy versions (the banner's)
    with django_assert_max_num_queries(3):
        page(client, "ko")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_page_opens_with_a_table_of_contents_and_folds_its_sections(
    client: Client, language: str
) -> None:
    """A phone shows the contents and the section titles first; each section opens by itself
    (a <details>), and the script opens the one a link points to and all of them to print."""
    ProcessorFactory()
    html = page(client, language)
    toc = html.split('<nav class="policy-toc"', 1)[1].split("</nav>", 1)[0]
    assert [f"#{section}" for section in SECTIONS] == re.findall(r'href="(#\w+)"', toc)
    assert ("목차" if language == "ko" else "Contents") in toc
    for section in SECTIONS:
        assert f'<summary><h2 id="{section}">' in html
    article = html.split('<article class="policy">', 1)[1].split("</article>", 1)[0]
    assert article.count('<details class="policy-section">') == len(SECTIONS)
    assert article.count("</details>") == len(SECTIONS)
    assert '<script src="/static/js/policy-sections.js" defer></script>' in html


def test_every_table_cell_of_the_policy_names_its_column(client: Client) -> None:
    """Under 600px the tables become cards and each cell shows its column as a label."""
    ProcessorFactory()
    html = page(client, "ko")
    cells = re.findall(r"<td( [^>]*)?>", html)
    assert cells and all('data-label="' in (attributes or "") for attributes in cells)
    assert 'data-label="수집 방법"' in html
