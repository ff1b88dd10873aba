"""Staff reach the admin only through allauth's login, and only with a TOTP authenticator."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from members.selectors import staff_enrolment_allowed, staff_has_second_factor


class StaffMFARequiredMiddleware:
    """Admin's own login form would skip allauth's rate limits, access log and MFA step, so it
    is replaced by allauth's; staff without TOTP are sent to set it up before any admin page.

    Setting it up needs more than the password: whoever holds a staff password could otherwise
    add their own authenticator and hold both factors. allauth's set-up page opens for staff
    only within a while of opening a one-time link mailed to the account's own address
    (``members.services.staff_enrolment_link_send``); without it they are offered the link."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._admin_root: str | None = None  # reversed at the first request, not per request
        self._activate_totp: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._admin_root is None or self._activate_totp is None:
            self._admin_root = reverse("admin:index")
            self._activate_totp = reverse("mfa_activate_totp")
        admin_root = self._admin_root
        if request.path_info.startswith(admin_root):
            response = self._guard(request, admin_root)
            if response is not None:
                return response
        elif request.path_info == self._activate_totp and self._needs_enrolment_link(request):
            return render(request, "members/staff_enrolment_required.html", status=403)
        return self.get_response(request)

    @staticmethod
    def _needs_enrolment_link(request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_authenticated and user.is_staff and not staff_has_second_factor(user)
            and not staff_enrolment_allowed(request.session)
        )

    def _guard(self, request: HttpRequest, admin_root: str) -> HttpResponse | None:
        user = request.user
        if request.path_info == reverse("admin:login"):
            target = request.GET.get("next") or admin_root
            if user.is_authenticated and not user.is_staff:
                return None  # the admin explains that this account may not enter
            query = urlencode({"next": target if target.startswith("/") else admin_root})
            return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
        if not (user.is_authenticated and user.is_staff):
            return None
        if staff_has_second_factor(user):
            return None
        messages.warning(request, _(
            "Staff accounts need two-factor authentication: set up an authenticator app to "
            "reach the administration."
        ))
        return HttpResponseRedirect(reverse("mfa_activate_totp"))


class StaffIdleTimeoutMiddleware:
    """Staff sessions end after ``STAFF_SESSION_IDLE_TIMEOUT`` seconds without a request.

    Staff reach everyone's data, so an unattended staff browser must not stay signed in for
    the members' ``SESSION_COOKIE_AGE``. The last-seen time is written at most once a minute
    to keep session writes rare."""

    SESSION_KEY = "_staff_last_seen"
    WRITE_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_staff:
            now = int(time.time())
            last_seen = request.session.get(self.SESSION_KEY)
            if last_seen is not None and now - int(last_seen) > settings.STAFF_SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _(
                    "You were signed out after %(minutes)d minutes without activity."
                ) % {"minutes": settings.STAFF_SESSION_IDLE_TIMEOUT // 60})
                query = urlencode({"next": request.path if request.method == "GET" else "/"})
                return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
            if last_seen is None or now - int(last_seen) >= self.WRITE_EVERY:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)
