"""First-party visit analytics, kept only with the analytics cookie group accepted (policy
section 7)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
