"""Published policy versions are immutable; a processor change opens a draft of the next
version, which the privacy manager numbers, dates and publishes with its notice period."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from privacy.models import PolicyDraft, PolicyVersion, Processor
from privacy.policy.services import policy_version_publish
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 26)  # the clock of tests/conftest.py, in Seoul


@pytest.fixture
def published() -> PolicyVersion:
    return policy_version_publish(version="1.0", effective_on=datetime.date(2024, 7, 1),
                                  summary="처음 공개")


def frozen_as(version: PolicyVersion) -> tuple[Any, ...]:
    row = PolicyVersion.objects.values_list(
        "version", "effective_on", "summary", "content_ko", "content_en").get(pk=version.pk)
    return tuple(row)


def test_a_published_version_is_read_only_in_the_admin(
    privacy_manager: Any, published: PolicyVersion
) -> None:
    client, _staff = privacy_manager
    before = frozen_as(published)
    url = f"/admin/privacy/policyversion/{published.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="version"' not in page and 'name="summary"' not in page
    assert 'name="effective_on"' not in page
    response = client.post(url, {"version": "1.0/x", "effective_on": "2026-12-01",
                                 "summary": "바꿈"})
    assert response.status_code == 403
    assert client.post(f"/admin/privacy/policyversion/{published.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert frozen_as(published) == before


def test_code_cannot_change_a_published_version_either(published: PolicyVersion) -> None:
    before = frozen_as(published)
    published.summary = "몰래 바꿈"
    with pytest.raises(PermissionError, match="published"):
        published.save()
    with pytest.raises(PermissionError, match="published"):
        PolicyVersion.objects.filter(pk=published.pk).update(summary="몰래 바꿈")
    assert frozen_as(published) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_an_update_from_raw_sql(published: PolicyVersion) -> None:
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_policyversion SET summary = 'x' WHERE id = %s",
                       [published.pk])


def test_a_malformed_version_number_is_refused_and_the_versions_page_stays_up(
    client: Any, privacy_manager: Any, published: PolicyVersion
) -> None:
    staff_client, _staff = privacy_manager
    response = staff_client.post("/admin/privacy/policydraft/add/", {
        "version": "1.0/x", "effective_on": "2026-12-10", "summary": "수탁자 추가",
    })
    assert response.status_code == 200
    assert "버전 번호는 숫자로 시작하고" in response.content.decode()
    assert not PolicyDraft.objects.exists()
    with pytest.raises(ValidationError):
        PolicyVersion.objects.create(version="1.0/x", effective_on=datetime.date(2026, 12, 10))
    assert list(PolicyVersion.objects.values_list("version", flat=True)) == ["1.0"]
    assert client.get("/privacy/policy/versions/").status_code == 200


def test_adding_a_processor_opens_a_draft_and_leaves_the_published_version(
    privacy_manager: Any, published: PolicyVersion
) -> None:
    client, _staff = privacy_manager
    before = frozen_as(published)
    response = client.post("/admin/privacy/processor/add/", {
        "name": "Hanbit Mail", "tasks_ko": "이메일 발송", "tasks_en": "sending email",
        "items": ["email"], "since": "2026-12-03", "country": "KR",
    }, follow=True)
    assert response.status_code == 200
    assert "개정안에 적었습니다" in response.content.decode()
    draft = PolicyDraft.objects.get()
    assert draft.summary == "수탁자 추가: Hanbit Mail"
    assert draft.published is None
    assert frozen_as(published) == before
    assert PolicyVersion.objects.count() == 1
    # Changing it before it starts adds to the same draft.
    processor = Processor.objects.get()
    client.post(f"/admin/privacy/processor/{processor.pk}/change/", {
        "name": "Hanbit Mail", "tasks_ko": "이메일·문자 발송", "tasks_en": "sending mail",
        "items": ["email"], "since": "2026-12-03", "country": "KR",
    })
    draft.refresh_from_db()
    assert draft.summary.splitlines() == ["수탁자 추가: Hanbit Mail", "수탁자 변경: Hanbit Mail"]


def test_a_processor_in_force_keeps_its_published_terms_until_it_is_ended(
    privacy_manager: Any,
) -> None:
    processor = ProcessorFactory(name="Hanbit Mail", items=["email"],
                                 since=datetime.date(2026, 1, 1))
    client, _staff = privacy_manager
    url = f"/admin/privacy/processor/{processor.pk}/change/"
    terms = {"name": "Hanbit Mail", "tasks_ko": processor.tasks_ko,
             "tasks_en": processor.tasks_en, "since": "2026-01-01", "country": "KR"}
    response = client.post(url, {**terms, "items": ["email", "mobile_phone"]})
    assert response.status_code == 200
    assert "시행 중인 수탁자는" in response.content.decode()
    processor.refresh_from_db()
    assert processor.items == ["email"] and not PolicyDraft.objects.exists()
    # Ending it is allowed at once, and noted for the next version.
    response = client.post(url, {**terms, "items": ["email"], "until": "2026-11-30"})
    assert response.status_code == 302
    processor.refresh_from_db()
    assert processor.until == datetime.date(2026, 11, 30)
    assert PolicyDraft.objects.get().summary == "수탁자 변경: Hanbit Mail"


def test_a_new_processor_cannot_start_before_the_notice_period(privacy_manager: Any) -> None:
    client, _staff = privacy_manager
    response = client.post("/admin/privacy/processor/add/", {
        "name": "Too Soon", "tasks_ko": "발송", "tasks_en": "sending", "items": ["email"],
        "since": "2026-11-27", "country": "KR",
    })
    assert response.status_code == 200
    assert "2026-12-03부터 시작할 수 있습니다" in response.content.decode()
    assert not Processor.objects.exists() and not PolicyDraft.objects.exists()


def test_a_bad_country_code_is_refused(privacy_manager: Any) -> None:
    client, _staff = privacy_manager
    response = client.post("/admin/privacy/processor/add/", {
        "name": "Nowhere", "tasks_ko": "발송", "tasks_en": "sending", "items": ["email"],
        "since": "2026-12-10", "country": "us",
    })
    assert "두 글자 국가 코드를 입력하십시오" in response.content.decode()
    assert not Processor.objects.exists()


def test_publishing_a_draft_freezes_the_processors_of_its_effective_day(
    privacy_manager: Any, published: PolicyVersion
) -> None:
    ProcessorFactory(name="Hanbit Mail", since=datetime.date(2026, 12, 10))
    draft = PolicyDraft.objects.create(version="1.1", effective_on=datetime.date(2026, 12, 10),
                                       summary="수탁자 추가: Hanbit Mail")
    client, _staff = privacy_manager
    response = client.post("/admin/privacy/policydraft/", {
        "action": "publish", "_selected_action": [draft.pk],
    }, follow=True)
    assert "privacy notify-policy --version 1.1" in response.content.decode()
    version = PolicyVersion.objects.get(version="1.1")
    assert "Hanbit Mail" in version.content_ko and version.summary == draft.summary
    draft.refresh_from_db()
    assert draft.published == version
    # The published draft is read-only too.
    assert client.post(f"/admin/privacy/policydraft/{draft.pk}/change/",
                       {"version": "9"}).status_code == 403


def test_a_draft_without_the_notice_period_is_not_published(
    privacy_manager: Any, published: PolicyVersion
) -> None:
    draft = PolicyDraft.objects.create(version="1.1", effective_on=datetime.date(2026, 11, 30))
    client, _staff = privacy_manager
    response = client.post("/admin/privacy/policydraft/", {
        "action": "publish", "_selected_action": [draft.pk],
    }, follow=True)
    assert "시행일은 2026-12-03 이후여야 합니다" in response.content.decode()
    assert list(PolicyVersion.objects.values_list("version", flat=True)) == ["1.0"]
    draft.refresh_from_db()
    assert draft.published is None
