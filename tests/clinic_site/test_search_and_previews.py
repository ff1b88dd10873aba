"""What search engines, link previews and browsers read from every site: robots.txt, the
sitemap, the favicon, and each page's description, canonical address and OpenGraph tags."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.consultations.factories import ConsultationFactory
from tests.members.factories import PosterFactory, log_in

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

PUBLIC_PAGES = ["/", "/consultations/", "/consultations/guest/", "/reviews/",
                "/privacy/policy/", "/privacy/complaints/", "/cookies/", "/accounts/login/",
                "/accounts/signup/"]


def meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no <meta {attribute}={name}>"
    return match.group(1)


def test_robots_txt_allows_public_pages_and_names_the_sitemap(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/admin/", "/accounts/", "/privacy/my-data/", "/privacy/consents/",
                 "/privacy/withdraw/", "/consultations/guest/done/", "/reviews/mine/"):
        assert f"Disallow: {path}" in lines
    # Log-in, sign-up and the reset form stay findable; the rest of /accounts/ is closed.
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        assert f"Allow: {path}$" in lines
    # The form a guest reads an answer with shows nothing until the reference and password.
    for path in ("/", "/consultations/", "/reviews/", "/privacy/policy/",
                 "/consultations/guest/", "/consultations/guest/read/"):
        assert f"Disallow: {path}" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_lists_the_public_pages_and_no_question(client: Client) -> None:
    consultation = ConsultationFactory()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = re.findall(r"<loc>([^<]+)</loc>", response.content.decode())
    assert locations == ["http://testserver/", "http://testserver/consultations/",
                         "http://testserver/reviews/", "http://testserver/privacy/policy/",
                         "http://testserver/doctors/", "http://testserver/visit/"]
    assert f"/consultations/{consultation.pk}/" not in response.content.decode()


def test_favicon_is_linked_and_served_at_the_root(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    assert '<link rel="icon" href="/static/favicon.ico"' in client.get("/").content.decode()


@pytest.mark.parametrize("path", ["/robots.txt", "/favicon.ico", "/sitemap.xml"])
def test_the_root_files_refuse_writes(client: Client, path: str) -> None:
    assert client.post(path).status_code == 405


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_a_description_canonical_address_and_preview(
    client: Client, path: str
) -> None:
    html = client.get(path).content.decode()
    title = re.search(r"<title>([^<]+)</title>", html).group(1)
    description = meta(html, "name", "description")
    assert len(description) >= 30
    assert f'<link rel="canonical" href="{settings.SITE_URL}{path}">' in html
    assert meta(html, "property", "og:url") == f"{settings.SITE_URL}{path}"
    assert meta(html, "property", "og:title") == title
    assert meta(html, "property", "og:description") == description
    assert meta(html, "property", "og:site_name") == "장성형외과"
    assert meta(html, "property", "og:locale") == "ko_KR"


def test_pages_describe_themselves_in_the_visitors_language(client: Client) -> None:
    board = meta(client.get("/consultations/").content.decode(), "name", "description")
    policy = meta(client.get("/privacy/policy/").content.decode(), "name", "description")
    assert board != policy
    assert "의료진" in board and "개인정보" in policy
    client.cookies["django_language"] = "en"
    html = client.get("/privacy/policy/").content.decode()
    assert meta(html, "name", "description").startswith("Which personal information")
    assert meta(html, "property", "og:locale") == "en_US"


def test_the_canonical_address_drops_search_and_paging(client: Client) -> None:
    html = client.get("/consultations/?q=%EC%BD%94&area=nose").content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}/consultations/">' in html
    assert "q=" not in meta(html, "property", "og:url")


@pytest.mark.parametrize(("kind", "private", "robots"), [
    ("board", False, "noarchive, nosnippet"),
    ("board", True, "noindex"),
    ("aftercare", False, "noindex"),
])
def test_a_question_is_never_copied_by_search_engines_or_link_previews(
    client: Client, kind: str, private: bool, robots: str
) -> None:
    """A public question may be found, as the board is, but no search engine keeps a copy or
    quotes it, and no messenger's preview carries its title: copies kept by others would
    outlive its deletion and the member's withdrawal, which the policy promises leave nothing
    reproducible (sections 4 and 6). Private and post-surgery questions are not indexed."""
    consultation = ConsultationFactory(is_private=private, kind=kind,
                                       title="코 재수술 상담 문의", body="붓기가 궁금합니다.")
    if private or kind == "aftercare":  # read by its author and the doctors only
        log_in(client, consultation.author)
    html = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert f'<meta name="robots" content="{robots}">' in html
    head = html.split("</head>")[0]
    assert "코 재수술" not in head and "붓기" not in head
    assert "코 재수술 상담 문의" in html  # the page itself shows it to its readers
    shown = "수술 후 상담" if kind == "aftercare" else "질문"
    assert meta(html, "property", "og:title") == f"{shown} · 장성형외과"
    # The board's list is what search engines may index.
    client.logout()
    assert '<meta name="robots"' not in client.get("/consultations/").content.decode()


def test_the_not_found_page_echoes_no_address(client: Client) -> None:
    response = client.get("/accounts/profile/someone-typed-this/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "someone-typed-this" not in html
    assert 'rel="canonical"' not in html and 'property="og:url"' not in html


def test_member_pages_carry_the_layouts_description(client: Client) -> None:
    log_in(client, PosterFactory())
    html = client.get("/accounts/profile/").content.decode()
    assert "장성형외과: 수술 전후에" in meta(html, "name", "description")
