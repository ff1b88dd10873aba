"""Background sends of the self-service rights (queued by ``privacy.selfservice.services``)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from members.models import Member
from privacy import registry
from privacy.models import Disclosure
from privacy.outbox import send_once
from privacy.selfservice.selectors import corrected_values


@task()
def correction_notice_send(
    *, member_id: int, disclosure_id: int, items: list[str], key: str, attempt: int = 1
) -> None:
    """Tell a third party that received ``items`` of a member their corrected values.

    The values are read when the task runs, so the recipient gets the newest ones; a member
    erased since gets no notice (nothing of theirs is left to tell)."""
    member = Member.objects.filter(pk=member_id).first()
    disclosure = Disclosure.objects.filter(pk=disclosure_id).first()
    if member is None or disclosure is None:
        return
    values = corrected_values(member=member, items=items)
    with translation.override("ko"):
        body = render_to_string("privacy/selfservice/email/correction.txt", {
            "recipient": disclosure.recipient, "disclosed_at": disclosure.disclosed_at,
            "lines": [(registry.ITEMS_BY_KEY[k].label, values.get(k, "")) for k in items],
        })
        subject = str(translation.gettext("Correction of personal information provided to you"))
    send_once(
        correction_notice_send, key=key, attempt=attempt,
        arguments={"member_id": member_id, "disclosure_id": disclosure_id, "items": items,
                   "key": key},
        send=lambda: send_mail(subject, body, None, [disclosure.recipient_contact]),
    )
