"""The clinic's business information for the footer (Korean sites show it on every page)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language


def business(request: HttpRequest) -> dict[str, Any]:
    suffix = "en" if (get_language() or settings.LANGUAGE_CODE).startswith("en") else "ko"
    info = settings.CLINIC_BUSINESS
    return {
        "clinic_business": {
            "name": settings.CLINIC_NAME[suffix],
            "representative": info[f"representative_{suffix}"],
            "registration_number": info["registration_number"],
            "address": settings.CLINIC_ADDRESS[suffix],
            "medical_institution": info[f"medical_institution_{suffix}"],
            "phone": info["phone"],
        }
    }
