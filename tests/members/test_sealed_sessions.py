"""A login session's IP address and browser are sealed under the member's data key beside
allauth's row (members.sessions), whose own columns keep a blank; the member still reads them,
and erasure leaves nothing of them."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test import Client

from members.sessions import BLANK_IP, SessionClient
from privacy.fields import DESTROYED
from privacy.models import DataKey
from privacy.retention.destruction import member_erase
from tests.members.factories import MemberFactory, StaffFactory, log_in
from tests.members.test_sessions_page import ANDROID_CHROME, IPHONE_SAFARI

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def _raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (a fixed table name)
        return repr(cursor.fetchall())


def test_a_log_in_leaves_allauths_columns_blank_and_seals_the_client() -> None:
    member = MemberFactory()
    log_in(Client(HTTP_USER_AGENT=ANDROID_CHROME), member)
    session = UserSession.objects.get(user=member)
    assert (session.ip, session.user_agent) == (BLANK_IP, "")
    client = SessionClient.objects.get(session=session)
    assert (client.ip_address, client.user_agent) == ("127.0.0.1", ANDROID_CHROME)
    assert client.data_key_id == member.data_key_id
    raw = _raw_rows("usersessions_usersession") + _raw_rows("members_sessionclient")
    assert "127.0.0.1" not in raw and "Android" not in raw


def test_a_new_sign_in_on_the_same_session_reseals_its_client() -> None:
    """A password change records the session again (allauth updates its row)."""
    member = MemberFactory()
    log_in(Client(HTTP_USER_AGENT=ANDROID_CHROME), member)
    session = UserSession.objects.get(user=member)
    session.ip, session.user_agent = "198.51.100.7", IPHONE_SAFARI
    session.save()
    session.refresh_from_db()
    assert (session.ip, session.user_agent) == (BLANK_IP, "")
    client = SessionClient.objects.get(session=session)
    assert (client.ip_address, client.user_agent) == ("198.51.100.7", IPHONE_SAFARI)
    assert SessionClient.objects.count() == 1


def test_the_member_reads_them_on_the_sessions_page_and_in_my_data() -> None:
    member = MemberFactory()
    phone = Client(HTTP_USER_AGENT=ANDROID_CHROME)
    log_in(phone, member)
    html = phone.get("/accounts/sessions/").content.decode()
    assert "127.0.0.1" in html and "Android의 Chrome" in html
    assert BLANK_IP not in html
    item = phone.get("/privacy/my-data/items/sessions/").content.decode()
    assert "127.0.0.1" in item and BLANK_IP not in item


def test_erasure_takes_the_sealed_client_with_the_session() -> None:
    member = MemberFactory()
    log_in(Client(HTTP_USER_AGENT=ANDROID_CHROME), member)
    key_id = member.data_key_id
    member_erase(member=member, reason="withdrawal", actor=StaffFactory())
    assert not SessionClient.objects.exists()
    assert not UserSession.objects.filter(user_id=member.pk).exists()
    assert not DataKey.objects.filter(pk=key_id).exists()


def test_without_the_members_key_nothing_of_the_client_reads(admin_client: Any) -> None:
    member = MemberFactory()
    log_in(Client(HTTP_USER_AGENT=ANDROID_CHROME), member)
    DataKey.objects.filter(pk=member.data_key_id).delete()
    client = SessionClient.objects.get()
    assert (client.ip_address, client.user_agent) == (DESTROYED, DESTROYED)


def test_the_admin_masks_the_sealed_values_and_reveals_them(admin_client: Client) -> None:
    member = MemberFactory()
    log_in(Client(HTTP_USER_AGENT=ANDROID_CHROME), member)
    session = UserSession.objects.get(user=member)
    listing = admin_client.get("/admin/usersessions/usersession/").content.decode()
    assert "127.0.*.*" in listing and "127.0.0.1" not in listing
    assert BLANK_IP not in listing and "Android 14" not in listing
    revealed = admin_client.post(f"/admin/usersessions/usersession/{session.pk}/reveal/")
    assert "127.0.0.1" in revealed.content.decode()
    assert ANDROID_CHROME in revealed.content.decode()
