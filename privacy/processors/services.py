"""Recording a disclosure to a third party, so a correction can be passed on (policy section 6)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from privacy import registry
from privacy.errors import PrivacyError
from privacy.models import (
    Disclosure,
    DisclosureBasis,
)
from privacy.restrictions import restricted_items

if TYPE_CHECKING:
    from members.models import Member


def disclosure_check(
    *, subject_ref: Any, recipient: str, items: Iterable[str], legal_basis: str,
) -> list[str]:
    """Refuse a provision the registry or a restriction does not allow; the item keys, once.

    The admin form asks this before it saves, so a refused disclosure shows its reason beside
    the form and nothing is stored. An item under restriction is not provided (policy section
    6) until the person's correction or suspension request is completed."""
    item_keys = list(dict.fromkeys(items))
    unknown = [key for key in item_keys if key not in registry.ITEMS_BY_KEY]
    if not item_keys or unknown:
        raise PrivacyError(
            f"items must be registry item keys; unknown: {', '.join(unknown) or '(none given)'}"
        )
    if not recipient.strip():
        raise PrivacyError("the recipient is required")
    if legal_basis not in DisclosureBasis.values:
        raise PrivacyError(f"unknown legal basis {legal_basis!r}: one of "
                           f"{', '.join(DisclosureBasis.values)}")
    restricted = restricted_items(subject_ref=subject_ref)
    blocked = [key for key in item_keys if key in restricted]
    if blocked:
        raise PrivacyError(
            f"not provided: {', '.join(blocked)} restricted until the person's correction or "
            f"suspension request is completed"
        )
    return item_keys


@transaction.atomic
def disclosure_record(
    *,
    subject_ref: Any,
    recipient: str,
    items: Iterable[str],
    legal_basis: str,
    recipient_contact: str = "",
    basis_detail: str = "",
    disclosed_at: Any = None,
    recorded_by: Member | None = None,
) -> Disclosure:
    """Log one provision of a person's data to a third party (append-only), once
    ``disclosure_check`` allows it."""
    item_keys = disclosure_check(subject_ref=subject_ref, recipient=recipient, items=items,
                                 legal_basis=legal_basis)
    disclosure = Disclosure(
        subject_ref=subject_ref, recipient=recipient.strip(),
        recipient_contact=recipient_contact.strip(), items=item_keys, legal_basis=legal_basis,
        basis_detail=basis_detail.strip(), disclosed_at=disclosed_at or timezone.now(),
        recorded_by=recorded_by,
    )
    disclosure.full_clean()
    disclosure.save()
    return disclosure
