"""The cookie groups and cookies the site sets, as the data migration creates them.

Staff manage the rows afterwards in django-cookie-consent's admin. Names and descriptions are
stored as their English message ids; pages translate them through the catalogue, so a text that
staff rewrite is shown as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from cookie_consent.models import Cookie, CookieGroup

NECESSARY = "necessary"
ANALYTICS = "analytics"
MARKETING = "marketing"

# Cookies set by this package (the library's own consent cookie is COOKIE_CONSENT_NAME).
ANALYTICS_COOKIE = "clinic_visitor"
INTEREST_COOKIE = "clinic_interest"
VISITOR_REF_COOKIE = "cookie_consent_ref"

ANALYTICS_COOKIE_AGE = 60 * 60 * 24 * 395  # a visitor is counted as the same for 13 months
INTEREST_COOKIE_AGE = 60 * 60 * 24 * 90  # "recent" interest: the last 90 days


@dataclass(frozen=True)
class CookieSpec:
    name: str
    description: str


@dataclass(frozen=True)
class GroupSpec:
    varname: str
    name: str
    description: str
    is_required: bool
    ordering: int
    cookies: tuple[CookieSpec, ...]


GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(
        varname=NECESSARY,
        name=gettext_noop("Strictly necessary"),
        description=gettext_noop(
            "Needed for the site to work: your log-in session, protection against forged "
            "requests, your language and your cookie choices. They cannot be refused."
        ),
        is_required=True,
        ordering=0,
        cookies=(
            CookieSpec("sessionid", gettext_noop("Keeps you logged in (until you log out).")),
            CookieSpec("csrftoken", gettext_noop("Protects forms against forged requests.")),
            CookieSpec("django_language", gettext_noop("Remembers the language you chose.")),
            CookieSpec("cookie_consent", gettext_noop(
                "Remembers which cookie groups you accepted or refused (12 months)."
            )),
            CookieSpec(VISITOR_REF_COOKIE, gettext_noop(
                "A random number set when you make a cookie choice without logging in, so "
                "that our consent records can prove your choice without knowing who you are "
                "(12 months)."
            )),
        ),
    ),
    GroupSpec(
        varname=ANALYTICS,
        name=gettext_noop("Analytics"),
        description=gettext_noop(
            "Counts how often and at what times pages are visited, with a random visitor "
            "number, the page address and the time; never your IP address. Records are "
            "destroyed after 13 months, or at once when you refuse."
        ),
        is_required=False,
        ordering=10,
        cookies=(
            CookieSpec(ANALYTICS_COOKIE, gettext_noop(
                "A random visitor number for counting visits (13 months)."
            )),
        ),
    ),
    GroupSpec(
        varname=MARKETING,
        name=gettext_noop("Marketing and personalisation"),
        description=gettext_noop(
            "Remembers which consultation areas you looked at recently, in your browser only, "
            "to show those areas first on the home page."
        ),
        is_required=False,
        ordering=20,
        cookies=(
            CookieSpec(INTEREST_COOKIE, gettext_noop(
                "The consultation areas you looked at recently (90 days)."
            )),
        ),
    ),
)


def groups_install(cookie_group_model: type[CookieGroup], cookie_model: type[Cookie]) -> None:
    """Create the groups and cookies above where missing; never overwrite staff's edits.

    Takes the model classes so that the data migration can pass its historical models."""
    for spec in GROUPS:
        group, _ = cookie_group_model.objects.get_or_create(
            varname=spec.varname,
            defaults={
                "name": spec.name, "description": spec.description,
                "is_required": spec.is_required, "is_deletable": not spec.is_required,
                "ordering": spec.ordering,
            },
        )
        for cookie in spec.cookies:
            cookie_model.objects.get_or_create(
                cookiegroup=group, name=cookie.name, domain="",
                defaults={"description": cookie.description, "path": "/"},
            )
