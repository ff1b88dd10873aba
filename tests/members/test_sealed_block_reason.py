"""Staff's reason for a block is sealed under a data key of the block's own: readable in the
admin while the block stands, gone with its key when the purge destroys the lifted block; the
migrations seal what older versions stored in clear."""

from __future__ import annotations

import datetime
from importlib import import_module

import pytest
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.db import connection
from django.test import Client

from members.models import MemberBlock
from members.services import member_block, member_block_lift
from members.sessions import BLANK_IP, SessionClient
from privacy.models import DataKey
from privacy.retention.destruction import member_erase
from tests.members.factories import MemberFactory, StaffFactory
from tests.privacy.retention.conftest import at, purge_on

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

REASON = "게시판에 같은 광고 글을 반복해서 올림"


def _raw_reason(block: MemberBlock) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM members_memberblock WHERE id = %s", [block.pk])
        return cursor.fetchone()[0]


def test_the_reason_is_sealed_under_the_blocks_own_key() -> None:
    member = MemberFactory()
    block = member_block(member=member, reason=REASON, actor=StaffFactory())
    assert block.data_key_id is not None and block.data_key_id != member.data_key_id
    assert REASON not in _raw_reason(block)
    assert MemberBlock.objects.get(pk=block.pk).reason == REASON


def test_the_reason_outlives_the_members_erasure_under_its_own_key() -> None:
    member = MemberFactory()
    block = member_block(member=member, reason=REASON, actor=StaffFactory())
    member_erase(member=member, reason="withdrawal", actor=StaffFactory())
    block = MemberBlock.objects.get(pk=block.pk)
    assert block.member is None and block.reason == REASON  # the block still refuses


def test_staff_read_the_reason_in_the_admin() -> None:
    staff = StaffFactory(is_superuser=True)
    block = member_block(member=MemberFactory(), reason=REASON, actor=staff)
    client = Client()
    client.force_login(staff)
    html = client.get(f"/admin/members/memberblock/{block.pk}/change/").content.decode()
    assert REASON in html


def test_the_purge_destroys_a_lifted_block_with_its_key() -> None:
    lifted = at(2026, 5, 10, 15, 0)
    block = member_block(member=MemberFactory(), reason=REASON, actor=StaffFactory())
    member_block_lift(block=block, actor=StaffFactory())
    MemberBlock.objects.filter(pk=block.pk).update(lifted_at=lifted)
    key_id = block.data_key_id
    purge_on(lifted + datetime.timedelta(days=1), "member_block")
    assert not MemberBlock.objects.filter(pk=block.pk).exists()
    assert not DataKey.objects.filter(pk=key_id).exists()


def test_the_migration_seals_reasons_stored_in_clear() -> None:
    block = member_block(member=MemberFactory(), reason="placeholder", actor=StaffFactory())
    MemberBlock.objects.filter(pk=block.pk).update(reason=REASON, data_key=None)
    import_module("members.migrations.0011_block_reason_sealed").reasons_seal(apps, None)
    block = MemberBlock.objects.get(pk=block.pk)
    assert REASON not in _raw_reason(block)
    assert block.data_key_id is not None and block.reason == REASON


def test_the_migration_seals_session_clients_stored_in_clear() -> None:
    member = MemberFactory()
    session = UserSession.objects.create(user=member, session_key="m" * 32)
    UserSession.objects.filter(pk=session.pk).update(ip="198.51.100.9", user_agent="Firefox")
    SessionClient.objects.all().delete()
    import_module("members.migrations.0010_session_client_sealed").clients_seal(apps, None)
    session.refresh_from_db()
    assert (session.ip, session.user_agent) == (BLANK_IP, "")
    client = SessionClient.objects.get(session=session)
    assert (client.ip_address, client.user_agent) == ("198.51.100.9", "Firefox")
    assert client.data_key_id == member.data_key_id
