"""Pages of the consultation board, after-care and guest consultations, and reviews.

Every page that shows or changes one post asks ``selectors`` whether the viewer may, and
answers 404 otherwise, so a guessed id tells nothing about whether the post exists. A
post page a logged-out visitor may not see sends them to log in instead, existing or not."""

from __future__ import annotations

from typing import Any

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consultations import forms, selectors, services
from consultations.models import (
    TITLE_MAX_LENGTH,
    Consultation,
    ConsultationKind,
    sealed_areas_name,
)
from members import selectors as members_selectors
from members.models import Member
from privacy import registry
from privacy.access_log import access_log_request, client_ip
from privacy.lookup import phone_digest
from privacy.masking import mask_name

PAGE_SIZE = 20
GUEST_REFERENCE_SESSION_KEY = "consultations:guest_reference"
# Password checks of guest consultations: per reference (slow guessing of one consultation)
# and per IP address (guessing across references). allauth's limiter keeps counts in the
# shared cache, so every worker sees the same counts.
GUEST_READ_RATE_LIMIT = "5/15m/key,20/1h/ip"
GUEST_CREATE_RATE_LIMIT = "10/1h/ip"
# Asking for the reference again: per number (each try may send a text to its owner) and per
# IP address (trying many numbers).
GUEST_FIND_RATE_LIMIT = "3/1h/key,10/1h/ip"


