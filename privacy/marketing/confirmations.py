"""Confirming a change of advertising consent to the person (Network Act art. 50(7)).

Whenever a marketing consent is granted or withdrawn, whatever the channel (consent page,
profile, unsubscribe link, re-consent, a representative, the privacy officer's shell), the
person is told who the sender is, the date, what was decided and how it was received. The
confirmation of an SMS consent goes by text message, the others by email; when that contact is
missing, the other one. Both travel through the processors' gates (``ProcessorCheckedEmailBackend``
and ``privacy.processors.sms``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from privacy import registry
from privacy.controller import site_for
from privacy.models import ConsentMethod, ConsentRecord, RequestChannel
from privacy.processors import sms

if TYPE_CHECKING:
    from members.models import Member

CONFIRMATION_LANGUAGES = ("ko", "en")


def _route(consent: str, member: Member) -> str:
    """``sms`` or ``email``: the channel of the consent, or the one contact the person has."""
    wanted = "sms" if consent == registry.MARKETING_CONSENT_FOR_CHANNEL["sms"] else "email"
    if wanted == "sms" and not member.mobile_phone and member.email:
        return "email"
    if wanted == "email" and not member.email and member.mobile_phone:
        return "sms"
    return wanted


def _lines(records: list[ConsentRecord]) -> list[dict[str, object]]:
    return [{
        "consent": registry.consent(record.consent).label,
        "granted": record.granted,
        "at": timezone.localtime(record.recorded_at),
        "method": ConsentMethod(record.method).label,
        "channel": RequestChannel(record.channel).label if record.channel else "",
        "reference": record.reference,
    } for record in records]


def _render(template: str, context: dict[str, Any],
            languages: tuple[str, ...] = CONFIRMATION_LANGUAGES) -> str:
    parts = []
    for language in languages:
        with translation.override(language):
            parts.append(render_to_string(template, {**context, **site_for(language)}).strip())
    return "\n\n".join(parts)


def marketing_consent_confirm(*, member: Member, records: Iterable[ConsentRecord]) -> int:
    """Send the person the confirmation of each advertising-consent decision in ``records``
    (other consents are skipped); how many messages went out."""
    changes = [record for record in records if record.consent in registry.MARKETING_CONSENTS]
    if not changes:
        return 0
    routes: dict[str, list[ConsentRecord]] = {}
    for record in changes:
        routes.setdefault(_route(record.consent, member), []).append(record)
    sent = 0
    for route, chosen in routes.items():
        context: dict[str, Any] = {"lines": _lines(chosen)}
        if route == "sms" and member.mobile_phone:
            # A text message is short: Korean only, as the advertisements themselves.
            text = _render("privacy/marketing/consent_confirmation_sms.txt", context, ("ko",))
            sent += sms.send_messages([sms.SmsMessage(to=member.mobile_phone, body=text,
                                                      subject_ref=member.subject_ref)])
        elif route == "email" and member.email:
            with translation.override("ko"):
                subject = render_to_string(
                    "privacy/marketing/consent_confirmation_subject.txt", site_for("ko")
                ).strip()
            body = _render("privacy/marketing/consent_confirmation_email.txt", context)
            sent += send_mail(subject, body + "\n", None, [member.email])
    return sent
