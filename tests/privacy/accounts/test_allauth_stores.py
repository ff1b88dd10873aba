"""allauth's records of an account (email addresses, second factors, sessions) and the admin's
log are under the registry: the system check covers their fields, "my data" and the export
show them, and their admin pages are masked and access-logged."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.db import models
from django.test import Client
from django.test.utils import isolate_apps

from members.emails import email_stand_in
from privacy import registry
from privacy.checks import project_models, registry_problems
from privacy.models import AccessLogEntry
from tests.members.factories import MemberFactory, log_in, reauthenticate

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

SECOND = "second.address@example.com"


def test_the_check_covers_allauths_models_and_the_admin_log() -> None:
    checked = set(project_models())
    assert {EmailAddress, Authenticator, UserSession, LogEntry} <= checked


@isolate_apps("allauth.account")
def test_a_new_undeclared_allauth_field_fails_naming_it() -> None:
    class LoginCode(models.Model):
        code = models.CharField(max_length=10)

        class Meta:
            app_label = "account"

    messages = [p.msg for p in registry_problems([LoginCode]) if p.id == "privacy.E001"]
    assert any("account.LoginCode.code" in message for message in messages)


def test_an_allauth_field_left_out_of_the_registry_fails(monkeypatch: Any) -> None:
    monkeypatch.setattr(registry, "NOT_PERSONAL",
                        registry.NOT_PERSONAL - {"mfa.Authenticator.id"})
    problems = registry_problems(project_models())
    assert [p.id for p in problems] == ["privacy.E001"]
    assert "mfa.Authenticator.id" in problems[0].msg


def _export(client: Client) -> tuple[dict[str, Any], str]:
    response = client.post("/privacy/my-data/export/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return json.loads(archive.read("data.json")), archive.read("data.html").decode()


def test_a_second_address_sessions_and_authenticators_show_on_my_data_and_export(
    client: Client,
) -> None:
    member = MemberFactory()
    log_in(client, member)
    reauthenticate(client)
    response = client.post("/accounts/email/", {"action_add": "", "email": SECOND})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=member, email=email_stand_in(SECOND),
                                       verified=False).exists()
    Authenticator.objects.create(user=member, type=Authenticator.Type.RECOVERY_CODES,
                                 data={"seed": "ab" * 20, "used_mask": 0})
    assert UserSession.objects.filter(user=member).exists()  # this sign-in

    page = client.get("/privacy/my-data/").content.decode()
    assert SECOND in page and member.email in page
    assert "ab" * 20 not in page
    sessions = client.get("/privacy/my-data/items/sessions/").content.decode()
    assert "127.0.0.1" in sessions
    factors = client.get("/privacy/my-data/items/second_factor/").content.decode()
    assert str(Authenticator.Type.RECOVERY_CODES.label) in factors or "recovery" in factors
    assert "ab" * 20 not in factors

    reauthenticate(client)
    data, html = _export(client)
    text = json.dumps(data, ensure_ascii=False)
    assert SECOND in text and SECOND in html
    assert "127.0.0.1" in text
    assert "ab" * 20 not in text and "ab" * 20 not in html
    session_key = client.session.session_key
    assert session_key not in text and session_key not in html


def test_allauths_admin_pages_are_masked_and_reveal_is_logged(admin_client: Client) -> None:
    member = MemberFactory(email="minsoo.kim@example.com")
    address = EmailAddress.objects.create(user=member, email="minsoo.kim@example.com",
                                          primary=True, verified=True)
    session = UserSession.objects.create(user=member, session_key="s" * 32,
                                         ip="198.51.100.23", user_agent="Firefox/130.0 (X11)")
    listing = admin_client.get("/admin/account/emailaddress/").content.decode()
    assert "m********m@example.com" in listing and "minsoo.kim@example.com" not in listing
    assert AccessLogEntry.objects.filter(action="list:account.emailaddress").exists()
    sessions = admin_client.get("/admin/usersessions/usersession/").content.decode()
    assert "198.51.*.*" in sessions and "198.51.100.23" not in sessions
    assert "(X11)" not in sessions and "s" * 32 not in sessions

    revealed = admin_client.post(f"/admin/account/emailaddress/{address.pk}/reveal/")
    assert "minsoo.kim@example.com" in revealed.content.decode()
    entry = AccessLogEntry.objects.get(action="reveal:account.emailaddress")
    assert (entry.subject_ref, entry.fields) == (member.subject_ref, "email")
    admin_client.post(f"/admin/usersessions/usersession/{session.pk}/reveal/")
    assert AccessLogEntry.objects.get(action="reveal:usersessions.usersession").fields == \
        "ip,user_agent"
