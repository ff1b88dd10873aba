"""Complaints to the privacy officer (policy section 8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from privacy.errors import PrivacyError
from privacy.models import (
    Complaint,
)

if TYPE_CHECKING:
    from members.models import Member


@transaction.atomic
def complaint_submit(
    *, body: str, admin_url_for: Callable[[Complaint], str], member: Member | None = None,
    name: str = "", contact: str = "",
) -> Complaint:
    """Store a complaint (encrypted) and tell the officer, with a link and no complaint text.

    ``admin_url_for(complaint)`` builds the absolute admin link for the email."""
    if member is not None:
        # A key of its own: the law keeps complaint records after the member's data is erased.
        complaint = Complaint(member=member, subject_ref=member.subject_ref, body=body)
    else:
        if not name.strip() or not contact.strip():
            raise PrivacyError("a guest must give a name and a contact")
        complaint = Complaint(name=name.strip(), contact=contact.strip(), body=body)
    complaint.save()
    link = admin_url_for(complaint)
    due = complaint.answer_due_on
    transaction.on_commit(lambda: complaint_notify_officer(pk=complaint.pk, link=link, due=due))
    return complaint


def complaint_notify_officer(*, pk: int, link: str, due: date) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("privacy/email/complaint_officer.txt",
                                {"pk": pk, "link": link, "due": due})
        subject = render_to_string("privacy/email/complaint_officer_subject.txt",
                                   {"pk": pk}).strip()
    send_mail(subject, body, None, [settings.PRIVACY_OFFICER["email"]])
