"""A guest's rights through the privacy officer: a guest has no account, so the consultation's
reference names them (policy section 6). Export, erasure and consent decisions received by
phone, mail or in person; each recorded as a request and logged with the operator."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.db import transaction
from django.utils import timezone

from consultations.models import GuestConsultation
from consultations.selectors import guest_reference_normalise
from privacy import registry
from privacy.access_log import access_log_append
from privacy.errors import PrivacyError
from privacy.ledger import consent_record, consent_records_for
from privacy.models import ConsentActor, ConsentMethod, ConsentRecord, RightsRequestKind
from privacy.retention.consultations import guest_consultations_destroy
from privacy.selfservice.services import ERASURE_REASON, rights_request_record

GUEST_EXPORT_FORMAT = "clinic-guest-consultation/1"


def guest_consultation_named(*, reference: str) -> GuestConsultation:
    """The guest consultation with ``reference`` (typed any way the guest reads it out)."""
    guest = GuestConsultation.objects.select_related("data_key").filter(
        reference=guest_reference_normalise(reference)).first()
    if guest is None:
        raise PrivacyError(f"no guest consultation with reference {reference!r}")
    return guest


def _live(guest: GuestConsultation) -> None:
    if guest.destroyed_at is not None:
        raise PrivacyError(f"the personal data of guest consultation {guest.reference} was "
                           f"destroyed on {timezone.localtime(guest.destroyed_at):%Y-%m-%d}")


def _when(value: Any) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def guest_export_document(guest: GuestConsultation) -> dict[str, Any]:
    """What is held about the guest, as plain JSON types: the consultation and its consents."""
    return {
        "format": GUEST_EXPORT_FORMAT,
        "generated_at": _when(timezone.now()),
        "reference": guest.reference,
        "consultation": {
            "name": guest.name, "mobile_phone": guest.mobile_phone, "area": str(guest.area),
            "title": guest.title, "question": guest.body, "answer": guest.answer,
            "posted_at": _when(guest.created_at), "answered_at": _when(guest.answered_at),
        },
        "consents": [
            {"consent": record.consent, "granted": record.granted,
             "recorded_at": _when(record.recorded_at), "how": record.get_method_display()}
            for record in consent_records_for(subject_ref=guest.subject_ref)
        ],
    }


@transaction.atomic
def guest_data_export(
    *, guest: GuestConsultation, channel: str, reference: str, operator: str,
) -> bytes:
    """The zip (``data.json``) of everything held about the guest; recorded and logged."""
    _live(guest)
    document = guest_export_document(guest)
    rights_request_record(subject_ref=guest.subject_ref, kind=RightsRequestKind.EXPORT,
                          channel=channel, reference=reference, completed=True)
    access_log_append(actor=operator, action=f"data_export:{channel}",
                      subject_ref=guest.subject_ref)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
    return buffer.getvalue()


@transaction.atomic
def guest_erase(
    *, guest: GuestConsultation, channel: str, reference: str, operator: str,
) -> None:
    """Destroy the guest's personal data now, as the retention rule would at its end: fields
    blanked, data key deleted; the request record stays as proof."""
    _live(guest)
    rights_request_record(subject_ref=guest.subject_ref, kind=RightsRequestKind.DELETION,
                          channel=channel, reference=reference, completed=True)
    access_log_append(actor=operator, action=f"guest_erase:{channel}",
                      subject_ref=guest.subject_ref)
    guest_consultations_destroy([guest.pk], now=timezone.now(), reason=ERASURE_REASON)


def guest_consent_keys() -> list[str]:
    return [consent.key for consent in registry.CONSENTS
            if consent.asked_at == registry.Collection.GUEST_CONSULTATION]


@transaction.atomic
def guest_consent_change(
    *, guest: GuestConsultation, consent: str, granted: bool, channel: str, reference: str,
    operator: str,
) -> ConsentRecord:
    """A guest's consent decision received offline, on the ledger with its channel and
    document reference. Withdrawing the guest consent stops its processing; the data itself
    goes with ``guest_erase`` or at the end of its retention period."""
    known = guest_consent_keys()
    if consent not in known:
        raise PrivacyError(f"unknown consent {consent!r} for a guest: one of {', '.join(known)}")
    _live(guest)
    record = consent_record(
        subject_ref=guest.subject_ref, consent=consent, granted=granted,
        method=ConsentMethod.OFFICER, actor=ConsentActor.STAFF, channel=channel,
        reference=reference,
    )
    access_log_append(actor=operator, action=f"consent_{'grant' if granted else 'withdraw'}"
                      f":{channel}", subject_ref=guest.subject_ref)
    if not granted:
        rights_request_record(subject_ref=guest.subject_ref,
                              kind=RightsRequestKind.CONSENT_WITHDRAWAL, channel=channel,
                              reference=reference, completed=True)
    return record
