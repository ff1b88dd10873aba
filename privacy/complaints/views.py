"""The complaint form for members and guests (policy section 8)."""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from privacy.complaints.forms import ComplaintForm
from privacy.complaints.services import complaint_submit


@require_http_methods(["GET", "POST"])
def complaint(request: HttpRequest) -> HttpResponse:
    """Complaints to the privacy officer, from members and guests (policy section 8)."""
    member = request.user if request.user.is_authenticated else None
    form = ComplaintForm(request.POST or None, guest=member is None)
    if request.method == "POST":
        allowed = ratelimit.consume(
            request, app="privacy", action="complaint",
            config={"complaint": settings.PRIVACY_COMPLAINT_RATE_LIMIT},
        )
        if not allowed:
            response = render(request, "privacy/complaint.html", {"form": form, "limited": True})
            response.status_code = 429
            return response
        if form.is_valid():
            complaint_submit(
                member=member, body=form.cleaned_data["body"],
                name=form.cleaned_data.get("name", ""),
                contact=form.cleaned_data.get("contact", ""),
                admin_url_for=lambda c: request.build_absolute_uri(
                    reverse("admin:privacy_complaint_change", args=[c.pk])
                ),
            )
            return redirect("privacy:complaint_sent")
    return render(request, "privacy/complaint.html", {"form": form})


@require_safe
def complaint_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/complaint_sent.html")
