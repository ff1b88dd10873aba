"""Public privacy pages: the policy and its versions, re-consent, consent receipts, complaints."""

from __future__ import annotations

import difflib
import html
import json
import re

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from privacy import selectors, services
from privacy.access_log import client_ip
from privacy.consents.middleware import SESSION_KEY
from privacy.consents.receipts import consent_labels, consent_receipt
from privacy.forms import ComplaintForm, ReconsentForm
from privacy.models import PolicyVersion


def _language() -> str:
    return "en" if (get_language() or "ko").startswith("en") else "ko"


@require_safe
def policy_current(request: HttpRequest) -> HttpResponse:
    """The policy as the registry declares it, under the version currently in force."""
    return render(
        request,
        "privacy/policy.html",
        {"version": selectors.policy_version_current_cached(), **services.policy_page_context()},
    )


@require_safe
def policy_versions(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/policy_versions.html",
                  {"versions": selectors.policy_versions_all()})


@require_safe
def policy_version(request: HttpRequest, version: str) -> HttpResponse:
    """A published version exactly as it was frozen when published."""
    published = get_object_or_404(PolicyVersion, version=version)
    return render(request, "privacy/policy_version.html", {
        "version": published,
        "content": published.content(_language()),
        "previous": selectors.policy_version_previous(published),
    })


_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|li|tr|dt|dd|h[1-6]|table|ul|dl)>", re.IGNORECASE)


def _text_lines(frozen_html: str) -> list[str]:
    """The frozen text as lines a reader can compare: one per paragraph, row or list item."""
    flat = " ".join(frozen_html.split())
    marked = _BLOCK_END.sub("\n", _CELL_END.sub(" | ", flat.replace("<br>", " ")))
    text = html.unescape(strip_tags(marked))
    lines = (" ".join(line.split()).removesuffix(" |") for line in text.splitlines())
    return [line for line in lines if line]


@require_safe
def policy_version_diff(request: HttpRequest, version: str) -> HttpResponse:
    """What changed from the previous version: a unified diff of the texts (escaped on render)."""
    published = get_object_or_404(PolicyVersion, version=version)
    previous = selectors.policy_version_previous(published)
    if previous is None:
        raise Http404
    language = _language()
    lines = list(difflib.unified_diff(
        _text_lines(previous.content(language)), _text_lines(published.content(language)),
        fromfile=previous.version, tofile=published.version, lineterm="", n=2,
    ))
    return render(request, "privacy/policy_diff.html",
                  {"version": published, "previous": previous, "lines": lines})


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
@require_http_methods(["GET", "POST"])
def reconsent(request: HttpRequest) -> HttpResponse:
    """Asks a member to answer the consent request of the version in force."""
    summary = selectors.policy_version_reconsent_in_force()
    if summary is None or not selectors.member_needs_reconsent(member=request.user,
                                                               version=summary):
        return redirect(_next_url(request))
    version = get_object_or_404(PolicyVersion, pk=summary.pk)
    form = ReconsentForm(request.POST or None, choices=services.reconsent_choices())
    if request.method == "POST" and form.is_valid():
        services.consents_renew(member=request.user, granted=form.granted(), version=version,
                                ip_address=client_ip(request))
        request.session[SESSION_KEY] = version.version
        messages.success(request, _("Thank you. Your consent choices are saved."))
        return redirect(_next_url(request))
    return render(request, "privacy/reconsent.html",
                  {"form": form, "version": version, "next": _next_url(request)})


@login_required
@require_safe
def consent_receipts(request: HttpRequest) -> HttpResponse:
    records = selectors.consent_records_for(subject_ref=request.user.subject_ref)
    labels = consent_labels()
    rows = [(record, labels.get(record.consent, record.consent)) for record in records]
    return render(request, "privacy/consent_receipts.html", {"rows": rows})


@require_safe
def consent_receipt_download(request: HttpRequest, pk: int) -> HttpResponse:
    """One ledger entry's receipt; anyone but its owner gets a 404, as if it did not exist."""
    if not request.user.is_authenticated:
        raise Http404
    record = selectors.consent_record_of(subject_ref=request.user.subject_ref, pk=pk)
    if record is None:
        raise Http404
    response = HttpResponse(
        json.dumps(consent_receipt(record), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="consent-receipt-{record.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


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
            services.complaint_submit(
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
