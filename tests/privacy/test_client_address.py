"""The client's address: one helper, allauth's trusted-proxy settings, nothing a client forges.

Everything that records or limits by address (login records, the consent ledger, the staff
access log, allauth's and our rate limits) asks ``privacy.access_log.client_ip``."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from members.models import LoginRecord, LoginResult, Member
from privacy.access_log import client_ip
from privacy.models import ConsentRecord, PolicyVersion
from tests.consultations.factories import GUEST_PASSWORD, GuestConsultationFactory
from tests.members.factories import DEFAULT_PASSWORD, MemberFactory, verify_email
from tests.security.conftest import signup_fields

PROXY = "127.0.0.1"
SPOOFED = "203.0.113.10"
GUESSER = "203.0.113.66"
GUEST_READ = "/consultations/guest/read/"


def request_with(**meta: str):
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored() -> None:
    request = request_with(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=SPOOFED)
    assert client_ip(request) == "198.51.100.7"


def test_behind_one_proxy_the_address_it_saw_is_the_clients(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended what it saw.
    request = request_with(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SPOOFED}, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"


def test_a_header_set_by_the_proxy_names_the_client(settings) -> None:
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = request_with(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.8",
                           HTTP_X_FORWARDED_FOR=SPOOFED)
    assert client_ip(request) == "198.51.100.8"


def test_a_request_that_skipped_a_trusted_proxy_has_no_address(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    request = request_with(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(request) is None


def test_garbage_in_the_header_is_no_address(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = request_with(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(request) is None


@pytest.mark.django_db
def test_spoofed_forwarded_addresses_do_not_escape_the_per_address_limit() -> None:
    """No proxy trusted: a guesser who varies X-Forwarded-For is still one address."""
    guests = GuestConsultationFactory.create_batch(21)
    client = Client(REMOTE_ADDR="192.0.2.7")
    statuses = [
        client.post(GUEST_READ, {"reference": guest.reference, "password": "guess-guess"},
                    HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n, guest in enumerate(guests)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429


@pytest.mark.django_db
def test_behind_one_proxy_one_guessers_failures_do_not_lock_out_another_client(settings
                                                                                ) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    guests = GuestConsultationFactory.create_batch(21)
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=GUESSER)
    statuses = [
        guesser.post(GUEST_READ, {"reference": guest.reference, "password": "guess-guess"}
                     ).status_code
        for guest in guests[:20]
    ]
    assert statuses == [200] * 20
    assert guesser.post(GUEST_READ, {"reference": guests[20].reference,
                                     "password": GUEST_PASSWORD}).status_code == 429

    # A real guest, through the same proxy, from another address, with the right password.
    own = GuestConsultationFactory()
    guest = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = guest.post(GUEST_READ, {"reference": own.reference, "password": GUEST_PASSWORD})
    assert response.status_code == 200
    assert own.body in response.content.decode()


@pytest.mark.django_db
def test_behind_one_proxy_failed_logins_are_counted_per_client(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=GUESSER)
    for n in range(20):
        guesser.post(reverse("account_login"),
                     {"login": f"nobody{n:02d}", "password": "wrong-password-1"})
    assert "로그인에 여러 번 실패하였습니다" in guesser.post(
        reverse("account_login"), {"login": "nobody99", "password": "wrong-password-1"}
    ).content.decode()

    member = verify_email(MemberFactory())
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = client.post(reverse("account_login"),
                           {"login": member.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    # The login record holds the client's address, not the proxy's.
    record = LoginRecord.objects.get(member=member)
    assert (record.result, record.ip_address) == (LoginResult.SUCCESS, "198.51.100.20")
    # Failed log-ins that name no member keep no address at all (it would be no one's to seal
    # it under); the limit above counted them per client all the same.
    failures = LoginRecord.objects.filter(result=LoginResult.FAILURE)
    assert failures.exists() and set(failures.values_list("ip_address", flat=True)) == {None}


@pytest.mark.django_db
def test_behind_one_proxy_the_consent_ledger_holds_the_clients_address(settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    PolicyVersion.objects.create(version="1.0", effective_on="2024-07-01")
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SPOOFED}, 198.51.100.30")
    response = client.post(reverse("account_signup"),
                           signup_fields("proxied01", "proxied01@example.com"))
    assert response.status_code == 302
    member = Member.objects.with_login_id("proxied01").get()
    # Sealed under the member's key in the table; read through the model.
    addresses = {record.ip_address for record in
                 ConsentRecord.objects.filter(member=member).select_related("data_key")}
    assert addresses == {"198.51.100.30"}
