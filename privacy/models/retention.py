"""The separate retention database's records and the destruction ledger (policy sections 3
and 4)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy import crypto


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
