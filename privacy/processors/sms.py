"""Text messages (``privacy.text_messages``), under the name ``SMS_BACKEND`` settings and
provider backends use: ``privacy.processors.sms.ConsoleBackend``, ``LocmemBackend`` and
subclasses of ``BaseSmsBackend``."""

from privacy.text_messages import (
    BaseSmsBackend,
    ConsoleBackend,
    LocmemBackend,
    SmsError,
    SmsMessage,
    get_backend,
    outbox,
    send_messages,
)

__all__ = ["BaseSmsBackend", "ConsoleBackend", "LocmemBackend", "SmsError", "SmsMessage",
           "get_backend", "outbox", "send_messages"]
