"""Template tags of the privacy pages."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone

from privacy.selectors import VersionSummary, policy_version_upcoming

register = template.Library()


@register.simple_tag
def policy_banner_version() -> VersionSummary | None:
    """The version announced by the banner (costs one cached query at most)."""
    return policy_version_upcoming()


def _local(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


@register.filter
def minute(value: Any) -> str:
    """``value`` as ``YYYY-MM-DD HH:MM`` in the site's time zone (a date as ``YYYY-MM-DD``).

    What ``|date:"Y-m-d H:i"`` prints, at a fraction of its cost: the "my data" pages print
    dozens of times and ``date`` interprets its format anew for each."""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, datetime.date) else ""


@register.filter
def day(value: Any) -> str:
    """``value`` as ``YYYY-MM-DD`` in the site's time zone (``|date:"Y-m-d"``, cheaper)."""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, datetime.date) else ""

