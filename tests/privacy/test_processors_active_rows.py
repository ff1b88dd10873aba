"""The processors in force, read by a statement compiled once (the policy page keys its kept
body by them and renders it from the same rows)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from privacy.models import Processor
from privacy.selectors import processors_active_rows
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db


def test_a_day_is_put_in_as_django_puts_in_a_date() -> None:
    """The policy page keys its body by the processors in force on the day it is asked."""
    Processor.objects.all().delete()
    ended = ProcessorFactory(name="끝난 곳", since=datetime.date(2025, 1, 1),
                             until=datetime.date(2026, 6, 30))
    ProcessorFactory(name="계속", since=datetime.date(2026, 1, 1), until=None)
    names = [row["name"] for row in processors_active_rows(on=datetime.date(2026, 6, 30))]
    assert names == ["끝난 곳", "계속"]
    names = [row["name"] for row in processors_active_rows(on=datetime.date(2026, 7, 1))]
    assert names == ["계속"]
    assert processors_active_rows(on=datetime.date(2024, 12, 31)) == []
    assert ended.pk in {row["id"] for row in processors_active_rows(on=datetime.date(2025, 1, 1))}
    # A moment given for the day counts as its date, as the ORM's DateField takes it.
    late = datetime.datetime(2026, 6, 30, 23, 0)
    assert [row["name"] for row in processors_active_rows(on=late)] == ["끝난 곳", "계속"]



def test_the_policy_page_shows_a_processor_as_it_is_after_each_change(client: Client) -> None:
    """Changed and changed back, a processor shows on the policy page as it is now (the kept
    body is keyed by the rows read on each request)."""
    Processor.objects.all().delete()
    provider = ProcessorFactory(name="메일발송사", since=datetime.date(2025, 1, 1), until=None)
    assert "메일발송사" in client.get("/privacy/policy/").content.decode()
    Processor.objects.filter(pk=provider.pk).update(name="새 발송사")
    html = client.get("/privacy/policy/").content.decode()
    assert "새 발송사" in html and "메일발송사" not in html
    Processor.objects.filter(pk=provider.pk).update(name="메일발송사")
    html = client.get("/privacy/policy/").content.decode()
    assert "메일발송사" in html and "새 발송사" not in html
