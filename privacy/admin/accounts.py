"""allauth's records of an account in the admin: email addresses, second factors and signed-in
sessions, masked and access-logged like the project's own (``privacy.admin_mixins``).

allauth registers plain ModelAdmins for them that list addresses, IP addresses and browsers
in clear; they are replaced here. None of them is added or edited by hand: members add and
confirm addresses at /accounts/email/, set up their second factor at /accounts/2fa/ and end
sessions at /accounts/sessions/. A superuser may remove a lost second factor (logged)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from members.emails import address_email
from members.sessions import SessionClient
from privacy.admin_mixins import LoginIdSearchAdmin, ReadOnlyAdmin
from privacy.masking import mask_email, mask_ip, mask_user_agent

# allauth's second factors and sessions have no translated field names.
ACCOUNT_LABELS = {"user": _("login ID"), "created_at": _("created at")}

# allauth declares no names for these two models, so Django's admin would derive English ones
# ("Authenticators", "User sessions") for its index, sidebar, titles and counts. Django's
# migration state reads the Meta a class declared (``_meta.original_attrs``), not these
# attributes, so naming them here adds no migration to allauth's apps.
Authenticator._meta.verbose_name = _("second factor")
Authenticator._meta.verbose_name_plural = _("second factors")
UserSession._meta.verbose_name = _("login session")
UserSession._meta.verbose_name_plural = _("login sessions")

for model in (EmailAddress, Authenticator, UserSession):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(EmailAddress)
class EmailAddressAdmin(LoginIdSearchAdmin, ReadOnlyAdmin):
    """Search by login ID only: a searched address would travel in the URL (?q=). The address
    is read from its sealed row (``members.emails``: allauth's column holds a stand-in)."""

    list_display = ("email", "user", "primary", "verified")
    list_filter = ("primary", "verified")
    search_fields = ("user__username_digest",)
    list_select_related = ("user__data_key", "sealed__data_key")
    fields = ("user", "email", "primary", "verified")
    masked_fields = {"email": mask_email}
    subject_ref_path = "user__subject_ref"

    def personal_value(self, obj: Model, field_name: str) -> Any:
        assert isinstance(obj, EmailAddress)
        return address_email(obj)


class KindFilter(admin.ChoicesFieldListFilter):
    """allauth's ``type`` field, under a translated title."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = str(_("kind"))


@admin.register(Authenticator)
class AuthenticatorAdmin(LoginIdSearchAdmin, ReadOnlyAdmin):
    """The type and dates only: the secret (``data``) is never shown."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = (("type", KindFilter),)
    search_fields = ("user__username_digest",)
    list_select_related = ("user__data_key",)
    fields = ("user", "type", "created_at", "last_used_at")
    field_labels = {**ACCOUNT_LABELS, "type": _("kind"), "last_used_at": _("last used at")}
    subject_ref_path = "user__subject_ref"
    logged_fields = ("user", "type", "created_at", "last_used_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))


@admin.register(UserSession)
class UserSessionAdmin(LoginIdSearchAdmin, ReadOnlyAdmin):
    """IP address and browser masked, read from their sealed row (``members.sessions``: allauth's
    own columns hold a blank); the session key and contents are never shown."""

    list_display = ("user", "created_at", "last_seen_at", "ip", "user_agent")
    search_fields = ("user__username_digest",)
    list_select_related = ("user__data_key", "sealed_client__data_key")
    fields = ("user", "created_at", "last_seen_at", "ip", "user_agent")
    field_labels = {**ACCOUNT_LABELS, "created_at": _("started at"),
                    "last_seen_at": _("last seen at"), "ip": _("IP address"),
                    "user_agent": _("browser")}
    masked_fields = {"ip": mask_ip, "user_agent": mask_user_agent}
    subject_ref_path = "user__subject_ref"

    def personal_value(self, obj: Model, field_name: str) -> Any:
        try:
            client = obj.sealed_client  # type: ignore[attr-defined]
        except SessionClient.DoesNotExist:
            return ""
        return client.ip_address if field_name == "ip" else client.user_agent
