"""Values every page's layout needs: clinic name and privacy officer, taken from settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from privacy.controller import site_for


def site(request: HttpRequest) -> dict[str, Any]:
    return site_for(get_language() or settings.LANGUAGE_CODE)
