"""Consultation board and reviews pages (read side)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from consultations import selectors
from consultations.models import Consultation

PAGE_SIZE = 20


@require_safe
def consultation_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.consultation_list_for(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consultations/consultation_list.html", {"page": page})


@require_safe
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(
        Consultation.objects.select_related("area", "author", "data_key"), pk=pk
    )
    if not selectors.consultation_visible_to(consultation, request.user):
        raise Http404
    answers = consultation.answers.select_related("data_key").all()
    return render(
        request,
        "consultations/consultation_detail.html",
        {"consultation": consultation, "answers": answers},
    )


@require_safe
def review_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.review_list_published(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consultations/review_list.html", {"page": page})
