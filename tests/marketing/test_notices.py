"""Information notices are not advertising: no consent needed, never the advertising mark."""

from __future__ import annotations

import pytest
from django.core import mail

from privacy.marketing import AD_MARK, notice_send
from tests.marketing.factories import ReachableMemberFactory, consent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state", [None, True, False])
def test_a_notice_reaches_the_member_whatever_their_marketing_consent(state) -> None:
    member = ReachableMemberFactory()
    if state is not None:
        consent(member, "marketing_email", granted=state)
    assert notice_send(member=member, subject="개인정보 처리방침 변경 안내",
                       body="2026년 4월 1일부터 처리방침이 바뀝니다.") is True
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "[장성형외과] 개인정보 처리방침 변경 안내"
    assert AD_MARK not in message.subject and AD_MARK not in message.body
    assert "2026년 4월 1일부터 처리방침이 바뀝니다." in message.body
    assert "02-6677-0010" in message.body
    assert "/privacy/unsubscribe/" not in message.body


def test_a_notice_goes_at_night_too(time_machine) -> None:
    time_machine.move_to("2026-03-02 23:30 +09:00", tick=False)
    member = ReachableMemberFactory()
    assert notice_send(member=member, subject="답변 안내", body="상담에 답변이 달렸습니다.")
    assert len(mail.outbox) == 1


def test_an_advertisement_is_refused_as_a_notice() -> None:
    member = ReachableMemberFactory()
    with pytest.raises(ValueError, match="campaign_send"):
        notice_send(member=member, subject=f"{AD_MARK} 할인", body="이벤트")
    assert mail.outbox == []


def test_no_email_address_means_no_notice() -> None:
    member = ReachableMemberFactory(email="")
    assert notice_send(member=member, subject="안내", body="본문") is False
    assert mail.outbox == []
