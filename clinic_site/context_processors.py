"""Values every page's layout needs: clinic name and privacy officer, taken from settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language


def site_for(language: str) -> dict[str, Any]:
    """Clinic name and privacy officer (policy section 8) in ``language``."""
    suffix = "en" if language.startswith("en") else "ko"
    officer = settings.PRIVACY_OFFICER
    return {
        "clinic_name": settings.CLINIC_NAME[suffix],
        "privacy_officer": {
            "name": officer[f"name_{suffix}"],
            "department": officer[f"department_{suffix}"],
            "phone": officer["phone"],
            "email": officer["email"],
        },
    }


def site(request: HttpRequest) -> dict[str, Any]:
    return site_for(get_language() or settings.LANGUAGE_CODE)
