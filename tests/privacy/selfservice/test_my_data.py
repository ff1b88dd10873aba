"""My data: everything held, by registry item, for the owner and their represented children."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import LoginRecord, LoginResult
from privacy import registry
from privacy.models import AccessLogEntry
from privacy.restrictions import restriction_lift, restriction_start
from privacy.selfservice.selectors import items_held
from privacy.selfservice.services import rights_request_record
from tests.consultations.factories import ConsultationFactory
from tests.members.factories import MemberFactory, log_in
from tests.privacy.selfservice.conftest import fill

pytestmark = pytest.mark.django_db

URL = "/privacy/my-data/"


def test_anonymous_users_are_sent_to_log_in(client: Client) -> None:
    for url in (URL, "/privacy/my-data/child/1/", "/privacy/my-data/export/",
                "/privacy/consents/", "/privacy/withdraw/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_the_owner_sees_each_item_decrypted_with_its_purposes(client: Client, owner: Any,
                                                               other: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    log_in(client, owner)
    html = client.get(URL).content.decode()
    for value in ("010-1111-2222", "02-123-4567", "서울시 중구 own로 1", "1990-05-17",
                  "질문 본문 own", "답변 본문 own", "후기 본문 own", "보험사 own",
                  "198.51.100.4", "(set; stored only as a one-way hash)"):
        assert value in html, value
    assert owner.password not in html
    assert "home phone number: 02-123-4567" in html
    assert "consent: Marketing by email" in html
    for item_key in ("name", "mobile_phone", "home_address", "consultation_content",
                     "review_content", "consent_records", "access_log", "disclosure_records"):
        item = registry.item(item_key)
        assert f'id="item-{item_key}"' in html
        assert str(item.retention.achieved_when) in html
        assert str(item.basis.label) in html
    # Nothing of the other member.
    for value in ("010-3333-4444", "다른회원", "질문 본문 other", "보험사 other", "other로"):
        assert value not in html


def test_every_item_with_a_value_comes_from_the_registry(owner: Any) -> None:
    views = items_held(member=owner, viewer=owner)
    assert [view.item.key for view in views] == [item.key for item in registry.ITEMS]
    with_rows = {view.item.key for view in views if view.rows}
    assert {"name", "login_id", "password", "email", "mobile_phone", "home_phone",
            "home_address", "date_of_birth", "desired_area", "consultation_content",
            "review_content", "consent_records", "access_log", "access_ip",
            "disclosure_records"} <= with_rows
    assert "legal_representative" not in with_rows
    assert not next(v for v in views if v.item.key == "cookies").linked


def test_the_page_costs_the_same_queries_however_much_is_held(
    client: Client, owner: Any, django_assert_max_num_queries: Any
) -> None:
    log_in(client, owner)
    client.get(URL)  # warm the near cache

    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).status_code == 200
    for _round in range(3):
        fill(owner, tag=f"more{_round}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(URL).status_code == 200


def test_staff_login_ids_are_not_shown_to_members(client: Client, owner: Any) -> None:
    AccessLogEntry.objects.create(actor="nurse_kim", action="consultation_view",
                                  subject_ref=owner.subject_ref)
    log_in(client, owner)
    html = client.get(URL).content.decode()
    assert 'id="item-staff_access_records"' in html
    assert "nurse_kim" not in html


def test_a_restricted_item_is_shown_as_restricted(client: Client, owner: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    restriction_start(subject_ref=owner.subject_ref, items=["mobile_phone"], channel="phone",
                      reference="R-1")
    log_in(client, owner)
    html = client.get(URL).content.decode()
    assert "restricted: not used or provided until your request is handled" in html
    assert "<li>mobile phone number · the person asked to suspend processing" in html


def test_a_restriction_lifted_or_of_another_member_marks_nothing(client: Client,
                                                                  owner: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    lifted = restriction_start(subject_ref=owner.subject_ref, items=["mobile_phone"],
                               channel="phone", reference="R-1")
    restriction_lift(restriction=lifted)
    restriction_start(subject_ref=MemberFactory().subject_ref, items=["email"],
                      channel="phone", reference="R-2")
    log_in(client, owner)
    html = client.get(URL).content.decode()
    assert "restricted: not used or provided" not in html


def test_the_access_log_shows_its_legal_hold(client: Client, owner: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    log_in(client, owner)
    html = client.get(URL).content.decode()
    assert "Protection of Communications Secrets Act" in html
    assert "it cannot be changed or deleted before then, even on request" in html


def test_the_korean_legal_hold_fits_the_particle_to_the_item(client: Client,
                                                             owner: Any) -> None:
    log_in(client, owner)
    html = client.get(URL).content.decode()
    assert "접속 IP 정보는 통신비밀보호법(로그인 기록, 3개월)에 따라" in html
    assert "은(는)" not in html


def test_a_representative_sees_the_childs_data_and_only_the_childs(
    client: Client, family: tuple[Any, Any], other: Any
) -> None:
    parent, child = family
    log_in(client, parent)
    my_page = client.get("/accounts/profile/").content.decode()
    for link in ("/privacy/my-data/", "/privacy/consents/", "/privacy/withdraw/"):
        assert f'href="{link}"' in my_page
    child_page = client.get(f"/accounts/profile/children/{child.pk}/").content.decode()
    assert f'href="/privacy/withdraw/child/{child.pk}/"' in child_page
    html = client.get(URL).content.decode()
    assert f'href="/privacy/my-data/child/{child.pk}/"' in html
    response = client.get(f"/privacy/my-data/child/{child.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for value in ("010-7777-8888", "질문 본문 child", "보험사 child"):
        assert value in html
    assert "010-5555-6666" not in html and "질문 본문 other" not in html
    assert client.get(f"/privacy/my-data/child/{other.pk}/").status_code == 404
    assert client.get(f"/privacy/my-data/child/{parent.pk}/").status_code == 404


def test_another_member_cannot_open_a_childs_data(client: Client, family: tuple[Any, Any],
                                                  other: Any) -> None:
    _parent, child = family
    log_in(client, other)
    session = client.session
    session["account_authentication_records"] = []  # not recently authenticated
    session.save()
    for url in (f"/privacy/my-data/child/{child.pk}/",
                f"/privacy/my-data/child/{child.pk}/export/",
                f"/privacy/withdraw/child/{child.pk}/"):
        assert client.get(url).status_code == 404, url
    for url in (f"/privacy/my-data/child/{child.pk}/export/",
                f"/privacy/withdraw/child/{child.pk}/"):
        assert client.post(url, {"confirm": "on"}).status_code == 404, url
    assert client.post(f"/privacy/my-data/child/{child.pk}/request/",
                       {"item": "name", "kind": "deletion"}).status_code == 404


def test_the_legal_hold_counts_days_in_seoul(policy_version: Any) -> None:

    # 15:30 UTC on 25 November is 00:30 on 26 November in Seoul.
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, 30, tzinfo=datetime.UTC),
                             tick=False):
        member = MemberFactory()
        LoginRecord.objects.create(member=member, result=LoginResult.SUCCESS)
        view = next(v for v in items_held(member=member, viewer=member)
                    if v.item.key == "access_log")
    assert view.legal_hold is not None
    assert view.legal_hold.until == datetime.date(2026, 11, 26) + datetime.timedelta(days=90)


def test_the_lists_show_requests_and_restrictions_with_their_state(client: Client,
                                                                    owner: Any) -> None:
    """Section 6's lists: a request open with its deadline or completed with its day, a
    restriction in force or lifted on its day, each value escaped."""



    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    received = timezone.make_aware(datetime.datetime(2026, 11, 2, 10, 0))
    rights_request_record(subject_ref=owner.subject_ref, kind="view", channel="mail",
                          received_at=received)
    rights_request_record(subject_ref=owner.subject_ref, kind="deletion", received_at=received,
                          completed=True)
    lifted = restriction_start(subject_ref=owner.subject_ref, items=["email"], channel="phone",
                               reference="R-<1>")
    restriction_lift(restriction=lifted)
    restriction_start(subject_ref=owner.subject_ref, items=["home_address"], channel="phone",
                      reference="R-2")
    ConsultationFactory(author=owner, title="<b>굵은 제목</b>")
    log_in(client, owner)
    html = client.get(URL).content.decode()
    today = timezone.localdate().isoformat()
    assert "<li>2026-11-02 · view · mail · open, answer due by 2026-11-12</li>" in html
    assert "<li>2026-11-02 · deletion · website · completed 2026-11-02</li>" in html
    assert ("<li>email · the person asked to suspend processing (PIPA art. 37) · "
            f"{today} – {today}</li>") in html
    assert ("<li>home address · the person asked to suspend processing (PIPA art. 37) · "
            f"{today} – in force</li>") in html
    assert "&lt;b&gt;굵은 제목&lt;/b&gt;" in html and "<b>굵은 제목</b>" not in html


def test_no_lookup_digest_is_shown(client: Client, owner: Any) -> None:
    """A keyed digest means nothing to a person: the number is shown, its digest is not."""
    log_in(client, owner)
    html = client.get(URL).content.decode()
    owner.refresh_from_db()
    assert owner.mobile_phone_digest and owner.mobile_phone_digest not in html
    item = html[html.index('id="item-mobile_phone"'):]
    item = item[:item.index("</article>")]
    assert "digest" not in item.lower() and "저장됨" not in item


def test_identical_records_read_as_one_row_with_their_number(
    client: Client, owner: Any, django_assert_max_num_queries: Any,
) -> None:
    for _ in range(5):
        LoginRecord.objects.create(member=owner, result=LoginResult.SUCCESS,
                                   ip_address="192.0.2.55")
    log_in(client, owner)
    client.get(URL)
    with django_assert_max_num_queries(40):
        html = client.get(URL).content.decode()
    item = html[html.index('id="item-access_ip"'):]
    item = item[:item.index("</article>")]
    rows = item[item.index("<tbody>"):item.index("</tbody>")]
    assert rows.count("192.0.2.55") == 1
    assert "같은 값의 기록" in rows
