"""Consultation board, staff answers and post-surgery reviews (policy section 1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.fields import DataKeyField, EncryptedTextField

TITLE_MAX_LENGTH = 120
BODY_MAX_LENGTH = 5000


class ConsultationArea(models.Model):
    """An area of consultation (eyes, nose, ...); staff can edit the list in the admin."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("consultation area")
        verbose_name_plural = _("consultation areas")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name_ko

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_ko


class Consultation(models.Model):
    """A member's question on the consultation board; the body is health information."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.CASCADE,
        related_name="consultations",
    )
    area = models.ForeignKey(
        ConsultationArea, verbose_name=_("area"), on_delete=models.PROTECT,
        related_name="consultations",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = EncryptedTextField(_("question"))
    is_private = models.BooleanField(_("private"), default=False)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Answer(models.Model):
    """A staff answer; sealed with the asker's key, as it discusses the asker's health."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE,
        related_name="answers",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    body = EncryptedTextField(_("answer"))
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.consultation} #{self.pk}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("awaiting moderation")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")


class Review(models.Model):
    """A member's review of a procedure, shown only after staff moderation."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.CASCADE,
        related_name="reviews",
    )
    area = models.ForeignKey(
        ConsultationArea, verbose_name=_("procedure area"), on_delete=models.PROTECT,
        related_name="reviews",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = EncryptedTextField(_("review"))
    rating = models.PositiveSmallIntegerField(_("rating"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
