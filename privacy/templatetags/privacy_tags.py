"""Template tags of the privacy pages.

The markup is in templates (``privacy/templates/privacy/selfservice/``); the tags here only
pick what a template needs and format times.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from privacy.ledger import policy_version_upcoming
from privacy.selfservice.forms import ItemRequestForm

register = template.Library()


@register.simple_tag
def policy_banner() -> SafeString:
    """The banner announcing an upcoming policy version, or nothing (one cached query at
    most)."""
    upcoming = policy_version_upcoming()
    if upcoming is None:
        return SafeString("")
    return render_to_string("includes/policy_banner.html", {"upcoming": upcoming})


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


@register.inclusion_tag("privacy/selfservice/_request_form.html", takes_context=True)
def item_request_form(context: template.Context) -> dict[str, Any]:
    """The form asking the officer to correct or delete an item, sent to the page's own
    address for requests (a child's, for their representative). Its text and choices are the
    same for everyone and cached per language; the CSRF token stays outside the cache."""
    return {
        "csrf_token": context.get("csrf_token", ""),
        "action": context["urls"]["request"],
        "request_form": ItemRequestForm(),
    }
