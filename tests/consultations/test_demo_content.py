"""`make run` loads demo content; running it twice changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from consultations.models import Answer, Consultation, ConsultationArea, Review
from members.models import Member
from privacy.models import PolicyVersion

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_content_loads_once_and_prints_the_password_once(client: Client) -> None:
    first = load()
    counts = (ConsultationArea.objects.count(), Consultation.objects.count(),
              Answer.objects.count(), Review.objects.count(), Member.objects.count(),
              PolicyVersion.objects.count())
    assert "password" in first
    second = load()
    assert "password" not in second
    assert counts == (ConsultationArea.objects.count(), Consultation.objects.count(),
                      Answer.objects.count(), Review.objects.count(), Member.objects.count(),
                      PolicyVersion.objects.count())
    assert counts[0] == 7 and counts[1] >= 2 and counts[2] >= 1 and counts[3] >= 1
    staff = Member.objects.with_login_id("staff").get()
    password = first.split("password ")[1].split(" ")[0]
    assert staff.is_staff and staff.check_password(password)
    assert client.get("/reviews/").status_code == 200
    policy = client.get("/privacy/policy/").content.decode()
    assert "1.0" in policy
