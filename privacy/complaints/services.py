"""Complaints to the privacy officer (policy section 8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction

from privacy.complaints.tasks import complaint_officer_notify
from privacy.errors import PrivacyError
from privacy.models import (
    Complaint,
)
from privacy.outbox import new_send_key

if TYPE_CHECKING:
    from members.models import Member


@transaction.atomic
def complaint_submit(
    *, body: str, admin_url_for: Callable[[Complaint], str], member: Member | None = None,
    name: str = "", contact: str = "",
) -> Complaint:
    """Store a complaint (encrypted) and tell the officer (in the background), with a link and
    no complaint text.

    ``admin_url_for(complaint)`` builds the absolute admin link for the email."""
    if member is not None:
        # A key of its own: the law keeps complaint records after the member's data is erased.
        complaint = Complaint(member=member, subject_ref=member.subject_ref, body=body)
    else:
        if not name.strip() or not contact.strip():
            raise PrivacyError("a guest must give a name and a contact")
        complaint = Complaint(name=name.strip(), contact=contact.strip(), body=body)
    complaint.save()
    # Queued in this transaction: the officer hears of the complaint if and only if it is kept.
    complaint_officer_notify.enqueue(complaint_id=complaint.pk, link=admin_url_for(complaint),
                                     key=new_send_key())
    return complaint
