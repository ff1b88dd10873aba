"""Every consent state through the test client: Set-Cookie headers, visits, ledger entries."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from privacy.cookies.groups import ANALYTICS_COOKIE, INTEREST_COOKIE, VISITOR_REF_COOKIE
from privacy.models import ConsentMethod, ConsentRecord, Visit
from tests.members.factories import MemberFactory
from tests.privacy.cookies.conftest import decide, is_expired, is_set, set_cookies

pytestmark = pytest.mark.django_db

OPTIONAL = (ANALYTICS_COOKIE, INTEREST_COOKIE)


def ledger(subject_ref: object) -> dict[str, bool]:
    return {
        record.consent: record.granted
        for record in ConsentRecord.objects.filter(subject_ref=subject_ref).order_by("recorded_at")
    }


def test_no_choice_shows_the_banner_and_sets_nothing_optional(client: Client) -> None:
    for path in ("/", "/consultations/", "/reviews/?area=nose", "/privacy/policy/"):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-cookie-banner' in html
        assert 'action="/cookies/accept/"' in html and 'action="/cookies/decline/"' in html
        assert 'href="/cookies/"' in html
        assert set(set_cookies(response)) <= {"csrftoken"}
    assert not Visit.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert VISITOR_REF_COOKIE not in client.cookies


def test_banner_choices_are_equally_prominent_and_script_free_forms(client: Client) -> None:
    html = client.get("/").content.decode()
    banner = html[html.index("data-cookie-banner"):html.index("</section>", html.index(
        "data-cookie-banner"))]
    assert banner.count('class="cookie-choice"') == 2
    assert banner.count('class="button-link cookie-choice"') == 1
    assert banner.count('method="post"') == 2
    assert "<script>" not in html and 'src="/static/js/cookie-banner.js"' in html
    assert "checked" not in banner


def test_accept_all_sets_the_consent_cookie_and_records_visits(client: Client) -> None:
    response = decide(client, "accept", all_groups="on")
    assert response.status_code == 302 and response["Location"] == "/"
    consent = set_cookies(response)["cookie_consent"]
    assert "analytics=" in consent.value and "marketing=" in consent.value
    assert consent["max-age"] == 365 * 24 * 3600 and consent["httponly"]
    ref = uuid.UUID(set_cookies(response)[VISITOR_REF_COOKIE].value)
    assert not any(is_set(response, name) for name in OPTIONAL)

    page = client.get("/consultations/?page=2&q=secret")
    assert "data-cookie-banner" not in page.content.decode()
    assert is_set(page, ANALYTICS_COOKIE)
    visitor = uuid.UUID(set_cookies(page)[ANALYTICS_COOKIE].value)
    client.get("/")
    visits = list(Visit.objects.order_by("visited_at", "id"))
    assert [(v.visitor_id, v.path) for v in visits] == [
        (visitor, "/consultations/"), (visitor, "/")
    ]
    assert ledger(ref) == {"cookies:analytics": True, "cookies:marketing": True}
    record = ConsentRecord.objects.get(subject_ref=ref, consent="cookies:analytics")
    assert record.method == ConsentMethod.COOKIE_BANNER
    assert record.member is None and record.ip_address is None
    assert record.consent_version  # the group's version at the time of the decision


def test_refuse_all_sets_no_optional_cookie_and_never_records(client: Client) -> None:
    response = decide(client, "decline", all_groups="on")
    assert response.status_code == 302
    consent = set_cookies(response)["cookie_consent"].value
    assert "analytics=-1" in consent and "marketing=-1" in consent
    ref = uuid.UUID(set_cookies(response)[VISITOR_REF_COOKIE].value)
    for path in ("/", "/consultations/", "/reviews/?area=eyes", "/privacy/policy/"):
        page = client.get(path)
        assert "data-cookie-banner" not in page.content.decode()
        assert not any(is_set(page, name) for name in OPTIONAL)
    assert not Visit.objects.exists()
    assert ledger(ref) == {"cookies:analytics": False, "cookies:marketing": False}


def test_analytics_only_counts_visits_but_keeps_no_interest(client: Client) -> None:
    decide(client, "accept", cookie_groups="analytics")
    response = decide(client, "decline", cookie_groups="marketing")
    consent = set_cookies(response)["cookie_consent"].value
    assert "analytics=2" in consent and "marketing=-1" in consent
    page = client.get("/reviews/?area=nose")
    assert is_set(page, ANALYTICS_COOKIE)
    assert not is_set(page, INTEREST_COOKIE)
    assert Visit.objects.filter(path="/reviews/").count() == 1


def test_a_refusal_expires_optional_cookies_already_set_and_destroys_visits(
    client: Client,
) -> None:
    decide(client, "accept", all_groups="on")
    client.get("/reviews/?area=nose")
    assert ANALYTICS_COOKIE in client.cookies and INTEREST_COOKIE in client.cookies
    assert Visit.objects.count() == 1
    response = decide(client, "decline", all_groups="on")
    assert is_expired(response, ANALYTICS_COOKIE)
    assert is_expired(response, INTEREST_COOKIE)
    assert not Visit.objects.exists()
    client.get("/")
    assert not Visit.objects.exists()


def test_optional_cookies_without_consent_are_removed_on_any_page(client: Client) -> None:
    """A cookie left from before (or planted) is expired while the group is not accepted."""
    client.cookies[ANALYTICS_COOKIE] = str(uuid.uuid4())
    client.cookies[INTEREST_COOKIE] = "nose"
    response = client.get("/")
    assert is_expired(response, ANALYTICS_COOKIE) and is_expired(response, INTEREST_COOKIE)
    assert not Visit.objects.exists()


def test_a_member_decision_is_recorded_under_the_member(client: Client) -> None:
    member = MemberFactory()
    client.force_login(member)
    response = decide(client, "accept", cookie_groups="analytics")
    assert VISITOR_REF_COOKIE not in set_cookies(response)
    record = ConsentRecord.objects.get()
    assert record.member == member and record.subject_ref == member.subject_ref
    assert record.consent == "cookies:analytics" and record.granted
    client.get("/")
    visit = Visit.objects.get()
    assert visit.path == "/"
    assert not hasattr(visit, "member") and not hasattr(visit, "ip_address")


def test_the_visitor_reference_is_kept_across_decisions(client: Client) -> None:
    first = decide(client, "accept", cookie_groups="analytics")
    ref = set_cookies(first)[VISITOR_REF_COOKIE].value
    decide(client, "decline", cookie_groups="analytics")
    assert ledger(uuid.UUID(ref)) == {"cookies:analytics": False}
    assert ConsentRecord.objects.filter(subject_ref=ref).count() == 2


def test_the_settings_page_shows_each_group_and_its_state(client: Client) -> None:
    decide(client, "accept", cookie_groups="analytics")
    html = client.get("/cookies/").content.decode()
    for name in ("sessionid", "csrftoken", "cookie_consent", VISITOR_REF_COOKIE,
                 ANALYTICS_COOKIE, INTEREST_COOKIE):
        assert f"<code>{name}</code>" in html
    assert 'id="group-necessary"' in html and "항상 사용" in html
    assert 'data-state="accepted"' in html and 'data-state="undecided"' in html
    assert "data-cookie-banner" not in html  # the page itself holds the choices


def test_the_footer_of_every_page_links_the_settings(client: Client) -> None:
    for path in ("/", "/privacy/policy/", "/cookies/"):
        assert 'class="cookie-settings-link" href="/cookies/"' in client.get(path).content.decode()


def test_pages_with_keys_in_their_paths_and_non_pages_are_not_counted(client: Client) -> None:
    decide(client, "accept", cookie_groups="analytics")
    for path in ("/accounts/login/", "/accounts/password/reset/", "/cookies/",
                 "/no-such-page/"):
        client.get(path)
    assert not Visit.objects.exists()
    client.get("/privacy/policy/")
    assert list(Visit.objects.values_list("path", flat=True)) == ["/privacy/policy/"]
