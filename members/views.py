"""Member pages: my page, legal representatives' confirmation, children and the staff's
authenticator enrolment link. Editing a profile is self-service (privacy.selfservice.views),
as the policy's section 6 describes it."""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from members import selectors, services
from members.models import Member
from privacy import registry
from privacy.access_log import client_ip
from privacy.ledger import consents_current_for


@login_required
@require_safe
def my_page(request: HttpRequest) -> HttpResponse:
    member = request.user
    assert isinstance(member, Member)  # login_required
    return render(request, "members/my_page.html", {
        "member": member,
        "children": selectors.children_named_for(representative=member),
        "login_history": selectors.login_history_for(member=member, now=timezone.now()),
        "login_history_days": selectors.LOGIN_HISTORY_DAYS,
    })


def _child_for(request: HttpRequest, pk: int) -> Member:
    child = selectors.represented_child(representative=request.user, pk=pk)
    if child is None:
        raise Http404
    return child


@login_required
@require_safe
def child_profile(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child_for(request, pk)
    return render(request, "members/child_profile.html", {"child": child})


@require_http_methods(["GET", "POST"])
def representative_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is consented to (mail scanners follow links); only POST confirms."""
    try:
        representative = services.representative_from_token(token)
    except services.RepresentativeLinkError as error:
        return render(request, "members/representative_invalid.html",
                      {"reason": str(error)}, status=400)
    if request.method == "POST":
        services.legal_representative_confirm(
            token=token, confirming_member=request.user, ip_address=client_ip(request)
        )
        return render(request, "members/representative_confirmed.html",
                      {"representative": representative})
    current = consents_current_for(subject_ref=representative.child.subject_ref)
    decisions = [
        (consent, bool(current.get(consent.key) and current[consent.key].granted))
        for consent in registry.MEMBER_CONSENTS
    ]
    return render(request, "members/representative_confirm.html", {
        "representative": representative, "child": representative.child,
        "decisions": decisions,
    })


@require_safe
def representative_pending(request: HttpRequest) -> HttpResponse:
    return render(request, "members/representative_pending.html")


# Enrolment links one staff account may ask for (allauth's rate format, per account).
STAFF_ENROLMENT_RATE_LIMIT = "3/h/key"


@login_required
@require_POST
def staff_enrolment_send(request: HttpRequest) -> HttpResponse:
    """Mail the signed-in staff member the link that lets them add an authenticator."""
    member = request.user
    assert isinstance(member, Member)  # login_required
    if not member.is_staff or selectors.staff_has_second_factor(member):
        return redirect("home")
    if not ratelimit.consume(
        request, app="members", action="staff_enrolment",
        config={"staff_enrolment": STAFF_ENROLMENT_RATE_LIMIT}, key=str(member.pk),
    ):
        return render(request, "429.html", {"message": _(
            "Several links were sent in the last hour. Please use the newest one in your "
            "mailbox, or try again later."
        )}, status=429)
    services.staff_enrolment_link_send(member=member, request=request)
    return render(request, "members/staff_enrolment_sent.html", {
        "minutes": int(services.STAFF_ENROLMENT_LINK_MAX_AGE.total_seconds() // 60),
    })


@login_required
@require_http_methods(["GET", "POST"])
def staff_enrolment(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to continue (mail scanners follow links); POST spends the link and goes on to
    allauth's authenticator set-up."""
    member = request.user
    assert isinstance(member, Member)  # login_required
    try:
        if request.method == "POST":
            services.staff_enrolment_link_use(token=token, member=member,
                                              session=request.session)
            return redirect("mfa_activate_totp")
        services.staff_enrolment_link_check(token=token, member=member)
    except services.StaffEnrolmentLinkError as error:
        return render(request, "members/staff_enrolment_invalid.html",
                      {"reason": error.reason}, status=400)
    return render(request, "members/staff_enrolment_confirm.html")
