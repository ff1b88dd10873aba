"""The one place where allauth is adapted to the clinic: sign-up items, blocks, access log, MFA.

Selected with ``ACCOUNT_ADAPTER`` and ``MFA_ADAPTER`` in settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from members import selectors, services
from members.models import LoginResult, Member
from privacy import crypto
from privacy.lookup import identity_normal

if TYPE_CHECKING:
    from members.forms import SignupForm


class AccountAdapter(DefaultAccountAdapter):
    def client_ip(self, request: HttpRequest) -> str | None:
        try:
            return self.get_client_ip(request)
        except PermissionDenied:  # allauth's answer when no address is known
            return None

    def clean_username(self, username: str, shallow: bool = False) -> str:
        """Login IDs are kept in their normal form, so look-alikes are one ID (backends)."""
        return super().clean_username(identity_normal(username), shallow=shallow)

    def clean_email(self, email: str) -> str:
        """Emails are kept in their normal form, so blocks and uniqueness see one address."""
        return super().clean_email(identity_normal(email))

    def save_user(
        self, request: HttpRequest, user: Member, form: SignupForm, commit: bool = True
    ) -> Member:
        """Login ID, email and password from allauth; every other item through our service."""
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        representative = form.representative_data()
        member = services.member_signup(
            member=user,
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            mobile_phone=data["mobile_phone"],
            home_phone=data.get("home_phone") or "",
            home_address=data.get("home_address") or "",
            desired_area=data.get("desired_area"),
            consents=form.consent_decisions(),
            representative=representative,
            ip_address=self.client_ip(request),
            policy_version=data.get("policy_version"),
        )
        if representative is not None:
            services.legal_representative_request_send(
                representative=member.legal_representative, request=request
            )
        return member

    def pre_login(self, request: HttpRequest, user: Member, **kwargs: Any
                  ) -> HttpResponse | None:
        if selectors.member_is_blocked(user):
            clear_login(request)
            services.login_record(member=user, result=LoginResult.BLOCKED,
                                  ip_address=self.client_ip(request))
            return render(request, "members/blocked.html", status=403)
        return super().pre_login(request, user, **kwargs)

    def respond_user_inactive(self, request: HttpRequest, user: Member
                              ) -> HttpResponse:
        if selectors.representative_pending_for(user) is not None:
            return redirect("members:representative_pending")
        return super().respond_user_inactive(request, user)

    def login(self, request: HttpRequest, user: Member) -> None:
        super().login(request, user)
        services.login_record(member=user, result=LoginResult.SUCCESS,
                              ip_address=self.client_ip(request))

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """Record the failure; the login ID is kept only when it names a member."""
        login_id = identity_normal(str(credentials.get("username") or ""))
        member = Member.objects.filter(username=login_id).first() if login_id else None
        services.login_record(member=member, result=LoginResult.FAILURE,
                              ip_address=self.client_ip(request))


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are wrapped with the key-encryption key, never
    stored in plain text; ``services.AUTHENTICATOR_SECRETS`` re-wraps them at key rotation."""

    def encrypt(self, text: str) -> str:
        return crypto.wrap_key(text.encode())

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.unwrap_key(encrypted_text).decode()
