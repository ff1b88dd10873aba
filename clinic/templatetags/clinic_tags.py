"""Template helpers of the clinic pages: the text of an object in the page's language, and
staff rich text shown as the safe markup it was reduced to."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from clinic.richtext import sanitise

register = template.Library()


@register.simple_tag
def localised(obj: Any, name: str, language: str) -> str:
    """``obj.<name>_en`` on English pages, ``obj.<name>_ko`` otherwise."""
    return str(getattr(obj, f"{name}_{'en' if language == 'en' else 'ko'}"))


@register.simple_tag
def rich_text(obj: Any, name: str, language: str) -> SafeString:
    """Sanitised again as it is shown, so a row written around the admin is safe too; the
    templates cache the result."""
    value = str(getattr(obj, f"{name}_{'en' if language == 'en' else 'ko'}"))
    return mark_safe(sanitise(value))  # noqa: S308 - nh3 leaves only the allowed markup


@register.filter
def qualification_lines(doctor: Any, language: str) -> list[str]:
    return list(doctor.qualification_lines(language))
