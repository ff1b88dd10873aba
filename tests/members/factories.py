from __future__ import annotations

import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from members.emails import email_stand_in
from privacy.ledger import consent_record
from privacy.models import ConsentMethod

DEFAULT_PASSWORD = "correct-horse-battery-9"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n:04d}")
    name = factory.Sequence(lambda n: f"김회원{n}")
    email = factory.LazyAttribute(lambda member: f"{member.username}@example.com")
    mobile_phone = factory.Sequence(lambda n: f"010-{1000 + n % 9000:04d}-{5678:04d}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> object:
        """Get or create by login ID, found through its digest (the ID itself is sealed)."""
        existing = model_class.objects.with_login_id(str(kwargs["username"])).first()
        return existing or super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def _save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save(update_fields=["password"])


class PosterFactory(MemberFactory):
    """A member who may write on the boards: email confirmed and the separate consent to
    sensitive information given, as at sign-up."""

    @factory.post_generation
    def may_post(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:

            verify_email(self)
            consent_record(subject_ref=self.subject_ref, member=self, consent="sensitive_health",
                           granted=True, method=ConsentMethod.SIGNUP_FORM)


class StaffFactory(MemberFactory):
    """A staff account with TOTP set up, as the admin requires; ``totp=False`` for one without."""

    username = factory.Sequence(lambda n: f"staff{n:04d}")
    is_staff = True

    @factory.post_generation
    def role(self, create: bool, extracted: object, **kwargs: object) -> None:
        """``StaffFactory(role=members.roles.DOCTOR)``: a member of that role's group."""
        if create and extracted:

            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def totp(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:

            TOTP.activate(self, generate_totp_secret())


def verify_email(member: object) -> object:
    """Mark the member's email confirmed, as the allauth link would."""

    EmailAddress.objects.update_or_create(
        user=member, email=email_stand_in(member.email),
        defaults={"verified": True, "primary": True},
    )
    return member


def log_in(client: object, member: object, password: str = DEFAULT_PASSWORD) -> object:
    """Log in through allauth's form (so the session records a fresh authentication)."""
    verify_email(member)
    response = client.post("/accounts/login/", {"login": member.username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.session.get("_auth_user_id") == str(member.pk)
    return response


def reauthenticate(client: object, password: str = DEFAULT_PASSWORD) -> object:
    """Confirm the password again, as allauth asks before sensitive changes."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def totp_code(secret: str) -> str:
    """The TOTP code of ``secret`` at the clock's time. Tests run on the fixed test clock,
    which starts a 30 s window, so the code holds for the test; the browser tests' live server
    accepts the neighbouring window too (``MFA_TOTP_TOLERANCE`` in tests/e2e/conftest.py)."""

    return f"{hotp_value(secret, int(time.time()) // 30):06d}"
