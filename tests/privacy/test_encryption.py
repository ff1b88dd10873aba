"""Personal fields are encrypted at rest under a per-subject key; destroying it erases them."""

from __future__ import annotations

import pytest
from django.db import connection

from consultations.models import Consultation
from members.models import Member
from privacy import crypto
from privacy.fields import DESTROYED
from privacy.models import DataKey
from tests.consultations.factories import ConsultationFactory
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db


def raw_value(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_database_row_holds_no_plaintext() -> None:
    member = MemberFactory(mobile_phone="010-9876-5432")
    consultation = ConsultationFactory(author=member, body="코 재수술 상담을 받고 싶습니다")
    assert "9876" not in raw_value("members_member", "mobile_phone", member.pk)
    assert "재수술" not in raw_value("consultations_consultation", "body", consultation.pk)
    fresh = Consultation.objects.select_related("data_key").get(pk=consultation.pk)
    assert fresh.body == "코 재수술 상담을 받고 싶습니다"
    assert Member.objects.get(pk=member.pk).mobile_phone == "010-9876-5432"


def test_each_subject_has_its_own_key_and_posts_share_their_authors() -> None:
    first, second = MemberFactory(), MemberFactory()
    assert first.data_key_id != second.data_key_id
    consultation = ConsultationFactory(author=first)
    assert consultation.data_key_id == first.data_key_id


def test_a_ciphertext_moved_to_another_field_does_not_open() -> None:
    member = MemberFactory(mobile_phone="010-1111-2222")
    token = raw_value("members_member", "mobile_phone", member.pk)
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(
            member.data_key.material(), token, context="consultations.consultation.body"
        )


def test_destroying_the_key_makes_every_field_unreadable() -> None:
    member = MemberFactory(mobile_phone="010-1111-2222")
    consultation = ConsultationFactory(author=member, body="비밀 상담")
    DataKey.objects.filter(pk=member.data_key_id).delete()
    assert Consultation.objects.get(pk=consultation.pk).body == DESTROYED
    assert Member.objects.get(pk=member.pk).mobile_phone == DESTROYED


def test_a_key_kept_unwrapped_still_opens_nothing_once_destroyed(client) -> None:
    """Data keys are kept unwrapped in the process after a page opened them; destroying the
    key still leaves the post unreadable at once, on the page and in the model."""
    member = MemberFactory()
    consultation = ConsultationFactory(author=member, body="읽은 뒤 파기된 상담")
    assert "읽은 뒤 파기된 상담" in client.get(f"/consultations/{consultation.pk}/").text
    DataKey.objects.filter(pk=member.data_key_id).delete()
    assert "읽은 뒤 파기된 상담" not in client.get(f"/consultations/{consultation.pk}/").text
    assert Consultation.objects.get(pk=consultation.pk).body == DESTROYED


def test_a_key_kept_unwrapped_opens_nothing_once_its_kek_is_out_of_service(settings) -> None:
    member = MemberFactory()
    token = member.data_key.wrapped_key
    material = crypto.unwrap_data_key(token)
    assert crypto.unwrap_data_key(token) == material
    new_kek = "bmV3LWtlay0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc="
    settings.PRIVACY_KEK = [new_kek, *settings.PRIVACY_KEK]
    rewrapped = crypto.rewrap_key(token)
    settings.PRIVACY_KEK = [new_kek]
    assert crypto.unwrap_data_key(rewrapped) == material
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_data_key(token)


def test_a_data_key_is_kept_unwrapped_for_a_minute_at_most(monkeypatch) -> None:
    """However often it is used: a destroyed key must leave the workers' memory soon."""
    member = MemberFactory()
    token = member.data_key.wrapped_key
    unwrapped = []
    real_unwrap = crypto._unwrap
    monkeypatch.setattr(crypto, "_unwrap", lambda *args: unwrapped.append(1) or real_unwrap(*args))
    now = [1000.0]
    monkeypatch.setattr(crypto, "_clock", lambda: now[0])
    crypto.forget_data_keys()
    material = crypto.unwrap_data_key(token)
    for seconds in (10, 30, 59):
        now[0] = 1000.0 + seconds
        assert crypto.unwrap_data_key(token) == material
    assert len(unwrapped) == 1
    now[0] = 1060.0
    assert crypto.unwrap_data_key(token) == material
    assert len(unwrapped) == 2
    now[0] = 1200.0
    crypto.unwrap_data_key(MemberFactory().data_key.wrapped_key)  # the next use drops it
    assert (tuple(crypto.settings.PRIVACY_KEK), token) not in crypto._kept


def test_keys_are_wrapped_by_the_kek_and_rewrap_under_a_new_one(settings) -> None:
    member = MemberFactory(mobile_phone="010-1111-2222")
    old_token = member.data_key.wrapped_key
    new_kek = "bmV3LWtlay0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc="
    settings.PRIVACY_KEK = [new_kek, *settings.PRIVACY_KEK]
    assert not crypto.wrapped_by_newest(old_token)
    rewrapped = crypto.rewrap_key(old_token)
    assert crypto.wrapped_by_newest(rewrapped)
    settings.PRIVACY_KEK = [new_kek]
    assert crypto.unwrap_key(rewrapped) == member.data_key.material()
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_key(old_token)
