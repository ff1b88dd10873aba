"""A logged-out member following the answer email's link lands on log-in and then on the
page; no one else learns from it whether the private post exists."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.core import mail
from django.test import Client

from consultations.services import consultation_answer
from tests.consultations.factories import ConsultationFactory
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory, StaffFactory, verify_email

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def _answer_email_link(django_capture_on_commit_callbacks: Any) -> tuple[str, Any]:
    consultation = ConsultationFactory(is_private=True)
    with django_capture_on_commit_callbacks(execute=True):
        consultation_answer(consultation=consultation, staff=StaffFactory(),
                            body="2주 정도면 붓기가 빠집니다.", site_url="http://testserver")
    (message,) = mail.outbox
    match = re.search(r"http://testserver(\S+)", message.body)
    assert match is not None
    return match.group(1), consultation.author


def _log_in_with_next(client: Client, login_url: str, member: Any) -> Any:
    verify_email(member)
    next_path = dict(part.split("=", 1) for part in urlsplit(login_url).query.split("&"))["next"]
    return client.post(login_url, {"login": member.username, "password": DEFAULT_PASSWORD,
                                   "next": next_path})


def test_the_link_sends_a_logged_out_member_to_log_in_and_back(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    path, owner = _answer_email_link(django_capture_on_commit_callbacks)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"

    logged_in = _log_in_with_next(client, response["Location"], owner)
    assert logged_in.status_code == 302
    assert logged_in["Location"] == path
    page = client.get(path)
    assert page.status_code == 200
    assert "2주 정도면 붓기가 빠집니다." in page.content.decode()


def test_another_member_logging_in_from_the_link_gets_404(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    path, _owner = _answer_email_link(django_capture_on_commit_callbacks)
    response = client.get(path)
    logged_in = _log_in_with_next(client, response["Location"], MemberFactory())
    assert logged_in["Location"] == path
    assert client.get(path).status_code == 404


def test_a_missing_post_also_sends_a_logged_out_visitor_to_log_in(client: Client) -> None:
    """The same answer whether the post exists or not: the redirect reveals nothing."""
    response = client.get("/consultations/999999/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/consultations/999999/"