def _rate_limit_ok(request: HttpRequest, *, action: str, rates: str, key: str = "") -> bool:
    rates = getattr(settings, f"CONSULTATIONS_{action.upper()}_RATE_LIMIT", rates)
    return bool(
        ratelimit.consume(
            request, app="consultations", action=action, config={action: rates}, key=key,
        )
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    """The site's rate-limit page, the one allauth renders too (templates/429.html)."""
    return render(request, "429.html", status=429)


def _may_post_or_403(request: HttpRequest) -> HttpResponse | None:
    """The refusal page naming the one reason that applies and the one step that lifts it.
    A missing consent to sensitive information is no refusal: the form asks for it."""
    reason = members_selectors.member_post_refusal(request.user)
    if reason is None:
        return None
    return render(request, "consultations/may_not_post.html", {"reason": reason}, status=403)


def _consent_missing(request: HttpRequest) -> bool:
    assert isinstance(request.user, Member)  # login_required
    return selectors.board_consent_missing(request.user)


def _grant_consent_if_given(request: HttpRequest, form: forms.BoardConsentMixin) -> None:
    if form.consent_given():
        assert isinstance(request.user, Member)  # login_required
        services.board_consent_grant(member=request.user, ip_address=client_ip(request))


def _patient_may_post_or_403(request: HttpRequest) -> HttpResponse | None:
    """After-care questions and reviews: the posting rule, then a recorded procedure
    (``selectors.member_is_patient`` in two steps, each with its own refusal page)."""
    if denied := _may_post_or_403(request):
        return denied
    if not selectors.member_has_procedure(request.user):
        return render(request, "consultations/not_a_patient.html", status=403)
    return None


# --- Consultation board ----------------------------------------------------------------------

@require_safe
def consultation_list(request: HttpRequest) -> HttpResponse:
    areas = selectors.area_list_cached()
    area_slug = request.GET.get("area", "")
    area = next((candidate for candidate in areas if candidate.slug == area_slug), None)
    query = request.GET.get("q", "")[:TITLE_MAX_LENGTH]
    page = selectors.consultation_board_page(
        viewer=request.user, area=area, query=query, params=request.GET, per_page=PAGE_SIZE
    )
    return render(
        request,
        "consultations/consultation_list.html",
        {"page": page, "areas": areas, "area": area, "query": query},
    )


@login_required
@require_safe
def consultation_mine(request: HttpRequest) -> HttpResponse:
    """The member's own questions with whether each is answered, a page at a time."""
    assert isinstance(request.user, Member)  # login_required
    page = Paginator(selectors.consultation_list_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    sealed_areas_name(page)
    return render(request, "consultations/consultation_mine.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest) -> HttpResponse:
    if denied := _may_post_or_403(request):
        return denied
    form = forms.ConsultationForm(request.POST or None, ask_consent=_consent_missing(request))
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, Member)  # login_required
        with transaction.atomic():
            _grant_consent_if_given(request, form)
            consultation = services.consultation_create(author=request.user, **form.post_data())
        messages.success(request, _("Your consultation is posted."))
        return redirect("consultations:detail", pk=consultation.pk)
    return render(request, "consultations/consultation_form.html", {"form": form})


@require_safe
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_page_for_viewer(pk=pk, viewer=request.user)
    if consultation is None:
        # A logged-out visitor (the answer email's link) is sent to log in and back here,
        # whether the post exists or not, so the redirect tells nothing; once logged in,
        # anyone but the author (or a permitted reader) gets the 404.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    answer_form = (forms.AnswerForm() if selectors.staff_may_answer(request.user, consultation)
                   else None)
    return _render_detail(request, consultation, answer_form=answer_form)


def _render_detail(request: HttpRequest, consultation: Consultation, *,
                   answer_form: Any, status: int = 200) -> HttpResponse:
    """The post page, also when the staff answer form comes back with errors: a staff member
    reading someone's private question is recorded as in the admin, and a private page is
    never kept by the browser or a proxy."""
    if consultation.is_private and consultation.author_id != request.user.pk and (
        selectors.staff_may_read(request.user, kind=consultation.kind)
    ):
        access_log_request(request, action="view:consultations.consultation",
                           subject_ref=consultation.author.subject_ref, fields=("title", "body"))
    answers = list(consultation.answers.all())
    response = render(
        request, "consultations/consultation_detail.html",
        {"consultation": consultation, "answers": answers, "answer_form": answer_form,
         "editable": selectors.consultation_editable_by(consultation, request.user,
                                                        answered=bool(answers)),
         "deletable": selectors.consultation_deletable_by(consultation, request.user)},
        status=status,
    )
    if consultation.is_private:
        response["Cache-Control"] = "private, no-store"
    return response


def _own_or_404(request: HttpRequest, pk: int) -> Consultation:
    consultation = selectors.consultation_for_viewer(pk=pk, viewer=request.user)
    if consultation is None or consultation.author_id != request.user.pk:
        raise Http404
    return consultation


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _own_or_404(request, pk)
    if denied := _may_post_or_403(request):
        return denied
    if not selectors.consultation_editable_by(consultation, request.user):
        messages.error(request, _("An answered consultation can no longer be changed."))
        return redirect("consultations:detail", pk=pk)
    aftercare = consultation.kind == ConsultationKind.AFTERCARE
    initial = {"area": consultation.area, "title": consultation.title,
               "body": consultation.body, "is_private": consultation.is_private}
    form_class = forms.AftercareEditForm if aftercare else forms.ConsultationForm
    form = form_class(request.POST or None, initial=initial,
                      ask_consent=_consent_missing(request))
    if request.method == "POST" and form.is_valid():
        data = {"area": consultation.area, "is_private": True, **form.post_data()}
        with transaction.atomic():
            _grant_consent_if_given(request, form)
            services.consultation_update(consultation=consultation, **data)
        messages.success(request, _("Your consultation is updated."))
        return redirect("consultations:detail", pk=pk)
    return render(
        request, "consultations/consultation_form.html",
        {"form": form, "consultation": consultation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _own_or_404(request, pk)
    if request.method == "POST":
        aftercare = consultation.kind == ConsultationKind.AFTERCARE
        services.consultation_delete(consultation=consultation)
        messages.success(request, _("Your consultation is deleted."))
        return redirect("consultations:aftercare" if aftercare else "consultations:list")
    return render(
        request, "consultations/confirm_delete.html",
        {"object_title": consultation.title,
         "cancel_url": consultation_url(consultation.pk),
         "with_answers": selectors.consultation_is_answered(consultation)},
    )


def consultation_url(pk: int) -> str:
    return reverse("consultations:detail", args=[pk])


@require_POST
def consultation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff answer from the post page (the admin has the same through its inline)."""
    consultation = selectors.consultation_for_viewer(pk=pk, viewer=request.user)
    if consultation is None or not selectors.staff_may_answer(request.user, consultation):
        raise Http404
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        assert isinstance(request.user, Member)  # staff_may_answer: logged in
        services.consultation_answer(
            consultation=consultation, staff=request.user,
            body=form.cleaned_data["body"],
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
        messages.success(request, _("The answer is posted and the author is notified."))
        return redirect("consultations:detail", pk=pk)
    consultation = selectors.consultation_page_for_viewer(pk=pk, viewer=request.user)
    if consultation is None:  # deleted by its author in the meantime
        raise Http404
    return _render_detail(request, consultation, answer_form=form, status=400)


# --- Post-surgery (after-care) consultations -------------------------------------------------

@login_required
@require_safe
def aftercare_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, Member)  # login_required
    page = Paginator(selectors.aftercare_list_for(viewer=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "consultations/aftercare_list.html",
        {"page": page, "is_patient": selectors.member_is_patient(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def aftercare_create(request: HttpRequest) -> HttpResponse:
    if denied := _patient_may_post_or_403(request):
        return denied
    assert isinstance(request.user, Member)  # login_required
    form = forms.AftercareForm(request.POST or None, member=request.user,
                               ask_consent=_consent_missing(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            _grant_consent_if_given(request, form)
            consultation = services.consultation_create_aftercare(
                author=request.user, **form.post_data()
            )
        messages.success(request, _("Your after-care question is sent to the clinic."))
        return redirect("consultations:detail", pk=consultation.pk)
    return render(request, "consultations/aftercare_form.html", {"form": form})


# --- Guest consultations ---------------------------------------------------------------------

def _reference_shown_once(request: HttpRequest, *, session_key: str, template: str,
                          otherwise: str) -> HttpResponse:
    """The reference of what a guest just sent, shown once, right after sending: it leaves
    the session as it is shown, so a reload or a later visitor of the browser is sent to the
    page that asks for it (``otherwise``) instead."""
    reference = request.session.pop(session_key, None)
    if reference is None:
        return redirect(otherwise)
    return render(request, template, {"reference": reference})


def _guest_notice() -> dict[str, Any]:
    """The two consents of the guest form, each with its notice, items and purposes."""
    return {
        "consents": [
            (registry.consent(key), registry.items_for_consent(key), field)
            for key, field in ((selectors.GUEST_CONSENT, "consent"),
                               (selectors.GUEST_SENSITIVE_CONSENT, "sensitive_consent"))
        ],
        "days_after_answer": settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER,
        "days_unanswered": settings.GUEST_CONSULTATION_DAYS_UNANSWERED,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def guest_consultation_create(request: HttpRequest) -> HttpResponse:
    form = forms.GuestConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not _rate_limit_ok(request, action="guest_create", rates=GUEST_CREATE_RATE_LIMIT):
            return _too_many(request)
        data = dict(form.cleaned_data)
        for unused in ("password_again", "consent", "sensitive_consent"):
            data.pop(unused)
        guest_consultation = services.guest_consultation_create(
            **data, ip_address=client_ip(request)
        )
        request.session[GUEST_REFERENCE_SESSION_KEY] = guest_consultation.reference
        return redirect("consultations:guest_done")
    return render(
        request, "consultations/guest_form.html", {"form": form, **_guest_notice()}
    )


@never_cache
@require_safe
def guest_consultation_done(request: HttpRequest) -> HttpResponse:
    return _reference_shown_once(request, session_key=GUEST_REFERENCE_SESSION_KEY,
                                 template="consultations/guest_done.html",
                                 otherwise="consultations:guest_read")


@never_cache
@require_http_methods(["GET", "POST"])
def guest_consultation_read(request: HttpRequest) -> HttpResponse:
    """Reference and password in a POST body (never the URL); the answer shows on the
    response itself, so nothing of it stays in the session or in a bookmarkable page."""
    form = forms.GuestReadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = selectors.guest_reference_normalise(form.cleaned_data["reference"])
        if not _rate_limit_ok(
            request, action="guest_read", rates=GUEST_READ_RATE_LIMIT, key=reference
        ):
            return _too_many(request)
        guest_consultation = selectors.guest_consultation_authenticate(
            reference=reference, password=form.cleaned_data["password"]
        )
        if guest_consultation is not None:
            response = render(
                request, "consultations/guest_detail.html",
                {"guest_consultation": guest_consultation,
                 "name": mask_name(guest_consultation.name),
                 "days_after_answer": settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER},
            )
            response["Cache-Control"] = "private, no-store"
            return response
        form.add_error(None, _(
            "The reference or the password is not correct. (After the retention period the "
            "consultation is destroyed and can no longer be read.)"
        ))
    return render(request, "consultations/guest_read.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def guest_reference_find(request: HttpRequest) -> HttpResponse:
    """A guest who lost the reference gives the mobile number and the password; the reference
    goes by text message to that number, never onto this page. The answer is the same whether
    anything matched or not, so the page cannot be used to learn who asked the clinic."""
    form = forms.GuestReferenceFindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["mobile_phone"]
        if not _rate_limit_ok(request, action="guest_find", rates=GUEST_FIND_RATE_LIMIT,
                              key=phone_digest(phone)):
            return _too_many(request)
        services.guest_reference_resend(mobile_phone=phone,
                                        password=form.cleaned_data["password"])
        messages.info(request, _(
            "If a consultation was posted with this mobile number and password, its reference "
            "is sent to that number by text message. It may take a few minutes."
        ))
        return redirect("consultations:guest_read")
    return render(request, "consultations/guest_find.html", {"form": form})


# --- Reviews ---------------------------------------------------------------------------------

@require_safe
def review_list(request: HttpRequest) -> HttpResponse:
    page = selectors.review_published_page(params=request.GET, per_page=PAGE_SIZE)
    return render(
        request, "consultations/review_list.html",
        {"page": page, "is_patient": selectors.member_is_patient(request.user)},
    )


@login_required
@require_safe
def review_mine(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, Member)  # login_required
    page = Paginator(selectors.review_list_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "consultations/review_mine.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    if denied := _patient_may_post_or_403(request):
        return denied
    assert isinstance(request.user, Member)  # login_required
    form = forms.ReviewForm(request.POST or None, member=request.user,
                            ask_consent=_consent_missing(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            _grant_consent_if_given(request, form)
            services.review_create(author=request.user, **form.post_data())
        messages.success(request, _("Thank you. Your review will appear once staff have "
                                    "checked it."))
        return redirect("reviews:mine")
    return render(request, "consultations/review_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_author(pk=pk, viewer=request.user)
    if review is None:
        raise Http404
    if denied := _may_post_or_403(request):
        return denied
    initial = {"area": review.area, "title": review.title, "body": review.body,
               "rating": review.rating}
    assert isinstance(request.user, Member)  # login_required
    form = forms.ReviewForm(request.POST or None, initial=initial, member=request.user,
                            ask_consent=_consent_missing(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            _grant_consent_if_given(request, form)
            services.review_update(review=review, **form.post_data())
        messages.success(request, _("Your review is updated and waits for staff to check it "
                                    "again."))
        return redirect("reviews:mine")
    return render(request, "consultations/review_form.html", {"form": form, "review": review})


@login_required
@require_http_methods(["GET", "POST"])
def review_delete(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_author(pk=pk, viewer=request.user)
    if review is None:
        raise Http404
    if request.method == "POST":
        services.review_delete(review=review)
        messages.success(request, _("Your review is deleted."))
        return redirect("reviews:mine")
    return render(
        request, "consultations/confirm_delete.html",
        {"object_title": review.title, "cancel_url": reverse("reviews:mine")},
    )



# --- Booking requests ------------------------------------------------------------------------

BOOKING_REFERENCE_SESSION_KEY = "consultations:booking_reference"
BOOKING_CREATE_RATE_LIMIT = "10/1h/ip"
BOOKING_READ_RATE_LIMIT = "5/15m/key,20/1h/ip"


def _booking_notice() -> dict[str, Any]:
    return {
        "consents": [
            (consent, registry.items_for_consent(consent.key))
            for consent in map(registry.consent, services.BOOKING_CONSENTS)
        ],
    }


@never_cache
@require_http_methods(["GET", "POST"])
def booking_create(request: HttpRequest) -> HttpResponse:
    """A member's or a guest's request for a consultation appointment; ``?area=<slug>`` (the
    area page's link) chooses the area."""
    member = request.user if isinstance(request.user, Member) else None
    initial = {}
    area_slug = request.GET.get("area", "")[:40]
    if area_slug:
        area = next((a for a in selectors.area_list_cached() if a.slug == area_slug), None)
        initial["area"] = area
    form = forms.BookingForm(request.POST or None, member=member, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not _rate_limit_ok(request, action="booking_create", rates=BOOKING_CREATE_RATE_LIMIT):
            return _too_many(request)
        data = form.cleaned_data
        booking = services.booking_request_create(
            member=member, area=data["area"], slots=data["slots"], note=data["note"],
            channel=data["channel"], name=data.get("name", ""), contact=data.get("contact", ""),
            ip_address=client_ip(request),
        )
        request.session[BOOKING_REFERENCE_SESSION_KEY] = booking.reference
        return redirect("consultations:booking_done")
    return render(request, "consultations/booking_form.html", {
        "form": form, "member": member, **_booking_notice(),
        "days_after": settings.BOOKING_DAYS_AFTER_APPOINTMENT,
        "days_unanswered": settings.BOOKING_DAYS_UNANSWERED,
    })


@never_cache
@require_safe
def booking_done(request: HttpRequest) -> HttpResponse:
    return _reference_shown_once(request, session_key=BOOKING_REFERENCE_SESSION_KEY,
                                 template="consultations/booking_done.html",
                                 otherwise="consultations:booking_read")


@never_cache
@require_http_methods(["GET", "POST"])
def booking_read(request: HttpRequest) -> HttpResponse:
    """A guest follows a request with its reference and the phone number or email given, in a
    POST body (never the URL); the status shows on the response only."""
    form = forms.BookingReadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = selectors.guest_reference_normalise(form.cleaned_data["reference"])
        if not _rate_limit_ok(
            request, action="booking_read", rates=BOOKING_READ_RATE_LIMIT, key=reference
        ):
            return _too_many(request)
        booking = selectors.booking_for_guest(
            reference=reference, contact=form.cleaned_data["contact"]
        )
        if booking is not None:
            response = render(request, "consultations/booking_detail.html", {
                "booking": booking, "name": mask_name(booking.name),
            })
            response["Cache-Control"] = "private, no-store"
            return response
        form.add_error(None, _(
            "The reference or the contact is not correct. (After the retention period the "
            "request is destroyed and can no longer be read.)"
        ))
    return render(request, "consultations/booking_read.html", {"form": form})
