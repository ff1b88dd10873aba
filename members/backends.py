"""The authentication backend: allauth's, with members found by their login ID's keyed digest.

Login IDs are sealed under each member's data key, so allauth's query on the column cannot
match; the backend finds the member by ``Member.username_digest`` instead, the keyed digest of
the ID's normal form (``privacy.lookup.identity_normal``: NFKC, case folded). A member who types
the ID in capitals or with a full-width keyboard reaches the same account, and nobody can
register a look-alike of an existing ID (the adapter's ``clean_username``). Selected in
``AUTHENTICATION_BACKENDS``.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from members.models import Member
from privacy.lookup import identity_normal

NORMALISED_CREDENTIALS = ("username", "email")


class SealedMemberLoading:
    """The signed-in member of each request is loaded with its data key, in the same query:
    the login ID, by which the access log names staff, is sealed."""

    def get_user(self, user_id: Any) -> Member | None:
        try:
            member = Member.objects.select_related("data_key").get(pk=user_id)
        except Member.DoesNotExist:
            return None
        return member if member.is_active else None


class MemberModelBackend(SealedMemberLoading, ModelBackend):
    """Django's backend (``createsuperuser``'s accounts, ``Client.login``), finding the member
    by the login ID's digest (``MemberManager.get_by_natural_key``)."""


class NormalisingAuthenticationBackend(SealedMemberLoading, AuthenticationBackend):
    def authenticate(
        self, request: HttpRequest | None, **credentials: Any
    ) -> AbstractBaseUser | None:
        for name in NORMALISED_CREDENTIALS:
            if isinstance(credentials.get(name), str):
                credentials[name] = identity_normal(credentials[name])
        return super().authenticate(request, **credentials)

    def _authenticate_by_username(self, username: str, password: str
                                  ) -> AbstractBaseUser | None:
        """One indexed query on the digest (under every listed lookup key, so a key rotation
        does not lock members out before the digests are refreshed)."""
        if not username:
            return None
        member = Member.objects.with_login_id(username).select_related("data_key").first()
        return self._check_password(member, password)
