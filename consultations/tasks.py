"""Background sends of the consultations app (queued by ``consultations.services``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from consultations.models import Answer
from privacy.outbox import send_once


@task()
def consultation_answered_notify(
    *, answer_id: int, site_url: str, key: str, attempt: int = 1
) -> None:
    """Tell the author of an answered question by email, with a link and nothing else.

    Read when the task runs: an answer or author gone since (deleted, withdrawn) means no
    mail, and the site's mail backend checks delegation consent and restrictions now."""
    answer = Answer.objects.select_related("consultation__author").filter(pk=answer_id).first()
    if answer is None or not answer.consultation.author.email:
        return
    consultation = answer.consultation
    link = site_url.rstrip("/") + reverse("consultations:detail", args=[consultation.pk])
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("consultations/email/answered_subject.txt",
                                   {"link": link}).strip()
        body = render_to_string("consultations/email/answered_message.txt", {"link": link})
    send_once(
        consultation_answered_notify, key=key, attempt=attempt,
        arguments={"answer_id": answer_id, "site_url": site_url, "key": key},
        send=lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL,
                               [consultation.author.email]),
    )
