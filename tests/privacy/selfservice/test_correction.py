"""Corrections: members' own edits reach the recipients; officer corrections restrict the item;
legal hold refuses changes of what a law keeps."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone, translation

from privacy import registry
from privacy.models import AccessLogEntry, Disclosure, Restriction, RightsRequest
from privacy.restrictions import item_is_restricted
from tests.members.factories import log_in, reauthenticate
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def profile_post(member: Any, **changes: str) -> dict[str, str]:
    return {"name": member.name, "mobile_phone": member.mobile_phone,
            "home_phone": member.home_phone, "home_address": member.home_address,
            "desired_area": member.desired_area_ref or "",
            "date_of_birth": member.date_of_birth,
            "consent_optional_items": "on", "consent_sensitive_health": "on", **changes}


def test_a_corrected_disclosed_item_is_passed_on_to_the_recipient(client: Client,
                                                                 owner: Any) -> None:
    log_in(client, owner)
    reauthenticate(client)
    before = Disclosure.objects.filter(subject_ref=owner.subject_ref).count()
    response = client.post("/accounts/profile/edit/",
                           profile_post(owner, mobile_phone="010-9999-0000"))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["privacy-own@insurer.example"]]
    assert "010-9999-0000" in mail.outbox[0].body
    notice = Disclosure.objects.filter(subject_ref=owner.subject_ref).latest("disclosed_at", "id")
    assert Disclosure.objects.filter(subject_ref=owner.subject_ref).count() == before + 1
    assert notice.items == ["mobile_phone"] and notice.recipient == "보험사 own"
    assert "correction" in notice.basis_detail
    request = RightsRequest.objects.get(kind="correction")
    assert request.items == ["mobile_phone"] and request.completed_at is not None


def test_an_item_never_disclosed_notifies_nobody(client: Client, owner: Any) -> None:
    log_in(client, owner)
    reauthenticate(client)
    client.post("/accounts/profile/edit/", profile_post(owner, home_address="부산시 1"))
    assert mail.outbox == []


def test_officer_correction_restricts_until_completed(owner: Any) -> None:
    output = run("correct", "--member", owner.username, "--item", "mobile_phone",
                 "--channel", "phone", "--reference", "CALL-17")
    assert "restricted until completed" in output
    assert item_is_restricted(subject_ref=owner.subject_ref, item_key="mobile_phone")
    request = RightsRequest.objects.get(kind="correction")
    assert request.items == ["mobile_phone"] and request.channel == "phone"
    assert request.reference == "CALL-17" and request.completed_at is None
    assert AccessLogEntry.objects.filter(action="correction_start:phone").exists()

    output = run("correct", "--member", owner.username, "--item", "mobile_phone",
                 "--channel", "phone", "--reference", "CALL-17", "--complete",
                 "--value", "010 2222 3333")
    assert "1 recipient(s) notified" in output
    owner.refresh_from_db()
    assert owner.mobile_phone == "010-2222-3333"
    assert not item_is_restricted(subject_ref=owner.subject_ref, item_key="mobile_phone")
    assert RightsRequest.objects.get(kind="correction").completed_at is not None
    assert "010-2222-3333" in mail.outbox[0].body


def test_a_restricted_email_is_not_handed_to_a_mail_processor(owner: Any, settings) -> None:
    settings.EMAIL_BACKEND = "privacy.processors.mail.ProcessorCheckedEmailBackend"
    settings.EMAIL_REAL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ProcessorFactory(sends_email=True, requires_consent=False)
    run("correct", "--member", owner.username, "--item", "email", "--channel", "mail",
        "--reference", "L-1")
    assert mail.send_mail("Notice", "body", None, [owner.email]) == 0
    assert mail.outbox == []


def test_bad_correction_requests_change_nothing(owner: Any) -> None:
    email_before = owner.email
    cases = [
        (("--item", "nonsense"), "unknown item"),
        (("--item", "mobile_phone", "--value", "010-1"), "add --complete"),
        (("--item", "mobile_phone", "--complete"), "no open correction"),
    ]
    for extra, message in cases:
        with pytest.raises(CommandError, match=message):
            run("correct", "--member", owner.username, "--channel", "mail",
                "--reference", "L-2", *extra)
    with pytest.raises(CommandError, match="no member"):
        run("correct", "--member", "nobody_here", "--item", "name", "--channel", "mail",
            "--reference", "L-2")
    with pytest.raises(CommandError):
        run("correct", "--member", owner.username, "--item", "name", "--channel", "fax",
            "--reference", "L-2")
    run("correct", "--member", owner.username, "--item", "email", "--channel", "mail",
        "--reference", "L-3")
    with pytest.raises(CommandError, match="cannot be set from the shell"):
        run("correct", "--member", owner.username, "--item", "email", "--channel", "mail",
            "--reference", "L-3", "--complete", "--value", "new@example.com")
    run("correct", "--member", owner.username, "--item", "mobile_phone", "--channel", "mail",
        "--reference", "L-3")
    with pytest.raises(CommandError, match="invalid value"):
        run("correct", "--member", owner.username, "--item", "mobile_phone", "--channel",
            "mail", "--reference", "L-3", "--complete", "--value", "02-123")
    owner.refresh_from_db()
    assert owner.mobile_phone == "010-1111-2222"
    assert owner.email == email_before
    assert RightsRequest.objects.filter(completed_at__isnull=True).count() == 2
    assert item_is_restricted(subject_ref=owner.subject_ref, item_key="mobile_phone")
    assert item_is_restricted(subject_ref=owner.subject_ref, item_key="email")


def test_dry_run_changes_nothing(owner: Any) -> None:
    output = run("correct", "--member", owner.username, "--item", "mobile_phone",
                 "--channel", "mail", "--reference", "L-4", "--dry-run")
    assert "would start" in output
    assert not Restriction.objects.exists() and not RightsRequest.objects.exists()


def test_legal_hold_refuses_the_officer(owner: Any) -> None:
    until = (timezone.localdate() + registry_login_period()).isoformat()
    with translation.override("ko"), pytest.raises(CommandError) as refused:
        run("correct", "--member", owner.username, "--item", "access_log", "--channel",
            "mail", "--reference", "L-5")
    message = str(refused.value)
    with translation.override("ko"):
        assert str(registry.LOGIN_RECORDS.law) in message and until in message
    assert not Restriction.objects.exists() and not RightsRequest.objects.exists()


def test_legal_hold_refuses_the_member_with_the_reason_and_date(client: Client,
                                                                owner: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    log_in(client, owner)
    response = client.post("/privacy/my-data/request/",
                           {"item": "access_ip", "kind": "deletion"}, follow=True)
    html = response.content.decode()
    until = (timezone.localdate() + registry_login_period()).isoformat()
    assert "cannot be changed or deleted before then, even on request" in html
    assert "Protection of Communications Secrets Act" in html and until in html
    assert not RightsRequest.objects.exists()

    response = client.post("/privacy/my-data/request/",
                           {"item": "consultation_content", "kind": "deletion"}, follow=True)
    assert "The privacy officer answers within 10 days" in response.content.decode()
    request = RightsRequest.objects.get()
    assert request.kind == "deletion" and request.items == ["consultation_content"]


def registry_login_period() -> Any:
    return registry.LOGIN_RECORDS.kept_by_law_for


def test_item_requests_are_post_only_and_need_login(client: Client, owner: Any) -> None:
    response = client.post("/privacy/my-data/request/", {"item": "name", "kind": "deletion"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    log_in(client, owner)
    assert client.get("/privacy/my-data/request/").status_code == 405
    client.post("/privacy/my-data/request/", {"item": "nonsense", "kind": "deletion"})
    assert not RightsRequest.objects.exists()


def test_item_requests_are_limited_per_member(owner: Any, other: Any) -> None:
    """Five correction or deletion requests an hour per member (the default
    ``5/h/key,20/d/key``): the sixth answers the site's 429 page and records nothing; another
    member, from the same address, is not affected."""
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    log_in(client, owner)
    for item, kind in (("name", "correction"), ("name", "deletion"),
                       ("mobile_phone", "correction"), ("name", "deletion"),
                       ("home_address", "correction")):
        response = client.post("/privacy/my-data/request/", {"item": item, "kind": kind})
        assert response.status_code == 302
    assert RightsRequest.objects.count() == 5
    response = client.post("/privacy/my-data/request/", {"item": "name", "kind": "deletion"})
    assert response.status_code == 429
    assert "many correction or deletion requests" in response.content.decode()
    assert RightsRequest.objects.count() == 5

    neighbour = Client()
    log_in(neighbour, other)
    response = neighbour.post("/privacy/my-data/request/", {"item": "name", "kind": "deletion"})
    assert response.status_code == 302
    assert RightsRequest.objects.filter(subject_ref=other.subject_ref).count() == 1
    assert RightsRequest.objects.count() == 6


def test_the_item_request_limit_is_a_setting(client: Client, owner: Any, settings) -> None:
    settings.PRIVACY_RIGHTS_REQUEST_RATE_LIMIT = "2/d/key"
    log_in(client, owner)
    statuses = [client.post("/privacy/my-data/request/",
                            {"item": item, "kind": "correction"}).status_code
                for item in ("name", "mobile_phone", "home_address")]
    assert statuses == [302, 302, 429]
    assert RightsRequest.objects.count() == 2
