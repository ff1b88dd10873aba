"""The privacy manager's console: breach incidents and notices, inventories, open requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BREACH_NOTIFY_HOURS = 72  # PIPA art. 34(1): notify the people affected without delay, 72 hours
BREACH_REPORT_THRESHOLD = 1000  # PIPA art. 34(3), Enforcement Decree art. 40: report from 1,000


class BreachIncident(models.Model):
    """A leak, loss or theft of personal data (PIPA art. 34), from discovery to the last notice.

    ``items`` are registry item keys; the window says when the data could have been reached.
    ``description`` and ``measures`` go into every notice as written: no personal data there.
    """

    items = models.JSONField(_("collection items"), default=list)
    since = models.DateTimeField(_("exposed from"))
    until = models.DateTimeField(
        _("exposed until"), null=True, blank=True,
        help_text=_("Empty while the cause has not been closed."),
    )
    description = models.TextField(
        _("when and how it happened"), max_length=2000,
        help_text=_("Sent to the people affected: write no personal data here."),
    )
    description_en = models.TextField(
        _("when and how it happened (English)"), max_length=2000, blank=True,
        help_text=_("For the English half of the notice; the Korean text is used if empty."),
    )
    measures = models.TextField(_("what the clinic does about it"), max_length=2000, blank=True)
    measures_en = models.TextField(
        _("what the clinic does about it (English)"), max_length=2000, blank=True
    )
    by_hacking = models.BooleanField(_("unlawful access from outside (hacking)"), default=False)
    discovered_at = models.DateTimeField(_("discovered at"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    affected_count = models.PositiveIntegerField(_("people affected"), default=0)
    reported_to_authority_at = models.DateTimeField(
        _("reported to the authority at"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data breach")
        verbose_name_plural = _("personal data breaches")
        ordering = ["-discovered_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.discovered_at:%Y-%m-%d %H:%M}"

    @property
    def notify_by(self) -> Any:
        return self.discovered_at + timedelta(hours=BREACH_NOTIFY_HOURS)


class BreachNotice(models.Model):
    """One person's notice of a breach: claimed (committed) before the email goes, so a re-run
    never sends it twice; ``sent_at`` is the time the mail server accepted it."""

    incident = models.ForeignKey(
        BreachIncident, verbose_name=_("breach"), on_delete=models.PROTECT, related_name="notices"
    )
    subject_ref = models.UUIDField(_("subject reference"), db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("breach notice")
        verbose_name_plural = _("breach notices")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "subject_ref"], name="breach_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{'sent' if self.sent_at else 'claimed'}"


class Inventory(models.Model):
    """No table: names the read-only inventory page in the admin and its permission
    (``privacy.view_inventory``), which the privacy-manager role is given."""

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = _("personal data inventory")
        verbose_name_plural = _("personal data inventory")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class OpenRequest(models.Model):
    """No table: names the admin page of open requests and complaints with their deadlines
    (``privacy.view_openrequest``)."""

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = _("open request")
        verbose_name_plural = _("open requests at a glance")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
