"""Asks members to consent again when a policy version that requires it is in force."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from privacy.ledger import member_needs_reconsent, policy_version_reconsent_in_force

SESSION_KEY = "privacy_reconsent_answered"
# Pages a member may still open before answering: the question itself, the policy it is
# about, logging out, the language switch, the admin, static files and the health check.
EXEMPT_PREFIXES = ("/privacy/policy/", "/privacy/reconsent/", "/accounts/logout/", "/i18n/",
                   "/admin/", "/healthz")


class ReconsentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request.path):
            version = policy_version_reconsent_in_force()
            if version is not None and request.session.get(SESSION_KEY) != version.version:
                if member_needs_reconsent(member=user, version=version):
                    query = urlencode({"next": request.get_full_path()})
                    return HttpResponseRedirect(f"{reverse('privacy:reconsent')}?{query}")
                request.session[SESSION_KEY] = version.version
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        return path.startswith(EXEMPT_PREFIXES) or path.startswith(settings.STATIC_URL)
