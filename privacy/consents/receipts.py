"""Consent receipts: a ledger entry as a JSON document in the Kantara Consent Receipt format.

Fields follow the Kantara Initiative Consent Receipt Specification v1.1 where they apply;
``consentGranted``, ``consentGivenBy`` and ``policyVersion`` are our extensions: a withdrawal
is an entry of its own in the ledger, and a representative or staff member may have acted.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from privacy import registry
from privacy.cookies.selectors import cookie_consent_labels
from privacy.models import ConsentRecord, Processor

RECEIPT_VERSION = "KI-CR-v1.1.0"
JURISDICTION = "KR"
# Receipt ids are derived from the ledger entry, so a receipt downloaded twice has one id.
RECEIPT_NAMESPACE = uuid.UUID("6f1d7a4e-2c1b-4f0e-9a57-3f4f1c2b8e10")


def consent_labels() -> dict[str, str]:
    """What each consent key is called on pages: registry labels, processors' names and the
    cookie groups'."""
    labels = {consent.key: str(consent.label) for consent in registry.CONSENTS}
    labels.update({p.consent_key: p.name for p in Processor.objects.only("pk", "name")})
    labels.update(cookie_consent_labels())
    return labels


def receipt_id(record: ConsentRecord) -> str:
    return str(uuid.uuid5(RECEIPT_NAMESPACE, f"consent-record:{record.pk}:{record.subject_ref}"))


def _controllers(language: str) -> list[dict[str, Any]]:
    suffix = "en" if language.startswith("en") else "ko"
    officer = settings.PRIVACY_OFFICER
    return [{
        "piiController": settings.CLINIC_NAME[suffix],
        "contact": officer[f"name_{suffix}"],
        "address": settings.CLINIC_ADDRESS[suffix],
        "email": officer["email"],
        "phone": officer["phone"],
        "piiControllerUrl": settings.SITE_URL,
    }]


def _service(record: ConsentRecord) -> tuple[dict[str, Any], bool, list[str]]:
    """The ``services`` entry of a consent key, whether it is sensitive, and its sensitive items."""
    key = record.consent
    third_party = ""
    if key in registry.CONSENTS_BY_KEY:
        consent = registry.CONSENTS_BY_KEY[key]
        name, items = str(consent.label), registry.items_for_consent(key)
        purposes = [str(p.label) for p in consent.purposes]
        termination = str(consent.retention.achieved_when)
        sensitive = consent.basis == registry.LegalBasis.SENSITIVE_CONSENT
    elif key.startswith("processor:"):
        processor = Processor.objects.filter(pk=int(key.split(":", 1)[1])).first()
        third_party = processor.name if processor else ""
        name = f"{third_party} ({key})"
        items = [registry.ITEMS_BY_KEY[k] for k in (processor.items if processor else [])
                 if k in registry.ITEMS_BY_KEY]
        purposes = [processor.tasks(translation.get_language() or "ko")] if processor else []
        termination = str(registry.CONSENT_WITHDRAWN.achieved_when)
        sensitive = any(i.basis == registry.LegalBasis.SENSITIVE_CONSENT for i in items)
    else:  # cookie groups
        cookies = registry.ITEMS_BY_KEY["cookies"]
        name, items = key, [cookies]
        purposes = [str(p.label) for p in cookies.purposes]
        termination = str(cookies.retention.achieved_when)
        sensitive = False
    service = {
        "service": name,
        "purposes": [{
            "purpose": purpose,
            "purposeCategory": [purpose],
            "consentType": "EXPLICIT",
            "piiCategory": [str(i.label) for i in items],
            "primaryPurpose": index == 0,
            "termination": termination,
            "thirdPartyDisclosure": bool(third_party),
            **({"thirdPartyName": third_party} if third_party else {}),
        } for index, purpose in enumerate(purposes)],
    }
    spi = [str(i.label) for i in items if i.basis == registry.LegalBasis.SENSITIVE_CONSENT]
    return service, sensitive, spi


def consent_receipt(record: ConsentRecord) -> dict[str, Any]:
    """The receipt of one ledger entry, in the current language."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    version = record.policy_version
    policy_path = (
        reverse("privacy:policy_version", kwargs={"version": version.version})
        if version else reverse("privacy:policy")
    )
    service, sensitive, spi = _service(record)
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": int(record.recorded_at.timestamp()),
        "collectionMethod": str(record.get_method_display()),
        "consentReceiptID": receipt_id(record),
        "language": language,
        "piiPrincipalId": str(record.subject_ref),
        "piiControllers": _controllers(language),
        "policyUrl": f"{settings.SITE_URL.rstrip('/')}{policy_path}",
        "services": [service],
        "sensitive": sensitive,
        "spiCat": spi,
        "consentGranted": record.granted,
        "consentGivenBy": record.actor,
        "policyVersion": version.version if version else None,
    }
