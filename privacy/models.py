"""Records the privacy policy depends on: data keys, consents, policy versions, retained data."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy import crypto
from privacy.fields import DataKeyField, EncryptedTextField


class DataKeyManager(models.Manager["DataKey"]):
    def create_for_subject(self) -> DataKey:
        return self.create(wrapped_key=crypto.wrap_key(crypto.new_data_key()))


class DataKey(models.Model):
    """One subject's data key, wrapped by the key-encryption key.

    Deleting the row destroys the subject's encrypted fields everywhere they were copied,
    backups included once the backups of this table have aged out (README, "Backups").
    """

    wrapped_key = models.TextField(_("wrapped key"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    rewrapped_at = models.DateTimeField(_("re-wrapped at"), null=True, blank=True)

    objects = DataKeyManager()

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"DataKey #{self.pk}"

    def material(self) -> bytes:
        """The unwrapped key, unwrapped once per instance."""
        cached = self.__dict__.get("_material")
        if cached is None:
            cached = crypto.unwrap_data_key(self.wrapped_key)
            self.__dict__["_material"] = cached
        return cached


class PolicyVersion(models.Model):
    """A published version of the privacy policy, frozen as it was rendered when published."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    effective_on = models.DateField(_("effective from"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    summary = models.TextField(_("summary of changes"), blank=True, max_length=2000)
    content_ko = models.TextField(_("text (Korean)"), blank=True)
    content_en = models.TextField(_("text (English)"), blank=True)
    requires_reconsent = models.BooleanField(
        _("asks members to consent again"),
        default=False,
        help_text=_("Set when this version adds items or purposes that need consent."),
    )

    class Meta:
        verbose_name = _("privacy policy version")
        verbose_name_plural = _("privacy policy versions")
        ordering = ["-effective_on", "-published_at"]
        get_latest_by = "effective_on"

    def __str__(self) -> str:
        return f"{self.version} ({self.effective_on:%Y-%m-%d})"

    def content(self, language: str) -> str:
        return self.content_en if language == "en" else self.content_ko


