"""A member's booking requests follow from the registry: the policy page, "my data" and the
export show them like every other item."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client

from consultations.models import BookingStatus
from tests.consultations.factories import BookingRequestFactory, seoul
from tests.members.factories import MemberFactory, log_in, reauthenticate

pytestmark = pytest.mark.django_db


def test_the_policy_page_declares_booking_requests(client: Client) -> None:
    html = client.get("/privacy/policy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "consultation booking request" in html
    assert "booking request: consultation area, preferred times, note and appointment" in html


def test_my_data_and_the_export_hold_the_members_booking_request(client: Client) -> None:
    member = MemberFactory()
    BookingRequestFactory(member=member, data_key=member.data_key, name="", contact="",
                          contact_digest="", note="내 예약 메모", status=BookingStatus.CONFIRMED,
                          appointment_at=seoul("2026-11-27 10:00"))
    BookingRequestFactory(note="남의 예약 메모")
    log_in(client, member)
    reauthenticate(client)
    response = client.post("/privacy/my-data/export/")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    text = json.dumps(json.loads(archive.read("data.json")), ensure_ascii=False)
    assert "내 예약 메모" in text and "남의 예약 메모" not in text
    page = client.get("/privacy/my-data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "booking request: consultation area" in page
