"""The cookie banner: shown while an optional cookie group is undecided, rendered once per
language and kept with holes for each request's CSRF token and page to come back to.

The banner shows on every page until a visitor decides, so for most visitors it is on every
page they open; rendered with its two forms it cost as much as the rest of the layout. Its
markup (``includes/cookie_banner_markup.html``) depends only on the language and the code, so
it is kept like the layout's other fixed parts (``clinic_site.kept_markup``)."""

from __future__ import annotations

from typing import Any

from cookie_consent.util import (
    get_not_accepted_or_declined_cookie_groups,
    is_cookie_consent_enabled,
)
from django import template
from django.utils.safestring import SafeString

from clinic_site.kept_markup import fill_request_holes, kept_markup

register = template.Library()

MARKUP_TEMPLATE = "includes/cookie_banner_markup.html"
# The page where the groups are chosen one by one needs no banner above it.
GROUP_LIST_URL_NAME = "cookie_consent_cookie_group_list"


@register.simple_tag(takes_context=True)
def cookie_banner(context: Any) -> SafeString:
    """The banner for this request, or nothing once every group is decided."""
    request = context.get("request")
    if request is None:  # a page rendered without a request (an error page)
        return SafeString("")
    match = request.resolver_match
    if not is_cookie_consent_enabled(request) or (
        match is not None and match.url_name == GROUP_LIST_URL_NAME
    ) or not get_not_accepted_or_declined_cookie_groups(request):
        return SafeString("")
    return fill_request_holes(kept_markup(MARKUP_TEMPLATE), context)
