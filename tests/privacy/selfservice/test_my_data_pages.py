"""My data for a member who holds a lot: an overview bounded in size (counts and the newest few
records of each item and list), and a page per item or list with every record, 20 a page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from members.models import LoginRecord, LoginResult
from privacy import crypto, registry
from privacy.selfservice import selectors
from privacy.selfservice.selectors import (
    OVERVIEW_ROWS,
    SECTIONS,
    item_listing,
    items_held,
    subject_overview,
)
from tests.consultations.factories import AnswerFactory, ConsultationFactory, ReviewFactory
from tests.members.factories import PosterFactory, log_in
from tests.privacy.selfservice.conftest import fill

EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db

URL = "/privacy/my-data/"


def write_posts(member: Any, count: int, *, tag: str = "글") -> None:
    """``count`` consultations a minute apart (the newest is number ``count``), every third
    answered, and a review for every fifth."""
    start = timezone.now() - datetime.timedelta(days=10)
    for n in range(1, count + 1):
        at = start + datetime.timedelta(minutes=n)
        consultation = ConsultationFactory(author=member, title=f"{tag} 제목 {n:03d}",
                                           body=f"{tag} 본문 {n:03d}", created_at=at)
        if n % 3 == 0:
            AnswerFactory(consultation=consultation, body=f"{tag} 답변 {n:03d}",
                          created_at=at + datetime.timedelta(seconds=30))
        if n % 5 == 0:
            ReviewFactory(author=member, title=f"{tag} 후기 {n:03d}", created_at=at)


def english(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def pages(client: Client, url: str) -> list[str]:
    """Every page of a paginated list, following its "Next" links."""
    found = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        found.append(html)
        following = re.search(r'href="(\?page=\d+)" rel="next"', html)
        url = url.split("?")[0] + following.group(1) if following else ""
    return found


# --- The overview --------------------------------------------------------------------------------

def test_the_overview_shows_counts_the_newest_records_and_links_to_all(
    client: Client, owner: Any
) -> None:
    write_posts(owner, 60)
    english(client)
    log_in(client, owner)
    html = client.get(URL).content.decode()
    # 61 consultations (60 and the one of ``fill``) and 21 answers hold consultation contents.
    item = html[html.index('id="item-consultation_content"'):]
    item = item[:item.index("</article>")]
    assert "The newest 5 of 82 records are shown." in item
    # ``fill`` posted (and was answered) just now; each answer came 30 seconds after its post.
    shown = re.findall(r'<span class="field">[^:]+: ([^<]+)</span>', item)
    # A question shows its title and its area by name (both sealed like its body) before the
    # body.
    assert "Area own" in shown, shown
    assert [value for value in shown if "제목" not in value and not value.startswith("Area")] == [
        "답변 본문 own", "질문 본문 own", "글 답변 060", "글 본문 060", "글 본문 059"]
    assert "글 제목 060" in shown, shown
    assert 'href="/privacy/my-data/items/consultation_content/"' in item
    assert "See all 82 records: consultation contents (health information)" in item
    # The lists: the newest titles, their number, a link to all of them.
    assert "글 제목 057" in html and "글 제목 056" not in html
    assert "The newest 5 of 61 records are shown." in html
    assert 'href="/privacy/my-data/lists/consultations/"' in html
    assert 'href="/privacy/my-data/lists/reviews/"' in html  # 13 reviews
    # An item with a single record needs no link.
    assert 'href="/privacy/my-data/items/name/"' not in html
    assert "home phone number: 02-123-4567" in html
    # The export is unchanged: it still holds every record.
    data = selectors.subject_data(member=owner, viewer=owner)
    assert len(data.consultations) == 61
    assert len(data.item("consultation_content").rows) == 82


def test_the_see_all_link_leads_to_every_record_newest_first(client: Client, owner: Any,
                                                              other: Any) -> None:
    write_posts(owner, 45)
    write_posts(other, 3, tag="남의")
    english(client)
    log_in(client, owner)
    html = client.get(URL).content.decode()
    link = re.search(r'href="(/privacy/my-data/items/consultation_content/)"', html).group(1)
    found = pages(client, link)
    assert len(found) == 4  # 46 consultations and 16 answers: 62 records, 20 a page
    assert "Records held: 62 (newest first)." in found[0]
    assert "Page 1 of 4" in found[0]
    everything = "".join(found)
    bodies = re.findall(r"글 본문 (\d{3})", everything)
    assert bodies == [f"{n:03d}" for n in range(45, 0, -1)]  # each once, newest first
    assert everything.count("글 답변") == 15
    assert everything.index("글 답변 045") < everything.index("글 본문 045")  # answered later
    assert "질문 본문 own" in found[0] and "답변 본문 own" in found[0]  # ``fill``: just now
    assert "글 본문 001" in found[-1]
    assert "남의" not in everything and "other" not in everything


def test_a_list_page_shows_every_entry_of_the_list(client: Client, owner: Any,
                                                   other: Any) -> None:
    write_posts(owner, 25)
    log_in(client, owner)
    found = pages(client, "/privacy/my-data/lists/consultations/")
    assert len(found) == 2
    everything = "".join(found)
    titles = re.findall(r"글 제목 (\d{3})", everything)
    assert titles == [f"{n:03d}" for n in range(25, 0, -1)]
    assert "상담 제목" in found[0]  # the consultation of ``fill``, posted just now
    assert "다른회원" not in everything and "부위-other" not in everything


def test_every_list_page_opens(client: Client, owner: Any) -> None:
    log_in(client, owner)
    for section in SECTIONS:
        response = client.get(f"/privacy/my-data/lists/{section.key}/")
        assert response.status_code == 200, section.key


def test_every_item_page_opens_and_says_what_the_registry_declares(client: Client,
                                                                   owner: Any) -> None:
    english(client)
    log_in(client, owner)
    for item in registry.ITEMS:
        response = client.get(f"/privacy/my-data/items/{item.key}/")
        assert response.status_code == 200, item.key
        html = response.content.decode()
        for declared in (item.label, item.basis.label, item.retention.achieved_when):
            assert escape(str(declared)) in html, item.key
    html = client.get("/privacy/my-data/items/access_log/").content.decode()
    assert "Protection of Communications Secrets Act" in html  # the legal hold
    assert "198.51.100.4" not in html  # the IP address is an item of its own
    assert "198.51.100.4" in client.get("/privacy/my-data/items/access_ip/").content.decode()
    html = client.get("/privacy/my-data/items/cookies/").content.decode()
    assert "These records are not linked to your account" in html


@pytest.mark.parametrize("page", ["abc", "0", "-3", "1.5", "²", "9" * 40, "", "%00"])
def test_a_page_number_that_is_not_one_never_fails(client: Client, owner: Any,
                                                    page: str) -> None:
    write_posts(owner, 25)
    log_in(client, owner)
    for url in ("/privacy/my-data/items/consultation_content/",
                "/privacy/my-data/items/name/", "/privacy/my-data/lists/consultations/"):
        response = client.get(url, {"page": page})
        assert response.status_code == 200, (url, page)


def test_unknown_items_and_lists_are_not_found(client: Client, owner: Any) -> None:
    log_in(client, owner)
    for url in ("/privacy/my-data/items/no_such_item/", "/privacy/my-data/lists/no_such_list/",
                "/privacy/my-data/items/consultations/", "/privacy/my-data/lists/name/"):
        assert client.get(url).status_code == 404, url


def test_the_pages_need_a_login(client: Client, owner: Any) -> None:
    for url in ("/privacy/my-data/items/name/", "/privacy/my-data/lists/consultations/",
                f"/privacy/my-data/child/{owner.pk}/items/name/",
                f"/privacy/my-data/child/{owner.pk}/lists/consents/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


# --- Legal representatives -------------------------------------------------------------------

def test_a_representative_opens_the_pages_of_their_child_only(
    client: Client, family: tuple[Any, Any], other: Any
) -> None:
    parent, child = family
    write_posts(child, 8, tag="아이")
    log_in(client, parent)
    overview = client.get(f"/privacy/my-data/child/{child.pk}/").content.decode()
    link = f"/privacy/my-data/child/{child.pk}/items/consultation_content/"
    assert f'href="{link}"' in overview
    assert f'href="/privacy/my-data/child/{child.pk}/lists/consultations/"' in overview
    html = "".join(pages(client, link))
    assert "아이 본문 001" in html and "질문 본문 child" in html
    assert f'href="/privacy/my-data/child/{child.pk}/"' in html  # back to the child's data
    lists = client.get(f"/privacy/my-data/child/{child.pk}/lists/consultations/")
    assert "아이 제목 008" in lists.content.decode()
    # The representative's own overview links to the child's; their own pages hold nothing
    # of the child, and no one else's child opens.
    assert (f'<a href="/privacy/my-data/child/{child.pk}/">{child.name}</a>'
            in client.get("/privacy/my-data/").content.decode())
    own = client.get("/privacy/my-data/items/consultation_content/").content.decode()
    assert "아이 본문" not in own and "질문 본문 child" not in own
    for url in (f"/privacy/my-data/child/{other.pk}/items/consultation_content/",
                f"/privacy/my-data/child/{other.pk}/lists/consultations/",
                f"/privacy/my-data/child/{parent.pk}/items/name/",
                f"/privacy/my-data/child/{child.pk}/items/no_such_item/"):
        assert client.get(url).status_code == 404, url


def test_another_member_cannot_open_the_pages_of_a_child(
    client: Client, family: tuple[Any, Any], other: Any
) -> None:
    _parent, child = family
    log_in(client, other)
    assert f"/privacy/my-data/child/{child.pk}/" not in client.get(
        "/privacy/my-data/").content.decode()
    for url in (f"/privacy/my-data/child/{child.pk}/items/consultation_content/",
                f"/privacy/my-data/child/{child.pk}/items/name/?page=2",
                f"/privacy/my-data/child/{child.pk}/lists/consents/"):
        assert client.get(url).status_code == 404, url


def test_consent_receipts_are_offered_on_ones_own_pages_only(
    client: Client, family: tuple[Any, Any]
) -> None:
    parent, child = family
    log_in(client, parent)
    assert "/privacy/consents/receipt/" in client.get(
        "/privacy/my-data/lists/consents/").content.decode()
    child_list = client.get(f"/privacy/my-data/child/{child.pk}/lists/consents/")
    assert child_list.status_code == 200 and "<table" in child_list.content.decode()
    assert "/privacy/consents/receipt/" not in child_list.content.decode()


# --- What is read ------------------------------------------------------------------------------

def test_the_overview_counts_and_shows_what_reading_everything_finds(owner: Any) -> None:
    """Counted in SQL and read a few rows at a time, the overview agrees with ``items_held``,
    which reads every row (the export)."""
    write_posts(owner, 12)
    for n in range(7):
        LoginRecord.objects.create(member=owner, result=LoginResult.FAILURE,
                                   ip_address=None if n % 2 else f"192.0.2.{n}")
    everything = {view.item.key: view for view in items_held(member=owner, viewer=owner)}
    overview = subject_overview(member=owner, viewer=owner)
    for view in overview.items:
        held = everything[view.item.key]
        assert view.linked == held.linked, view.item.key
        assert view.count == len(held.rows), view.item.key
        # A record without a collection time (an email address) sorts last; records collected
        # at the same moment (the account's addresses, all without one) come in no set order.
        newest = sorted(held.rows, key=lambda row: row.collected_at or EARLIEST, reverse=True)
        shown_times = [row.collected_at or EARLIEST for row in view.rows]
        assert shown_times == sorted(shown_times, reverse=True), view.item.key
        assert sorted(repr(row.values) for row in view.rows) == sorted(
            repr(row.values) for row in newest[:OVERVIEW_ROWS]
        ), view.item.key
        assert (view.legal_hold is None) == (held.legal_hold is None), view.item.key
    lists = {entry.section.key: entry for entry in overview.sections}
    assert lists["consultations"].count == 13
    assert lists["logins"].count == LoginRecord.objects.filter(member=owner).count()


def test_an_items_pages_list_what_reading_everything_finds(owner: Any) -> None:
    write_posts(owner, 30)
    held = next(view for view in items_held(member=owner, viewer=owner)
                if view.item.key == "consultation_content")
    listed = []
    for number in (1, 2, 3):
        listing = item_listing(member=owner, viewer=owner, key="consultation_content",
                               page=str(number))
        assert listing.view.count == len(held.rows) == 42  # 31 posts, 11 answers
        listed += listing.view.rows
    assert len(listed) == 42
    assert sorted(row.values for row in listed) == sorted(row.values for row in held.rows)
    assert [row.collected_at for row in listed] == sorted(
        (row.collected_at for row in listed), reverse=True)


def query_count(client: Client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_overview_costs_the_same_queries_with_3_posts_and_with_60(
    client: Client, policy_version: Any, django_assert_max_num_queries: Any
) -> None:
    few, many = PosterFactory(), PosterFactory()
    for member, posts in ((few, 3), (many, 60)):
        fill(member, tag=f"n{posts}")
        write_posts(member, posts)
    log_in(client, few)
    small = query_count(client, URL)
    client.logout()
    log_in(client, many)
    with django_assert_max_num_queries(small):
        assert client.get(URL).status_code == 200
    assert query_count(client, URL) == small


def test_a_page_of_an_item_costs_the_same_queries_at_any_depth(
    client: Client, owner: Any
) -> None:
    write_posts(owner, 90)
    log_in(client, owner)
    first = query_count(client, "/privacy/my-data/items/consultation_content/")
    assert query_count(client, "/privacy/my-data/items/consultation_content/?page=6") == first
    assert query_count(client, "/privacy/my-data/lists/consultations/") == query_count(
        client, "/privacy/my-data/lists/consultations/?page=4")


def test_the_overview_decrypts_only_the_bodies_it_shows(
    owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_posts(owner, 40)
    opened = []
    real = crypto.open_sealed

    def counting(material: bytes, token: str, *, context: str) -> str:
        opened.append(context)
        return real(material, token, context=context)

    monkeypatch.setattr(crypto, "open_sealed", counting)
    subject_overview(member=owner, viewer=owner)
    bodies = [context for context in opened if context.endswith((".consultation.body",
                                                                  ".answer.body"))]
    assert len(bodies) == OVERVIEW_ROWS


def test_an_item_held_in_several_models_pages_through_all_of_them(
    client: Client, owner: Any,
) -> None:
    """An item held in several models is paged through a UNION on its collection times; a
    model that records none (allauth's email addresses) is paged with the others."""
    assert any(len(sources) > 1 for sources in selectors.item_sources().values())
    EmailAddress.objects.create(user=owner, email="second.address@example.com")
    client.force_login(owner)
    html = client.get("/privacy/my-data/items/email/").content.decode()
    assert owner.email in html and "second.address@example.com" in html


@pytest.mark.parametrize("path", [
    "/privacy/my-data/", "/privacy/my-data/items/consultation_content/",
    "/privacy/my-data/lists/consultations/", "/privacy/consents/",
])
def test_pages_of_ones_own_data_are_never_kept_by_the_browser(client: Client, path: str) -> None:
    member = PosterFactory()
    ConsultationFactory(author=member)
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_cookie_decisions_are_listed_with_their_group_names(client: Client) -> None:
    member = PosterFactory()
    client.force_login(member)
    client.post("/cookies/accept/", {"all_groups": "on"})
    html = client.get("/privacy/my-data/lists/consents/").content.decode()
    assert "cookies:analytics" not in html
    assert "분석 쿠키" in html or "Analytics" in html
