"""Data keys: one per subject, wrapped by the key-encryption key (cryptographic erasure)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy import crypto


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
