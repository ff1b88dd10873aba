"""Purge rules of the members app: login records, unconfirmed under-14 sign-ups, lifted blocks.

Listed in ``privacy.retention.destruction.PURGE_MODULES``; see that module for how a rule is
applied.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import models

from members.models import LoginRecord, Member, MemberBlock
from members.selectors import (
    children_unconfirmed_due_for_destruction,
    login_records_due_for_destruction,
)
from privacy import registry
from privacy.retention.destruction import PurgeRule
from privacy.retention.rules import (
    items_of,
    members_destroy,
    members_retain,
    rows_with_own_keys_destroy,
)
from privacy.retention.store import Retention

# --- Login records (Protection of Communications Secrets Act: 3 months) ----------------------


def login_records_due(now: datetime.datetime) -> models.QuerySet:
    return login_records_due_for_destruction(now=now)


def login_records_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    # Append-only: the purge's own way out, never ``delete()``.
    return LoginRecord.objects.filter(pk__in=pks).purge_expired()


def login_records_retention(member: Member, now: datetime.datetime) -> Iterable[Retention]:
    """At withdrawal, the log-in records of the last 3 months move to the retention database
    (the law keeps them 3 months from each log-in) instead of staying live without an owner."""
    live_for = registry.LOGIN_RECORDS.live_for
    assert live_for is not None
    records = LoginRecord.objects.filter(member=member, recorded_at__gte=now - live_for
                                         ).select_related("data_key")
    for record in records.order_by("pk").iterator(chunk_size=500):
        yield Retention(
            source=f"members.loginrecord:{record.pk}", subject_ref=member.subject_ref,
            item_key="access_log", rule_key=registry.LOGIN_RECORDS.key, started_by="login",
            started_at=record.recorded_at,
            payload={
                "login_id": member.username, "recorded_at": record.recorded_at.isoformat(),
                "ip_address": record.ip_address or "", "result": record.result,
            },
        )


def login_records_erase(pks: list[int], *, now: datetime.datetime) -> None:
    """Withdrawal: the member's log-in records go from the live database (copied first by
    ``login_records_retention``); the foreign key alone would only blank the member."""
    LoginRecord.objects.filter(member__in=pks).purge_expired()


# --- Members under 14 whose legal representative never confirmed -----------------------------

def children_unconfirmed_due(now: datetime.datetime) -> models.QuerySet:
    return children_unconfirmed_due_for_destruction(now=now)


# --- Lifted blocks -----------------------------------------------------------------------------
# A block exists to refuse the blocked person (and their email and mobile number, as keyed
# hashes) for as long as it is in force. Once staff lift it, that purpose is achieved and no law
# keeps it: the whole row (reason, dates, hashes) goes at the first purge after the lifting,
# with the data key its reason is sealed under.

def lifted_blocks_due(now: datetime.datetime) -> models.QuerySet:
    return MemberBlock.objects.filter(lifted_at__isnull=False, lifted_at__lte=now)


def blocks_destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    """The blocks and the data keys their reasons are sealed under."""
    return rows_with_own_keys_destroy(MemberBlock.objects.filter(pk__in=pks))


MEMBER_RETENTIONS = [login_records_retention]
MEMBER_ERASERS = [login_records_erase]

PURGE_RULES = [
    PurgeRule(
        key=registry.LOGIN_RECORDS.key, retention_rule=registry.LOGIN_RECORDS.key,
        model="members.LoginRecord", due=login_records_due, destroy=login_records_destroy,
        item_keys=("access_log", "access_ip"),
    ),
    PurgeRule(
        key=registry.UNDER_14_UNCONFIRMED.key, retention_rule=registry.UNDER_14_UNCONFIRMED.key,
        model="members.Member", due=children_unconfirmed_due, destroy=members_destroy,
        retain=members_retain, item_keys=items_of(registry.MEMBERSHIP.key),
    ),
    PurgeRule(
        key=registry.MEMBER_BLOCK.key, retention_rule=registry.MEMBER_BLOCK.key,
        model="members.MemberBlock", due=lifted_blocks_due, destroy=blocks_destroy,
        item_keys=items_of(registry.MEMBER_BLOCK.key),
    ),
]
