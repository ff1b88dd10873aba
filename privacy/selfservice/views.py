"""Self-service pages (policy section 6). Every page is the logged-in member's own, or that of
a child they represent (anyone else gets a 404, as if the child did not exist)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from members.forms import ProfileForm
from members.models import Member
from members.selectors import children_named_for, represented_child
from privacy.access_log import client_ip
from privacy.errors import PrivacyError
from privacy.ledger import consents_current_for
from privacy.models import RequestChannel, RightsRequestKind
from privacy.selfservice import selectors, services
from privacy.selfservice.forms import (
    ConsentChangeForm,
    ItemRequestForm,
    SensitiveWithdrawForm,
    WithdrawForm,
)

# Pages that print the member's own data (decrypted) carry ``never_cache``: no copy in the
# browser's disk or back/forward cache, nor in a shared proxy.


def _viewer(request: HttpRequest) -> Member:
    """The logged-in member: every page here is ``login_required``."""
    assert isinstance(request.user, Member)
    return request.user


def _subject(request: HttpRequest, pk: int | None) -> Member:
    """The member whose data the page is about: the viewer, or a child they represent.

    The viewer is ``request.user``, the member the request has read already (the pages show
    its own account row without reading it again)."""
    if pk is None:
        return _viewer(request)
    child = represented_child(representative=request.user, pk=pk)
    if child is None:
        raise Http404
    return child


def _urls(member: Member, pk: int | None) -> dict[str, str]:
    if pk is None:
        return {"my_data": reverse("privacy:my_data"),
                "export": reverse("privacy:my_data_export"),
                "withdraw": reverse("privacy:withdraw"),
                "request": reverse("privacy:my_data_request"),
                "profile_edit": reverse("members:profile_edit")}
    return {"my_data": reverse("privacy:my_data_child", args=[pk]),
            "export": reverse("privacy:my_data_export_child", args=[pk]),
            "withdraw": reverse("privacy:withdraw_child", args=[pk]),
            "request": reverse("privacy:my_data_request_child", args=[pk]),
            "profile_edit": reverse("members:child_profile_edit", args=[pk])}


@login_required
@never_cache
@require_safe
def my_data(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Every item held, with the newest few records of each; the rest on the item's pages."""
    member = _subject(request, pk)
    viewer = _viewer(request)
    data = selectors.subject_overview(member=member, viewer=viewer)
    return render(request, "privacy/selfservice/my_data.html", {
        "data": data, "urls": _urls(member, pk), "child_pk": pk,
        "children": children_named_for(representative=viewer) if pk is None else (),
    })


def _listing_page(request: HttpRequest, pk: int | None, template: str,
                  listing_of: Callable[[Member], Any]) -> HttpResponse:
    """A page of one item's or one list's records (``listing_of(member)``; None: no such
    item or list)."""
    member = _subject(request, pk)
    listing = listing_of(member)
    if listing is None:
        raise Http404
    return render(request, template, {
        "member": member, "is_own": member.pk == request.user.pk, "urls": _urls(member, pk),
        **vars(listing),
    })


@login_required
@never_cache
@require_safe
def my_data_item(request: HttpRequest, key: str, pk: int | None = None) -> HttpResponse:
    """All records of one registry item, a page at a time, newest first."""
    return _listing_page(request, pk, "privacy/selfservice/my_data_item.html", lambda member: (
        selectors.item_listing(member=member, viewer=_viewer(request), key=key,
                               page=request.GET.get("page"))
    ))


