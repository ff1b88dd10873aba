"""Filters of the boards' templates, and the member's own questions for "my page"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from consultations import selectors
from consultations.models import ConsultationArea, sealed_areas_name
from members.models import Member
from privacy.masking import mask_name

register = template.Library()


@register.filter
def masked_name(name: str) -> str:
    """An author's name as the public lists show it (``privacy.masking.mask_name``)."""
    return mask_name(name)


@register.filter
def field_named(form: Any, name: str) -> Any:
    """The bound field ``name`` of ``form``, for templates that pick a field by a variable."""
    return form[name]


@register.filter
def area_name(area: ConsultationArea | None, language: str) -> str:
    """The area's name in the page's language (``ConsultationArea.name``); empty for a row
    whose sealed area is gone with its key."""
    return "" if area is None else area.name(language)


@register.filter
def areas_version(areas: Iterable[ConsultationArea]) -> str:
    """What a ``{% cache %}`` fragment listing ``areas`` varies with: their ids, slugs and
    names in their order. A staff edit or another order renders the fragment anew, so a cache
    of this process never shows an area as it was."""
    return "|".join(f"{area.pk}:{area.slug}:{area.name_ko}:{area.name_en}" for area in areas)


MY_PAGE_CONSULTATIONS = 5


@register.inclusion_tag("consultations/_my_consultations.html", takes_context=True)
def my_consultations(context: template.Context, member: Member) -> dict[str, Any]:
    """The member's newest questions with answered or waiting, for "my page" (members render
    it; the boards, a layer above, own the query)."""
    rows = list(selectors.consultation_list_of(member)[:MY_PAGE_CONSULTATIONS + 1])
    sealed_areas_name(rows)
    return {"consultations": rows[:MY_PAGE_CONSULTATIONS],
            "more": len(rows) > MY_PAGE_CONSULTATIONS,
            "LANGUAGE_CODE": context.get("LANGUAGE_CODE")}
