"""Re-consent after a policy change, and the member's consent receipts."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from members.models import Member
from privacy.access_log import client_ip
from privacy.consents.forms import ReconsentForm
from privacy.consents.middleware import SESSION_KEY
from privacy.consents.receipts import consent_labels, consent_receipt
from privacy.consents.services import consents_renew, reconsent_choices
from privacy.ledger import (
    consent_record_of,
    consent_records_for,
    member_needs_reconsent,
    policy_version_reconsent_in_force,
)
from privacy.models import PolicyVersion


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
    assert isinstance(request.user, Member)  # login_required
    summary = policy_version_reconsent_in_force()
    if summary is None or not member_needs_reconsent(member=request.user,
                                                               version=summary):
        return redirect(_next_url(request))
    version = get_object_or_404(PolicyVersion, pk=summary.pk)
    form = ReconsentForm(request.POST or None, choices=reconsent_choices())
    if request.method == "POST" and form.is_valid():
        consents_renew(member=request.user, granted=form.granted(), version=version,
                                ip_address=client_ip(request))
        request.session[SESSION_KEY] = version.version
        messages.success(request, _("Thank you. Your consent choices are saved."))
        return redirect(_next_url(request))
    return render(request, "privacy/reconsent.html",
                  {"form": form, "version": version, "next": _next_url(request)})


@login_required
@require_safe
def consent_receipts(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, Member)  # login_required
    records = consent_records_for(subject_ref=request.user.subject_ref)
    labels = consent_labels()
    rows = [(record, labels.get(record.consent, record.consent)) for record in records]
    return render(request, "privacy/consent_receipts.html", {"rows": rows})


@require_safe
def consent_receipt_download(request: HttpRequest, pk: int) -> HttpResponse:
    """One ledger entry's receipt; anyone but its owner gets a 404, as if it did not exist."""
    if not request.user.is_authenticated:
        raise Http404
    record = consent_record_of(subject_ref=request.user.subject_ref, pk=pk)
    if record is None:
        raise Http404
    response = HttpResponse(
        json.dumps(consent_receipt(record), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="consent-receipt-{record.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response