class AppendOnlyQuerySet(models.QuerySet):
    """Ledgers are proof: rows are never changed or deleted through the ORM.

    The only way out is ``purge_expired`` (privacy purge, retention rules of the registry)."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError(f"{self.model._meta.label} is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self.model._meta.label} is append-only")

    def purge_expired(self) -> int:
        """Delete the rows of this queryset for good; for the privacy purge only."""
        return self._raw_delete(self.db)

    def ip_addresses_forget(self) -> int:
        """Blank the IP address of these rows, the one change a ledger allows: an IP address is
        access IP information, kept 3 months (registry rule ``login_records``) while the entry
        itself stays as proof. For the privacy purge only."""
        return super().update(ip_address=None)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(f"{self._meta.label} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(f"{self._meta.label} is append-only")


class ConsentMethod(models.TextChoices):
    SIGNUP_FORM = "signup_form", _("sign-up form")
    CONSENT_PAGE = "consent_page", _("consent settings page")
    RECONSENT = "reconsent", _("consent again after a policy change")
    COOKIE_BANNER = "cookie_banner", _("cookie banner or settings")
    EMAIL_LINK = "email_link", _("link in an email")
    GUEST_FORM = "guest_form", _("guest consultation form")
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
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
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

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["subject_ref", "consent", "-recorded_at"])]

    def __str__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"{self.consent} {state} {self.recorded_at:%Y-%m-%d %H:%M}"


# --- Privacy core (issue 6): policy notices, processors, disclosures, complaints -------------

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
    requires_consent = models.BooleanField(
        _("members must consent first"), default=False,
        help_text=_("No member's data is handed to it until that member consents."),
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


# --- The separate retention database (policy section 4; see privacy/routers.py) ---------------

class RetentionKey(models.Model):
    """The key of a retained record, in the retention database; deleting it destroys the record."""

    wrapped_key = models.TextField(_("wrapped key"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("retention key")
        verbose_name_plural = _("retention keys")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"RetentionKey #{self.pk}"

    def material(self) -> bytes:
        return crypto.unwrap_key(self.wrapped_key)


class RetainedRecord(models.Model):
    """Data whose purpose is achieved but which a law requires to keep, until ``destroy_after``."""

    subject_ref = models.UUIDField(_("subject reference"), db_index=True)
    item_key = models.CharField(_("collection item"), max_length=40)
    rule_key = models.CharField(_("retention rule"), max_length=40)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    started_by = models.CharField(_("event that started the period"), max_length=60)
    started_at = models.DateTimeField(_("period started at"))
    destroy_after = models.DateField(_("destroy after"), db_index=True)
    payload = models.TextField(_("encrypted payload"))
    key = models.ForeignKey(RetentionKey, on_delete=models.PROTECT, related_name="+")
    source_ref = models.UUIDField(
        _("source reference"), default=uuid.uuid4, unique=True,
        help_text=_("Makes a re-run of an interrupted transfer find the copy it already made."),
    )

    class Meta:
        verbose_name = _("retained record")
        verbose_name_plural = _("retained records")
        ordering = ["destroy_after", "id"]

    def __str__(self) -> str:
        return f"{self.item_key} until {self.destroy_after:%Y-%m-%d}"


# --- First-party visit analytics, only with the analytics cookie group accepted (issue 8) ------

class Visit(models.Model):
    """One page view of a visitor who accepted analytics cookies: who (a random number), where,
    when. No IP address and no account, so the record says how the site is used, not by whom."""

    visitor_id = models.UUIDField(_("visitor number"), db_index=True)
    path = models.CharField(_("page"), max_length=200)
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]

    def __str__(self) -> str:
        return f"{self.path} {self.visited_at:%Y-%m-%d %H:%M}"
# --- Destruction ledger and access log (issue 9: retention and destruction) ------------------

class DestructionRecord(models.Model):
    """One act of destruction: what rule, which items, how many rows, when. No personal data.

    Kept in the retention database so that a restore of the live database from backup does not
    take it back: ``privacy replay-destruction`` reads it to destroy again what the backup
    brought back. ``done_at`` stays empty while a destruction is under way, so a run
    interrupted between its steps is finished by the next ``privacy purge``.
    """

    rule_key = models.CharField(_("purge rule"), max_length=40, db_index=True)
    reason = models.CharField(_("event"), max_length=60, blank=True)
    subject_ref = models.UUIDField(_("subject reference"), null=True, blank=True, db_index=True)
    item_keys = models.CharField(_("collection items"), max_length=400, blank=True)
    source = models.CharField(_("source table"), max_length=80)
    first_pk = models.BigIntegerField(_("first row"), null=True, blank=True)
    last_pk = models.BigIntegerField(_("last row"), null=True, blank=True)
    count = models.PositiveIntegerField(_("rows destroyed"), default=0)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    done_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.rule_key} x{self.count} {self.started_at:%Y-%m-%d %H:%M}"


class AccessLogEntry(AppendOnlyModel):
    """Who read what kind of protected record, when (for the retention store: every read)."""

    actor = models.CharField(_("who"), max_length=150)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=60)
    subject_ref = models.UUIDField(_("subject reference"), null=True, blank=True)
    # --- Staff admin (issue 10): where from, what, how many, and the hash chain ---------------
    # (written only by ``privacy.access_log.access_log_append``; see that module)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    fields = models.CharField(_("fields"), max_length=500, blank=True)
    record_count = models.PositiveIntegerField(_("records"), default=1)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    sequence = models.PositiveBigIntegerField(_("sequence"), null=True, blank=True, unique=True)
    previous_hash = models.CharField(_("hash of the previous entry"), max_length=64, blank=True)
    entry_hash = models.CharField(_("hash of this entry"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-at", "-id"]
        permissions = [
            ("reveal_personal_data", _("Can reveal one record's personal data in the admin")),
            ("export_personal_data", _("Can export members' data from the admin")),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} {self.at:%Y-%m-%d %H:%M}"


class AccessLogAnchor(AppendOnlyModel):
    """The last entry the purge destroyed: the chain verifies from the entry after it."""

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    entry_hash = models.CharField(_("hash of the entry"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("access log anchor")
        verbose_name_plural = _("access log anchors")
        ordering = ["-sequence"]

    def __str__(self) -> str:
        return f"anchor #{self.sequence}"
# --- Marketing and notices (issue 11; see privacy/marketing.py) -------------------------------

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
        from django.core.exceptions import ValidationError

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
# --- Privacy manager's console (issue 15; see privacy/breach.py and privacy/inventory.py) -----

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


# --- Self-service rights (issue 7): requests to view, export, correct, delete, restrict -------

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
