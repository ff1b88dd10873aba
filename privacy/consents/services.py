"""Renewing consents when a new policy version asks for them again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from privacy import registry
from privacy.errors import PrivacyError
from privacy.ledger import consent_record, consents_current_for
from privacy.marketing.confirmations import marketing_consent_confirm
from privacy.models import (
    ConsentMethod,
    ConsentRecord,
    PolicyVersion,
)
from privacy.processors.selectors import processors_requiring_consent

if TYPE_CHECKING:
    from members.models import Member


def reconsent_choices() -> list[tuple[str, Any]]:
    """The optional consents a member is asked again for: the registry's and processors'."""
    choices: list[tuple[str, Any]] = [(c.key, c.label) for c in registry.MEMBER_CONSENTS]
    language = translation.get_language() or settings.LANGUAGE_CODE
    choices += [(p.consent_key, f"{p.name}: {p.tasks(language)}")
                for p in processors_requiring_consent()]
    return choices


@transaction.atomic
def consents_renew(
    *, member: Member, granted: Iterable[str], version: PolicyVersion,
    ip_address: str | None = None,
) -> list[ConsentRecord]:
    """Record a member's answer to a version's consent request: one entry per optional consent.

    Every optional consent gets an entry under ``version`` (granted or refused), so the answer
    itself is on the ledger even when the member refuses everything."""
    chosen = set(granted)
    keys = [key for key, _label in reconsent_choices()]
    unknown = chosen - set(keys)
    if unknown:
        raise PrivacyError(f"unknown consent(s): {', '.join(sorted(unknown))}")
    before = consents_current_for(subject_ref=member.subject_ref)
    records = [
        consent_record(
            subject_ref=member.subject_ref, member=member, consent=key, granted=key in chosen,
            method=ConsentMethod.RECONSENT, ip_address=ip_address, policy_version=version,
        )
        for key in keys
    ]
    changed = [record for record in records
               if record.granted != bool(before.get(record.consent)
                                         and before[record.consent].granted)]
    marketing_consent_confirm(member=member, records=changed)
    return records
