"""The clinic's own pages, edited by staff in the admin: a page per consultation area, the
doctors, the visit directions, opening hours and holidays. They describe the clinic and its
staff in their professional role, never a member or a patient: nothing here is personal data
of the people the privacy policy is about (``privacy.registry.NOT_PERSONAL`` says so)."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.images import image_upload_to

TITLE_MAX_LENGTH = 120
SUMMARY_MAX_LENGTH = 300
RICH_TEXT_MAX_LENGTH = 20_000
NAME_MAX_LENGTH = 60


class ProcedurePageQuerySet(models.QuerySet["ProcedurePage"]):
    def published(self) -> ProcedurePageQuerySet:
        return self.filter(is_published=True, area__is_active=True)


class ProcedurePage(models.Model):
    """What the procedures of one consultation area are, the recovery and the risks, in Korean
    and English. The rich text is sanitised to safe markup before it is stored
    (``clinic.richtext``), so the template may show it as it is."""

    area = models.OneToOneField(
        "consultations.ConsultationArea", verbose_name=_("consultation area"),
        on_delete=models.CASCADE, related_name="page",
    )
    summary_ko = models.CharField(_("summary (Korean)"), max_length=SUMMARY_MAX_LENGTH)
    summary_en = models.CharField(_("summary (English)"), max_length=SUMMARY_MAX_LENGTH)
    procedures_ko = models.TextField(_("procedures (Korean)"), max_length=RICH_TEXT_MAX_LENGTH)
    procedures_en = models.TextField(_("procedures (English)"), max_length=RICH_TEXT_MAX_LENGTH)
    recovery_ko = models.TextField(_("recovery (Korean)"), max_length=RICH_TEXT_MAX_LENGTH)
    recovery_en = models.TextField(_("recovery (English)"), max_length=RICH_TEXT_MAX_LENGTH)
    risks_ko = models.TextField(_("risks (Korean)"), max_length=RICH_TEXT_MAX_LENGTH)
    risks_en = models.TextField(_("risks (English)"), max_length=RICH_TEXT_MAX_LENGTH)
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    objects = ProcedurePageQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure page")
        verbose_name_plural = _("procedure pages")
        ordering = ["area__position", "area_id"]

    def __str__(self) -> str:
        return str(self.area)

    def text(self, name: str, language: str) -> str:
        """The field ``name`` ("summary", "procedures", ...) in ``language``."""
        return str(getattr(self, f"{name}_{'en' if language == 'en' else 'ko'}"))


class DoctorQuerySet(models.QuerySet["Doctor"]):
    def active(self) -> DoctorQuerySet:
        return self.filter(is_active=True)


class Doctor(models.Model):
    """A doctor of the clinic as the clinic presents them to patients. The photo is checked,
    stripped of its metadata and stored with its resized copies (``clinic.images``)."""

    name_ko = models.CharField(_("name (Korean)"), max_length=NAME_MAX_LENGTH)
    name_en = models.CharField(_("name (English)"), max_length=NAME_MAX_LENGTH)
    specialty_ko = models.CharField(_("specialty (Korean)"), max_length=TITLE_MAX_LENGTH)
    specialty_en = models.CharField(_("specialty (English)"), max_length=TITLE_MAX_LENGTH)
    qualifications_ko = models.TextField(
        _("qualifications (Korean)"), max_length=2000, help_text=_("One per line.")
    )
    qualifications_en = models.TextField(
        _("qualifications (English)"), max_length=2000, help_text=_("One per line.")
    )
    photo = models.ImageField(
        _("photo"), upload_to=image_upload_to, blank=True, max_length=200,
        help_text=_("JPEG, PNG or WebP, at most 5 MB and 6000 pixels on a side."),
    )
    photo_small = models.ImageField(
        _("photo, 320 pixels wide"), upload_to=image_upload_to, blank=True, editable=False,
        max_length=200,
    )
    photo_medium = models.ImageField(
        _("photo, 640 pixels wide"), upload_to=image_upload_to, blank=True, editable=False,
        max_length=200,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("shown on the site"), default=True)

    objects = DoctorQuerySet.as_manager()

    class Meta:
        verbose_name = _("doctor")
        verbose_name_plural = _("doctors")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name_ko

    def text(self, name: str, language: str) -> str:
        return str(getattr(self, f"{name}_{'en' if language == 'en' else 'ko'}"))

    def qualification_lines(self, language: str) -> list[str]:
        return [line.strip() for line in self.text("qualifications", language).splitlines()
                if line.strip()]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """The hours of one weekday; a weekday without a row is a day the clinic is closed."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, unique=True)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="opening_hours_open_before_close",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    @property
    def span(self) -> str:
        """"10:00–19:00": times are written the same way in both languages."""
        return f"{self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def covers(self, start: datetime.time, end: datetime.time) -> bool:
        return self.opens_at <= start and end <= self.closes_at


class Holiday(models.Model):
    """A day the clinic is closed although its weekday has opening hours."""

    date = models.DateField(_("date"), unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=NAME_MAX_LENGTH)
    name_en = models.CharField(_("name (English)"), max_length=NAME_MAX_LENGTH)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name_ko}"

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_ko


class VisitInformation(models.Model):
    """Directions to the clinic. The site shows the newest row; the address, phone and map
    search come from settings (``CLINIC_*``), so the footer and this page agree."""

    subway_ko = models.TextField(_("by subway (Korean)"), max_length=2000)
    subway_en = models.TextField(_("by subway (English)"), max_length=2000)
    bus_ko = models.TextField(_("by bus (Korean)"), max_length=2000)
    bus_en = models.TextField(_("by bus (English)"), max_length=2000)
    parking_ko = models.TextField(_("parking (Korean)"), max_length=2000, blank=True)
    parking_en = models.TextField(_("parking (English)"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("visit information")
        verbose_name_plural = _("visit information")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.updated_at:%Y-%m-%d}"

    def text(self, name: str, language: str) -> str:
        return str(getattr(self, f"{name}_{'en' if language == 'en' else 'ko'}"))
