"""Template tags of the privacy pages."""

from __future__ import annotations

from django import template

from privacy.selectors import VersionSummary, policy_version_upcoming

register = template.Library()


@register.simple_tag
def policy_banner_version() -> VersionSummary | None:
    """The version announced by the banner (costs one cached query at most)."""
    return policy_version_upcoming()
