"""`privacy breach`: who was affected in a window, the duty to report, notices sent once."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management.base import CommandError

from members.models import LegalRepresentative, Relation
from privacy.console.breach import (
    breach_affected,
    breach_notices_due_for_destruction,
    breach_notify,
    breach_open,
    incidents_open,
    members_affected,
    reporting_duty,
)
from privacy.console.reports import breach as breach_report
from privacy.models import BreachIncident, BreachNotice
from privacy.processors import sms
from privacy.retention.destruction import member_erase
from tests.consultations.factories import ConsultationFactory, GuestConsultationFactory
from tests.members.factories import MemberFactory
from tests.privacy.console.conftest import at, run

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

SINCE, UNTIL = at(2026, 11, 1), at(2026, 11, 15)
NOW = at(2026, 11, 20, 10, 0)
_serial = itertools.count(1)


def member(joined: Any, **kwargs: Any) -> Any:
    n = next(_serial)
    created = MemberFactory(username=f"zq_br_{n:04d}", email=f"breach.{n}@zq-mail.test",
                            date_joined=joined, **kwargs)
    EmailAddress.objects.create(user=created, email=created.email, verified=True, primary=True)
    return created


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def window() -> dict[str, Any]:
    """Members before, inside and after the window; one erased before it, one during it."""
    people = {
        "before": member(at(2026, 10, 1)),
        "inside": member(at(2026, 11, 10)),
        "after": member(at(2026, 11, 18)),
        "no_phone": member(at(2026, 10, 1), mobile_phone=""),
    }
    gone_before = member(at(2026, 9, 1))
    member_erase(member=gone_before, reason="withdrawal", now=at(2026, 10, 20))
    gone_during = member(at(2026, 9, 1))
    member_erase(member=gone_during, reason="withdrawal", now=at(2026, 11, 5))
    return people


def emails_to(address: str) -> int:
    return sum(address in message.to for message in mail.outbox)


def test_exactly_the_members_who_held_the_items_in_the_window(window) -> None:
    found = set(members_affected(items=["mobile_phone"], since=SINCE, until=UNTIL))
    assert found == {window["before"], window["inside"]}
    with_email = set(members_affected(items=["mobile_phone", "email"], since=SINCE, until=UNTIL))
    assert with_email == {window["before"], window["inside"], window["no_phone"]}
    affected = breach_affected(items=["mobile_phone"], since=SINCE, until=UNTIL)
    assert (affected.members, affected.guests, affected.erased) == (2, 0, 1)


def test_items_held_in_other_tables_count_rows_made_before_the_window_closed(window) -> None:
    ConsultationFactory(author=window["before"], created_at=at(2026, 10, 5))
    ConsultationFactory(author=window["after"], created_at=at(2026, 11, 19))
    found = set(members_affected(items=["consultation_content"], since=SINCE, until=UNTIL))
    assert found == {window["before"]}


def test_guests_count_while_their_consultation_existed() -> None:
    GuestConsultationFactory(created_at=at(2026, 10, 1))
    GuestConsultationFactory(created_at=at(2026, 10, 1), destroyed_at=at(2026, 10, 20),
                             name="", mobile_phone="")
    GuestConsultationFactory(created_at=at(2026, 10, 1), destroyed_at=at(2026, 11, 3),
                             name="", mobile_phone="")
    GuestConsultationFactory(created_at=at(2026, 11, 16))
    affected = breach_affected(items=["guest_contact"], since=SINCE, until=UNTIL)
    assert (affected.members, affected.guests, affected.erased) == (0, 2, 0)


def test_open_records_the_incident_and_shows_count_and_duty(window) -> None:
    output = run("breach", "open", "--items", "mobile_phone,email", "--since", "2026-11-01",
                 "--until", "2026-11-15T00:00", "--description", "백업 파일이 외부에 노출됨",
                 "--discovered-at", "2026-11-19T09:00")
    incident = BreachIncident.objects.get()
    assert incident.items == ["mobile_phone", "email"]
    assert incident.affected_count == 4  # 3 members still here, 1 erased during the window
    assert incident.discovered_at == at(2026, 11, 19, 9, 0)
    assert f"incident {incident.pk} recorded" in output
    assert "4 people affected: 3 members, 0 guests, 1 members erased" in output
    assert "within 72 hours of discovery: by 2026-11-22 09:00" in output
    assert "No report to the authority is required" in output


def test_dry_run_records_nothing(window) -> None:
    output = run("breach", "open", "--items", "email", "--since", "2026-11-01",
                 "--description", "x", "--dry-run")
    # No --until: the window is still open, so the member who joined on 11-18 counts too.
    assert "dry run, not recorded" in output and "5 people affected: 4 members" in output
    assert not BreachIncident.objects.exists()


def _incident(**kwargs: Any) -> BreachIncident:
    values = {"items": ["email"], "since": SINCE, "until": UNTIL, "description": "x",
              "discovered_at": NOW, **kwargs}
    return BreachIncident(**values)


def test_reporting_duty_from_1000_people_sensitive_data_or_hacking() -> None:
    def report_line(incident: BreachIncident) -> str:
        return " ".join(reporting_duty(incident=incident))

    assert "REPORT TO THE AUTHORITY" not in report_line(_incident(affected_count=999))
    many = report_line(_incident(affected_count=1000))
    assert "REPORT TO THE AUTHORITY" in many and "1000 people affected" in many
    assert "at least 7 days" in many
    sensitive = report_line(_incident(items=["consultation_content"], affected_count=3))
    assert "sensitive information is involved (consultation_content)" in sensitive
    hacked = report_line(_incident(by_hacking=True, affected_count=1))
    assert "REPORT TO THE AUTHORITY" in hacked and "hacking" in hacked
    assert "2023 amendment" in hacked


@pytest.mark.parametrize(("args", "message"), [
    (["--items", "shoe_size"], "unknown item shoe_size"),
    (["--items", ""], "name at least one collection item"),
    (["--items", "email", "--until", "2026-10-01"], r"ends \(--until\) before it starts"),
    (["--items", "email", "--since", "yesterday"], "--since must be a date and time"),
    (["--items", "email", "--description", " "], "describe when and how"),
    (["--items", "email", "--description", "가" * 2001], "longer than 2000"),
    (["--items", "email", "--discovered-at", "2026-10-01"], "starts .* after the breach was"),
    (["--items", "email", "--discovered-at", "2026-11-21"], "is in the future"),
    (["--items", "email", "--until", "2026-11-21T00:00"], r"ends \(--until\) in the future"),
    (["--items", "email", "--until", "2026-11-31"], "--until must be a date and time"),
])
def test_bad_input_is_a_clear_error_and_records_nothing(args: list[str], message: str) -> None:
    base = {"--since": "2026-11-01", "--description": "노출"}
    options = dict(zip(args[::2], args[1::2], strict=True))
    argv = [item for key, value in {**base, **options}.items() for item in (key, value)]
    with pytest.raises(CommandError, match=message):
        run("breach", "open", *argv)
    assert not BreachIncident.objects.exists()


# --- Notices -------------------------------------------------------------------------------------

def _opened(items: list[str]) -> BreachIncident:
    incident, _ = breach_open(items=items, since=SINCE, until=UNTIL,
                              description="관리 도구의 설정 오류로 연락처가 노출되었습니다.",
                              measures="설정을 고치고 접근 기록을 점검했습니다.",
                              description_en="A misconfigured admin tool exposed contacts.",
                              discovered_at=at(2026, 11, 19, 9, 0))
    return incident


def test_each_affected_member_is_notified_once_with_what_the_law_asks(window) -> None:
    incident = _opened(["mobile_phone"])
    output = run("breach", "notify", str(incident.pk))
    assert "2 to notify" in output and "sent 2, failed 0" in output
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [window["before"].email, window["inside"].email]
    )
    body = mail.outbox[0].body
    for expected in ("휴대전화번호", "mobile phone number",  # which items, both languages
                     "2026-11-01 00:00", "2026-11-15 00:00",  # when
                     "관리 도구의 설정 오류로",  # how
                     "A misconfigured admin tool",  # ... in English where given
                     "설정을 고치고",  # what the clinic does (Korean text in both halves)
                     "118", "Change your password",  # what the person can do
                     "02-6677-0010", "jangplasticsurgery@naver.com"):  # whom to contact
        assert expected in body
    assert "개인정보 유출" in mail.outbox[0].subject and "personal data breach" in \
        mail.outbox[0].subject
    notices = BreachNotice.objects.filter(incident=incident)
    assert notices.count() == 2 and not notices.filter(sent_at=None).exists()
    assert set(notices.values_list("sent_at", flat=True)) == {NOW}
    again = run("breach", "notify", str(incident.pk))
    assert "2 already notified, 0 to notify" in again and "sent 0" in again
    assert len(mail.outbox) == 2


def test_a_childs_legal_representative_is_notified_too() -> None:
    child = member(at(2026, 10, 1))
    LegalRepresentative.objects.create(child=child, name="보호자", email="parent.zq@zq-mail.test",
                                       relation=Relation.PARENT)
    breach_notify(incident=_opened(["email"]))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [child.email, "parent.zq@zq-mail.test"]


def test_dry_run_sends_and_records_nothing(window) -> None:
    incident = _opened(["mobile_phone"])
    output = run("breach", "notify", str(incident.pk), "--dry-run")
    assert "2 to notify" in output and "dry run: nothing sent" in output
    assert mail.outbox == [] and not BreachNotice.objects.exists()


def test_an_interrupted_run_resumes_and_never_sends_twice(monkeypatch) -> None:
    people = [member(at(2026, 10, 1)) for _ in range(5)]
    incident = _opened(["email"])
    original = EmailBackend.send_messages
    calls = {"n": 0}

    def crashing(self: EmailBackend, messages: list[Any]) -> int:
        calls["n"] += 1
        if calls["n"] == 3:  # the process dies while the second batch is being sent
            raise KeyboardInterrupt
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", crashing)
    with pytest.raises(KeyboardInterrupt):
        breach_notify(incident=incident, batch_size=2)
    assert len(mail.outbox) == 2
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    report = breach_notify(incident=incident, batch_size=2)
    assert report.unconfirmed == 2  # the batch claimed when the run died: not sent again
    assert report.sent == 1
    for person in people:
        assert emails_to(person.email) <= 1
    assert len(mail.outbox) == 3
    assert breach_notify(incident=incident).sent == 0


def test_a_refused_message_is_retried_by_the_next_run(monkeypatch) -> None:
    people = [member(at(2026, 10, 1)) for _ in range(2)]
    incident = _opened(["email"])
    original = EmailBackend.send_messages

    def refusing(self: EmailBackend, messages: list[Any]) -> int:
        if people[0].email in messages[0].to:
            raise OSError("mailbox unavailable")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refusing)
    with pytest.raises(CommandError, match="1 notice"):
        run("breach", "notify", str(incident.pk))
    assert not BreachNotice.objects.filter(subject_ref=people[0].subject_ref).exists()
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    assert breach_notify(incident=incident).sent == 1
    assert [emails_to(p.email) for p in people] == [1, 1]


def test_guests_are_notified_by_text_message() -> None:
    sms.outbox.clear()
    GuestConsultationFactory(created_at=at(2026, 10, 1), mobile_phone="010-3344-5566")
    incident = _opened(["guest_contact"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.SMS_BACKEND", "privacy.processors.sms.LocmemBackend")
        report = breach_notify(incident=incident)
    assert report.sent == 1
    assert sms.outbox[0].to == "010-3344-5566"
    assert "개인정보 유출" in sms.outbox[0].body and "personal data breach" in sms.outbox[0].body


@pytest.mark.parametrize(("args", "message"), [
    (["notify", "abc"], "incident id must be a number"),
    (["notify", "999"], "no breach incident 999"),
    (["reported", "999"], "no breach incident 999"),
])
def test_bad_incident_ids(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("breach", *args)


def test_a_closed_incident_is_not_notified(window) -> None:
    incident = _opened(["email"])
    run("breach", "close", str(incident.pk))
    with pytest.raises(CommandError, match="is closed"):
        run("breach", "notify", str(incident.pk))
    assert mail.outbox == []


# --- The 72-hour clock ---------------------------------------------------------------------------

def test_list_and_report_show_the_72_hour_clock(window) -> None:
    late = _opened(["email"])  # discovered 2026-11-19 09:00: 47 h left at 11-20 10:00
    BreachIncident.objects.filter(pk=late.pk).update(discovered_at=at(2026, 11, 16, 9, 0))
    recent = _opened(["mobile_phone"])
    closed = _opened(["email"])
    run("breach", "close", str(closed.pk))
    run("breach", "notify", str(recent.pk))
    run("breach", "reported", str(recent.pk))
    output = run("breach", "list")
    assert f"#{late.pk} " in output and "OVERDUE by 25.0 h" in output
    assert f"#{recent.pk} " in output and "47.0 h left of 72" in output
    assert f"#{closed.pk} " not in output and "2 open incident(s)" in output
    assert "reported 2026-11-20 10:00" in output
    rows = breach_report.build(start=at(2026, 11, 1), end=NOW, now=NOW)
    assert [row["incident"] for row in rows] == [f"#{late.pk}", f"#{recent.pk}"]
    assert rows[1]["hours_left"] == "47.0" and rows[1]["notified"] == "2"
    assert rows[0]["clock"] == "OVERDUE by 25.0 h"
    assert isinstance(breach_report.TITLE, str)
    assert [clock.incident for clock in incidents_open(now=NOW)] == [late, recent]


def test_reported_and_close_have_a_dry_run(window) -> None:
    incident = _opened(["email"])
    assert "unchanged" in run("breach", "close", str(incident.pk), "--dry-run")
    assert "unchanged" in run("breach", "reported", str(incident.pk), "--dry-run")
    incident.refresh_from_db()
    assert incident.closed_at is None and incident.reported_to_authority_at is None


def test_a_command_is_required() -> None:
    with pytest.raises(CommandError):
        run("breach")


def test_notice_records_fall_due_three_years_after_the_notice(window) -> None:
    incident = _opened(["mobile_phone"])
    breach_notify(incident=incident)
    assert not breach_notices_due_for_destruction(now=NOW).exists()
    later = NOW + datetime.timedelta(days=3 * 365)
    assert breach_notices_due_for_destruction(now=later).count() == 2
