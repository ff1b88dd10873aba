"""The processors in force (the policy page lists them and keys its cached body by them)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from privacy.models import Processor
from privacy.processors.selectors import processors_active
from tests.privacy.factories import ProcessorFactory

pytestmark = pytest.mark.django_db


def names_on(day: datetime.date) -> list[str]:
    return [processor.name for processor in processors_active(on=day)]


def test_the_processors_in_force_on_a_day() -> None:
    """The policy page keys its body by the processors in force on the day it is asked."""
    Processor.objects.all().delete()
    ended = ProcessorFactory(name="끝난 곳", since=datetime.date(2025, 1, 1),
                             until=datetime.date(2026, 6, 30))
    ProcessorFactory(name="계속", since=datetime.date(2026, 1, 1), until=None)
    assert names_on(datetime.date(2026, 6, 30)) == ["끝난 곳", "계속"]
    assert names_on(datetime.date(2026, 7, 1)) == ["계속"]
    assert names_on(datetime.date(2024, 12, 31)) == []
    assert ended in processors_active(on=datetime.date(2025, 1, 1))


def test_the_policy_page_shows_a_processor_as_it_is_after_each_change(client: Client) -> None:
    """Changed and changed back, a processor shows on the policy page as it is now (the cached
    body is keyed by the processors read on each request)."""
    Processor.objects.all().delete()
    provider = ProcessorFactory(name="메일발송사", since=datetime.date(2025, 1, 1), until=None)
    assert "메일발송사" in client.get("/privacy/policy/").content.decode()
    Processor.objects.filter(pk=provider.pk).update(name="새 발송사")
    html = client.get("/privacy/policy/").content.decode()
    assert "새 발송사" in html and "메일발송사" not in html
    Processor.objects.filter(pk=provider.pk).update(name="메일발송사")
    html = client.get("/privacy/policy/").content.decode()
    assert "메일발송사" in html and "새 발송사" not in html
