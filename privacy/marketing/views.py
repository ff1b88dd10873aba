"""The one-click unsubscribe page of every advertisement: no log-in, the signed link is the key.

GET only shows what will be withdrawn (mail scanners open links); POST withdraws. The page
shows the consent, never who it belongs to.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from privacy import registry
from privacy.access_log import client_ip
from privacy.ledger import consent_is_granted
from privacy.marketing.campaigns import (
    BadUnsubscribeLink,
    marketing_unsubscribe,
    unsubscribe_token_read,
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subject_ref, consent = unsubscribe_token_read(token)
    except BadUnsubscribeLink:
        return render(request, "privacy/marketing/unsubscribe_invalid.html", status=400)
    context = {"consent": registry.consent(consent)}
    if request.method == "POST":
        withdrawn = marketing_unsubscribe(
            subject_ref=subject_ref, consent=consent, ip_address=client_ip(request)
        )
        return render(request, "privacy/marketing/unsubscribe_done.html",
                      {**context, "already": not withdrawn})
    if not consent_is_granted(subject_ref=subject_ref, consent=consent):
        return render(request, "privacy/marketing/unsubscribe_done.html",
                      {**context, "already": True})
    return render(request, "privacy/marketing/unsubscribe_confirm.html", context)
