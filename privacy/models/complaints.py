"""Privacy complaints and their answers (policy section 8)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.fields import DataKeyField, EncryptedTextField


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


COMPLAINT_ANSWER_DAYS = 10
COMPLAINT_OPEN = (ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)


class Complaint(models.Model):
    """A complaint to the privacy officer (policy section 8), from a member or a guest."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    subject_ref = models.UUIDField(_("subject reference"), default=uuid.uuid4, db_index=True)
    name = EncryptedTextField(_("name"), blank=True)
    contact = EncryptedTextField(_("contact (phone or email)"), blank=True)
    body = EncryptedTextField(_("complaint"))
    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("privacy complaint")
        verbose_name_plural = _("privacy complaints")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d}"

    @property
    def answer_due_on(self) -> Any:
        """Answers are due within 10 days (PIPA Enforcement Decree art. 41(4))."""
        return timezone.localdate(self.created_at) + timedelta(days=COMPLAINT_ANSWER_DAYS)

    def is_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.status in COMPLAINT_OPEN and today > self.answer_due_on
