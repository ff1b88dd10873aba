"""Advertising campaigns, their deliveries and consent reminders (Network Act art. 50)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CAMPAIGN_TITLE_MAX_LENGTH = 120
CAMPAIGN_BODY_MAX_LENGTH = 2000
# A long text message (LMS) holds 2,000 bytes, about 1,000 Korean characters; the mark, sender,
# contact and unsubscribe link take the rest.
CAMPAIGN_SMS_BODY_MAX_LENGTH = 700


class CampaignChannel(models.TextChoices):
    EMAIL = "email", _("email")
    SMS = "sms", _("text message (SMS)")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENDING = "sending", _("sending (can be resumed)")
    SENT = "sent", _("sent")


class Campaign(models.Model):
    """An advertisement sent to consenting members through one channel."""

    title = models.CharField(_("title"), max_length=CAMPAIGN_TITLE_MAX_LENGTH)
    channel = models.CharField(_("channel"), max_length=10, choices=CampaignChannel.choices)
    body = models.TextField(
        _("message"), max_length=CAMPAIGN_BODY_MAX_LENGTH,
        help_text=_(
            "Plain text. The advertising mark, the clinic's name and contact and the "
            "unsubscribe link are added to every message automatically."
        ),
    )
    areas = models.ManyToManyField(
        "consultations.ConsultationArea", verbose_name=_("areas of interest"), blank=True,
        related_name="+",
        help_text=_("Leave empty to address every consenting member."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        editable=False, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT, editable=False,
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        permissions = [("send_campaign", _("Can send campaigns"))]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (self.channel == CampaignChannel.SMS
                and len(self.body or "") > CAMPAIGN_SMS_BODY_MAX_LENGTH):
            raise ValidationError({"body": _(
                "A text message can hold at most %(limit)d characters of message."
            ) % {"limit": CAMPAIGN_SMS_BODY_MAX_LENGTH}})


class DeliveryOutcome(models.TextChoices):
    PENDING = "pending", _("claimed, not confirmed (interrupted run)")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class CampaignDelivery(models.Model):
    """One member's copy of a campaign. Written before the send, so nobody gets it twice."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
        related_name="deliveries",
    )
    subject_ref = models.UUIDField(_("subject reference"), db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=DeliveryOutcome.choices,
        default=DeliveryOutcome.PENDING,
    )

    class Meta:
        verbose_name = _("campaign delivery")
        verbose_name_plural = _("campaign deliveries")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subject_ref"], name="campaign_delivery_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.outcome}"


class ConsentReminder(models.Model):
    """The 2-yearly reminder of a marketing consent (Network Act art. 50-8), once per period.

    ``period_start`` is where the two years were counted from: the grant, or the previous
    reminder; the unique constraint makes a re-run or a parallel run a no-op.
    """

    subject_ref = models.UUIDField(_("subject reference"), db_index=True)
    consent = models.CharField(_("consent"), max_length=40)
    period_start = models.DateTimeField(_("period started at"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent reminder")
        verbose_name_plural = _("consent reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_ref", "consent", "period_start"],
                name="consent_reminder_once_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consent} {self.sent_at:%Y-%m-%d}"
