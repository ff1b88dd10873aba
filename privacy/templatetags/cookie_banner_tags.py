"""The cookie banner: shown while an optional cookie group is undecided."""

from __future__ import annotations

from typing import Any

from cookie_consent.util import (
    get_not_accepted_or_declined_cookie_groups,
    is_cookie_consent_enabled,
)
from django import template

register = template.Library()

# The page where the groups are chosen one by one needs no banner above it.
GROUP_LIST_URL_NAME = "cookie_consent_cookie_group_list"


@register.inclusion_tag("includes/cookie_banner_markup.html", takes_context=True)
def cookie_banner(context: Any) -> dict[str, Any]:
    """The banner for this request, or nothing once every group is decided (or on a page
    rendered without a request, such as an error page)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    show = request is not None and is_cookie_consent_enabled(request) and not (
        match is not None and match.url_name == GROUP_LIST_URL_NAME
    ) and bool(get_not_accepted_or_declined_cookie_groups(request))
    return {"show": show, "request": request, "csrf_token": context.get("csrf_token"),
            "LANGUAGE_CODE": context.get("LANGUAGE_CODE")}
