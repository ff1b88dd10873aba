"""Mail and text messages sent in the background: queued with the write, sent once, retried.

Requests never talk to a mail server or a text-message provider: a service enqueues a task on
Django's task framework (``settings.TASKS``; the database backend in production, so the task
row commits or rolls back with the write that caused it) and the worker sends it. Three rules
hold for every such task:

- It takes row ids and a send key, not objects or addresses, and reads what it sends when it
  runs, through the site's mail backend (``privacy.processors.mail``), which checks delegation
  consent and restrictions at that moment: a consent withdrawn after the enqueue is honoured.
  Mail that cannot be rebuilt from rows (allauth's account mail with its one-time links) is
  queued sealed under the key-encryption key (``email_enqueue``), never readable in the queue.
- It sends at most once: the send is recorded against the key drawn at the enqueue
  (``SentMessage``), so a run repeated after a crash, or after a failure that followed the
  send, finds the record and sends nothing.
- A failure of the mail server or provider (``MAIL_ERRORS`` or what the caller names) is tried
  again later: the same task and key are queued to run after a growing delay, up to
  ``TASKS_MAX_ATTEMPTS`` in all. Only the error's class is logged; its text may quote an
  address.
"""

from __future__ import annotations

import datetime
import json
import logging
import smtplib
import uuid
from collections.abc import Callable
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from privacy.crypto import key_wrapper
from privacy.models import SentMessage

logger = logging.getLogger(__name__)

# What a mail server that is down, slow or refusing raises (timeouts are OSError).
MAIL_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)

# A sealed message older than this is dropped unsent: its links have expired long before.
SEALED_EMAIL_MAX_AGE = datetime.timedelta(days=7)


class SendFailed(Exception):
    """The last attempt of a send failed; the message is the error's class only."""


def new_send_key() -> str:
    return str(uuid.uuid4())


def retry_delay(attempt: int) -> datetime.timedelta:
    """Wait before attempt ``attempt + 1``: the base delay, four times longer each time."""
    return datetime.timedelta(seconds=settings.TASKS_RETRY_SECONDS * 4 ** (attempt - 1))


def retry_later(
    task_: Task[..., Any], *, attempt: int, arguments: dict[str, Any], error: BaseException,
) -> None:
    """Queue ``task_`` again with ``arguments`` and ``attempt + 1`` after the backoff delay,
    or raise ``SendFailed`` when the attempts are used up."""
    name = task_.name
    if attempt >= settings.TASKS_MAX_ATTEMPTS:
        logger.error("%s: attempt %d of %d failed (%s); giving up", name, attempt,
                     settings.TASKS_MAX_ATTEMPTS, type(error).__name__)
        raise SendFailed(type(error).__name__) from None
    delay = retry_delay(attempt)
    logger.warning("%s: attempt %d failed (%s); retrying in %d s", name, attempt,
                   type(error).__name__, delay.total_seconds())
    again = task_
    if task_.get_backend().supports_defer:
        again = task_.using(run_after=timezone.now() + delay)
    again.enqueue(**arguments, attempt=attempt + 1)


def send_once(
    task_: Task[..., Any], *, key: str, attempt: int, arguments: dict[str, Any],
    send: Callable[[], object],
    retry_on: tuple[type[BaseException], ...] = MAIL_ERRORS,
) -> bool:
    """Call ``send`` unless the message with ``key`` went out already; record it right after.

    ``arguments`` are the task's own (``key`` included, ``attempt`` not), for a retry. True if
    this run sent it."""
    if SentMessage.objects.filter(key=key).exists():
        logger.info("%s: already sent, not sent again", task_.name)
        return False
    try:
        send()
    except retry_on as error:
        retry_later(task_, attempt=attempt, arguments=arguments, error=error)
        return False
    SentMessage.objects.create(key=key, task=task_.name[:200], sent_at=timezone.now())
    return True


# --- Mail that cannot be rebuilt from rows: sealed ------------------------------------------

def seal_email(message: EmailMessage) -> str:
    """The message (subject, bodies, sender, recipients) encrypted under the newest KEK."""
    alternatives = [
        [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
    ]
    payload = {
        "subject": message.subject, "body": message.body, "from": message.from_email,
        "to": message.to, "cc": message.cc, "bcc": message.bcc,
        "reply_to": message.reply_to, "alternatives": alternatives,
        "headers": message.extra_headers,
    }
    return key_wrapper().encrypt(json.dumps(payload).encode()).decode("ascii")


def open_sealed_email(token: str) -> EmailMultiAlternatives | None:
    """The sealed message, or None once it is older than ``SEALED_EMAIL_MAX_AGE``."""
    try:
        raw = key_wrapper().decrypt(
            token.encode("ascii"), ttl=int(SEALED_EMAIL_MAX_AGE.total_seconds())
        )
    except InvalidToken:
        return None
    payload = json.loads(raw)
    message = EmailMultiAlternatives(
        subject=payload["subject"], body=payload["body"], from_email=payload["from"],
        to=payload["to"], cc=payload["cc"], bcc=payload["bcc"], reply_to=payload["reply_to"],
        headers=payload["headers"],
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


@task()
def sealed_email_send(*, sealed: str, key: str, attempt: int = 1) -> None:
    """Send a message queued by ``email_enqueue``."""
    message = open_sealed_email(sealed)
    if message is None:
        logger.warning("sealed_email_send: message expired or unreadable; dropped")
        return
    send_once(
        sealed_email_send, key=key, attempt=attempt, arguments={"sealed": sealed, "key": key},
        send=lambda: get_connection().send_messages([message]),
    )


def email_enqueue(message: EmailMessage) -> None:
    """Queue a rendered message, sealed; the worker sends it through the site's backend."""
    sealed_email_send.enqueue(sealed=seal_email(message), key=new_send_key())
