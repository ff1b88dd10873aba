"""`privacy rotate-keys`: every data key, retention key and staff second-factor secret re-wrapped
under the newest KEK, resumable, no downtime."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import StringIO

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from consultations.models import Consultation
from members.models import Member
from privacy import crypto, keys
from privacy.models import DataKey, RetentionKey
from tests.consultations.factories import ConsultationFactory
from tests.members.factories import (
    DEFAULT_PASSWORD,
    MemberFactory,
    StaffFactory,
    totp_code,
    verify_email,
)

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


def wrapped_secrets() -> dict[int, dict]:
    return dict(Authenticator.objects.values_list("id", "data"))


def restart() -> None:
    """What a restart of the app server forgets: the keys kept unwrapped in the process."""
    crypto.forget_data_keys()
    crypto._key_wrapper.cache_clear()


def second_factor_logs_in(member: Member, code: str) -> None:
    """Log in through allauth's forms, password then ``code``, and reach the admin."""
    client = Client()
    response = client.post("/accounts/login/", {"login": member.username,
                                                "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.session.get("_auth_user_id") == str(member.pk)
    assert client.get("/admin/").status_code == 200


@dataclass
class StaffWithMFA:
    member: Member
    totp_secret: str
    recovery_codes: list[str]


@pytest.fixture
def staff() -> StaffWithMFA:
    """A staff member with TOTP and recovery codes, set up under the KEK in force."""
    member = verify_email(StaffFactory(totp=False))
    secret = generate_totp_secret()
    TOTP.activate(member, secret)
    codes = RecoveryCodes.activate(member).generate_codes()
    return StaffWithMFA(member=member, totp_secret=secret, recovery_codes=codes)


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
    summaries = keys.keys_rotate(batch_size=2)
    assert [(s.label, s.rewrapped, s.already_current) for s in summaries] == [
        ("data keys", 5, 0), ("retention keys", 1, 0)]
    again = keys.keys_rotate(batch_size=2, dry_run=True)
    assert [(s.rewrapped, s.already_current) for s in again] == [(0, 5), (0, 1)]


def test_after_rotation_staff_log_in_with_the_same_authenticator_without_the_old_kek(
    settings, old_kek: str, staff: StaffWithMFA
) -> None:
    """The README's steps to the end: new KEK in front, rotate, old KEK removed, restart; the
    staff member's authenticator app and printed recovery codes still work."""
    settings.PRIVACY_KEK = [NEW_KEK, old_kek]
    before = wrapped_secrets()

    output = rotate("--batch-size", "1")

    assert "authenticators (TOTP, recovery codes): 2 re-wrapped, 0 already under the newest " \
        "key" in output
    after = wrapped_secrets()
    totp = Authenticator.objects.get(user=staff.member, type=Authenticator.Type.TOTP)
    recovery = Authenticator.objects.get(user=staff.member, type=Authenticator.Type.RECOVERY_CODES)
    assert after[totp.pk]["secret"] != before[totp.pk]["secret"]
    assert after[recovery.pk]["seed"] != before[recovery.pk]["seed"]
    assert crypto.wrapped_by_newest(after[totp.pk]["secret"])
    assert crypto.wrapped_by_newest(after[recovery.pk]["seed"])
    assert staff.totp_secret not in str(after)  # still wrapped, never stored in clear

    settings.PRIVACY_KEK = [NEW_KEK]
    restart()
    second_factor_logs_in(staff.member, totp_code(staff.totp_secret))
    second_factor_logs_in(staff.member, staff.recovery_codes[0])

    again = rotate()
    assert "authenticators (TOTP, recovery codes): 0 re-wrapped, 2 already under the newest " \
        "key" in again
    assert "nothing left to re-wrap" in again


def test_without_rotation_dropping_the_old_kek_locks_the_second_factor_out(
    settings, old_kek: str, staff: StaffWithMFA
) -> None:
    """The control for the test above: rotation is what keeps the second factor working."""
    settings.PRIVACY_KEK = [NEW_KEK]
    restart()
    with pytest.raises(crypto.DecryptionError):
        second_factor_logs_in(staff.member, totp_code(staff.totp_secret))


def test_a_dry_run_leaves_the_authenticators_as_they_are(
    settings, old_kek: str, staff: StaffWithMFA
) -> None:
    settings.PRIVACY_KEK = [NEW_KEK, old_kek]
    before, keys_before = wrapped_secrets(), wrapped_keys()

    output = rotate("--dry-run")

    assert "authenticators (TOTP, recovery codes): 2 would re-wrap" in output
    assert "dry run: nothing changed; 3 key(s) to re-wrap" in output  # with the staff's data key
    assert wrapped_secrets() == before
    assert wrapped_keys() == keys_before


def test_an_unwrappable_authenticator_is_named_and_a_rerun_finishes_the_job(
    settings, old_kek: str
) -> None:
    """Authenticators are re-wrapped in batches like the data keys: one that no listed KEK
    opens stops the run with its batch unchanged; a re-run skips what is already done."""
    members = [verify_email(StaffFactory(totp=False)) for _ in range(4)]
    secrets = [generate_totp_secret() for _ in members]
    for member, secret in zip(members[:3], secrets, strict=False):
        TOTP.activate(member, secret)
    settings.PRIVACY_KEK = [LOST_KEK]
    lost = TOTP.activate(members[3], secrets[3]).instance
    settings.PRIVACY_KEK = [NEW_KEK, old_kek]
    before = wrapped_secrets()
    ids = sorted(before)

    with pytest.raises(CommandError) as error:
        rotate("--batch-size", "2")

    assert f"Authenticator #{lost.pk} (totp, member #{members[3].pk}) cannot be unwrapped" \
        in str(error.value)
    after = wrapped_secrets()
    assert all(after[pk] != before[pk] for pk in ids[:2])
    assert all(after[pk] == before[pk] for pk in ids[2:])  # the whole batch is unchanged

    settings.PRIVACY_KEK = [NEW_KEK, old_kek, LOST_KEK]
    output = rotate("--batch-size", "2")
    assert "authenticators (TOTP, recovery codes): 2 re-wrapped, 2 already under the newest " \
        "key" in output
    assert all(wrapped_secrets()[pk] == after[pk] for pk in ids[:2])

    settings.PRIVACY_KEK = [NEW_KEK]
    restart()
    for member, secret in zip(members, secrets, strict=True):
        second_factor_logs_in(member, totp_code(secret))


def test_recovery_codes_kept_one_by_one_are_rewrapped_too(settings, old_kek: str) -> None:
    """allauth keeps the codes of accounts migrated from another MFA package one by one, each
    wrapped like the seed."""
    member = verify_email(StaffFactory())  # with TOTP, so log-in asks for a second factor
    codes = ["12345678", "87654321"]
    Authenticator.objects.create(
        user=member, type=Authenticator.Type.RECOVERY_CODES,
        data={"migrated_codes": [crypto.wrap_key(code.encode()) for code in codes]},
    )
    settings.PRIVACY_KEK = [NEW_KEK, old_kek]

    assert "authenticators (TOTP, recovery codes): 2 re-wrapped" in rotate()

    settings.PRIVACY_KEK = [NEW_KEK]
    restart()
    stored = Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    assert RecoveryCodes(stored).get_unused_codes() == codes
    second_factor_logs_in(member, codes[1])
