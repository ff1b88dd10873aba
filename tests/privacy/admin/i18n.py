from __future__ import annotations

from django.utils import translation


def ko(message: str) -> str:
    """The Korean text staff see (the admin's default language)."""
    with translation.override("ko"):
        return translation.gettext(message)
