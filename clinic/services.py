"""Changes to the clinic pages made outside the form layer: storing a doctor with the resized
copies of the photo, and the demo content's pages."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic import images
from clinic.models import Doctor, ProcedurePage
from clinic.richtext import clean_rich_text
from clinic.selectors import clinic_cache_clear

__all__ = ["clinic_cache_clear", "doctor_save", "procedure_page_ensure", "procedure_page_save"]


@transaction.atomic
def doctor_save(*, doctor: Doctor, processed_photo: images.ProcessedImage | None) -> Doctor:
    """Save ``doctor``; with a new photo, its resized copies beside it. Without a photo the
    copies go too."""
    if processed_photo is not None:
        doctor.photo_small = processed_photo.variants[images.VARIANT_WIDTHS[0]]
        doctor.photo_medium = processed_photo.variants[images.VARIANT_WIDTHS[1]]
    elif not doctor.photo:
        doctor.photo_small = doctor.photo_medium = None
    doctor.save()
    clinic_cache_clear()
    return doctor


@transaction.atomic
def procedure_page_save(*, page: ProcedurePage) -> ProcedurePage:
    """Save a page written in the admin (its rich text already cleaned by the form) and show
    it at once: the template's fragment cache is keyed by ``updated_at``."""
    page.updated_at = timezone.now()
    page.save()
    clinic_cache_clear()
    return page


@transaction.atomic
def procedure_page_ensure(*, area: Any, texts: dict[str, str]) -> ProcedurePage:
    """Create the page of ``area`` from ``texts`` unless it exists (demo content); its rich
    text goes through the same cleaning as the admin's."""
    page = ProcedurePage.objects.filter(area=area).first()
    if page is not None:
        return page
    cleaned = {
        name: clean_rich_text(value) if not name.startswith("summary") else value
        for name, value in texts.items()
    }
    page = ProcedurePage.objects.create(area=area, **cleaned)
    clinic_cache_clear()
    return page
