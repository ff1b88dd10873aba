"""The staff access log: who saw or changed whose personal data, hash-chained."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models.base import AppendOnlyModel


class AccessLogEntry(AppendOnlyModel):
    """Who read what kind of protected record, when (for the retention store: every read)."""

    actor = models.CharField(_("who"), max_length=150)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=60)
    subject_ref = models.UUIDField(_("subject reference"), null=True, blank=True, db_index=True)
    # Where from, what, how many, and the hash chain.
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
        # The staff list's search by actor, in the list's order (``ordering``, newest first),
        # read from this index with no sort of the actor's whole history.
        indexes = [models.Index(fields=["actor", "at"], name="access_log_actor_at")]
        permissions = [
            ("reveal_personal_data", _("Can reveal one record's personal data in the admin")),
            ("export_personal_data", _("Can export members' data from the admin")),
        ]

    def __str__(self) -> str:
        # The admin's titles show this; the action reads in words in the entry itself.
        return f"#{self.sequence} {self.actor} {self.at:%Y-%m-%d %H:%M}"


class AccessLogAnchor(AppendOnlyModel):
    """The last entry the purge destroyed: the chain verifies from the entry after it."""

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    entry_hash = models.CharField(_("hash of the entry"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # HMAC of the three columns above under the access-log key: only the purge, which holds
    # the key, can start the chain later than its first entry.
    anchor_tag = models.CharField(_("anchor tag"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("access log anchor")
        verbose_name_plural = _("access log anchors")
        ordering = ["-sequence"]

    def __str__(self) -> str:
        return f"anchor #{self.sequence}"


class AccessLogHead(models.Model):
    """The newest entry of the chain as last appended, kept in the retention database.

    A writer of the live database who deletes the newest entries leaves a chain that ends
    earlier than this head, which ``privacy verify-access-log`` reports. One row, moved forward
    only, after each append commits.
    """

    sequence = models.PositiveBigIntegerField(_("sequence"))
    entry_hash = models.CharField(_("hash of the entry"), max_length=64)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("access log head")
        verbose_name_plural = _("access log heads")

    def __str__(self) -> str:
        return f"head #{self.sequence}"
