"""The layout's header and footer, kept rendered per language and signed-in state
(``clinic_site.kept_markup``); base.html places them."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from clinic_site.context_processors import site_for
from clinic_site.kept_markup import fill_request_holes, kept_markup

register = template.Library()


def _kept(template_name: str, context: Any) -> str:
    """``template_name`` for this language and signed-in state (a page rendered without a
    request, such as an error page, counts as signed out)."""
    request = context.get("request")
    signed_in = bool(request is not None and request.user.is_authenticated)
    language = get_language() or settings.LANGUAGE_CODE
    return kept_markup(template_name, variant=(signed_in,), context=lambda: {
        "LANGUAGE_CODE": language, "signed_in": signed_in, **site_for(language),
    })


@register.simple_tag(takes_context=True)
def site_header(context: Any) -> SafeString:
    return fill_request_holes(_kept("includes/site_header.html", context), context)


@register.simple_tag(takes_context=True)
def site_footer(context: Any) -> SafeString:
    return SafeString(_kept("includes/site_footer.html", context))
