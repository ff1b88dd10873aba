"""Text messages through a pluggable backend, the way ``django.core.mail`` sends email.

In the base layer, beside the consent ledger that gates them, so that the boards (guest
consultations) send their notices through the same gate as marketing and breach notices;
``privacy.processors.sms`` is the name settings and the features use.

``SMS_BACKEND`` names the class. A real provider is a processor of the members' mobile phone
numbers: staff record it as a ``privacy.Processor`` with "delivers the site's text messages"
(listed on the policy page, section 5); its backend implements ``send_messages`` and nothing
else in the project changes. A message to a member (``subject_ref``) is withheld while a
delivering processor needs a consent that member has not given.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Any, TextIO

from django.conf import settings
from django.utils.module_loading import import_string

from privacy import registry
from privacy.ledger import processors_needing_consent_for, subjects_granting
from privacy.restrictions import restricted_subjects


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    sender: str = ""  # the registered call-back number; empty means ``SMS_SENDER_NUMBER``
    subject_ref: Any = None  # the member whose number it is; None for a non-member
    purpose: str = registry.HandOver.ACCOUNT  # why it is handed over (registry.HANDOVER_BASIS)


class BaseSmsBackend:
    """What a provider implements: send a list of messages, return how many were accepted.

    With ``fail_silently`` off, a message the provider refuses raises ``SmsError``.
    """

    def __init__(self, *, fail_silently: bool = False, **kwargs: Any) -> None:
        self.fail_silently = fail_silently

    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


class SmsError(Exception):
    """The provider refused or could not take a message."""


class ConsoleBackend(BaseSmsBackend):
    """Writes each message to standard output; for development (like Django's console mail)."""

    def __init__(self, *, stream: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, messages: list[SmsMessage]) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(
                    f"SMS from {message.sender or settings.SMS_SENDER_NUMBER} "
                    f"to {message.to}\n{message.body}\n{'-' * 40}\n"
                )
            self.stream.flush()
        return len(messages)


outbox: list[SmsMessage] = []  # what LocmemBackend "sent"; tests empty it


class LocmemBackend(BaseSmsBackend):
    """Keeps messages in ``privacy.processors.sms.outbox``; for tests."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


def get_backend(path: str | None = None, **kwargs: Any) -> BaseSmsBackend:
    return import_string(path or settings.SMS_BACKEND)(**kwargs)


def send_messages(messages: list[SmsMessage], *, backend: BaseSmsBackend | None = None) -> int:
    """Send through the configured backend what delegation consent allows (policy section 5:
    a message whose purpose rests on consent waits for it, one the membership or a law needs
    does not) and no restriction holds back (a member's mobile number under correction, policy
    section 6); returns how many were accepted, withheld ones not counted."""
    members = {message.subject_ref for message in messages if message.subject_ref is not None}
    restricted = set(restricted_subjects(item_key="mobile_phone").filter(
        subject_ref__in=list(members)).values_list("subject_ref", flat=True)) if members else set()
    consenting = {message.subject_ref for message in messages
                  if message.subject_ref in members - restricted
                  and registry.handover_needs_consent(message.purpose)}
    for processor in processors_needing_consent_for(channel="sms") if consenting else []:
        consenting &= subjects_granting(subject_refs=consenting, consent=processor.consent_key)
    allowed = [
        message for message in messages
        if message.subject_ref is None or (
            message.subject_ref not in restricted
            and (not registry.handover_needs_consent(message.purpose)
                 or message.subject_ref in consenting)
        )
    ]
    if not allowed:
        return 0
    return (backend or get_backend()).send_messages(allowed)
