"""A member's name is sealed under the member's data key: pages that show it still do (masked
where the public sees it), and nothing of it is readable once the key is destroyed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from members.models import Member
from tests.consultations.factories import ConsultationFactory, ReviewFactory
from tests.members.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

NAME = "이서연"


def raw_name(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM members_member WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_the_name_is_stored_sealed_and_read_back() -> None:
    member = MemberFactory(name=NAME)
    assert NAME not in raw_name(member.pk)
    assert raw_name(member.pk)  # ciphertext, not an empty column
    assert Member.objects.get(pk=member.pk).name == NAME


def test_a_changed_name_is_sealed_again() -> None:
    member = MemberFactory(name=NAME)
    member.name = "박서연"
    member.save(update_fields=["name"])
    assert "박서연" not in raw_name(member.pk)
    assert Member.objects.get(pk=member.pk).name == "박서연"


def test_the_board_and_reviews_show_the_masked_name(client: Client) -> None:
    consultation = ConsultationFactory(author=MemberFactory(name=NAME))
    ReviewFactory(author=consultation.author, status="published")
    for url in ("/consultations/", f"/consultations/{consultation.pk}/", "/reviews/"):
        html = client.get(url).content.decode()
        assert "이*연" in html, url
        assert NAME not in html, url


def test_the_admin_greets_staff_by_login_id_without_opening_their_name(client: Client) -> None:
    staff = StaffFactory(name=NAME, is_superuser=True)
    client.force_login(staff)
    html = client.get("/admin/").content.decode()
    assert f"<strong>{staff.username}</strong>" in html
    assert NAME not in html


def test_a_destroyed_key_leaves_no_name() -> None:
    member = MemberFactory(name=NAME)
    member.data_key.delete()
    assert Member.objects.get(pk=member.pk).name == ""
