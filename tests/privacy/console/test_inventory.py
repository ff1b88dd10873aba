"""`privacy inventory` and its admin page: counts per item from aggregates, never a value."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import LoginRecord, LoginResult
from privacy.access_log import access_log_append
from privacy.console.inventory import inventory_take
from privacy.csv_export import BOM
from privacy.ledger import consent_record
from privacy.models import AccessLogEntry, ConsentMethod
from privacy.retention.destruction import member_erase
from tests.consultations.factories import (
    AnswerFactory,
    ConsultationFactory,
    GuestConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory, StaffFactory
from tests.privacy.console.conftest import at, run

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

NOW = at(2026, 11, 20, 12, 0)
_serial = itertools.count(1)


def member(**kwargs: Any) -> Any:
    """A member with distinctive values (so the output can be searched for them)."""
    n = next(_serial)
    values = {
        "username": f"zq_inv_{n:04d}", "name": f"윤서연{n}검사", "email": f"yoon.{n}@zq-mail.test",
        "mobile_phone": f"010-7{n:03d}-4{n:03d}", "date_joined": at(2026, 3, 1),
        **kwargs,
    }
    created = MemberFactory(**values)
    EmailAddress.objects.create(user=created, email=created.email, verified=True, primary=True)
    return created


def unconfirmed(joined: datetime.datetime) -> Any:
    created = member(date_joined=joined)
    EmailAddress.objects.filter(user=created).update(verified=False)
    return created


def generate(scale: int) -> dict[str, list[str]]:
    """``scale`` sets of members with posts, consents, log-ins; returns the personal values."""
    values: dict[str, list[str]] = {"personal": []}
    for _ in range(scale):
        with_address = member(
            home_address=f"서울시 강남구 테헤란로 {next(_serial)}길", date_of_birth="1987-04-12",
            home_phone=f"02-55{next(_serial):02d}-0101",
        )
        no_phone = member(mobile_phone="")
        consultation = ConsultationFactory(
            author=with_address, body=f"코 수술 질문 {next(_serial)}호"
        )
        AnswerFactory(consultation=consultation, body=f"답변 내용 {next(_serial)}호")
        ReviewFactory(author=no_phone, body=f"후기 본문 {next(_serial)}호")
        consent_record(subject_ref=with_address.subject_ref, member=with_address,
                       consent="marketing_email", granted=True, method=ConsentMethod.SIGNUP_FORM,
                       ip_address=f"198.51.100.{next(_serial) % 250}")
        LoginRecord.objects.create(member=no_phone, result=LoginResult.SUCCESS,
                                   ip_address="192.0.2.77", recorded_at=at(2026, 11, 1))
        for person in (with_address, no_phone):
            values["personal"] += [person.username, person.name, person.email]
        guest = GuestConsultationFactory(name=f"비회원{next(_serial)}님",
                                         mobile_phone=f"010-66{next(_serial):02d}-1212")
        values["personal"] += [with_address.mobile_phone, with_address.home_address,
                               with_address.home_phone, "1987-04-12", consultation.body,
                               consultation.title, guest.name, guest.mobile_phone,
                               "198.51.100.", "192.0.2.77"]
    return values


def read_csv(output: str) -> csv.DictReader[str]:
    """The CSV output starts with the UTF-8 BOM (for Excel), which a reader skips."""
    assert output.startswith(BOM)
    return csv.DictReader(io.StringIO(output.removeprefix(BOM)))


def rows_by_key(output: str) -> dict[str, dict[str, str]]:
    return {row["key"]: row for row in read_csv(output) if row["kind"] == "item"}


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_counts_per_item_from_generated_data() -> None:
    generate(3)
    rows = rows_by_key(run("inventory", "--csv", "--actor", "officer"))
    assert rows["name"]["live_subjects"] == "6" and rows["name"]["live_records"] == "6"
    assert rows["mobile_phone"]["live_records"] == "3"  # empty ciphertext columns hold nothing
    assert rows["home_address"]["live_subjects"] == "3"
    assert rows["date_of_birth"]["live_records"] == "3"
    assert rows["guest_contact"]["live_records"] == "3"
    assert rows["guest_contact"]["live_subjects"] == "3"
    # Questions and answers: 6 records, but the 3 authors only.
    assert rows["consultation_content"]["live_records"] == "6"
    assert rows["consultation_content"]["live_subjects"] == "3"
    assert rows["review_content"]["live_records"] == "3"
    # IP addresses in the consent ledger and the login records, 6 people.
    assert rows["access_ip"]["live_records"] == "6"
    assert rows["access_ip"]["live_subjects"] == "6"
    assert rows["name"]["oldest"] == "2026-03-01"
    assert rows["name"]["legal_basis"].startswith("회원 계약") or "contract" in \
        rows["name"]["legal_basis"]
    purposes = {row["key"]: row for row in read_csv(run("inventory", "--csv"))
                if row["kind"] == "purpose"}
    assert purposes["consultation"]["live_records"] == str(
        sum(int(rows[key]["live_records"]) for key in rows
            if "consultation" in rows[key]["purposes"].split())
    )


def test_retained_records_are_counted_per_item_and_the_read_is_logged() -> None:
    erased = member(last_login=at(2026, 10, 1))
    member_erase(member=erased, reason="withdrawal", now=at(2026, 10, 2))
    AccessLogEntry.objects.all().purge_expired()
    rows = rows_by_key(run("inventory", "--csv", "--actor", "officer"))
    assert rows["access_log"]["retained_records"] == "1"
    assert rows["access_log"]["retained_subjects"] == "1"
    assert rows["retained_records"]["retained_records"] == "1"
    assert rows["name"]["live_records"] == "0"
    # Kept 3 months from the last login (2026-10-01): destroyed after 2026-12-30, not this month.
    assert rows["retained_records"]["due_30_days"] == "0"
    log = AccessLogEntry.objects.get()
    assert (log.actor, log.action, log.subject_ref) == ("officer", "retention:inventory", None)


def test_due_in_the_next_7_and_30_days() -> None:
    unconfirmed(NOW - datetime.timedelta(days=3))  # due in 4 days
    unconfirmed(NOW - datetime.timedelta(days=10))  # due now
    member(date_joined=NOW - datetime.timedelta(days=3))  # confirmed: never due by the clock
    AccessLogEntry.objects.create(actor="staff", action="view",
                                  at=NOW - datetime.timedelta(days=2 * 365 - 20))  # in 20 days
    rows = rows_by_key(run("inventory", "--csv"))
    assert (rows["name"]["due_now"], rows["name"]["due_7_days"],
            rows["name"]["due_30_days"]) == ("1", "1", "1")
    staff_log = rows["staff_access_records"]
    assert (staff_log["due_7_days"], staff_log["due_30_days"]) == ("0", "1")


def test_recount_after_a_purge() -> None:
    generate(2)
    unconfirmed(NOW - datetime.timedelta(days=10))
    AccessLogEntry.objects.create(actor="staff", action="view", at=at(2020, 1, 1))
    before = rows_by_key(run("inventory", "--csv"))
    assert before["name"]["live_records"] == "5" and before["name"]["due_now"] == "1"
    output = run("purge")
    assert "unconfirmed_signup: due 1, destroyed 1" in output
    after = rows_by_key(run("inventory", "--csv"))
    assert after["name"]["live_records"] == "4" and after["name"]["due_now"] == "0"
    assert after["email"]["live_subjects"] == "4"
    # The purge's own old access-log entry went; the inventory's reads are new entries.
    assert after["staff_access_records"]["due_now"] == "0"


def _queries(scale: int) -> tuple[int, int]:
    generate(scale)
    with CaptureQueriesContext(connections["default"]) as live, CaptureQueriesContext(
        connections["retention"]
    ) as kept:
        inventory_take(actor="officer", now=NOW)
    return len(live.captured_queries), len(kept.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_data(django_assert_max_num_queries) -> None:
    # The first entry of an empty log also reads the anchor: start both runs on a chain.
    access_log_append(actor="officer", action="seed")
    small = _queries(1)
    larger = _queries(12)
    assert larger == small
    with django_assert_max_num_queries(small[0]):
        inventory_take(actor="officer", now=NOW)


def test_no_personal_value_in_any_output(admin_client) -> None:
    values = generate(3)["personal"]
    outputs = [run("inventory"), run("inventory", "--csv"),
               admin_client.get(reverse("admin:privacy_inventory_changelist")).content.decode()]
    for output in outputs:
        leaked = [value for value in values if value in output]
        assert leaked == []
    assert "consultation_content" in outputs[0] and "consultation_content" in outputs[2]


# --- The admin page ------------------------------------------------------------------------------

URL = reverse("admin:privacy_inventory_changelist")


def test_the_privacy_manager_sees_the_page(client) -> None:
    manager = StaffFactory()
    manager.user_permissions.add(Permission.objects.get(codename="view_inventory"))
    client.force_login(manager)
    generate(1)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="inventory-items"' in page and "mobile_phone" in page
    assert AccessLogEntry.objects.filter(actor=manager.username,
                                         action="retention:inventory").count() == 1
    index = client.get(reverse("admin:index")).content.decode()
    assert URL in index


def test_staff_without_the_permission_get_403(client) -> None:
    client.force_login(StaffFactory())
    assert client.get(URL).status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_anonymous_and_members_are_sent_to_log_in(client) -> None:
    assert client.get(URL).status_code == 302
    client.force_login(member())
    assert client.get(URL).status_code == 302


def test_nothing_can_be_added_or_changed(admin_client) -> None:
    assert admin_client.post(URL, {}).status_code == 405
    assert admin_client.get(URL + "add/").status_code == 404


def test_the_page_costs_the_same_queries_at_any_volume(client) -> None:
    manager = StaffFactory()
    manager.user_permissions.add(Permission.objects.get(codename="view_inventory"))
    client.force_login(manager)
    generate(1)
    client.get(URL)  # warm the per-process caches (policy versions, cookie groups)
    with CaptureQueriesContext(connections["default"]) as small:
        assert client.get(URL).status_code == 200
    generate(8)
    with CaptureQueriesContext(connections["default"]) as larger:
        assert client.get(URL).status_code == 200
    assert len(larger.captured_queries) == len(small.captured_queries)
