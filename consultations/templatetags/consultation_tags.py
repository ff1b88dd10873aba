"""Filters of the boards' templates."""

from __future__ import annotations

from django import template

from consultations.models import ConsultationArea
from privacy.masking import mask_name

register = template.Library()


@register.filter
def masked_name(name: str) -> str:
    """An author's name as the public lists show it (``privacy.masking.mask_name``)."""
    return mask_name(name)


@register.filter
def area_name(area: ConsultationArea, language: str) -> str:
    """The area's name in the page's language (``ConsultationArea.name``)."""
    return area.name(language)
