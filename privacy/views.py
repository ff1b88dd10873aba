"""Public privacy pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from privacy.selectors import policy_context, policy_version_current


@require_safe
def policy_current(request: HttpRequest) -> HttpResponse:
    """The policy as the registry declares it, under the version currently in force."""
    return render(
        request,
        "privacy/policy.html",
        {"version": policy_version_current(), **policy_context()},
    )
