"""Every link in the site's emails to members works for a member who is logged out: a public
page opens, a member's page leads to log-in and from there to the page itself."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from consultations.services import consultation_answer
from privacy.marketing.campaigns import consent_reminders_send
from privacy.models import PolicyVersion
from privacy.policy.services import policy_notice_send
from tests.consultations.factories import ConsultationFactory
from tests.members.factories import DEFAULT_PASSWORD, StaffFactory, verify_email
from tests.privacy.marketing.factories import ReachableMemberFactory, consent

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


def paths_in(body: str) -> list[str]:
    """The site's own links in an email, as paths."""
    return [urlsplit(url).path for url in re.findall(rf"{SITE}/\S*", body)]


def follow_as_logged_out_member(path: str, member: Any) -> None:
    """Open ``path`` logged out; if it asks for log-in, log in there and land on ``path``."""
    client = Client()
    response = client.get(path)
    if response.status_code == 200:
        return
    assert response.status_code == 302, path
    assert response["Location"] == f"/accounts/login/?next={quote(path)}", path
    verify_email(member)
    logged_in = client.post(response["Location"], {
        "login": member.username, "password": DEFAULT_PASSWORD, "next": path,
    })
    assert logged_in["Location"] == path
    assert client.get(path).status_code == 200, path


def test_the_answer_notice_link(settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    consultation = ConsultationFactory(is_private=True)
    with django_capture_on_commit_callbacks(execute=True):
        consultation_answer(consultation=consultation, staff=StaffFactory(), body="답변",
                            site_url=SITE)
    (path,) = paths_in(mail.outbox[0].body)
    follow_as_logged_out_member(path, consultation.author)


def test_the_policy_notice_links(settings: Any) -> None:
    member = ReachableMemberFactory()
    version = PolicyVersion.objects.create(version="2.0", effective_on=date(2026, 12, 10),
                                           summary="보유 기간 변경")
    policy_notice_send(version=version, member=member, base_url=SITE)
    paths = paths_in(mail.outbox[0].body)
    assert paths
    for path in paths:
        follow_as_logged_out_member(path, member)


def test_the_consent_reminder_links(settings: Any) -> None:
    settings.SITE_URL = SITE
    seoul = ZoneInfo("Asia/Seoul")
    member = ReachableMemberFactory()
    consent(member, "marketing_email", at=datetime(2024, 3, 10, 15, 0, tzinfo=seoul))
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=seoul), tick=False):
        consent_reminders_send()
    paths = paths_in(mail.outbox[0].body)
    assert "/privacy/consents/" in paths
    for path in paths:
        if path.startswith("/privacy/unsubscribe/"):
            # A one-click withdrawal, no log-in: it asks to confirm first.
            assert Client().get(path).status_code == 200
            continue
        follow_as_logged_out_member(path, member)
