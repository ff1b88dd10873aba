"""Confirming a change of advertising consent to the person (Network Act art. 50(7)).

Whenever a marketing consent is granted or withdrawn, whatever the channel (sign-up form,
consent page, profile, unsubscribe link, re-consent, a representative's link or page, the
privacy officer's shell), the person is told who the sender is, the date, what was decided
and how it was received. The confirmation of an SMS consent goes by text message, the others
by email; when that contact is missing, the other one. The decision's service queues the
confirmation (``privacy.outbox`` rules: sent once by the worker, through the processors' gates
and restrictions of that moment); the members layer's services, which may not import this
one, send a signal that ``privacy.marketing.receivers`` answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from privacy import registry
from privacy.controller import site_for
from privacy.models import ConsentMethod, ConsentRecord, RequestChannel
from privacy.outbox import MAIL_ERRORS, new_send_key, send_once
from privacy.processors.sms import SmsError, SmsMessage, send_messages

if TYPE_CHECKING:
    from members.models import Member

CONFIRMATION_LANGUAGES = ("ko", "en")
EMAIL, SMS = "email", "sms"


def _route(consent: str, member: Member) -> str:
    """``sms`` or ``email``: the channel of the consent, or the one contact the person has."""
    wanted = SMS if consent == registry.MARKETING_CONSENT_FOR_CHANNEL["sms"] else EMAIL
    if wanted == SMS and not member.mobile_phone and member.email:
        return EMAIL
    if wanted == EMAIL and not member.email and member.mobile_phone:
        return SMS
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


def _render(template: str, context: dict[str, Any], languages: tuple[str, ...]) -> str:
    parts = []
    for language in languages:
        with translation.override(language):
            parts.append(render_to_string(template, {**context, **site_for(language)}).strip())
    return "\n\n".join(parts)


def marketing_consent_confirm(*, member: Member, records: Iterable[ConsentRecord]) -> int:
    """Queue the confirmation of each advertising-consent decision in ``records`` (other
    consents are skipped): one message per route; how many were queued."""
    changes = [record for record in records if record.consent in registry.MARKETING_CONSENTS]
    routes: dict[str, list[int]] = {}
    for record in changes:
        routes.setdefault(_route(record.consent, member), []).append(record.pk)
    for route, record_ids in routes.items():
        consent_confirmation_send.enqueue(member_id=member.pk, record_ids=record_ids,
                                          route=route, key=new_send_key())
    return len(routes)


@task()
def consent_confirmation_send(
    *, member_id: int, record_ids: list[int], route: str, key: str, attempt: int = 1
) -> None:
    """Send one confirmation, read when the task runs: a member erased since gets none."""
    member = get_user_model().objects.filter(pk=member_id).first()
    records = list(ConsentRecord.objects.filter(pk__in=record_ids).order_by("recorded_at", "id"))
    if member is None or not records:
        return
    context: dict[str, Any] = {"lines": _lines(records)}
    arguments = {"member_id": member_id, "record_ids": record_ids, "route": route, "key": key}
    if route == SMS and member.mobile_phone:
        # A text message is short: Korean only, as the advertisements themselves.
        text = _render("privacy/marketing/consent_confirmation_sms.txt", context, ("ko",))
        send_once(consent_confirmation_send, key=key, attempt=attempt, arguments=arguments,
                  send=lambda: send_messages([SmsMessage(to=member.mobile_phone, body=text,
                                                         subject_ref=member.subject_ref)]),
                  retry_on=(*MAIL_ERRORS, SmsError))
    elif route == EMAIL and member.email:
        with translation.override("ko"):
            subject = render_to_string(
                "privacy/marketing/consent_confirmation_subject.txt", site_for("ko")
            ).strip()
        body = _render("privacy/marketing/consent_confirmation_email.txt", context,
                       CONFIRMATION_LANGUAGES)
        send_once(consent_confirmation_send, key=key, attempt=attempt, arguments=arguments,
                  send=lambda: send_mail(subject, body + "\n", None, [member.email]))
