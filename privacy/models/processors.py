"""Processors the clinic hands data to, and disclosures to third parties (policy section 5)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models.base import AppendOnlyModel


class ProcessorQuerySet(models.QuerySet["Processor"]):
    def active_on(self, day: Any) -> ProcessorQuerySet:
        return self.filter(since__lte=day).filter(
            models.Q(until__isnull=True) | models.Q(until__gte=day)
        )


class Processor(models.Model):
    """A company the clinic delegates processing to (policy section 5)."""

    name = models.CharField(_("name"), max_length=100)
    tasks_ko = models.CharField(_("delegated tasks (Korean)"), max_length=300)
    tasks_en = models.CharField(_("delegated tasks (English)"), max_length=300)
    items = models.JSONField(
        _("collection items it receives"), default=list, blank=True,
        help_text=_("Keys of items in the privacy registry."),
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    # Off by default: delegating what the membership contract or a law needs asks for no
    # consent (PIPA art. 26, disclosed on the policy page); when set, only hand-overs whose
    # purpose rests on consent (registry.HANDOVER_BASIS, e.g. advertising) wait for it.
    requires_consent = models.BooleanField(
        _("members must consent first"), default=False,
        help_text=_("Data for purposes that rest on consent (advertising) is handed to it only "
                    "after the member consents to this processor; messages the membership "
                    "needs (sign-up confirmation, password reset) are never withheld."),
    )
    country = models.CharField(
        _("country where it processes the data"), max_length=2, default="KR",
        validators=[RegexValidator(r"^[A-Z]{2}\Z", _("Enter a two-letter country code, e.g. KR."))],
        help_text=_("ISO 3166 code; a country other than KR is an overseas transfer, shown on "
                    "the policy page (PIPA art. 28-8)."),
    )
    sends_email = models.BooleanField(
        _("delivers the site's email"), default=False,
        help_text=_("Outgoing mail to members passes through this processor."),
    )
    sends_sms = models.BooleanField(
        _("delivers the site's text messages"), default=False,
        help_text=_("Text messages to members pass through this processor (SMS_BACKEND)."),
    )

    objects = ProcessorQuerySet.as_manager()

    class Meta:
        verbose_name = _("processor")
        verbose_name_plural = _("processors")
        ordering = ["since", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def consent_key(self) -> str:
        """The ledger key of the consent to hand data to this processor."""
        return f"processor:{self.pk}"

    def tasks(self, language: str) -> str:
        return self.tasks_en if language.startswith("en") else self.tasks_ko


class DisclosureBasis(models.TextChoices):
    CONSENT = "consent", _("the person's consent (PIPA art. 17(1)1)")
    LAW = "law", _("a law or a duty under it (PIPA art. 17(1)2, 18(2))")


class Disclosure(AppendOnlyModel):
    """One provision of a person's data to a third party; the correction flow notifies these."""

    subject_ref = models.UUIDField(_("subject reference"), db_index=True)
    recipient = models.CharField(_("recipient"), max_length=200)
    recipient_contact = models.CharField(_("recipient contact"), max_length=200, blank=True)
    items = models.JSONField(_("items provided"), default=list)
    disclosed_at = models.DateTimeField(_("provided at"), default=timezone.now)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=DisclosureBasis.choices)
    basis_detail = models.CharField(_("basis in detail"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("disclosure to a third party")
        verbose_name_plural = _("disclosures to third parties")
        ordering = ["-disclosed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.disclosed_at:%Y-%m-%d}"
