"""The cookie banner, rendered once per language and kept with holes for what each request
fills in: its CSRF token and the page to come back to.

The banner shows on every page until a visitor decides, so for most visitors it is on every
page they open; rendered with its two forms it cost as much as the rest of the layout. Its
markup (``includes/cookie_banner_markup.html``) depends only on the language and the code, so
it is kept in the process's "layout" cache like the layout's other fixed parts."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

MARKUP_TEMPLATE = "includes/cookie_banner_markup.html"
# Stand-ins rendered into the kept markup; ASCII letters only, so escaping leaves them as
# they are and no translation or URL contains them.
_CSRF_HOLE = "cookiebannercsrfhole7d1e"
_NEXT_HOLE = "cookiebannernexthole7d1e"


def cookie_banner_markup(language: str) -> str:
    cache = caches["layout"]
    key = f"cookie-banner-markup:{language}"
    markup = cache.get(key)
    if markup is None:
        markup = str(render_to_string(
            MARKUP_TEMPLATE, {"csrf_token": _CSRF_HOLE, "next_path": _NEXT_HOLE}
        ))
        cache.set(key, markup)
    return markup


@register.simple_tag(takes_context=True)
def cookie_banner(context: Any) -> SafeString:
    """The banner for this request: the kept markup with the request's CSRF token and path,
    escaped as the template would escape them."""
    request = context["request"]
    markup = cookie_banner_markup(get_language() or "")
    return mark_safe(  # noqa: S308 - the markup is rendered by the template engine, and
        # the two values filled in are escaped here
        markup.replace(_CSRF_HOLE, escape(str(context.get("csrf_token", ""))))
        .replace(_NEXT_HOLE, escape(request.get_full_path()))
    )