@login_required
@never_cache
@require_safe
def my_data_section(request: HttpRequest, key: str, pk: int | None = None) -> HttpResponse:
    """All entries of one list of "my data" (consultations, consents...), a page at a time."""
    return _listing_page(request, pk, "privacy/selfservice/my_data_section.html", lambda member: (
        selectors.section_listing(member=member, key=key, page=request.GET.get("page"))
    ))


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def my_data_export(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """GET explains the file; POST downloads it (after the password was confirmed again)."""
    member = _subject(request, pk)
    if request.method == "GET":
        return render(request, "privacy/selfservice/export_page.html",
                      {"member": member, "urls": _urls(member, pk)})
    content = services.subject_data_export(
        member=member, viewer=_viewer(request), actor=request.user.get_username(),
    )
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def my_data_request(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Ask the officer to correct or delete an item; refused at once if a law keeps it.

    Limited per requesting member (``PRIVACY_RIGHTS_REQUEST_RATE_LIMIT``, counted in the
    shared cache whatever the address): over the limit the site's 429 page, nothing recorded."""
    member = _subject(request, pk)
    if not ratelimit.consume(
        request, app="privacy", action="rights_request",
        config={"rights_request": settings.PRIVACY_RIGHTS_REQUEST_RATE_LIMIT},
        key=str(_viewer(request).subject_ref),
    ):
        return render(request, "429.html", {"message": _(
            "You have sent many correction or deletion requests in a short time. The privacy "
            "officer handles those already received; please try again later, or call the "
            "clinic."
        )}, status=429)
    done = reverse("privacy:my_data") if pk is None else reverse("privacy:my_data_child",
                                                                    args=[pk])
    form = ItemRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an item and what to do with it."))
        return redirect(done)
    item_key, kind = form.cleaned_data["item"], form.cleaned_data["kind"]
    try:
        services.legal_hold_check(member=member, item_key=item_key)
    except PrivacyError as error:
        messages.error(request, str(error))
        return redirect(done)
    if kind == RightsRequestKind.CORRECTION:
        try:
            services.correction_request_start(
                member=member, item_key=item_key, channel=RequestChannel.WEB,
                actor=_viewer(request).get_username(),
            )
        except PrivacyError:
            messages.error(request, _(
                "A correction of this item is already under way. The privacy officer answers "
                "within 10 days."
            ))
            return redirect(done)
        messages.success(request, _(
            "Your request is received. Until the correction is completed, this item is neither "
            "used nor provided to anyone. The privacy officer answers within 10 days."
        ))
        return redirect(done)
    services.rights_request_record(subject_ref=member.subject_ref, kind=kind, items=[item_key])
    messages.success(request, _(
        "Your request is received. The privacy officer answers within 10 days."
    ))
    return redirect(done)


def _consent_urls(pk: int | None) -> dict[str, str]:
    if pk is None:
        return {"consents": reverse("privacy:consents"),
                "sensitive_withdraw": reverse("privacy:sensitive_withdraw")}
    return {"consents": reverse("privacy:consents_child", args=[pk]),
            "sensitive_withdraw": reverse("privacy:sensitive_withdraw_child", args=[pk])}


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Each optional consent, given or withdrawn one at a time: the member's own, or a child's
    by the confirmed legal representative. Withdrawing the sensitive consent first shows what
    it destroys (``sensitive_withdraw``)."""
    member = _subject(request, pk)
    urls = _consent_urls(pk)
    states = selectors.consent_states(member=member)
    if request.method == "POST":
        form = ConsentChangeForm(request.POST, choices=[state.key for state in states])
        if not form.is_valid():
            messages.error(request, _("Unknown consent."))
            return redirect(urls["consents"])
        consent, granted = form.cleaned_data["consent"], form.cleaned_data["grant"]
        if consent == services.SENSITIVE_CONSENT and not granted:
            return redirect(urls["sensitive_withdraw"])
        services.consent_change(
            member=member, consent=consent, granted=granted, actor=_viewer(request),
            ip_address=client_ip(request),
        )
        messages.success(request, _("The consent is given.") if granted else _(
            "The consent is withdrawn; the processing it allowed has stopped."
        ))
        return redirect(urls["consents"])
    return render(request, "privacy/selfservice/consents.html", {
        "states": states, "member": member, "child_pk": pk, "urls": urls,
    })


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def sensitive_withdraw(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The list of the health information the sensitive consent allowed, then, on explicit
    confirmation, the withdrawal that destroys it."""
    member = _subject(request, pk)
    urls = _consent_urls(pk)
    if services.SENSITIVE_CONSENT not in services.consents_granted(member):
        messages.error(request, _("This consent is not given."))
        return redirect(urls["consents"])
    form = SensitiveWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.consent_change(
            member=member, consent=services.SENSITIVE_CONSENT, granted=False,
            actor=_viewer(request), ip_address=client_ip(request),
        )
        messages.success(request, _(
            "The consent is withdrawn and the health information it allowed is destroyed."
        ))
        return redirect(urls["consents"])
    return render(request, "privacy/selfservice/sensitive_withdraw.html", {
        "content": selectors.sensitive_content_of(member=member), "form": form,
        "member": member, "child_pk": pk, "urls": urls,
    })


@login_required
@never_cache
@reauthentication_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The statement of what goes and what stays, then the withdrawal on explicit confirmation."""
    member = _subject(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        by_self = member.pk == request.user.pk
        services.member_withdraw(member=member, actor=_viewer(request))
        if by_self:
            logout(request)
        return render(request, "privacy/selfservice/withdrawn.html", {"by_self": by_self})
    data = selectors.subject_overview(member=member, viewer=_viewer(request))
    return render(request, "privacy/selfservice/withdraw.html", {
        "data": data, "statement": selectors.withdrawal_statement(data), "form": form,
        "urls": _urls(member, pk),
    })


# Children's pages: a stranger gets the 404 before any reauthentication prompt.

@login_required
def my_data_export_child(request: HttpRequest, pk: int) -> HttpResponse:
    _subject(request, pk)
    return my_data_export(request, pk)


@login_required
def withdraw_child(request: HttpRequest, pk: int) -> HttpResponse:
    _subject(request, pk)
    return withdraw(request, pk)


# --- Profile edits (the policy's "Change Personal Information") -------------------------------

def _edit_profile(request: HttpRequest, *, member: Member, done_url: str,
                  template: str) -> HttpResponse:
    current = consents_current_for(subject_ref=member.subject_ref)
    consents = {key: record.granted for key, record in current.items()}
    form = ProfileForm(request.POST or None, member=member, consents=consents)
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            member=member, data=form.profile_data(), consents=form.consent_decisions(),
            actor=_viewer(request), ip_address=client_ip(request),
        )
        messages.success(request, _("The profile is saved."))
        return redirect(done_url)
    return render(request, template, {"form": form, "member": member})


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Contact items change only after the password is confirmed again (reauthentication)."""
    return _edit_profile(request, member=_viewer(request), done_url="members:my_page",
                         template="members/profile_edit.html")


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def child_profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    child = represented_child(representative=_viewer(request), pk=pk)
    if child is None:
        raise Http404
    return _edit_profile(request, member=child, done_url="members:my_page",
                         template="members/child_profile_edit.html")
