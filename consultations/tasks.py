"""Background sends of the consultations app (queued by ``consultations.services``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from consultations.models import Answer, GuestConsultation
from consultations.selectors import GUEST_CONSENT
from privacy.access_log import access_log_append
from privacy.controller import site_for
from privacy.ledger import consent_is_granted
from privacy.outbox import MAIL_ERRORS, send_once
from privacy.text_messages import SmsError, SmsMessage, send_messages


@task()
def consultation_answered_notify(
    *, answer_id: int, site_url: str, key: str, language: str = "", attempt: int = 1
) -> None:
    """Tell the author of an answered question by email, with a link and nothing else, in
    the language active when the answer was given (the clinic's when none was named).

    Read when the task runs: an answer or author gone since (deleted, withdrawn) means no
    mail, and the site's mail backend checks delegation consent and restrictions now."""
    answer = Answer.objects.select_related("consultation__author").filter(pk=answer_id).first()
    if answer is None or not answer.consultation.author.email:
        return
    consultation = answer.consultation
    link = site_url.rstrip("/") + reverse("consultations:detail", args=[consultation.pk])
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string("consultations/email/answered_subject.txt",
                                   {"link": link}).strip()
        body = render_to_string("consultations/email/answered_message.txt", {"link": link})
    send_once(
        consultation_answered_notify, key=key, attempt=attempt,
        arguments={"answer_id": answer_id, "site_url": site_url, "key": key,
                   "language": language},
        send=lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL,
                               [consultation.author.email]),
    )


@task()
def guest_text_notify(
    *, guest_consultation_id: int, kind: str, language: str, key: str, attempt: int = 1
) -> None:
    """Text a guest about their consultation: the reference at posting, a notice when
    answered, the reference again on request (``consultations/sms/guest_<kind>.txt``). The
    message holds the reference and the page to read the answer on; never the question, the
    answer or the name.

    Read when the task runs: a consultation destroyed since, or a consent to contact withdrawn
    since, means no message; the SMS processor's own consent gate applies in
    ``send_messages``. The hand-over of the number is logged."""
    guest = GuestConsultation.objects.filter(
        pk=guest_consultation_id, destroyed_at__isnull=True
    ).first()
    if guest is None or not guest.mobile_phone:
        return
    if not consent_is_granted(subject_ref=guest.subject_ref, consent=GUEST_CONSENT):
        return
    context = {
        "reference": guest.reference,
        "read_url": settings.SITE_URL + reverse("consultations:guest_read"),
        "clinic_name": site_for(language)["clinic_name"],
    }
    with translation.override(language):
        body = render_to_string(f"consultations/sms/guest_{kind}.txt", context).strip()
    accepted: list[int] = []
    send_once(
        guest_text_notify, key=key, attempt=attempt,
        arguments={"guest_consultation_id": guest_consultation_id, "kind": kind,
                   "language": language, "key": key},
        send=lambda: accepted.append(send_messages(
            [SmsMessage(to=guest.mobile_phone, body=body, subject_ref=guest.subject_ref)]
        )),
        retry_on=(*MAIL_ERRORS, SmsError),
    )
    if accepted and accepted[0]:  # withheld by a gate: nothing handed over
        access_log_append(actor="site", action=f"sms:guest_{kind}",
                          subject_ref=guest.subject_ref, fields=("mobile_phone",),
                          record_count=accepted[0])
