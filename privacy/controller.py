"""The controller, as the policy, notices, receipts and emails name it: the clinic and its
privacy officer (policy section 8), from settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def site_for(language: str) -> dict[str, Any]:
    """Clinic name and privacy officer in ``language``."""
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
