"""The authentication backend: allauth's, with the typed login ID or email normalised first.

Login IDs and emails are stored in their normal form (``privacy.lookup.identity_normal``: NFKC,
case folded; the adapter normalises them at sign-up and change), so a member who types the
ID in capitals or with a full-width keyboard reaches the same account, and nobody can register
a look-alike of an existing ID. Selected in ``AUTHENTICATION_BACKENDS``.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from privacy.lookup import identity_normal

NORMALISED_CREDENTIALS = ("username", "email")


class NormalisingAuthenticationBackend(AuthenticationBackend):
    def authenticate(
        self, request: HttpRequest | None, **credentials: Any
    ) -> AbstractBaseUser | None:
        for name in NORMALISED_CREDENTIALS:
            if isinstance(credentials.get(name), str):
                credentials[name] = identity_normal(credentials[name])
        return super().authenticate(request, **credentials)
