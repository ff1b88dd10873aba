"""What the background sends have delivered, so a task run again never sends twice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SentMessage(models.Model):
    """One message handed to the mail server or text-message provider, by its send key.

    The key is drawn when the message is queued and travels with every retry of it; a run
    that finds its key here has been sent already. Nothing here names a person: the key is
    random and the task is a function's name."""

    key = models.UUIDField(_("send key"), unique=True)
    task = models.CharField(_("task"), max_length=200)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("sent message")
        verbose_name_plural = _("sent messages")

    def __str__(self) -> str:
        return f"{self.task} {self.key}"
