"""What a member's signed-in device is, in words: "Chrome on Android", never the raw
user-agent string (a long technical text that says little to a person and identifies a lot)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ua_parser import parse

# ua-parser's names that are not a product a person would recognise.
_UNKNOWN = {"", "Other"}
# Mobile variants carry the device in the system's name already ("Chrome on Android").
_MOBILE_SUFFIX, _MOBILE_PREFIX = " Mobile", "Mobile "


def device_summary(user_agent: str) -> str:
    """"Chrome on Android", "Safari on iOS", "Chrome" or "an unknown browser"."""
    result = parse(user_agent or "")
    browser = (result.user_agent.family if result.user_agent else "")
    browser = browser.removesuffix(_MOBILE_SUFFIX).removeprefix(_MOBILE_PREFIX)
    system = result.os.family if result.os else ""
    if browser in _UNKNOWN:
        return _("an unknown browser")
    if system in _UNKNOWN:
        return browser
    return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
