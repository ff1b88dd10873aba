"""The clinic's read pages: a consultation area's procedures, the doctors, how to visit."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from clinic import selectors
from clinic.models import Weekday


@require_safe
def procedure_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.procedure_page_for(slug)
    if page is None:
        raise Http404
    return render(request, "clinic/procedure_page.html", {"page": page})


@require_safe
def doctors(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/doctors.html", {"doctors": selectors.doctors_shown()})


@require_safe
def visit(request: HttpRequest) -> HttpResponse:
    hours = selectors.opening_hours()
    return render(request, "clinic/visit.html", {
        "information": selectors.visit_information(),
        "week": [(day.label, hours.get(day.value)) for day in Weekday],
        "holidays": selectors.holidays_upcoming(today=timezone.localdate()),
        "maps": selectors.map_links(),
    })
