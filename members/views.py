"""Member pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@login_required
@require_safe
def my_page(request: HttpRequest) -> HttpResponse:
    return render(request, "members/my_page.html", {"member": request.user})
