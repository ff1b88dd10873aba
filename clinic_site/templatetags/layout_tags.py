"""The layout's header and footer, kept rendered per language and signed-in state
(``clinic_site.kept_markup``); base.html places them."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from clinic_site.context_processors import site_for
from clinic_site.kept_markup import fill_holes, kept_markup

register = template.Library()


def _variant(context: Any) -> tuple[str, bool]:
    language = get_language() or settings.LANGUAGE_CODE
    return language, bool(context["request"].user.is_authenticated)


def _render_context(language: str, signed_in: bool) -> dict[str, Any]:
    return {"LANGUAGE_CODE": language, "signed_in": signed_in, **site_for(language)}


@register.simple_tag(takes_context=True)
def site_header(context: Any) -> SafeString:
    language, signed_in = variant = _variant(context)
    markup = kept_markup("includes/site_header.html", variant=variant,
                         context=_render_context(language, signed_in))
    return fill_holes(markup, csrf_token=str(context.get("csrf_token", "")),
                      next_path=context["request"].get_full_path())


@register.simple_tag(takes_context=True)
def site_footer(context: Any) -> SafeString:
    language, signed_in = variant = _variant(context)
    return SafeString(kept_markup("includes/site_footer.html", variant=variant,
                                  context=_render_context(language, signed_in)))
