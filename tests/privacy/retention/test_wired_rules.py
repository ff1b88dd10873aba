"""The rules whose data came with the other apps, each on its boundary dates (frozen clock).

Each parametrised test puts the data a day before, on, and a day after the moment its rule
names, runs ``privacy purge`` for that rule only and looks at what is left.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from consultations.models import (
    Answer,
    Consultation,
    GuestConsultation,
    ProcedureRecord,
    Review,
)
from members.models import LegalRepresentative, LoginRecord, Member, MemberBlock
from privacy import registry
from privacy.ledger import consent_is_granted, consent_record
from privacy.lookup import email_digest
from privacy.models import (
    BreachIncident,
    BreachNotice,
    CampaignDelivery,
    Complaint,
    ComplaintStatus,
    ConsentMethod,
    ConsentRecord,
    ConsentReminder,
    DataKey,
    DestructionRecord,
    Disclosure,
    DisclosureBasis,
    Restriction,
    RetainedRecord,
    RightsRequest,
    Visit,
)
from privacy.restrictions import restriction_start
from privacy.retention.destruction import member_erase
from privacy.retention.store import retention_access
from tests.consultations.factories import (
    AftercareFactory,
    AnswerFactory,
    ConsultationAreaFactory,
    ConsultationFactory,
    GuestConsultationFactory,
    ProcedureRecordFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory
from tests.privacy.marketing.factories import CampaignFactory
from tests.privacy.retention.conftest import at, purge_on, run

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

DAY = datetime.timedelta(days=1)
BOUNDARY = [(-DAY, "before"), (0 * DAY, "on"), (DAY, "after")]
# Outcome per offset: a rule whose cut-off is inclusive destroys on the day itself.
INCLUSIVE = {"before": False, "on": True, "after": True}
EXCLUSIVE = {"before": False, "on": False, "after": True}


# --- members ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_login_records_go_3_months_after_the_log_in(offset: datetime.timedelta, when: str) -> None:
    moment = at(2026, 2, 1, 9, 0)
    member = MemberFactory()
    with time_machine.travel(moment, tick=False):
        record = LoginRecord.objects.create(member=member, result="success",
                                            ip_address="198.51.100.20")
    purge_on(moment + datetime.timedelta(days=90) + offset, "login_records")
    assert LoginRecord.objects.filter(pk=record.pk).exists() is not EXCLUSIVE[when]
    assert Member.objects.filter(pk=member.pk).exists()  # only the record goes


def test_withdrawal_moves_recent_login_records_to_the_retention_database() -> None:
    member = MemberFactory(username="login_keeper")
    now = at(2026, 6, 1, 12, 0)
    with time_machine.travel(now - datetime.timedelta(days=10), tick=False):
        recent = LoginRecord.objects.create(member=member, result="success",
                                            ip_address="198.51.100.21")
    with time_machine.travel(now - datetime.timedelta(days=100), tick=False):
        LoginRecord.objects.create(member=member, result="failure", ip_address="198.51.100.22")
    stranger = LoginRecord.objects.create(member=None, result="failure")
    with time_machine.travel(now, tick=False):
        member_erase(member=member, reason="withdrawal")
    assert list(LoginRecord.objects.values_list("pk", flat=True)) == [stranger.pk]
    kept = RetainedRecord.objects.get(subject_ref=member.subject_ref, started_by="login")
    assert (kept.rule_key, kept.destroy_after) == ("login_records", datetime.date(2026, 8, 20))
    assert "198.51.100.21" not in kept.payload  # sealed
    with retention_access(actor="officer", action="test", subject_ref=member.subject_ref) as s:
        payload = s.open_payload(kept)
    assert payload == {
        "login_id": "login_keeper", "recorded_at": recent.recorded_at.isoformat(),
        "ip_address": "198.51.100.21", "result": "success",
    }


def _child(requested_at: datetime.datetime, *, confirmed: bool = False) -> Member:
    child = MemberFactory(is_active=False, mobile_phone="010-2222-3333")
    LegalRepresentative.objects.create(
        child=child, name="김보호", email="parent@example.com", phone="010-4444-5555",
        relation="parent", requested_at=requested_at,
        confirmed_at=requested_at + DAY if confirmed else None,
    )
    return child


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_an_unconfirmed_under_14_sign_up_goes_7_days_after_the_request(
    offset: datetime.timedelta, when: str
) -> None:
    requested = at(2026, 4, 1, 10, 0)
    child = _child(requested)
    confirmed = _child(requested, confirmed=True)
    keys = {child.data_key_id, child.legal_representative.data_key_id}
    purge_on(requested + datetime.timedelta(days=7) + offset, "under_14_unconfirmed")
    gone = EXCLUSIVE[when]
    assert Member.objects.filter(pk=child.pk).exists() is not gone
    assert LegalRepresentative.objects.filter(child_id=child.pk).exists() is not gone
    # Cryptographic erasure: the keys of the child and of the representative row go too.
    assert DataKey.objects.filter(pk__in=keys).exists() is not gone
    assert Member.objects.filter(pk=confirmed.pk).exists()
    if gone:
        entry = DestructionRecord.objects.get(rule_key="under_14_unconfirmed")
        assert (entry.count, entry.source) == (1, "members.member")


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_a_lifted_block_goes_at_the_first_purge_after_lifting(
    offset: datetime.timedelta, when: str
) -> None:
    lifted = at(2026, 5, 10, 15, 0)
    member = MemberFactory()
    block = MemberBlock.objects.create(
        member=member, reason="spam", email_hash=email_digest(member.email), lifted_at=lifted,
    )
    active = MemberBlock.objects.create(member=MemberFactory(), reason="fraud",
                                        email_hash=email_digest("x@example.com"))
    purge_on(lifted + offset, "member_block")
    assert MemberBlock.objects.filter(pk=block.pk).exists() is not INCLUSIVE[when]
    assert MemberBlock.objects.filter(pk=active.pk).exists()  # in force: kept, however old


# --- consultations ----------------------------------------------------------------------------

@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_a_guest_consultation_goes_30_days_after_its_answer(
    offset: datetime.timedelta, when: str
) -> None:
    answered = at(2026, 3, 10, 11, 0)
    guest = GuestConsultationFactory(created_at=answered - 5 * DAY, answer="답변입니다",
                                     answered_at=answered)
    key_id = guest.data_key_id
    purge_on(answered + datetime.timedelta(days=30) + offset, "guest_consultation")
    guest = GuestConsultation.objects.get(pk=guest.pk)
    destroyed = INCLUSIVE[when]
    assert (guest.destroyed_at is not None) is destroyed
    assert DataKey.objects.filter(pk=key_id).exists() is not destroyed
    if destroyed:
        assert (guest.name, guest.mobile_phone, guest.body, guest.answer) == ("", "", "", "")
    else:
        assert guest.name == "홍길동"


def test_the_guests_consent_ends_with_the_consultation_and_its_proof_3_years_later() -> None:
    posted = at(2026, 1, 5, 8, 0)
    guest = GuestConsultationFactory(created_at=posted)
    with time_machine.travel(posted, tick=False):
        consent_record(subject_ref=guest.subject_ref, consent="guest_consultation",
                       granted=True, method=ConsentMethod.GUEST_FORM)
    destroyed = posted + datetime.timedelta(days=91)
    purge_on(destroyed, "guest_consultation")
    ledger = ConsentRecord.objects.filter(subject_ref=guest.subject_ref)
    assert list(ledger.values_list("granted", flat=True)) == [False, True]  # newest first
    assert consent_is_granted(subject_ref=guest.subject_ref, consent="guest_consultation") \
        is False
    purge_on(destroyed + datetime.timedelta(days=3 * 365) - DAY, "consent_proof")
    assert ledger.count() == 2
    purge_on(destroyed + datetime.timedelta(days=3 * 365), "consent_proof")
    assert not ledger.exists()


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_an_unanswered_guest_consultation_goes_90_days_after_posting(
    offset: datetime.timedelta, when: str
) -> None:
    posted = at(2026, 1, 5, 8, 0)
    guest = GuestConsultationFactory(created_at=posted)
    purge_on(posted + datetime.timedelta(days=90) + offset, "guest_consultation")
    destroyed_at = GuestConsultation.objects.get(pk=guest.pk).destroyed_at
    assert (destroyed_at is not None) is INCLUSIVE[when]


def test_withdrawal_destroys_posts_answers_reviews_and_procedure_records() -> None:
    member = MemberFactory()
    other = MemberFactory()
    consultation = ConsultationFactory(author=member, title="쌍꺼풀 문의 제목")
    AnswerFactory(consultation=consultation)
    aftercare = AftercareFactory(author=member)
    ReviewFactory(author=member, title="후기 제목")
    # A procedure record sealed with a key of its own (not the member's): it must go too.
    own_key = DataKey.objects.create_for_subject()
    separate = ProcedureRecordFactory(member=member, data_key=own_key)
    kept = ConsultationFactory(author=other)
    member_erase(member=member, reason="withdrawal")
    assert not ProcedureRecord.objects.filter(member_id=member.pk).exists()
    assert not ProcedureRecord.objects.filter(pk__in=[separate.pk, aftercare.procedure_id]).exists()
    assert not DataKey.objects.filter(pk=own_key.pk).exists()
    assert not Consultation.objects.filter(author_id=member.pk).exists()
    assert not Answer.objects.filter(consultation_id=consultation.pk).exists()
    assert not Review.objects.filter(author_id=member.pk).exists()
    assert Consultation.objects.filter(pk=kept.pk).exists()
    entry = DestructionRecord.objects.get(rule_key="membership", subject_ref=member.subject_ref)
    assert {"consultation_content", "review_content"} <= set(entry.item_keys.split(","))


# --- privacy: visits, withdrawn consents, complaints, disclosures -----------------------------

@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_analytics_visits_go_13_months_after_the_visit(
    offset: datetime.timedelta, when: str
) -> None:
    visited = at(2025, 1, 15, 14, 0)
    visit = Visit.objects.create(visitor_id=uuid.uuid4(), path="/", visited_at=visited)
    purge_on(visited + datetime.timedelta(days=396) + offset, "analytics_visits")
    assert Visit.objects.filter(pk=visit.pk).exists() is not EXCLUSIVE[when]


def _decide(member: Member, consent: str, granted: bool, moment: datetime.datetime) -> None:
    with time_machine.travel(moment, tick=False):
        consent_record(subject_ref=member.subject_ref, member=member, consent=consent,
                       granted=granted, method=ConsentMethod.CONSENT_PAGE)


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_a_withdrawn_optional_consent_destroys_only_the_items_it_allowed(
    offset: datetime.timedelta, when: str
) -> None:
    area = ConsultationAreaFactory()
    member = MemberFactory(home_phone="02-555-1234", home_address="서울시 강남구 1",
                           desired_area=area)
    keeps = MemberFactory(home_phone="02-555-9999", home_address="서울시 서초구 2")
    _decide(member, "optional_items", True, at(2025, 1, 1))
    _decide(keeps, "optional_items", True, at(2025, 1, 1))
    _decide(member, "sensitive_health", True, at(2025, 1, 1))
    withdrawn = at(2026, 2, 2, 18, 0)
    _decide(member, "optional_items", False, withdrawn)
    purge_on(withdrawn + offset, "consent_withdrawn_optional_items",
              "consent_withdrawn_sensitive_health")
    member = Member.objects.get(pk=member.pk)
    cleared = INCLUSIVE[when]
    assert (member.home_phone == "" and member.home_address == "") is cleared
    assert member.desired_area == area  # the sensitive consent still stands
    assert member.email and member.mobile_phone  # needed for membership: never touched
    keeps = Member.objects.get(pk=keeps.pk)
    assert keeps.home_phone == "02-555-9999"


def test_a_withdrawn_sensitive_consent_destroys_the_desired_area() -> None:
    member = MemberFactory(desired_area=ConsultationAreaFactory(), home_phone="02-555-1234")
    _decide(member, "sensitive_health", True, at(2025, 1, 1))
    _decide(member, "sensitive_health", False, at(2025, 6, 1))
    _decide(member, "sensitive_health", True, at(2025, 7, 1))  # given again: keep
    again = MemberFactory(desired_area=ConsultationAreaFactory())
    _decide(again, "sensitive_health", True, at(2025, 1, 1))
    _decide(again, "sensitive_health", False, at(2025, 6, 1))
    report = purge_on(at(2025, 8, 1), "consent_withdrawn_sensitive_health")
    assert report.destroyed == 1
    assert Member.objects.get(pk=again.pk).desired_area is None
    assert Member.objects.get(pk=member.pk).desired_area is not None
    assert Member.objects.get(pk=member.pk).home_phone == "02-555-1234"


def _complaint(**kwargs: Any) -> Complaint:
    return Complaint.objects.create(name="이민원", contact="010-7777-8888",
                                    body="개인정보 열람 요청이 처리되지 않았습니다", **kwargs)


def test_a_closed_complaint_moves_to_the_retention_database_for_3_years() -> None:
    closed = _complaint(status=ComplaintStatus.CLOSED)
    still_open = _complaint(status=ComplaintStatus.IN_PROGRESS)
    key_id = closed.data_key_id
    report = purge_on(at(2026, 7, 1, 10, 0), "complaint_records")
    assert (report.destroyed, report.retained) == (1, 1)
    assert list(Complaint.objects.values_list("pk", flat=True)) == [still_open.pk]
    assert not DataKey.objects.filter(pk=key_id).exists()
    kept = RetainedRecord.objects.get(subject_ref=closed.subject_ref)
    assert (kept.rule_key, kept.started_by) == ("complaint_records", "complaint_closed")
    assert kept.destroy_after == datetime.date(2029, 6, 30)  # 3 x 365 days
    assert "Electronic Commerce" in kept.legal_basis and "이민원" not in kept.payload
    with retention_access(actor="officer", action="test", subject_ref=kept.subject_ref) as s:
        payload = s.open_payload(kept)
    assert (payload["name"], payload["contact"]) == ("이민원", "010-7777-8888")


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_a_retained_complaint_goes_the_day_after_its_3_years(
    offset: datetime.timedelta, when: str
) -> None:
    closed = _complaint(status=ComplaintStatus.CLOSED)
    purge_on(at(2026, 7, 1, 10, 0), "complaint_records")
    purge_on(at(2029, 6, 30, 12, 0) + offset, "retention_period_ended")
    # Kept through its destroy-after date, destroyed the day after.
    assert RetainedRecord.objects.filter(subject_ref=closed.subject_ref).exists() \
        is not EXCLUSIVE[when]


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_disclosure_records_go_3_years_after_the_provision(
    offset: datetime.timedelta, when: str
) -> None:
    disclosed = at(2023, 3, 3, 9, 0)
    record = Disclosure.objects.create(
        subject_ref=uuid.uuid4(), recipient="보험사", items=["name"], disclosed_at=disclosed,
        legal_basis=DisclosureBasis.LAW,
    )
    purge_on(disclosed + datetime.timedelta(days=3 * 365) + offset, "disclosure_records")
    assert Disclosure.objects.filter(pk=record.pk).exists() is not INCLUSIVE[when]


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_rights_requests_go_3_years_after_completion(
    offset: datetime.timedelta, when: str
) -> None:
    completed = at(2023, 6, 6, 9, 0)
    request = RightsRequest.objects.create(
        subject_ref=uuid.uuid4(), kind="export", channel="web", received_at=completed,
        due_on=completed.date(), completed_at=completed,
    )
    open_request = RightsRequest.objects.create(
        subject_ref=uuid.uuid4(), kind="correction", channel="web", received_at=completed,
        due_on=completed.date(),
    )
    purge_on(completed + datetime.timedelta(days=3 * 365) + offset, "rights_requests")
    assert RightsRequest.objects.filter(pk=request.pk).exists() is not INCLUSIVE[when]
    assert RightsRequest.objects.filter(pk=open_request.pk).exists()


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_breach_notices_go_3_years_after_the_notice(
    offset: datetime.timedelta, when: str
) -> None:
    claimed = at(2023, 5, 5, 9, 0)
    incident = BreachIncident.objects.create(
        items=["email"], since=claimed, description="x", discovered_at=claimed,
    )
    notice = BreachNotice.objects.create(
        incident=incident, subject_ref=uuid.uuid4(), claimed_at=claimed, sent_at=claimed,
    )
    purge_on(claimed + datetime.timedelta(days=3 * 365) + offset, "breach_records")
    assert BreachNotice.objects.filter(pk=notice.pk).exists() is not INCLUSIVE[when]


# --- marketing --------------------------------------------------------------------------------

@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_campaign_deliveries_go_a_year_after_the_send(
    offset: datetime.timedelta, when: str
) -> None:
    claimed = at(2025, 4, 4, 10, 0)
    delivery = CampaignDelivery.objects.create(
        campaign=CampaignFactory(), subject_ref=uuid.uuid4(), claimed_at=claimed,
    )
    purge_on(claimed + datetime.timedelta(days=365) + offset, "marketing_sends")
    assert CampaignDelivery.objects.filter(pk=delivery.pk).exists() is not INCLUSIVE[when]


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_consent_reminders_go_3_years_after_the_consent_ends(
    offset: datetime.timedelta, when: str
) -> None:
    member = MemberFactory()
    _decide(member, "marketing_email", True, at(2021, 1, 1))
    reminder = ConsentReminder.objects.create(
        subject_ref=member.subject_ref, consent="marketing_email", period_start=at(2021, 1, 1),
        sent_at=at(2023, 1, 1),
    )
    ended = at(2023, 5, 5, 12, 0)
    _decide(member, "marketing_email", False, ended)
    purge_on(ended + datetime.timedelta(days=3 * 365) + offset, "consent_reminders")
    assert ConsentReminder.objects.filter(pk=reminder.pk).exists() is not INCLUSIVE[when]


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_restriction_records_go_3_years_after_lifting(
    offset: datetime.timedelta, when: str
) -> None:
    lifted = at(2023, 8, 1, 16, 0)
    restriction = restriction_start(subject_ref=uuid.uuid4(), items=["home_phone"],
                                    now=lifted - 10 * DAY)
    Restriction.objects.filter(pk=restriction.pk).update(lifted_at=lifted)
    in_force = restriction_start(subject_ref=uuid.uuid4(), items=["email"], now=at(2020, 1, 1))
    purge_on(lifted + datetime.timedelta(days=3 * 365) + offset, "restriction_records")
    assert Restriction.objects.filter(pk=restriction.pk).exists() is not INCLUSIVE[when]
    assert Restriction.objects.filter(pk=in_force.pk).exists()


# --- the IP address in the consent ledger -----------------------------------------------------

def test_the_registry_says_consent_ledger_ips_follow_the_login_records_rule() -> None:
    item = registry.item_for_field("privacy.ConsentRecord.ip_address")
    assert item is not None and item.key == "access_ip"
    assert item.retention is registry.LOGIN_RECORDS


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_consent_ledger_ips_are_blanked_3_months_after_the_decision(
    offset: datetime.timedelta, when: str
) -> None:
    subject = uuid.uuid4()
    decided = at(2026, 1, 20, 10, 0)
    with time_machine.travel(decided, tick=False):
        record = consent_record(subject_ref=subject, consent="marketing_sms", granted=True,
                                method=ConsentMethod.SIGNUP_FORM, ip_address="203.0.113.9",
                                data_key=DataKey.objects.create_for_subject())
    purge_on(decided + datetime.timedelta(days=90) + offset, "consent_ip")
    record = ConsentRecord.objects.get(pk=record.pk)  # the decision stays, as proof
    assert (record.ip_address is None) is EXCLUSIVE[when]
    assert (record.consent, record.granted, record.recorded_at) == ("marketing_sms", True, decided)


def test_the_ledger_still_refuses_every_other_change() -> None:
    record = consent_record(subject_ref=uuid.uuid4(), consent="marketing_sms", granted=True,
                            method=ConsentMethod.SIGNUP_FORM, ip_address="203.0.113.9")
    with pytest.raises(PermissionError):
        ConsentRecord.objects.filter(pk=record.pk).update(granted=False)
    assert ConsentRecord.objects.get(pk=record.pk).granted is True


# --- sessions ---------------------------------------------------------------------------------

def test_the_registry_declares_sessions() -> None:
    assert {"usersessions", "sessions"} <= set(registry.CHECKED_APPS)
    # allauth's IP column holds a blank; the address is sealed beside it (members.sessions).
    assert registry.item_for_field("members.SessionClient.ip_address").retention is \
        registry.SESSIONS
    assert registry.item_for_field("sessions.Session.session_data") is not None


def _session(member: Member, expires: datetime.datetime) -> UserSession:
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    return UserSession.objects.create(user=member, session_key=store.session_key,
                                      ip="198.51.100.30", user_agent="Firefox")


@pytest.mark.parametrize(("offset", "when"), BOUNDARY)
def test_sessions_go_when_they_expire(offset: datetime.timedelta, when: str) -> None:
    expires = at(2026, 9, 9, 21, 0)
    member = MemberFactory()
    user_session = _session(member, expires)
    anonymous = SessionStore()
    anonymous.create()
    Session.objects.filter(session_key=anonymous.session_key).update(expire_date=expires)
    report = purge_on(expires + offset, "sessions")
    gone = INCLUSIVE[when]
    assert UserSession.objects.filter(pk=user_session.pk).exists() is not gone
    assert Session.objects.filter(session_key=user_session.session_key).exists() is not gone
    assert Session.objects.filter(session_key=anonymous.session_key).exists() is not gone
    # Two expired Django session rows (swept) and the member's session record.
    assert report.destroyed == (3 if gone else 0)
    assert Member.objects.filter(pk=member.pk).exists()


def test_a_logged_out_session_goes_at_the_next_purge() -> None:
    member = MemberFactory()
    ended = _session(member, at(2030, 1, 1))
    live = _session(member, at(2030, 1, 1))
    Session.objects.filter(session_key=ended.session_key).delete()  # log-out deletes the session
    purge_on(at(2026, 1, 1), "sessions")
    assert list(UserSession.objects.values_list("pk", flat=True)) == [live.pk]


# --- dry run over every new rule --------------------------------------------------------------

def test_a_dry_run_counts_every_new_rule_and_changes_nothing() -> None:
    now = at(2030, 1, 1, 12, 0)
    long_ago = at(2020, 1, 1, 12, 0)
    member = MemberFactory(home_phone="02-555-1234")
    _decide(member, "optional_items", True, long_ago)
    _decide(member, "optional_items", False, long_ago + DAY)
    with time_machine.travel(long_ago, tick=False):
        LoginRecord.objects.create(member=member, result="success", ip_address="198.51.100.1")
        consent_record(subject_ref=uuid.uuid4(), consent="marketing_sms", granted=True,
                       method=ConsentMethod.SIGNUP_FORM, ip_address="203.0.113.1",
                       data_key=DataKey.objects.create_for_subject())
    _child(long_ago)
    MemberBlock.objects.create(reason="x", email_hash="h", lifted_at=long_ago)
    GuestConsultationFactory(created_at=long_ago)
    Visit.objects.create(visitor_id=uuid.uuid4(), path="/", visited_at=long_ago)
    _complaint(status=ComplaintStatus.CLOSED)
    Disclosure.objects.create(subject_ref=uuid.uuid4(), recipient="r", items=["name"],
                              disclosed_at=long_ago, legal_basis=DisclosureBasis.LAW)
    CampaignDelivery.objects.create(campaign=CampaignFactory(), subject_ref=uuid.uuid4(),
                                    claimed_at=long_ago)
    restriction = restriction_start(subject_ref=uuid.uuid4(), items=["email"], now=long_ago)
    Restriction.objects.filter(pk=restriction.pk).update(lifted_at=long_ago)
    _session(member, long_ago)

    def snapshot() -> list[Any]:
        member_row = Member.objects.get(pk=member.pk)
        return [
            LoginRecord.objects.count(), Member.objects.count(), MemberBlock.objects.count(),
            list(GuestConsultation.objects.values_list("destroyed_at", flat=True)),
            Visit.objects.count(), member_row.home_phone, Complaint.objects.count(),
            Disclosure.objects.count(), CampaignDelivery.objects.count(),
            Restriction.objects.count(), UserSession.objects.count(), Session.objects.count(),
            list(ConsentRecord.objects.values_list("ip_address", flat=True)),
            DestructionRecord.objects.count(), RetainedRecord.objects.count(),
        ]

    before = snapshot()
    with time_machine.travel(now, tick=False):
        output = run("purge", "--dry-run")
    assert snapshot() == before
    for line in (
        "login_records: would destroy 1", "under_14_unconfirmed: would destroy 1",
        "member_block: would destroy 1", "guest_consultation: would destroy 1",
        "analytics_visits: would destroy 1", "consent_withdrawn_optional_items: would destroy 1",
        "complaint_records: would destroy 1", "disclosure_records: would destroy 1",
        "marketing_sends: would destroy 1", "restriction_records: would destroy 1",
        "consent_ip: would destroy 1", "sessions: would destroy 2",
    ):
        assert line in output.splitlines(), line


def test_verify_erasure_marks_records_other_rules_keep_after_withdrawal() -> None:
    member = MemberFactory()
    ref = member.subject_ref
    Disclosure.objects.create(subject_ref=ref, recipient="보험사", items=["name"],
                              legal_basis=DisclosureBasis.LAW)
    CampaignDelivery.objects.create(campaign=CampaignFactory(), subject_ref=ref)
    restriction_start(subject_ref=ref, items=["email"])
    Complaint.objects.create(member=member, subject_ref=ref, body="열람 요청")
    member_erase(member=member, reason="withdrawal")
    output = run("verify-erasure", "--member-ref", str(ref))
    assert "verified" in output and "LEFT" not in output
    for line in (
        "kept    default: privacy.disclosure: 1 row(s) (rule disclosure_records)",
        "kept    default: privacy.campaigndelivery: 1 row(s) (rule marketing_sends)",
        "kept    default: privacy.restriction: 1 row(s) (rule restriction_records)",
        "kept    default: privacy.complaint: 1 row(s) (rule complaint_records)",
    ):
        assert line in output.splitlines(), output
