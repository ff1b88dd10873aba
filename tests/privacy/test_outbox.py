"""Mail leaves the request on the queue: checked again when it runs, retried, sent once."""

from __future__ import annotations

import datetime
import signal
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from consultations.services import consultation_answer
from consultations.tasks import consultation_answered_notify
from privacy.ledger import consent_record
from privacy.models import ConsentMethod, SentMessage
from privacy.outbox import SendFailed, open_sealed_email, seal_email
from privacy.restrictions import restriction_start
from tests.consultations.factories import ConsultationFactory
from tests.members.factories import MemberFactory, StaffFactory
from tests.privacy.factories import ProcessorFactory
from tests.privacy.outbox_backends import FlakyEmailBackend

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DUMMY_QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def checked_mail(settings: Any) -> None:
    """The site's own backend, which checks consent and restrictions, in front of locmem."""
    settings.EMAIL_BACKEND = "privacy.processors.mail.ProcessorCheckedEmailBackend"
    settings.EMAIL_REAL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def flaky_mail(settings: Any) -> Iterator[type[FlakyEmailBackend]]:
    settings.EMAIL_REAL_BACKEND = "tests.privacy.outbox_backends.FlakyEmailBackend"
    FlakyEmailBackend.failures = 0
    FlakyEmailBackend.attempts = 0
    yield FlakyEmailBackend


def run_worker() -> None:
    """The database backend's own worker, once through what is ready (``db_worker --batch``);
    the signal handlers it installs are put back afterwards."""
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0,
                     verbosity=0)
    finally:
        for sig, handler in kept.items():
            signal.signal(sig, handler)


def answer(consultation: Any = None) -> Any:
    consultation = consultation or ConsultationFactory()
    consultation_answer(consultation=consultation, staff=StaffFactory(), body="답변입니다.",
                        site_url="https://clinic.example")
    return consultation


@pytest.mark.django_db
def test_the_answer_notice_is_sent_by_the_task_with_only_a_link() -> None:
    consultation = answer()
    (message,) = mail.outbox
    assert message.to == [consultation.author.email]
    assert f"https://clinic.example/consultations/{consultation.pk}/" in message.body
    assert "답변입니다" not in message.body
    assert SentMessage.objects.get().task == "consultation_answered_notify"


