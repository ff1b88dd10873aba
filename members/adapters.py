"""The one place where allauth is adapted to the clinic: sign-up items, blocks, access log, MFA.

Selected with ``ACCOUNT_ADAPTER`` and ``MFA_ADAPTER`` in settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.translation import get_language

from members import selectors, services
from members.emails import email_address_sync, email_remember, is_stand_in, real_email
from members.models import LoginResult, Member
from privacy import crypto
from privacy.access_log import client_ip
from privacy.controller import site_for
from privacy.lookup import identity_normal
from privacy.outbox import email_enqueue

if TYPE_CHECKING:
    from members.forms import SignupForm


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's rate limits and user sessions take the address from the project's one
        helper; with none known they refuse the request, as allauth does."""
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def format_email_subject(self, subject: str) -> str:
        """"[clinic name] subject" in the email's language; allauth's default is the request's
        host name, as the site runs without django.contrib.sites."""
        return f"[{self._clinic()['clinic_name']}] {force_str(subject)}"

    @staticmethod
    def _clinic() -> dict[str, Any]:
        return site_for(get_language() or settings.LANGUAGE_CODE)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Account mail leaves the request: rendered here from allauth's templates (its links
        are made for this request), with the clinic's name and address for the greeting and
        sign-off (templates/account/email/base_message.txt), and queued sealed; the worker
        sends it through the site's mail backend, which checks delegation consent and
        restrictions when it sends."""
        request = allauth_context.request
        email = real_email(email)
        if not email:
            return
        # The address itself last: allauth's context names the row's stand-in (members.emails).
        ctx = {"request": request, "current_site": get_current_site(request),
               **self._clinic(), "site_url": settings.SITE_URL, **context, "email": email}
        email_enqueue(self.render_mail(template_prefix, email, ctx))

    def clean_username(self, username: str, shallow: bool = False) -> str:
        """Login IDs are kept in their normal form, so look-alikes are one ID (backends).
        allauth's own uniqueness query compares the column, which is sealed; the ID is taken
        when its keyed digest (under any listed lookup key) is."""
        username = super().clean_username(identity_normal(username), shallow=True)
        if not shallow and Member.objects.with_login_id(username).exists():
            raise self.validation_error("username_taken")
        return username

    def clean_email(self, email: str) -> str:
        """Emails are kept in their normal form, so blocks and uniqueness see one address, and
        allauth receives the address's stand-in (members.emails), the address staying on the
        request for the row allauth saves and the mail it sends. A stand-in (a row's own
        value, posted back by allauth's address page) is already clean."""
        if is_stand_in(email):
            return email
        return email_remember(super().clean_email(identity_normal(email)))

    def save_user(
        self, request: HttpRequest, user: Member, form: SignupForm, commit: bool = True
    ) -> Member:
        """Login ID, email and password from allauth; every other item through our service."""
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.email = form.typed_email
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
            ip_address=client_ip(request),
            policy_version=data.get("policy_version"),
        )
        if representative is not None:
            services.legal_representative_request_send(
                representative=member.legal_representative, request=request
            )
        return member

    def pre_login(self, request: HttpRequest, user: Member, **kwargs: Any
                  ) -> HttpResponse | None:
        """Refuse a blocked member; give an account made outside allauth its address row
        before allauth's email verification looks for one (``members.emails``)."""
        if selectors.member_is_blocked(user):
            clear_login(request)
            services.login_record(member=user, result=LoginResult.BLOCKED,
                                  ip_address=client_ip(request))
            return render(request, "members/blocked.html", status=403)
        email_address_sync(user)
        return super().pre_login(request, user, **kwargs)

    def respond_user_inactive(self, request: HttpRequest, user: Member
                              ) -> HttpResponse:
        if selectors.representative_pending_for(user) is not None:
            return redirect("members:representative_pending")
        return super().respond_user_inactive(request, user)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff log in to work in the administration: they land there (a first log-in
        passes through the authenticator set-up on the way, ``StaffMFARequiredMiddleware``);
        members land where ``LOGIN_REDIRECT_URL`` says. A ``next`` in the request wins."""
        if request.user.is_authenticated and request.user.is_staff:
            return reverse("admin:index")
        return super().get_login_redirect_url(request)

    def login(self, request: HttpRequest, user: Member) -> None:
        super().login(request, user)
        services.login_record(member=user, result=LoginResult.SUCCESS,
                              ip_address=client_ip(request))

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """Record the failure; the login ID is kept only when it names a member."""
        login_id = identity_normal(str(credentials.get("username") or ""))
        member = Member.objects.with_login_id(login_id).first() if login_id else None
        services.login_record(member=member, result=LoginResult.FAILURE,
                              ip_address=client_ip(request))


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are wrapped with the key-encryption key, never
    stored in plain text; ``services.AUTHENTICATOR_SECRETS`` re-wraps them at key rotation."""

    def encrypt(self, text: str) -> str:
        return crypto.wrap_key(text.encode())

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.unwrap_key(encrypted_text).decode()
