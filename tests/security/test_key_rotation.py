"""`privacy rotate-keys`: every data key re-wrapped under the newest KEK, resumable, no downtime."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from consultations.models import Consultation
from members.models import Member
from privacy import crypto, keys
from privacy.models import DataKey, RetentionKey
from tests.consultations.factories import ConsultationFactory
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

NEW_KEK = "bmV3LWtlay0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc="
LOST_KEK = "bG9zdC1rZWstMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY="
RETAINED_CONTEXT = "privacy.retainedrecord.payload"


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("privacy", "rotate-keys", *args, stdout=out)
    return out.getvalue()


def wrapped_keys() -> dict[int, str]:
    return dict(DataKey.objects.values_list("id", "wrapped_key"))


@pytest.fixture
def old_kek(settings) -> str:
    return settings.PRIVACY_KEK[0]


@pytest.fixture
def subjects() -> list[Member]:
    members = [MemberFactory(mobile_phone=f"010-2000-{n:04d}") for n in range(5)]
    for member in members:
        ConsultationFactory(author=member, body=f"{member.username}의 코 성형 상담")
    return members


@pytest.fixture
def retained() -> tuple[RetentionKey, str]:
    material = crypto.new_data_key()
    key = RetentionKey.objects.create(wrapped_key=crypto.wrap_key(material))
    return key, crypto.seal(material, "진료 기록 보존분", context=RETAINED_CONTEXT)


def test_rotation_then_dropping_the_old_kek_keeps_every_field_readable(
    settings, old_kek: str, subjects: list[Member], retained: tuple[RetentionKey, str]
) -> None:
    settings.PRIVACY_KEK = [NEW_KEK, old_kek]
    # Meanwhile the site reads with both keys listed, and new subjects get the newest key.
    assert Member.objects.get(pk=subjects[0].pk).mobile_phone == "010-2000-0000"
    newcomer = MemberFactory(mobile_phone="010-3000-0000")
    assert crypto.wrapped_by_newest(newcomer.data_key.wrapped_key)

    output = rotate("--batch-size", "2")
    assert "data keys: 5 re-wrapped, 1 already under the newest key" in output
    assert "retention keys: 1 re-wrapped, 0 already under the newest key" in output
    assert all(crypto.wrapped_by_newest(token) for token in wrapped_keys().values())
    assert DataKey.objects.filter(rewrapped_at__isnull=True).count() == 1  # the newcomer's

    settings.PRIVACY_KEK = [NEW_KEK]
    for member in subjects:
        fresh = Member.objects.select_related("data_key").get(pk=member.pk)
        assert fresh.mobile_phone.startswith("010-2000-")
        consultation = Consultation.objects.select_related("data_key").get(author=member)
        assert consultation.body == f"{member.username}의 코 성형 상담"
    key, payload = retained
    material = RetentionKey.objects.get(pk=key.pk).material()
    assert crypto.open_sealed(material, payload, context=RETAINED_CONTEXT) == "진료 기록 보존분"

    again = rotate()
    assert "data keys: 0 re-wrapped, 6 already under the newest key" in again
    assert "nothing left to re-wrap" in again


def test_without_rotation_dropping_the_old_kek_makes_fields_unreadable(
    settings, old_kek: str, subjects: list[Member]
) -> None:
    """The control for the test above: rotation is what keeps the data readable."""
    settings.PRIVACY_KEK = [NEW_KEK]
    with pytest.raises(crypto.DecryptionError):
        Member.objects.select_related("data_key").get(pk=subjects[0].pk).mobile_phone  # noqa: B018


def test_dry_run_changes_nothing(settings, old_kek: str, subjects: list[Member],
                                 retained: tuple[RetentionKey, str]) -> None:
    settings.PRIVACY_KEK = [NEW_KEK, old_kek]
    before = wrapped_keys()
    retained_before = RetentionKey.objects.get(pk=retained[0].pk).wrapped_key

    output = rotate("--dry-run")

    assert "data keys: 5 would re-wrap" in output
    assert "dry run: nothing changed; 6 key(s) to re-wrap" in output
    assert wrapped_keys() == before
    assert not DataKey.objects.filter(rewrapped_at__isnull=False).exists()
    assert RetentionKey.objects.get(pk=retained[0].pk).wrapped_key == retained_before


def test_an_unwrappable_key_is_named_its_batch_unchanged_and_a_rerun_resumes(
    settings, old_kek: str
) -> None:
    members = [MemberFactory() for _ in range(6)]
    # The fourth key was wrapped by a KEK that is no longer configured.
    lost = members[3].data_key
    material = lost.material()
    settings.PRIVACY_KEK = [LOST_KEK]
    lost.wrapped_key = crypto.wrap_key(material)
    lost.save()
    settings.PRIVACY_KEK = [NEW_KEK, old_kek]
    before = wrapped_keys()
    ids = sorted(before)

    first_run = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(first_run, tick=False), pytest.raises(CommandError) as error:
        rotate("--batch-size", "3")

    assert f"DataKey #{lost.pk} cannot be unwrapped by any key in PRIVACY_KEK" in str(error.value)
    after = wrapped_keys()
    first_batch, second_batch = ids[:3], ids[3:]
    assert all(after[pk] != before[pk] for pk in first_batch)
    assert all(after[pk] == before[pk] for pk in second_batch)  # the whole batch is unchanged
    assert not DataKey.objects.filter(pk__in=second_batch, rewrapped_at__isnull=False).exists()

    # The operator restores the missing KEK and runs again: finished keys are skipped.
    settings.PRIVACY_KEK = [NEW_KEK, old_kek, LOST_KEK]
    with time_machine.travel(first_run + dt.timedelta(hours=1), tick=False):
        output = rotate("--batch-size", "3")
    assert "data keys: 3 re-wrapped, 3 already under the newest key" in output
    final = wrapped_keys()
    assert all(final[pk] == after[pk] for pk in first_batch)
    rewrapped_at = dict(DataKey.objects.values_list("id", "rewrapped_at"))
    assert {rewrapped_at[pk] for pk in first_batch} == {first_run}
    assert {rewrapped_at[pk] for pk in second_batch} == {first_run + dt.timedelta(hours=1)}
    settings.PRIVACY_KEK = [NEW_KEK]
    for member in members:
        assert Member.objects.select_related("data_key").get(pk=member.pk).mobile_phone


@pytest.mark.parametrize("size", ["0", "-5", "10001"])
def test_batch_size_out_of_range_is_a_clear_error(size: str, subjects: list[Member]) -> None:
    before = wrapped_keys()
    with pytest.raises(CommandError, match="--batch-size must be between 1 and 10000"):
        rotate("--batch-size", size)
    assert wrapped_keys() == before


def test_each_batch_costs_a_bounded_number_of_queries(
    settings, old_kek: str, django_assert_max_num_queries
) -> None:
    for _ in range(20):
        MemberFactory()
    settings.PRIVACY_KEK = [NEW_KEK, old_kek]
    # 20 keys in batches of 10: per batch a select and one bulk update (plus savepoints),
    # never one query per key.
    with django_assert_max_num_queries(20):
        rotate("--batch-size", "10")
    assert all(crypto.wrapped_by_newest(token) for token in wrapped_keys().values())


def test_the_service_reports_per_key_table(settings, old_kek: str, subjects: list[Member],
                                           retained: tuple[RetentionKey, str]) -> None:
    settings.PRIVACY_KEK = [NEW_KEK, old_kek]
    summaries = keys.data_keys_rotate(batch_size=2)
    assert [(s.label, s.rewrapped, s.already_current) for s in summaries] == [
        ("data keys", 5, 0), ("retention keys", 1, 0)]
    again = keys.data_keys_rotate(batch_size=2, dry_run=True)
    assert [(s.rewrapped, s.already_current) for s in again] == [(0, 5), (0, 1)]
