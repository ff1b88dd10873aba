"""The email backend that checks delegation consent before mail leaves the site.

When a processor that requires consent delivers the site's mail (``Processor.sends_email``),
a member's address is handed to it for a purpose that rests on consent (a message tagged
``registry.HANDOVER_HEADER: marketing``) only if the member consented (policy section 5). Mail
the membership or a law needs (sign-up confirmation, password reset, notices: untagged) is never
withheld for want of that consent. No mail goes to a member's address while it is restricted
(policy section 6). Mail to addresses that are not members' (the officer, guests) passes
unchanged. The real backend is ``settings.EMAIL_REAL_BACKEND``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from privacy import registry
from privacy.ledger import subjects_granting
from privacy.lookup import email_digests
from privacy.processors.selectors import processors_active
from privacy.restrictions import restricted_subjects

logger = logging.getLogger(__name__)


def email_processors() -> list[Any]:
    """The processors in force that deliver the site's mail."""
    return list(processors_active().filter(sends_email=True))


def refused_addresses(
    addresses: set[str], *, processors: list[Any] | None = None,
    purpose: str = registry.HandOver.ACCOUNT,
) -> set[str]:
    """Members' addresses that no mail may go to, or no email-delivering processor receive for
    ``purpose``.

    Never while the member's email item is restricted (a correction or suspension is pending,
    policy section 6: not used until it completes), whatever the message and whether or not a
    processor delivers it; and without the member's consent where the processor needs it and
    the purpose rests on consent. ``processors``: ``email_processors()`` when the caller has read
    them already."""
    if not addresses:
        return set()
    processors = email_processors() if processors is None else processors
    consent_processors = [p for p in processors if p.requires_consent
                          and registry.handover_needs_consent(purpose)]
    # Addresses are sealed on the member: matched by their keyed digests (under every
    # listed lookup key), so nothing is decrypted here.
    by_digest = {digest: address for address in addresses for digest in email_digests(address)}
    members = get_user_model().objects.filter(email_digest__in=list(by_digest)).only(
        "email_digest", "subject_ref"
    )
    restricted = set(
        members.filter(subject_ref__in=restricted_subjects(item_key="email"))
        .values_list("subject_ref", flat=True)
    )
    rows = list(members)
    allowed = {member.subject_ref for member in rows} - restricted
    for processor in consent_processors:  # one query each, whatever the number of addresses
        allowed &= subjects_granting(subject_refs=allowed, consent=processor.consent_key)
    return {by_digest[member.email_digest].lower() for member in rows
            if member.subject_ref not in allowed}


def _address(recipient: str) -> str:
    return parseaddr(recipient)[1].lower()


class ProcessorCheckedEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        real = settings.EMAIL_REAL_BACKEND
        if real == f"{__name__}.{type(self).__name__}":
            raise ImproperlyConfigured(
                "EMAIL_BACKEND: name the real mail backend (e.g. "
                "django.core.mail.backends.smtp.EmailBackend); the site wraps it already"
            )
        self.real = get_connection(real, fail_silently=fail_silently, **kwargs)
        # Read once per open connection (a batch of a campaign or of breach notices), not
        # once per message; a change in the admin applies from the next batch.
        self._processors: list[Any] | None = None

    def open(self) -> Any:
        opened = self.real.open()
        self._processors = email_processors()
        return opened

    def close(self) -> None:
        self._processors = None
        self.real.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        by_purpose: dict[str, list[EmailMessage]] = {}
        for message in email_messages:
            # Read, not removed: a message sent again after a failure keeps its purpose.
            purpose = message.extra_headers.get(registry.HANDOVER_HEADER,
                                                registry.HandOver.ACCOUNT)
            by_purpose.setdefault(purpose, []).append(message)
        kept: list[EmailMessage] = []
        for purpose, messages in by_purpose.items():
            kept += self._allowed(messages, purpose=purpose)
        if not kept:
            return 0
        return self.real.send_messages(kept) or 0

    def _allowed(self, messages: list[EmailMessage], *, purpose: str) -> list[EmailMessage]:
        addresses = {_address(r) for m in messages for r in m.recipients()}
        refused = refused_addresses(addresses, processors=self._processors, purpose=purpose)
        if not refused:
            return messages
        kept = []
        for message in messages:
            message.to = [r for r in message.to if _address(r) not in refused]
            message.cc = [r for r in message.cc if _address(r) not in refused]
            message.bcc = [r for r in message.bcc if _address(r) not in refused]
            if message.recipients():
                kept.append(message)
        # Counts only: addresses are personal data and stay out of logs.
        logger.info("mail to %d member address(es) withheld: no delegation consent or a "
                    "restriction", len(refused))
        return kept
