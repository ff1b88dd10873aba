"""Staff block members: no log-in, sessions end, no re-registration with the same contacts."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from members.models import LoginRecord, LoginResult, Member, MemberBlock
from members.selectors import member_is_blocked
from members.services import member_block, member_block_lift
from privacy.lookup import email_digest
from tests.members.factories import (
    DEFAULT_PASSWORD,
    MemberFactory,
    StaffFactory,
    log_in,
    verify_email,
)

pytestmark = pytest.mark.django_db


def test_a_blocked_member_cannot_log_in_and_is_told_why(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    member = verify_email(MemberFactory())
    member_block(member=member, reason="Spam on the board", actor=StaffFactory())
    assert member_is_blocked(member)
    response = client.post("/accounts/login/", {"login": member.username,
                                                "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert "This account has been blocked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginRecord.objects.get().result == LoginResult.BLOCKED


def test_blocking_ends_the_members_open_sessions(client: Client) -> None:
    member = MemberFactory()
    log_in(client, member)
    assert client.get("/accounts/profile/").status_code == 200
    member_block(member=member, reason="Fraud", actor=StaffFactory())
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_lifted_block_lets_the_member_in_again(client: Client) -> None:
    member = verify_email(MemberFactory())
    block = member_block(member=member, reason="Mistake", actor=StaffFactory())
    member_block_lift(block=block, actor=StaffFactory())
    assert not member_is_blocked(member)
    log_in(client, member)


@pytest.mark.parametrize("same", ["email", "mobile_phone"])
def test_re_registration_with_a_blocked_email_or_mobile_is_refused(
    client: Client, signup_data: dict[str, str], same: str
) -> None:
    blocked = MemberFactory(email="blocked@example.com", mobile_phone="010-2222-3333")
    member_block(member=blocked, reason="Fraud", actor=StaffFactory())
    blocked.delete()  # the block outlives the account, holding only keyed hashes
    block = MemberBlock.objects.get()
    assert block.email_hash == email_digest("blocked@example.com")
    if same == "email":
        signup_data["email"] = "BLOCKED@example.com"
    else:
        signup_data["mobile_phone"] = "01022223333"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post("/accounts/signup/", signup_data)
    assert response.status_code == 200
    assert "Registration with this email address or mobile phone number is not possible" in (
        response.content.decode()
    )
    assert not Member.objects.with_login_id(signup_data["username"]).exists()


def test_staff_block_a_member_in_the_admin(client: Client) -> None:
    staff = StaffFactory(is_superuser=True)  # with TOTP, as the admin requires
    member = MemberFactory()
    client.force_login(staff)
    response = client.post("/admin/members/memberblock/add/", {
        "member": member.pk, "reason": "Repeated abusive posts",
    })
    assert response.status_code == 302
    block = MemberBlock.objects.get()
    assert (block.member, block.blocked_by, block.reason) == (
        member, staff, "Repeated abusive posts"
    )
    assert member_is_blocked(member)
    response = client.post("/admin/members/memberblock/", {
        "action": "lift_blocks", "_selected_action": [block.pk],
    })
    assert response.status_code == 302
    assert not member_is_blocked(member)
    block.refresh_from_db()
    assert block.lifted_by == staff
    # The admin log names the record by its kind and number, never by the member.
    entry = LogEntry.objects.get(object_id=str(block.pk))
    assert entry.object_repr in (f"회원 이용 제한 #{block.pk}", f"Member block #{block.pk}")
    assert member.username not in entry.object_repr + entry.change_message


def test_the_admin_refuses_a_block_without_a_member(client: Client) -> None:
    """The model's member is nullable (SET_NULL keeps the record), but a new block needs one."""
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    response = client.post("/admin/members/memberblock/add/", {"reason": "No one"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["member"]
    assert not MemberBlock.objects.exists()
