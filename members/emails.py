"""A member's email addresses at allauth, sealed under the member's data key.

allauth's ``account.EmailAddress`` keeps each address in a clear column and queries it by
equality (uniqueness, password reset, adding or confirming an address). The column holds a
stand-in instead: ``<keyed digest of the address>@sealed.invalid``, made by the account
adapter's ``clean_email`` from every address typed into a form, so allauth's own queries with
the cleaned value still match, and nothing of the address is readable without the lookup key.
The address itself is sealed in a ``SealedEmailAddress`` beside the row (cascade), which
"my data", the export, the pages listing addresses and the mail sent to an address read.

The typed address waits on the request (``email_remember``) between the form's cleaning and
allauth's save of its row; a row saved with a clear address (a script, a fixture) is turned
into its stand-in as it is saved, the address sealed beside it.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_changed
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from privacy.fields import EncryptedTextField, subject_data_key_field
from privacy.lookup import email_digest

STAND_IN_DOMAIN = "sealed.invalid"
# Where typed addresses wait on the request: {stand-in: address}.
_TYPED = "_typed_email_addresses"
# Where a row's clear address waits between allauth's save of its row and the sealed row's.
_PENDING = "_address_to_seal"


class SealedEmailAddress(models.Model):
    """The address of one of allauth's email rows (policy item "email"), sealed under the
    member's own data key."""

    address = models.OneToOneField(
        EmailAddress, verbose_name=_("email address"), on_delete=models.CASCADE,
        related_name="sealed",
    )
    email = EncryptedTextField(_("email"))
    # The member's own data key (never one of its own), as on ``SessionClient``.
    data_key = subject_data_key_field()

    class Meta:
        verbose_name = _("sealed email address")
        verbose_name_plural = _("sealed email addresses")

    def __str__(self) -> str:
        return f"SealedEmailAddress #{self.pk}"


def email_stand_in(email: str, *, key: bytes | None = None) -> str:
    """What allauth's column holds for ``email``: its keyed digest (lowercase hex, so allauth's
    lowercased queries match) at a domain that never receives mail; empty for no address."""
    digest = email_digest(email, key=key)
    return f"{digest}@{STAND_IN_DOMAIN}" if digest else ""


def email_stand_ins(email: str) -> list[str]:
    """The stand-in of ``email`` under every listed lookup key, newest first: allauth's rows
    are found between listing a new key and ``privacy refresh-lookup-digests``."""
    return [stand_in for key in settings.PRIVACY_LOOKUP_KEY
            if (stand_in := email_stand_in(email, key=key))]


def is_stand_in(email: str) -> bool:
    return (email or "").endswith("@" + STAND_IN_DOMAIN)


def email_remember(email: str) -> str:
    """The stand-in of a typed address, keeping the address on the current request so that
    the row allauth saves from it, and the mail it sends to it, find the address."""
    stand_in = email_stand_in(email)
    if stand_in:
        _typed_keep(stand_in, email)
    return stand_in


def _typed_keep(stand_in: str, email: str) -> None:
    request = allauth_context.request
    if request is None:
        return
    typed = getattr(request, _TYPED, None)
    if typed is None:
        typed = {}
        setattr(request, _TYPED, typed)
    typed[stand_in] = email


def real_email(email: str) -> str:
    """The address a stand-in stands for: its sealed row, an address typed in this request,
    or the account's own address; empty when none is known. A real address is itself."""
    if not is_stand_in(email):
        return email
    sealed = (SealedEmailAddress.objects.filter(address__email=email)
              .select_related("data_key").first())
    if sealed is not None:
        return sealed.email
    typed = getattr(allauth_context.request, _TYPED, None) or {}
    if email in typed:
        return str(typed[email])
    digest = email.split("@", 1)[0]
    member = get_user_model().objects.filter(email_digest=digest).first()
    return str(member.email) if member is not None else ""


def address_email(address: EmailAddress) -> str:
    """The address of one of allauth's rows, as the member typed it."""
    try:
        return str(address.sealed.email)
    except SealedEmailAddress.DoesNotExist:
        return real_email(address.email)


def email_address_sync(user: Any) -> EmailAddress | None:
    """Give an account made outside allauth (``createsuperuser``, the admin, the demo) a row
    for its own address, unconfirmed, as allauth's ``sync_user_email_address`` does while it
    reads the account's email column: with ``ACCOUNT_USER_MODEL_EMAIL_FIELD = None`` it no
    longer does, so the adapter's ``pre_login`` and the address page's form call this. The
    new row's stand-in and sealed address come from the account's own sealed email."""
    email = str(getattr(user, "email", "") or "")
    if not email or EmailAddress.objects.filter(
            user_id=user.pk, email__in=email_stand_ins(email)).exists():
        return None
    return EmailAddress.objects.create(user=user, email=email, primary=False, verified=False)


def email_address_seal(*, address: EmailAddress, email: str) -> SealedEmailAddress:
    """Seal ``email`` beside allauth's row under its member's data key."""
    sealed, _created = SealedEmailAddress.objects.update_or_create(
        address=address, defaults={"email": email, "data_key": address.user.data_key},
    )
    return sealed


@receiver(pre_save, sender=EmailAddress, dispatch_uid="members.emails.address_take")
def _address_take(sender: Any, instance: EmailAddress, **kwargs: Any) -> None:
    """A clear address never reaches allauth's column: its stand-in does."""
    if instance.email and not is_stand_in(instance.email):
        setattr(instance, _PENDING, instance.email)
        instance.email = email_stand_in(instance.email)


@receiver(post_save, sender=EmailAddress, dispatch_uid="members.emails.address_seal")
def _address_seal(sender: Any, instance: EmailAddress, **kwargs: Any) -> None:
    """Seal the address beside the row, in the transaction allauth saves it in."""
    pending = instance.__dict__.pop(_PENDING, None)
    if pending is None and SealedEmailAddress.objects.filter(address=instance).exists():
        return
    email = pending or real_email(instance.email)
    if email:
        email_address_seal(address=instance, email=email)


@receiver(pre_delete, sender=EmailAddress, dispatch_uid="members.emails.address_keep")
def _address_keep(sender: Any, instance: EmailAddress, **kwargs: Any) -> None:
    """A removed row's address stays on the request (its sealed row goes with it), for the
    message that names the address removed."""
    if is_stand_in(instance.email):
        _typed_keep(instance.email, address_email(instance))


@receiver(email_changed, dispatch_uid="members.emails.primary_follow")
def _primary_follow(sender: Any, request: Any, user: Any, to_email_address: EmailAddress,
                    **kwargs: Any) -> None:
    """The account's own (sealed) email is its primary address: allauth no longer writes it
    (``ACCOUNT_USER_MODEL_EMAIL_FIELD = None``), so it follows here when the primary changes."""
    email = address_email(to_email_address)
    if email:
        user.email = email
        user.save(update_fields=["email"])
