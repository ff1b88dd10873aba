"""Helpers for the privacy manager's console tests."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command

SEOUL = datetime.timezone(datetime.timedelta(hours=9))


def at(*args: int) -> datetime.datetime:
    """A moment in Seoul time (the site's time zone)."""
    return datetime.datetime(*args, tzinfo=SEOUL)


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()