@pytest.mark.django_db
def test_consent_withdrawn_between_enqueue_and_run_sends_nothing(settings: Any) -> None:
    settings.TASKS = DUMMY_QUEUE
    processor = ProcessorFactory(sends_email=True, requires_consent=True)
    consultation = ConsultationFactory()
    author = consultation.author

    def grant(granted: bool) -> None:
        consent_record(subject_ref=author.subject_ref, member=author,
                       consent=processor.consent_key, granted=granted,
                       method=ConsentMethod.CONSENT_PAGE)

    grant(True)
    answer(consultation)
    answer(consultation)
    first, second = task_backends["default"].results
    assert mail.outbox == []  # queued, not sent in the request

    first.task.call(**first.kwargs)  # consent still given: sent
    assert [m.to for m in mail.outbox] == [[author.email]]
    grant(False)
    second.task.call(**second.kwargs)  # withdrawn after the enqueue: withheld
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_restriction_started_after_enqueue_withholds_the_notice(settings: Any) -> None:
    settings.TASKS = DUMMY_QUEUE
    ProcessorFactory(sends_email=True, requires_consent=False)
    consultation = answer()
    (queued,) = task_backends["default"].results
    restriction_start(subject_ref=consultation.author.subject_ref, items=["email"])
    queued.task.call(**queued.kwargs)
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_with_no_worker_the_notice_waits_in_the_queue_and_the_worker_sends_it_once(
    settings: Any,
) -> None:
    settings.TASKS = DATABASE_QUEUE
    answer()
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert queued.status == "READY" and queued.task_path.endswith("consultation_answered_notify")
    # The queue holds ids and a send key, nothing of the member.
    assert set(queued.args_kwargs["kwargs"]) == {"answer_id", "site_url", "key", "language"}

    run_worker()
    assert len(mail.outbox) == 1
    run_worker()
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_makes_the_send_wait_and_retry(
    settings: Any, flaky_mail: type[FlakyEmailBackend]
) -> None:
    settings.TASKS = DATABASE_QUEUE
    settings.TASKS_RETRY_SECONDS = 60
    flaky_mail.failures = 2
    answer()
    run_worker()
    assert mail.outbox == [] and flaky_mail.attempts == 1
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after >= timezone.now() + datetime.timedelta(seconds=59)
    run_worker()  # not due yet: nothing is tried
    assert flaky_mail.attempts == 1

    later = timezone.now()
    for wait in (61, 241):  # the second retry waits four times longer
        later += datetime.timedelta(seconds=wait)
        with time_machine.travel(later, tick=False):
            run_worker()
    assert flaky_mail.attempts == 3
    assert len(mail.outbox) == 1
    with time_machine.travel(later + datetime.timedelta(days=1), tick=False):
        run_worker()
    assert len(mail.outbox) == 1
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db(transaction=True)
def test_the_last_attempt_fails_the_task_naming_only_the_error(
    settings: Any, flaky_mail: type[FlakyEmailBackend]
) -> None:
    settings.TASKS = DATABASE_QUEUE
    settings.TASKS_MAX_ATTEMPTS = 1
    flaky_mail.failures = 5
    consultation = answer()
    run_worker()
    failed = DBTaskResult.objects.get()
    assert failed.status == "FAILED"
    assert failed.exception_class_path == f"{SendFailed.__module__}.SendFailed"
    assert consultation.author.email not in failed.traceback
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_task_run_again_after_a_failure_that_followed_the_send_does_not_resend(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASKS = DATABASE_QUEUE
    answer()

    def worker_dies_after_the_task(self: DBTaskResult, return_value: Any) -> None:
        raise OSError("the worker lost its database connection")

    with monkeypatch.context() as patched:
        patched.setattr(DBTaskResult, "set_successful", worker_dies_after_the_task)
        run_worker()
    assert len(mail.outbox) == 1
    crashed = DBTaskResult.objects.get()
    assert crashed.status == "FAILED"

    # The same task and key run again (a retry, or an operator re-queueing it).
    consultation_answered_notify.enqueue(**crashed.args_kwargs["kwargs"])
    run_worker()
    assert len(mail.outbox) == 1
    assert SentMessage.objects.count() == 1


@pytest.mark.django_db
def test_account_mail_is_queued_sealed_and_sent_by_the_worker(settings: Any, client: Any) -> None:
    settings.TASKS = DUMMY_QUEUE
    member = MemberFactory()
    client.post("/accounts/password/reset/", {"email": member.email})
    assert mail.outbox == []
    (queued,) = task_backends["default"].results
    sealed = queued.kwargs["sealed"]
    assert member.email not in sealed and "password" not in sealed
    queued.task.call(**queued.kwargs)
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "/accounts/password/reset/key/" in message.body


@pytest.mark.django_db
def test_a_sealed_message_older_than_a_week_is_dropped() -> None:
    message = mail.EmailMessage("제목", "본문", None, ["someone@example.com"])
    sealed = seal_email(message)
    assert open_sealed_email(sealed).to == ["someone@example.com"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert open_sealed_email(sealed) is None


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_the_send_leaves_the_task_running_and_its_rerun_sends_nothing(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASKS = DATABASE_QUEUE
    answer()

    class WorkerKilled(BaseException):
        pass

    def killed(self: DBTaskResult, *args: Any) -> None:
        raise WorkerKilled  # the process dies here: the row is never marked done

    with monkeypatch.context() as patched:
        patched.setattr(DBTaskResult, "set_successful", killed)
        patched.setattr(DBTaskResult, "set_failed", killed)
        with pytest.raises(WorkerKilled):
            run_worker()
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.get().status == "RUNNING"

    call_command("privacy", "scheduled", "prune-tasks", stdout=StringIO())
    assert DBTaskResult.objects.get().status == "RUNNING"  # it may still be running
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1)):
        out = StringIO()
        call_command("privacy", "scheduled", "prune-tasks", stdout=out)
        assert "queued again 1 task(s) left running" in out.getvalue()
        run_worker()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert len(mail.outbox) == 1
