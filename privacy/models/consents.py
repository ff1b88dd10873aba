"""Policy versions, the consent ledger and policy notices (policy sections 1, 2 and 6)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from privacy.fields import EncryptedTextField, subject_data_key_field
from privacy.models.base import AppendOnlyModel
from privacy.models.requests import RequestChannel

VERSION_NUMBER = RegexValidator(
    r"^\d[0-9A-Za-z.\-]{0,19}\Z",
    _("Start the version number with a digit, then use only letters, digits, dots or hyphens "
      "(at most 20 characters), e.g. 2.1."),
)


class PublishedVersionQuerySet(models.QuerySet["PolicyVersion"]):
    """Published versions are proof of what members were told: never changed in place."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("a published privacy policy version cannot be changed; "
                              "publish a new version")


class PolicyVersion(models.Model):
    """A published version of the privacy policy, frozen as it was rendered when published.

    Immutable once saved: ``save()`` of an existing row and ``QuerySet.update`` refuse, and on
    PostgreSQL a trigger refuses an UPDATE from anywhere else (migration
    ``policy_versions_immutable``)."""

    version = models.CharField(_("version"), max_length=20, unique=True,
                               validators=[VERSION_NUMBER])
    effective_on = models.DateField(_("effective from"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    summary = models.TextField(_("summary of changes (Korean)"), blank=True, max_length=2000)
    summary_en = models.TextField(_("summary of changes (English)"), blank=True, max_length=2000)
    content_ko = models.TextField(_("text (Korean)"), blank=True)
    content_en = models.TextField(_("text (English)"), blank=True)
    requires_reconsent = models.BooleanField(
        _("asks members to consent again"),
        default=False,
        help_text=_("Set when this version adds items or purposes that need consent."),
    )

    objects = PublishedVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("privacy policy version")
        verbose_name_plural = _("privacy policy versions")
        ordering = ["-effective_on", "-published_at"]
        get_latest_by = "effective_on"

    def __str__(self) -> str:
        return f"{self.version} ({self.effective_on:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(f"privacy policy version {self.version} is published and "
                                  "cannot be changed; publish a new version")
        VERSION_NUMBER(self.version)  # its number is part of the version's address
        super().save(*args, **kwargs)

    def content(self, language: str) -> str:
        return self.content_en if language == "en" else self.content_ko

    @property
    def localized_summary(self) -> str:
        """The summary in the language pages and emails are being rendered in: each language
        shows its own, never the other's."""
        return self.summary_en if (get_language() or "").startswith("en") else self.summary


class PolicyDraft(models.Model):
    """The next version of the policy, being prepared: a processor change in the admin opens one
    (its reasons are listed in ``summary``), and the privacy manager publishes it with a notice
    period (``privacy.policy.services.policy_draft_publish``)."""

    version = models.CharField(_("version"), max_length=20, blank=True,
                               validators=[VERSION_NUMBER],
                               help_text=_("The number it will be published under, e.g. 1.1."))
    effective_on = models.DateField(
        _("effective from"), null=True, blank=True,
        help_text=_("At least 7 days after publication: members are told before it applies."),
    )
    summary = models.TextField(_("summary of changes"), blank=True, max_length=2000)
    requires_reconsent = models.BooleanField(_("asks members to consent again"), default=False)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    published = models.OneToOneField(
        PolicyVersion, verbose_name=_("published as"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="draft",
    )

    class Meta:
        verbose_name = _("privacy policy draft")
        verbose_name_plural = _("privacy policy drafts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(_("draft %(version)s") % {"version": self.version or "?"})



class ConsentMethod(models.TextChoices):
    SIGNUP_FORM = "signup_form", _("sign-up form")
    CONSENT_PAGE = "consent_page", _("consent settings page")
    RECONSENT = "reconsent", _("consent again after a policy change")
    COOKIE_BANNER = "cookie_banner", _("cookie banner or settings")
    EMAIL_LINK = "email_link", _("link in an email")
    GUEST_FORM = "guest_form", _("guest consultation form")
    BOARD_FORM = "board_form", _("consultation or review form")
    BOOKING_FORM = "booking_form", _("consultation booking form")
    OFFICER = "officer", _("request to the privacy officer")


class ConsentActor(models.TextChoices):
    SUBJECT = "subject", _("the person themself")
    REPRESENTATIVE = "representative", _("legal representative")
    STAFF = "staff", _("staff on the person's request")


class ConsentRecord(AppendOnlyModel):
    """One consent decision. The current state of a consent is the latest record for it."""

    subject_ref = models.UUIDField(_("subject reference"), db_index=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_records",
    )
    consent = models.CharField(_("consent"), max_length=40)
    granted = models.BooleanField(_("granted"))
    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), null=True, on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    # Sealed under the subject's data key (``privacy.ledger.consent_record``); not kept for a
    # subject without one.
    ip_address = EncryptedTextField(_("IP address"), null=True, blank=True)
    data_key = subject_data_key_field()
    method = models.CharField(_("how"), max_length=20, choices=ConsentMethod.choices)
    actor = models.CharField(
        _("who acted"), max_length=20, choices=ConsentActor.choices, default=ConsentActor.SUBJECT
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acting account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    consent_version = models.CharField(
        _("version of what was agreed"), max_length=40, blank=True,
        help_text=_("For cookie groups: the group's version (its newest cookie) when decided."),
    )
    channel = models.CharField(
        _("received by"), max_length=10, choices=RequestChannel.choices, blank=True,
        help_text=_("For a decision received offline (phone, mail...) and recorded by staff."),
    )
    reference = models.CharField(
        _("document reference"), max_length=40, blank=True,
        help_text=_("The letter number, call log or form that carries the decision."),
    )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["subject_ref", "consent", "-recorded_at"])]

    def __str__(self) -> str:
        state = _("granted") if self.granted else _("withdrawn")
        return f"{self.consent} {state} {self.recorded_at:%Y-%m-%d %H:%M}"


class PolicyNotice(models.Model):
    """That a member was emailed about a policy version: makes ``notify-policy`` resumable."""

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.PROTECT,
        related_name="notices",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(
        _("sent at"), null=True, blank=True,
        help_text=_("Empty while the email is being sent or if sending failed."),
    )

    class Meta:
        verbose_name = _("policy change notice")
        verbose_name_plural = _("policy change notices")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "member"], name="one_notice_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.version.version} → #{self.member_id}"
