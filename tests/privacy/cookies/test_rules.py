"""Expiry and versions of consent, bad input, query cost of the consent check, interests."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cookie_consent.models import Cookie, CookieGroup
from cookie_consent.util import get_cookie_value_from_request
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from privacy.cookies.groups import ANALYTICS_COOKIE, INTEREST_COOKIE
from privacy.cookies.selectors import visits_due_for_destruction
from privacy.models import ConsentRecord, Visit
from tests.consultations.factories import ConsultationAreaFactory
from tests.privacy.cookies.conftest import decide, is_expired, set_cookies

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def test_consent_lasts_twelve_months_in_the_browser(client: Client) -> None:
    response = decide(client, "accept", all_groups="on")
    for name in ("cookie_consent", "cookie_consent_ref"):
        assert set_cookies(response)[name]["max-age"] == 365 * 24 * 3600


def test_adding_a_cookie_to_a_group_asks_again(client: Client) -> None:
    decide(client, "accept", all_groups="on")
    assert "data-cookie-banner" not in client.get("/").content.decode()
    # Newer than every cookie there is, those of the data migration (made when the test
    # database was) included.
    newest = Cookie.objects.latest("created").created
    with time_machine.travel(newest + timedelta(minutes=1)):
        Cookie.objects.create(cookiegroup=CookieGroup.objects.get(varname="analytics"),
                              name="clinic_visit_count", description="x")
    page = client.get("/")
    assert "data-cookie-banner" in page.content.decode()
    # The old acceptance no longer covers the group: its cookie goes, no visit is counted.
    assert is_expired(page, ANALYTICS_COOKIE)
    assert Visit.objects.count() == 1  # the visit before the cookie was added
    decide(client, "accept", cookie_groups="analytics")
    client.get("/")
    assert Visit.objects.count() == 2


@pytest.mark.parametrize("data", [{"cookie_groups": "telepathy"}, {}, {"cookie_groups": ""}])
def test_bad_decisions_are_refused_and_change_nothing(client: Client, data: dict) -> None:
    response = client.post("/cookies/accept/", data)
    assert response.status_code == 400
    assert "cookie_consent" not in set_cookies(response)
    assert not ConsentRecord.objects.exists()


def test_decisions_need_post_and_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.get("/cookies/accept/").status_code == 405
    response = client.post("/cookies/accept/", {"all_groups": "on"})
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_next_may_not_leave_the_site(client: Client) -> None:
    response = client.post("/cookies/accept/", {"all_groups": "on",
                                                "next": "https://evil.example/"})
    assert response["Location"] == "/cookies/"


def test_fetch_decisions_get_an_empty_answer(client: Client) -> None:
    response = client.post("/cookies/decline/", {"all_groups": "on"},
                           headers={"X-Cookie-Consent-Fetch": "1"})
    assert response.status_code == 204
    assert "analytics=-1" in set_cookies(response)["cookie_consent"].value


def page_queries(client: Client, path: str = "/") -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def baseline_queries(settings: object) -> list[str]:
    """What the page itself costs, with cookie consent switched off."""
    settings.COOKIE_CONSENT_ENABLED = False
    try:
        return page_queries(Client())
    finally:
        settings.COOKIE_CONSENT_ENABLED = True


def test_the_consent_check_costs_no_query_once_warm(
    client: Client, django_assert_num_queries: object, settings: object
) -> None:
    decide(client, "decline", all_groups="on")
    client.get("/")  # warms the group cache
    request = RequestFactory().get("/")
    request.COOKIES.update({name: morsel.value for name, morsel in client.cookies.items()})
    with django_assert_num_queries(0):
        assert get_cookie_value_from_request(request, "analytics") is False
        assert get_cookie_value_from_request(request, "marketing") is False
    # A whole page costs what the page itself costs, nothing for consent, cache or banner.
    queries = page_queries(client)
    assert len(queries) == len(baseline_queries(settings))
    assert not [sql for sql in queries if "cookie_consent" in sql or "clinic_cache" in sql]


def test_an_undecided_visitor_costs_no_query_for_the_banner(
    client: Client, settings: object
) -> None:
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        assert "data-cookie-banner" in client.get("/").content.decode()
    assert len(captured.captured_queries) == len(baseline_queries(settings))


def test_an_accepted_visitor_costs_one_insert_per_page(
    client: Client, settings: object
) -> None:
    decide(client, "accept", cookie_groups="analytics")
    client.get("/")
    queries = page_queries(client)
    extra = len(queries) - len(baseline_queries(settings))
    assert extra == 1
    assert len([sql for sql in queries if sql.startswith('INSERT INTO "privacy_visit"')]) == 1


def test_home_orders_areas_by_interest_only_with_marketing_consent(client: Client) -> None:
    for position, slug in enumerate(["eyes", "nose", "lips"]):
        ConsultationAreaFactory(slug=slug, name_en=slug.title(), position=position)

    def order() -> list[str]:
        html = client.get("/").content.decode()
        area_list = html[html.index('class="area-list"'):]
        area_list = area_list[:area_list.index("</ul>")]
        return [name.lower() for name in re.findall(r"<li>([^<]+)</li>", area_list)]

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.get("/reviews/?area=lips")
    assert order() == ["eyes", "nose", "lips"]
    decide(client, "accept", cookie_groups="marketing")
    client.get("/reviews/?area=lips")
    client.get("/consultations/?area=nose")
    assert client.cookies[INTEREST_COOKIE].value == "nose.lips"
    assert order() == ["nose", "lips", "eyes"]
    decide(client, "decline", cookie_groups="marketing")
    assert order() == ["eyes", "nose", "lips"]


def test_a_malformed_interest_cookie_is_ignored(client: Client) -> None:
    ConsultationAreaFactory(slug="eyes", name_ko="눈", position=0)
    ConsultationAreaFactory(slug="nose", name_ko="코", position=1)
    decide(client, "accept", cookie_groups="marketing")
    client.cookies[INTEREST_COOKIE] = "<script>.NOSE..nose"
    html = client.get("/").content.decode()
    assert html.index("코") < html.index("눈")
    assert "<script>.NOSE" not in html


def test_visits_older_than_thirteen_months_are_due_for_destruction() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=SEOUL)
    visitor = uuid.uuid4()
    old = Visit.objects.create(visitor_id=visitor, path="/", visited_at=now - timedelta(days=397))
    Visit.objects.create(visitor_id=visitor, path="/", visited_at=now - timedelta(days=390))
    assert list(visits_due_for_destruction(now=now)) == [old]


def test_a_later_decision_does_not_extend_an_earlier_acceptance(client: Client) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        decide(client, "accept", cookie_groups="analytics")
    with time_machine.travel(start + timedelta(days=200), tick=False):
        response = decide(client, "decline", cookie_groups="marketing")
    consent = set_cookies(response)["cookie_consent"]
    assert "analytics=2" in consent.value and "marketing=-1" in consent.value
    assert consent["max-age"] == (365 - 200) * 24 * 3600
    with time_machine.travel(start + timedelta(days=366), tick=False):
        response = decide(client, "accept", cookie_groups="marketing")
    consent = set_cookies(response)["cookie_consent"]
    assert "analytics" not in consent.value  # too old: asked again
    assert consent["max-age"] == 365 * 24 * 3600
