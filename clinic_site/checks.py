"""Deployment checks (``manage.py check --deploy``) for what only the operator can set right."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from clinic_site.env import UNSENT_MAIL_BACKENDS


@register(Tags.security, deploy=True)
def check_mail_is_sent(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Password-reset links and login IDs go by mail; a backend that prints them writes them
    into the server log."""
    if settings.EMAIL_REAL_BACKEND not in UNSENT_MAIL_BACKENDS:
        return []
    return [Warning(
        f"EMAIL_BACKEND is {settings.EMAIL_REAL_BACKEND}, which sends no mail: members get no "
        "confirmation or password-reset mail, and the console and file backends write those "
        "links into the log.",
        hint="Set EMAIL_BACKEND to django.core.mail.backends.smtp.EmailBackend (EMAIL_HOST "
             "etc.); production refuses to start otherwise unless ALLOW_UNSENT_MAIL=1.",
        id="clinic_site.W001",
    )]


@register(Tags.security, deploy=True)
def check_proxy_names_client(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Behind a proxy every request comes from the proxy's address, so rate limits would put
    every visitor in one bucket and the records would hold the proxy's address."""
    trusted = settings.ALLAUTH_TRUSTED_PROXY_COUNT or settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER
    if not settings.BEHIND_PROXY or trusted:
        return []
    return [Warning(
        "BEHIND_PROXY is on but no proxy is trusted to name the client: every visitor has "
        "the proxy's address.",
        hint="Set ALLAUTH_TRUSTED_PROXY_COUNT to the number of proxies of yours in front of "
             "the site (1 for one nginx), or ALLAUTH_TRUSTED_CLIENT_IP_HEADER.",
        id="clinic_site.W002",
    )]
