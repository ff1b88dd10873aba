"""Rights requests and processing restrictions (policy section 6)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RestrictionReason(models.TextChoices):
    SUBJECT_REQUEST = "subject_request", _("the person asked to suspend processing (PIPA art. 37)")
    ACCURACY_DISPUTED = "accuracy_disputed", _("accuracy disputed, until corrected")
    OFFICER = "officer", _("decision of the privacy officer")


class RequestChannel(models.TextChoices):
    WEB = "web", _("website")
    PHONE = "phone", _("phone")
    EMAIL = "email", _("email")
    MAIL = "mail", _("mail")
    IN_PERSON = "in_person", _("in person")


class Restriction(models.Model):
    """Processing of some items of a person is suspended while ``lifted_at`` is empty."""

    subject_ref = models.UUIDField(_("subject reference"), db_index=True)
    items = models.JSONField(_("collection items"), default=list)
    reason = models.CharField(_("reason"), max_length=30, choices=RestrictionReason.choices)
    channel = models.CharField(
        _("request received by"), max_length=20, choices=RequestChannel.choices
    )
    reference = models.CharField(_("request reference"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("processing restriction")
        verbose_name_plural = _("processing restrictions")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{', '.join(self.items)} since {self.started_at:%Y-%m-%d}"


RIGHTS_REQUEST_DAYS = 10  # policy section 6: an answer within 10 days


class RightsRequestKind(models.TextChoices):
    VIEW = "view", _("view")
    EXPORT = "export", _("export")
    CORRECTION = "correction", _("correction")
    DELETION = "deletion", _("deletion")
    RESTRICTION = "restriction", _("restriction")
    CONSENT_WITHDRAWAL = "consent_withdrawal", _("consent withdrawal")


class RightsRequest(models.Model):
    """A request to exercise a right of section 6, with its 10-day deadline.

    ``subject_ref`` is emptied when the person's data is erased: the record then proves how a
    request was handled without naming anyone."""

    subject_ref = models.UUIDField(_("subject reference"), null=True, blank=True, db_index=True)
    kind = models.CharField(_("request"), max_length=20, choices=RightsRequestKind.choices)
    items = models.JSONField(_("collection items"), default=list, blank=True)
    channel = models.CharField(
        _("request received by"), max_length=20, choices=RequestChannel.choices
    )
    reference = models.CharField(_("request reference"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    due_on = models.DateField(_("answer due on"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.received_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None
