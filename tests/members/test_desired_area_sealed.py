"""A member's desired consultation area is sealed under the member's data key with a keyed
digest: the profile shows it, a profile edit changes both, and the key's destruction leaves
nothing of it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from members.models import Member
from privacy.lookup import area_digest
from tests.consultations.factories import ConsultationAreaFactory
from tests.members.factories import MemberFactory, log_in

pytestmark = pytest.mark.django_db


def raw_area(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT desired_area_ref, desired_area_digest FROM members_member "
                       "WHERE id = %s", [pk])
        return cursor.fetchone()


def test_the_desired_area_is_stored_sealed_with_its_digest_and_read_back() -> None:
    area = ConsultationAreaFactory()
    member = MemberFactory(desired_area=area)
    sealed, digest = raw_area(member.pk)
    assert sealed != str(area.pk) and len(sealed) > 20
    assert digest == area_digest(area.pk)
    assert Member.objects.get(pk=member.pk).desired_area == area


def test_blanking_the_area_blanks_its_digest_too() -> None:
    member = MemberFactory(desired_area=ConsultationAreaFactory())
    member.desired_area = None
    member.save(update_fields=["desired_area"])
    assert raw_area(member.pk) == ("", "")
    assert Member.objects.get(pk=member.pk).desired_area is None


def test_the_profile_shows_the_area_by_name(client: Client) -> None:
    member = MemberFactory(desired_area=ConsultationAreaFactory(name_ko="광대축소"))
    log_in(client, member)
    assert "광대축소" in client.get("/accounts/profile/").content.decode()


def test_a_destroyed_key_leaves_no_area() -> None:
    member = MemberFactory(desired_area=ConsultationAreaFactory())
    member.data_key.delete()
    assert Member.objects.get(pk=member.pk).desired_area is None
