"""Purge rules for the data this project holds on ``main``: members, consents, access log,
retained records. Other apps declare theirs in their own ``<app>/purge.py``
(see ``privacy.destruction``): ``PURGE_RULES``, and optionally ``MEMBER_RETENTIONS`` and
``MEMBER_ERASERS``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, router
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.deletion import Collector
from django.utils import timezone

from privacy import registry
from privacy.access_log import access_log_destroy
from privacy.destruction import PurgeRule, member_erasers, member_retentions
from privacy.fields import DataKeyField
from privacy.models import (
    AccessLogEntry,
    ConsentActor,
    ConsentMethod,
    ConsentRecord,
    DataKey,
    RetainedRecord,
)
from privacy.retention import Retention, retained_records_destroy
from privacy.selectors import policy_version_current

WITHDRAWAL = "withdrawal"  # the reason member_erase is given when members withdraw themselves


def _items_of(*rule_keys: str) -> tuple[str, ...]:
    return tuple(item.key for item in registry.ITEMS if item.retention.key in rule_keys)


MEMBER_ITEMS = _items_of(
    registry.MEMBERSHIP.key, registry.MEMBER_POSTS.key, registry.CONSENT_WITHDRAWN.key
)


# --- Members ---------------------------------------------------------------------------------

def _consents_end(subject_refs: list[Any], *, now: datetime.datetime, reason: str) -> None:
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
    key_ids: set[int] = set()
    for model, instances in collector.data.items():
        for key_field in _data_key_fields(model):
            key_ids.update(getattr(obj, key_field.attname) for obj in instances)
    for queryset in collector.fast_deletes:
        for key_field in _data_key_fields(queryset.model):
            key_ids.update(queryset.values_list(key_field.attname, flat=True))
    key_ids.discard(None)
    return key_ids


def _data_key_fields(model: type[models.Model]) -> list[DataKeyField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, DataKeyField)]


def _admin_log_delete(collector: Collector) -> None:
    """Admin history names objects by their ``__str__`` (a login ID, a title): it goes too."""
    for model, instances in collector.data.items():
        content_type = ContentType.objects.get_for_model(model)
        LogEntry.objects.filter(
            content_type=content_type, object_id__in=[str(obj.pk) for obj in instances]
        ).delete()


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
    _consents_end(subject_refs, now=now, reason=reason)
    _sessions_delete(pks)
    for eraser in member_erasers():
        eraser(pks, now=now)
    collector = Collector(using=router.db_for_write(Member), origin=members)
    collector.collect(members)
    key_ids = _data_key_ids(collector)
    _admin_log_delete(collector)
    collector.delete()
    DataKey.objects.filter(pk__in=key_ids).delete()
    return len(subject_refs)


def login_record_retention(member: Any, now: datetime.datetime) -> Iterable[Retention]:
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


def _members_retain(rows: models.QuerySet, now: datetime.datetime) -> Iterable[Retention]:
    providers = member_retentions()
    for member in rows.iterator(chunk_size=500):
        for provider in providers:
            yield from provider(member, now)


def _no_rows(now: datetime.datetime) -> models.QuerySet:
    return get_user_model()._base_manager.none()


def unconfirmed_signups_due(now: datetime.datetime) -> models.QuerySet:
    """Sign-ups whose email was never confirmed within 7 days and that never logged in."""
    cutoff = now - registry.UNCONFIRMED_SIGNUP.live_for
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
    cutoff = now - registry.CONSENT_PROOF.live_for
    latest = ConsentRecord.objects.filter(
        subject_ref=OuterRef("subject_ref"), consent=OuterRef("consent")
    ).order_by("-recorded_at", "-id")
    return ConsentRecord.objects.annotate(
        last_granted=Subquery(latest.values("granted")[:1]),
        last_recorded_at=Subquery(latest.values("recorded_at")[:1]),
    ).filter(last_granted=False, last_recorded_at__lte=cutoff)


def _ledger_rows_destroy(model: type[models.Model]) -> Any:
    def destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
        return model.objects.filter(pk__in=pks).purge_expired()
    return destroy


def access_log_due(now: datetime.datetime) -> models.QuerySet:
    return AccessLogEntry.objects.filter(at__lte=now - registry.STAFF_ACCESS_LOG.live_for)


def retained_records_due(now: datetime.datetime) -> models.QuerySet:
    """Records past their destroy-after date (kept through that day, destroyed the next)."""
    return RetainedRecord.objects.filter(destroy_after__lt=timezone.localdate(now))


def _retained_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    return retained_records_destroy(pks=pks)


PURGE_RULES = [
    PurgeRule(
        key=registry.MEMBERSHIP.key, retention_rule=registry.MEMBERSHIP.key,
        model=settings.AUTH_USER_MODEL, due=_no_rows, destroy=members_destroy,
        retain=_members_retain, item_keys=MEMBER_ITEMS, triggered=True,
    ),
    PurgeRule(
        key=registry.UNCONFIRMED_SIGNUP.key, retention_rule=registry.UNCONFIRMED_SIGNUP.key,
        model=settings.AUTH_USER_MODEL, due=unconfirmed_signups_due, destroy=members_destroy,
        retain=_members_retain, item_keys=_items_of(registry.MEMBERSHIP.key),
    ),
    PurgeRule(
        key=registry.CONSENT_PROOF.key, retention_rule=registry.CONSENT_PROOF.key,
        model="privacy.ConsentRecord", due=consent_proofs_due,
        destroy=_ledger_rows_destroy(ConsentRecord),
        item_keys=_items_of(registry.CONSENT_PROOF.key),
    ),
    PurgeRule(
        key=registry.STAFF_ACCESS_LOG.key, retention_rule=registry.STAFF_ACCESS_LOG.key,
        model="privacy.AccessLogEntry", due=access_log_due,
        destroy=access_log_destroy,  # keeps the chain's anchor (privacy/access_log.py)
        item_keys=_items_of(registry.STAFF_ACCESS_LOG.key),
    ),
    PurgeRule(
        key=registry.RETENTION_PERIOD_ENDED.key,
        retention_rule=registry.RETENTION_PERIOD_ENDED.key,
        model="privacy.RetainedRecord", due=retained_records_due, destroy=_retained_destroy,
        item_keys=_items_of(registry.RETENTION_PERIOD_ENDED.key),
    ),
]
