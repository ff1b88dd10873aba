"""Staff edit the clinic pages here; every change clears the cached pages at once."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clinic import services
from clinic.forms import DoctorForm, ProcedurePageForm
from clinic.models import Doctor, Holiday, OpeningHours, ProcedurePage, VisitInformation
from clinic.selectors import clinic_cache_clear
from privacy.admin_mixins import YesNoIconsAdmin


class _ClearsCache(YesNoIconsAdmin):
    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        clinic_cache_clear()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        clinic_cache_clear()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        clinic_cache_clear()


@admin.register(ProcedurePage)
class ProcedurePageAdmin(_ClearsCache):
    form = ProcedurePageForm
    list_display = ("area", "is_published", "updated_at")
    list_select_related = ("area",)
    fieldsets = (
        (None, {"fields": ("area", "is_published")}),
        (_("Korean"), {"fields": ("summary_ko", "procedures_ko", "recovery_ko", "risks_ko")}),
        (_("English"), {"fields": ("summary_en", "procedures_en", "recovery_en", "risks_en")}),
    )

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        assert isinstance(obj, ProcedurePage)
        services.procedure_page_save(page=obj)


@admin.register(Doctor)
class DoctorAdmin(_ClearsCache):
    form = DoctorForm
    list_display = ("name_ko", "name_en", "specialty_ko", "position", "is_active")
    list_editable = ("position", "is_active")

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        assert isinstance(obj, Doctor) and isinstance(form, DoctorForm)
        services.doctor_save(doctor=obj, processed_photo=form.processed_photo)


@admin.register(OpeningHours)
class OpeningHoursAdmin(_ClearsCache):
    list_display = ("weekday", "opens_at", "closes_at")


@admin.register(Holiday)
class HolidayAdmin(_ClearsCache):
    list_display = ("date", "name_ko", "name_en")
    date_hierarchy = "date"


@admin.register(VisitInformation)
class VisitInformationAdmin(_ClearsCache):
    list_display = ("__str__", "updated_at")
