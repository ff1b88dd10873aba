"""Admin forms of the clinic pages: rich text reduced to safe markup (a script refused with a
message) and photos checked and cleaned before anything is stored."""

from __future__ import annotations

from typing import Any

from django import forms

from clinic import images
from clinic.models import Doctor, ProcedurePage
from clinic.richtext import clean_rich_text

RICH_TEXT_FIELDS = tuple(
    f"{name}_{language}"
    for name in ("procedures", "recovery", "risks") for language in ("ko", "en")
)


class ProcedurePageForm(forms.ModelForm):
    class Meta:
        model = ProcedurePage
        fields = ("area", "is_published", "summary_ko", "summary_en", *RICH_TEXT_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in RICH_TEXT_FIELDS:
            value = cleaned.get(name)
            if value is None:
                continue
            try:
                cleaned[name] = clean_rich_text(value)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned


class DoctorForm(forms.ModelForm):
    """The photo is replaced by its clean copy here; its resized copies are made from it when
    the doctor is saved (``clinic.services.doctor_save``)."""

    class Meta:
        model = Doctor
        fields = (
            "name_ko", "name_en", "specialty_ko", "specialty_en", "qualifications_ko",
            "qualifications_en", "photo", "position", "is_active",
        )

    processed_photo: images.ProcessedImage | None = None

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not photo or photo == self.initial.get("photo") or not hasattr(photo, "content_type"):
            return photo
        self.processed_photo = images.process(photo, size=photo.size)
        return self.processed_photo.original
