"""Consultation board, guest and post-surgery consultations, staff answers and reviews
(policy section 1)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from privacy.fields import DataKeyField, EncryptedTextField

TITLE_MAX_LENGTH = 120
BODY_MAX_LENGTH = 5000
GUEST_NAME_MAX_LENGTH = 50
PROCEDURE_NAME_MAX_LENGTH = 100
RATING_MIN, RATING_MAX = 1, 5


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
        """The name in the active language: choice lists, "my data" and the admin show the
        area as the reader's language names it."""
        return self.name(get_language() or settings.LANGUAGE_CODE)

    def name(self, language: str) -> str:
        return self.name_en if language.startswith("en") else self.name_ko


class ConsultationKind(models.TextChoices):
    BOARD = "board", _("consultation board")
    AFTERCARE = "aftercare", _("post-surgery consultation")


class ProcedureRecord(models.Model):
    """Staff's mark that a member is a patient of a procedure; it opens after-care consultations
    and reviews to them. Health information, so the procedure name is encrypted."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("patient"), on_delete=models.CASCADE,
        related_name="procedure_records",
    )
    area = models.ForeignKey(
        ConsultationArea, verbose_name=_("procedure area"), on_delete=models.PROTECT,
        related_name="procedure_records",
    )
    procedure_name = EncryptedTextField(_("procedure"))
    performed_on = models.DateField(_("date of the procedure"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("procedure record")
        verbose_name_plural = _("procedure records")
        ordering = ["-performed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.area} {self.performed_on:%Y-%m-%d}"


class Consultation(models.Model):
    """A member's question on the consultation board, or an after-care question of a patient
    (always private); the body is health information."""

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
    kind = models.CharField(
        _("kind"), max_length=20, choices=ConsultationKind.choices, default=ConsultationKind.BOARD,
        db_index=True,
    )
    procedure = models.ForeignKey(
        ProcedureRecord, verbose_name=_("procedure"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="consultations",
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-id"]
        # Post-surgery questions are for doctors (roles in members).
        permissions = [
            ("answer_aftercare", _("Can read and answer post-surgery consultations")),
        ]
        # Keyset pagination of the board (consultations.pagination): the page starts with a
        # seek in (kind, created_at, id), with or without the area filter.
        indexes = [
            models.Index(fields=["kind", "created_at", "id"], name="consultation_board_seek"),
            models.Index(
                fields=["area", "kind", "created_at", "id"], name="consultation_area_seek"
            ),
            # An author's newest posts ("my data" shows the newest few of thousands).
            models.Index(fields=["author", "created_at", "id"], name="consultation_author_seek"),
        ]

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
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at", "id"], name="review_status_seek"),
            models.Index(fields=["author", "created_at", "id"], name="review_author_seek"),
        ]

    def __str__(self) -> str:
        return self.title


class GuestConsultation(models.Model):
    """A question from a visitor without an account. Its own data key makes it its own subject:
    once its purpose is achieved, destroying that key erases name, phone and contents."""

    subject_ref = models.UUIDField(
        _("subject reference"), default=uuid.uuid4, unique=True, editable=False
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    password = models.CharField(_("password"), max_length=128, editable=False)
    name = EncryptedTextField(_("name"))
    mobile_phone = EncryptedTextField(_("mobile phone number"))
    # Finds the guest's consultations by number (the reference is sent again by text message)
    # without decrypting every row; blanked with the number when the consultation is destroyed.
    mobile_phone_digest = models.CharField(
        _("mobile phone lookup digest"), max_length=64, blank=True, db_index=True,
        editable=False,
    )
    area = models.ForeignKey(
        ConsultationArea, verbose_name=_("area"), on_delete=models.PROTECT,
        related_name="guest_consultations",
    )
    title = EncryptedTextField(_("title"))
    body = EncryptedTextField(_("question"))
    answer = EncryptedTextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    destroyed_at = models.DateTimeField(
        _("personal data destroyed at"), null=True, blank=True, editable=False
    )
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("guest consultation")
        verbose_name_plural = _("guest consultations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference
