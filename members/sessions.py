"""The IP address and browser of a member's login session, sealed under the member's data key.

allauth's ``usersessions.UserSession`` keeps the two in clear columns, written by allauth when
a member logs in or changes the password (``UserSession.objects.create_from_request``). Its
code cannot be asked to encrypt, so the values move, as allauth saves the row, into a
``SessionClient`` beside it, and allauth's columns keep a blank: the unspecified address
``0.0.0.0`` (its IP column may not be empty, and PostgreSQL's ``inet`` takes no empty string)
and an empty browser string. The sessions page, "my data", the export and the admin read the
sealed row; it goes with its session (cascade), and with the member's data key nothing of it
can be read.
"""

from __future__ import annotations

from typing import Any

from allauth.usersessions.models import UserSession
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.fields import EncryptedTextField, subject_data_key_field

# What allauth's own columns hold once the values are sealed.
BLANK_IP = "0.0.0.0"  # noqa: S104 (a stored value, not an address to bind to)
BLANK_USER_AGENT = ""
# Where the values wait between allauth's save of its row and the sealed row's.
_PENDING = "_client_to_seal"


class SessionClient(models.Model):
    """The client of one login session: IP address and browser (policy items "access IP
    information" and "access log"), sealed under the member's own data key."""

    session = models.OneToOneField(
        UserSession, verbose_name=_("login session"), on_delete=models.CASCADE,
        related_name="sealed_client",
    )
    ip_address = EncryptedTextField(_("IP address"), blank=True)
    user_agent = EncryptedTextField(_("browser"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # The member's own data key (never one of its own), as on ``LoginRecord``.
    data_key = subject_data_key_field()

    class Meta:
        verbose_name = _("login session's client")
        verbose_name_plural = _("login sessions' clients")

    def __str__(self) -> str:
        return f"SessionClient #{self.pk}"


def session_client_seal(*, session: UserSession, ip_address: str,
                        user_agent: str) -> SessionClient:
    """Seal what allauth recorded of a session's client under its member's data key."""
    client, _created = SessionClient.objects.update_or_create(
        session=session,
        defaults={"ip_address": ip_address, "user_agent": user_agent,
                  "recorded_at": timezone.now(), "data_key": session.user.data_key},
    )
    return client


@receiver(pre_save, sender=UserSession, dispatch_uid="members.sessions.client_take")
def _client_take(sender: Any, instance: UserSession, **kwargs: Any) -> None:
    """Take the clear values out of allauth's row before it is written."""
    if instance.ip != BLANK_IP or instance.user_agent != BLANK_USER_AGENT:
        setattr(instance, _PENDING, (instance.ip, instance.user_agent))
        instance.ip, instance.user_agent = BLANK_IP, BLANK_USER_AGENT


@receiver(post_save, sender=UserSession, dispatch_uid="members.sessions.client_seal")
def _client_seal(sender: Any, instance: UserSession, **kwargs: Any) -> None:
    """Seal them beside the row, in the transaction allauth saves it in."""
    pending = instance.__dict__.pop(_PENDING, None)
    if pending is not None:
        ip_address, user_agent = pending
        session_client_seal(session=instance, ip_address=str(ip_address or ""),
                            user_agent=user_agent or "")
