"""Mail backends standing for a mail server that is down, for the outbox tests."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.locmem import EmailBackend


class FlakyEmailBackend(EmailBackend):
    """Refuses the next ``failures`` sends as a disconnected SMTP server would, then delivers
    into ``django.core.mail.outbox``; ``attempts`` counts every call."""

    failures = 0
    attempts = 0

    def send_messages(self, messages: Sequence[Any]) -> int:
        type(self).attempts += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
