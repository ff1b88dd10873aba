"""Purge rules for the data this project holds on ``main``: members, consents, access log,
retained records. Other apps declare theirs in their own ``<app>/purge.py``
(see ``privacy.retention.destruction``): ``PURGE_RULES``, and optionally ``MEMBER_RETENTIONS`` and
``MEMBER_ERASERS``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models, router
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.deletion import Collector
from django.utils import timezone

from privacy import registry
from privacy.access_log import access_log_destroy
from privacy.console.breach import breach_notices_due_for_destruction
from privacy.cookies.selectors import visits_due_for_destruction
from privacy.fields import DataKeyField
from privacy.ledger import consent_latest_decision, policy_version_current
from privacy.marketing.campaigns import (
    campaign_deliveries_due_for_destruction,
    consent_reminders_due_for_destruction,
)
from privacy.models import (
    AccessLogEntry,
    AppendOnlyModel,
    BreachNotice,
    CampaignDelivery,
    Complaint,
    ComplaintStatus,
    ConsentActor,
    ConsentMethod,
    ConsentRecord,
    ConsentReminder,
    DataKey,
    Disclosure,
    Restriction,
    RetainedRecord,
    RightsRequest,
    Visit,
)
from privacy.restrictions import restrictions_due_for_destruction
from privacy.retention.admin_log import admin_log_naming, admin_log_of_members, admin_log_orphans
from privacy.retention.destruction import PurgeRule, member_erasers, member_retentions
from privacy.retention.store import Retention, retained_records_destroy

if TYPE_CHECKING:
    from members.models import Member

WITHDRAWAL = "withdrawal"  # the reason member_erase is given when members withdraw themselves


def items_of(*rule_keys: str) -> tuple[str, ...]:
    return tuple(item.key for item in registry.ITEMS if item.retention.key in rule_keys)


MEMBER_ITEMS = items_of(
    registry.MEMBERSHIP.key, registry.MEMBER_POSTS.key, registry.CONSENT_WITHDRAWN.key
)


# --- Members ---------------------------------------------------------------------------------

def consents_end(subject_refs: list[Any], *, now: datetime.datetime, reason: str) -> None:
    """Record the end of every consent still granted: the ledger must show when it ended."""
    latest: dict[tuple[Any, str], bool] = {}
    records = ConsentRecord.objects.filter(subject_ref__in=subject_refs).order_by(
        "subject_ref", "consent", "-recorded_at", "-id"
    ).values_list("subject_ref", "consent", "granted")
    for subject_ref, consent, granted in records.iterator(chunk_size=1000):
        latest.setdefault((subject_ref, consent), granted)
    by_subject = reason == WITHDRAWAL
    version = policy_version_current()
    ConsentRecord.objects.bulk_create([
        ConsentRecord(
            subject_ref=subject_ref, member=None, consent=consent, granted=False,
            policy_version=version, recorded_at=now,
            method=ConsentMethod.CONSENT_PAGE if by_subject else ConsentMethod.OFFICER,
            actor=ConsentActor.SUBJECT if by_subject else ConsentActor.STAFF,
        )
        for (subject_ref, consent), granted in latest.items() if granted
    ])


def _data_key_ids(collector: Collector) -> set[int]:
    """The data keys of every row the deletion takes with it (any depth of cascade)."""
    key_ids: set[int | None] = set()  # None: rows without a data key
    for model, instances in collector.data.items():
        for key_field in _data_key_fields(model):
            key_ids.update(getattr(obj, key_field.attname) for obj in instances)
    for queryset in collector.fast_deletes:
        for key_field in _data_key_fields(queryset.model):
            key_ids.update(queryset.values_list(key_field.attname, flat=True))
    return {key_id for key_id in key_ids if key_id is not None}


def _data_key_fields(model: type[models.Model]) -> list[DataKeyField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, DataKeyField)]


def _admin_log_delete(collector: Collector) -> None:
    """Admin history of every row the account's deletion takes with it (any depth of cascade):
    it names them by their ``__str__`` (a login ID, a title)."""
    for model, instances in collector.data.items():
        admin_log_naming(model, [obj.pk for obj in instances]).delete()


def _sessions_delete(member_pks: list[int]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = UserSession.objects.filter(user__in=member_pks).values_list("session_key", flat=True)
    for session_key in list(keys):
        store(session_key=session_key).delete()


def members_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    """Delete members with everything that hangs on them, and destroy their data keys."""
    Member = get_user_model()
    members = Member._base_manager.filter(pk__in=pks)
    subject_refs = list(members.values_list("subject_ref", flat=True))
    consents_end(subject_refs, now=now, reason=reason)
    # Read while every row of the members is still there: the erasers below delete their
    # posts before the account's own cascade is collected.
    admin_log_of_members(pks, subject_refs).delete()
    _sessions_delete(pks)
    for eraser in member_erasers():
        eraser(pks, now=now)
    collector = Collector(using=router.db_for_write(Member), origin=members)
    # Collector.collect takes a queryset (Django documents it); django-stubs' protocol for
    # its argument asks for __contains__, which QuerySet does not define.
    collector.collect(members)  # type: ignore[arg-type]
    key_ids = _data_key_ids(collector)
    _admin_log_delete(collector)
    collector.delete()
    DataKey.objects.filter(pk__in=key_ids).delete()
    return len(subject_refs)


def login_record_retention(member: Member, now: datetime.datetime) -> Iterable[Retention]:
    """Log-in records are kept 3 months from the log-in (Protection of Communications Secrets
    Act), even after withdrawal: the login ID and time of the last log-in."""
    if member.last_login is None:
        return []
    return [Retention(
        source=f"membership:{member.subject_ref}:access_log",
        subject_ref=member.subject_ref, item_key="access_log",
        rule_key=registry.LOGIN_RECORDS.key, started_by="last_login",
        started_at=member.last_login,
        payload={"login_id": member.username, "last_login": member.last_login.isoformat()},
    )]


MEMBER_RETENTIONS = [login_record_retention]


def members_retain(rows: models.QuerySet, now: datetime.datetime) -> Iterable[Retention]:
    providers = member_retentions()
    for member in rows.iterator(chunk_size=500):
        for provider in providers:
            yield from provider(member, now)


def _no_rows(now: datetime.datetime) -> models.QuerySet:
    return get_user_model()._base_manager.none()


def unconfirmed_signups_due(now: datetime.datetime) -> models.QuerySet:
    """Sign-ups whose email was never confirmed within 7 days and that never logged in."""
    live_for = registry.UNCONFIRMED_SIGNUP.live_for
    assert live_for is not None
    cutoff = now - live_for
    unverified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=False)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return (
        get_user_model()._base_manager
        .filter(date_joined__lte=cutoff, last_login__isnull=True, is_staff=False,
                is_superuser=False)
        .filter(Exists(unverified))
        .exclude(Exists(verified))
    )


# --- Ledgers and the retention store ---------------------------------------------------------

def consent_proofs_due(now: datetime.datetime) -> models.QuerySet:
    """Records of a consent whose latest record is a withdrawal made 3 years ago or more."""
    live_for = registry.CONSENT_PROOF.live_for
    assert live_for is not None
    cutoff = now - live_for
    latest = consent_latest_decision()
    return ConsentRecord.objects.annotate(
        last_granted=Subquery(latest.values("granted")[:1]),
        last_recorded_at=Subquery(latest.values("recorded_at")[:1]),
    ).filter(last_granted=False, last_recorded_at__lte=cutoff)


def _ledger_rows_destroy(model: type[AppendOnlyModel]) -> Callable[..., int]:
    def destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
        return model.objects.filter(pk__in=pks).purge_expired()
    return destroy


def access_log_due(now: datetime.datetime) -> models.QuerySet:
    live_for = registry.STAFF_ACCESS_LOG.live_for
    assert live_for is not None
    return AccessLogEntry.objects.filter(at__lte=now - live_for)


def retained_records_due(now: datetime.datetime) -> models.QuerySet:
    """Records past their destroy-after date (kept through that day, destroyed the next)."""
    return RetainedRecord.objects.filter(destroy_after__lt=timezone.localdate(now))


def _retained_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    return retained_records_destroy(pks=pks)


# --- Consents, complaints, disclosures, requests, breaches, sends, restrictions, sessions ----

def visits_due(now: datetime.datetime) -> models.QuerySet:
    return visits_due_for_destruction(now=now)


def _rows_delete(model: type[models.Model]) -> Any:
    def destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
        count, _ = model._base_manager.filter(pk__in=pks).delete()
        return count
    return destroy


def _member_fields_of(item_key: str) -> list[str]:
    prefix = "members.Member."
    return [ref[len(prefix):] for ref in registry.item(item_key).fields if ref.startswith(prefix)]


def consent_only_fields(consent_key: str) -> list[str]:
    """Member fields that only ``consent_key`` allows holding: its items whose retention rule
    is ``consent_withdrawn`` (an item also needed for membership, like the email, stays)."""
    return [
        name
        for item_key in registry.consent(consent_key).items
        if registry.item(item_key).retention.key == registry.CONSENT_WITHDRAWN.key
        for name in _member_fields_of(item_key)
    ]


def _held(name: str) -> Q:
    field_ = get_user_model()._meta.get_field(name)
    return Q(**{f"{name}__isnull": False}) if field_.is_relation else ~Q(**{name: ""})


def _cleared(name: str) -> Any:
    return None if get_user_model()._meta.get_field(name).is_relation else ""


def withdrawn_consent_items_due(consent_key: str) -> Any:
    """Members whose latest ledger entry for ``consent_key`` is a withdrawal (made by ``now``)
    and who still hold an item only that consent allowed."""
    names = consent_only_fields(consent_key)

    def due(now: datetime.datetime) -> models.QuerySet:
        latest = ConsentRecord.objects.filter(
            subject_ref=OuterRef("subject_ref"), consent=consent_key, recorded_at__lte=now,
        ).order_by("-recorded_at", "-id")
        held = Q()
        for name in names:
            held |= _held(name)
        return (
            get_user_model()._base_manager.filter(held)
            .annotate(last_granted=Subquery(latest.values("granted")[:1]))
            .filter(last_granted=False)
        )
    return due


def withdrawn_consent_items_destroy(consent_key: str) -> Any:
    names = consent_only_fields(consent_key)

    def destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
        return get_user_model()._base_manager.filter(pk__in=pks).update(
            **{name: _cleared(name) for name in names}
        )
    return destroy


WITHDRAWABLE_CONSENTS = tuple(
    consent.key for consent in registry.MEMBER_CONSENTS if consent_only_fields(consent.key)
)


def complaints_due(now: datetime.datetime) -> models.QuerySet:
    """Closed complaints: the purpose is achieved; the law keeps the record 3 years, in the
    retention database (``complaints_retain``), not here."""
    return Complaint.objects.filter(status=ComplaintStatus.CLOSED)


def complaints_retain(rows: models.QuerySet, now: datetime.datetime) -> Iterable[Retention]:
    for complaint in rows.select_related("data_key").iterator(chunk_size=200):
        yield Retention(
            source=f"privacy.complaint:{complaint.pk}", subject_ref=complaint.subject_ref,
            item_key="complaint", rule_key=registry.COMPLAINT_RECORDS.key,
            started_by="complaint_closed", started_at=now,
            payload={
                "name": complaint.name, "contact": complaint.contact, "body": complaint.body,
                "member": bool(complaint.member_id), "status": complaint.status,
                "created_at": complaint.created_at.isoformat(),
                "answered_at": complaint.answered_at.isoformat() if complaint.answered_at else "",
            },
        )


def rows_with_own_keys_destroy(rows: models.QuerySet) -> int:
    """Delete ``rows`` and the data keys they were sealed under, except a key a member still
    holds (a member's post is sealed under the member's key, which stays with the member)."""
    key_ids = set(rows.exclude(data_key=None).values_list("data_key_id", flat=True))
    count, _ = rows.delete()
    key_ids -= set(get_user_model()._base_manager.filter(data_key__in=key_ids)
                   .values_list("data_key_id", flat=True))
    DataKey.objects.filter(pk__in=key_ids).delete()
    return count


def complaints_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    return rows_with_own_keys_destroy(Complaint.objects.filter(pk__in=pks))


def disclosures_due(now: datetime.datetime) -> models.QuerySet:
    live_for = registry.DISCLOSURE_RECORDS.live_for
    assert live_for is not None
    return Disclosure.objects.filter(disclosed_at__lte=now - live_for)


def rights_requests_due(now: datetime.datetime) -> models.QuerySet:
    live_for = registry.RIGHTS_REQUEST_RECORDS.live_for
    assert live_for is not None
    return RightsRequest.objects.filter(completed_at__lte=now - live_for)


def breach_notices_due(now: datetime.datetime) -> models.QuerySet:
    return breach_notices_due_for_destruction(now=now)


def deliveries_due(now: datetime.datetime) -> models.QuerySet:
    return campaign_deliveries_due_for_destruction(now=now)


def reminders_due(now: datetime.datetime) -> models.QuerySet:
    return consent_reminders_due_for_destruction(now=now)


def restrictions_due(now: datetime.datetime) -> models.QuerySet:
    return restrictions_due_for_destruction(now=now)


def consent_ips_due(now: datetime.datetime) -> models.QuerySet:
    """IP addresses in the consent ledger are access IP information (registry item
    ``access_ip``, rule ``login_records``): they go 3 months after the decision, while the
    decision itself stays as proof (``consent_proof``)."""
    live_for = registry.LOGIN_RECORDS.live_for
    assert live_for is not None
    return ConsentRecord.objects.filter(ip_address__isnull=False, recorded_at__lt=now - live_for)


def consent_ips_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    return ConsentRecord.objects.filter(pk__in=pks).ip_addresses_forget()


def sessions_due(now: datetime.datetime) -> models.QuerySet:
    """Member sessions that ended: no live session row is left for them (logged out, expired
    after SESSION_COOKIE_AGE, or ended by a block)."""
    live = Session.objects.filter(expire_date__gt=now).values("session_key")
    return UserSession.objects.exclude(session_key__in=live)


def sessions_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    rows = UserSession.objects.filter(pk__in=pks)
    Session.objects.filter(session_key__in=rows.values("session_key")).delete()
    # The sealed IP address and browser (members.SessionClient) go with each row.
    _count, by_model = rows.delete()
    return by_model.get(UserSession._meta.label, 0)


def admin_log_due(now: datetime.datetime) -> models.QuerySet:
    """Admin log entries whose record is gone (deleted in the admin, or by a purge rule)."""
    return admin_log_orphans()


def expired_sessions_sweep(now: datetime.datetime, *, dry_run: bool) -> int:
    """Django's own expired session rows (``clearsessions``), anonymous ones included: they are
    keyed by a random string, so they go without a ledger entry."""
    expired = Session.objects.filter(expire_date__lte=now)
    if dry_run:
        return expired.count()
    count, _ = expired.delete()
    return count


PURGE_RULES = [
    PurgeRule(
        key=registry.MEMBERSHIP.key, retention_rule=registry.MEMBERSHIP.key,
        model=settings.AUTH_USER_MODEL, due=_no_rows, destroy=members_destroy,
        retain=members_retain, item_keys=MEMBER_ITEMS, triggered=True,
    ),
    PurgeRule(
        key=registry.UNCONFIRMED_SIGNUP.key, retention_rule=registry.UNCONFIRMED_SIGNUP.key,
        model=settings.AUTH_USER_MODEL, due=unconfirmed_signups_due, destroy=members_destroy,
        retain=members_retain, item_keys=items_of(registry.MEMBERSHIP.key),
    ),
    PurgeRule(
        key=registry.CONSENT_PROOF.key, retention_rule=registry.CONSENT_PROOF.key,
        model="privacy.ConsentRecord", due=consent_proofs_due,
        destroy=_ledger_rows_destroy(ConsentRecord),
        item_keys=items_of(registry.CONSENT_PROOF.key),
    ),
    PurgeRule(
        key=registry.STAFF_ACCESS_LOG.key, retention_rule=registry.STAFF_ACCESS_LOG.key,
        model="privacy.AccessLogEntry", due=access_log_due,
        destroy=access_log_destroy,  # keeps the chain's anchor (privacy/access_log.py)
        item_keys=items_of(registry.STAFF_ACCESS_LOG.key),
    ),
    PurgeRule(
        key=registry.RETENTION_PERIOD_ENDED.key,
        retention_rule=registry.RETENTION_PERIOD_ENDED.key,
        model="privacy.RetainedRecord", due=retained_records_due, destroy=_retained_destroy,
        item_keys=items_of(registry.RETENTION_PERIOD_ENDED.key),
    ),
    PurgeRule(
        key=registry.ANALYTICS_VISITS.key, retention_rule=registry.ANALYTICS_VISITS.key,
        model="privacy.Visit", due=visits_due, destroy=_rows_delete(Visit),
        item_keys=items_of(registry.ANALYTICS_VISITS.key),
    ),
    *(
        PurgeRule(
            key=f"{registry.CONSENT_WITHDRAWN.key}_{consent_key}",
            retention_rule=registry.CONSENT_WITHDRAWN.key, model=settings.AUTH_USER_MODEL,
            due=withdrawn_consent_items_due(consent_key),
            destroy=withdrawn_consent_items_destroy(consent_key),
            item_keys=tuple(
                key for key in registry.consent(consent_key).items
                if registry.item(key).retention.key == registry.CONSENT_WITHDRAWN.key
            ),
        )
        for consent_key in WITHDRAWABLE_CONSENTS
    ),
    PurgeRule(
        key=registry.COMPLAINT_RECORDS.key, retention_rule=registry.COMPLAINT_RECORDS.key,
        model="privacy.Complaint", due=complaints_due, destroy=complaints_destroy,
        retain=complaints_retain, item_keys=items_of(registry.COMPLAINT_RECORDS.key),
    ),
    PurgeRule(
        key=registry.DISCLOSURE_RECORDS.key, retention_rule=registry.DISCLOSURE_RECORDS.key,
        model="privacy.Disclosure", due=disclosures_due,
        destroy=_ledger_rows_destroy(Disclosure),
        item_keys=items_of(registry.DISCLOSURE_RECORDS.key),
    ),
    PurgeRule(
        key=registry.RIGHTS_REQUEST_RECORDS.key,
        retention_rule=registry.RIGHTS_REQUEST_RECORDS.key, model="privacy.RightsRequest",
        due=rights_requests_due, destroy=_rows_delete(RightsRequest),
        item_keys=items_of(registry.RIGHTS_REQUEST_RECORDS.key),
    ),
    PurgeRule(
        key=registry.BREACH_RECORDS.key, retention_rule=registry.BREACH_RECORDS.key,
        model="privacy.BreachNotice", due=breach_notices_due,
        destroy=_rows_delete(BreachNotice), item_keys=items_of(registry.BREACH_RECORDS.key),
    ),
    PurgeRule(
        key=registry.MARKETING_SENDS.key, retention_rule=registry.MARKETING_SENDS.key,
        model="privacy.CampaignDelivery", due=deliveries_due,
        destroy=_rows_delete(CampaignDelivery), item_keys=("marketing_deliveries",),
    ),
    PurgeRule(
        key="consent_reminders", retention_rule=registry.CONSENT_PROOF.key,
        model="privacy.ConsentReminder", due=reminders_due,
        destroy=_rows_delete(ConsentReminder), item_keys=("consent_reminders",),
    ),
    PurgeRule(
        key=registry.RESTRICTION_RECORDS.key, retention_rule=registry.RESTRICTION_RECORDS.key,
        model="privacy.Restriction", due=restrictions_due, destroy=_rows_delete(Restriction),
        item_keys=items_of(registry.RESTRICTION_RECORDS.key),
    ),
    PurgeRule(
        key="consent_ip", retention_rule=registry.LOGIN_RECORDS.key,
        model="privacy.ConsentRecord", due=consent_ips_due, destroy=consent_ips_destroy,
        item_keys=("access_ip",),
    ),
    PurgeRule(
        key=registry.SESSIONS.key, retention_rule=registry.SESSIONS.key,
        model="usersessions.UserSession", due=sessions_due, destroy=sessions_destroy,
        item_keys=items_of(registry.SESSIONS.key), sweep=expired_sessions_sweep,
    ),
    PurgeRule(
        key=registry.ADMIN_LOG.key, retention_rule=registry.ADMIN_LOG.key,
        model="admin.LogEntry", due=admin_log_due, destroy=_rows_delete(LogEntry),
        item_keys=items_of(registry.ADMIN_LOG.key),
    ),
]
