"""Background sends of the complaints feature (queued by ``privacy.complaints.services``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from privacy.models import Complaint
from privacy.outbox import send_once


@task()
def complaint_officer_notify(*, complaint_id: int, link: str, key: str, attempt: int = 1) -> None:
    """Tell the privacy officer of a new complaint: its number, admin link and due date only."""
    complaint = Complaint.objects.filter(pk=complaint_id).only("pk", "created_at").first()
    if complaint is None:
        return
    context = {"pk": complaint.pk, "link": link, "due": complaint.answer_due_on}
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("privacy/email/complaint_officer.txt", context)
        subject = render_to_string("privacy/email/complaint_officer_subject.txt",
                                   context).strip()
    send_once(
        complaint_officer_notify, key=key, attempt=attempt,
        arguments={"complaint_id": complaint_id, "link": link, "key": key},
        send=lambda: send_mail(subject, body, None, [settings.PRIVACY_OFFICER["email"]]),
    )
