"""Members: the people who register on the site (policy section 1, membership registration)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, Self

from django.apps import apps
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator, validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A login session's sealed IP address and browser: defined beside allauth's hooks, and
# imported here so that it is one of this app's models.
from members.emails import SealedEmailAddress as SealedEmailAddress
from members.sessions import SessionClient as SessionClient
from privacy import lookup
from privacy.fields import Ciphertext, DataKeyField, EncryptedTextField, subject_data_key_field
from privacy.lookup import area_digest, email_digests, login_id_digests
from privacy.models import AppendOnlyModel

LOGIN_ID_MAX_LENGTH = 20
NAME_MAX_LENGTH = 50
ADDRESS_MAX_LENGTH = 200
REPRESENTATIVE_NAME_MAX_LENGTH = 50
EMAIL_MAX_LENGTH = 254

login_id_validator = RegexValidator(
    regex=r"^[a-z][a-z0-9_]{3,19}\Z",
    message=_(
        "A login ID is 4 to 20 characters: lowercase letters, digits and underscores, "
        "starting with a letter."
    ),
)


class MemberQuerySet(models.QuerySet["Member"]):
    def with_login_id(self, login_id: str) -> Self:
        """The member whose login ID is ``login_id`` in any case or Unicode form, found by its
        keyed digest under every listed lookup key (the ID itself is sealed)."""
        return self.filter(username_digest__in=login_id_digests(login_id))

    def with_email(self, email: str) -> Self:
        """Members whose account email is ``email`` in any case or Unicode form (by digest)."""
        return self.filter(email_digest__in=email_digests(email))


class MemberManager(UserManager["Member"]):
    def get_queryset(self) -> MemberQuerySet:
        return MemberQuerySet(self.model, using=self._db)

    def with_login_id(self, login_id: str) -> MemberQuerySet:
        return self.get_queryset().with_login_id(login_id)

    def with_email(self, email: str) -> MemberQuerySet:
        return self.get_queryset().with_email(email)

    def get_by_natural_key(self, username: str | None) -> Member:
        """Django's own log-in (``ModelBackend``, ``createsuperuser``) finds the member by the
        login ID's digest, as allauth's does (members.backends)."""
        return self.with_login_id(username or "").get()


class Member(AbstractUser):
    """A registered member. The login ID, email and contact items are sealed under the member's
    own data key; the login ID and email are found through keyed digests of their normal form
    (``privacy.lookup``), kept in step by ``save``."""

    # Unique through ``username_digest``: a sealed column differs for equal values.
    username = EncryptedTextField(
        _("login ID"), max_length=LOGIN_ID_MAX_LENGTH, validators=[login_id_validator],
    )
    username_digest = models.CharField(
        _("login ID lookup digest"), max_length=64, unique=True, editable=False,
    )
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    name = EncryptedTextField(_("name"), max_length=NAME_MAX_LENGTH)
    email = EncryptedTextField(
        _("email"), max_length=EMAIL_MAX_LENGTH, validators=[validate_email],
    )
    email_digest = models.CharField(
        _("email lookup digest"), max_length=64, blank=True, db_index=True, editable=False,
    )
    mobile_phone = EncryptedTextField(_("mobile phone number"), blank=True)
    home_phone = EncryptedTextField(_("home phone number"), blank=True)
    home_address = EncryptedTextField(_("home address"), blank=True)
    # ISO date (YYYY-MM-DD), encrypted like every contact item; read it through ``birth_date``.
    date_of_birth = EncryptedTextField(_("date of birth"), blank=True)
    # The area a member would consult about is health information: its id sealed under the
    # member's key, with a keyed digest for sending news of an area to those interested in it.
    # Read and set it as ``desired_area``.
    desired_area_ref = EncryptedTextField(_("desired consultation area"), blank=True,
                                          editable=False)
    desired_area_digest = models.CharField(
        _("desired consultation area lookup digest"), max_length=64, blank=True, db_index=True,
        editable=False,
    )
    subject_ref = models.UUIDField(
        _("subject reference"), default=uuid.uuid4, unique=True, editable=False,
        help_text=_("Pseudonymous reference used in ledgers instead of the member's identity."),
    )
    data_key = DataKeyField()
    # Exact-match search by mobile number without decrypting.
    mobile_phone_digest = models.CharField(
        _("mobile phone lookup digest"), max_length=64, blank=True, db_index=True,
        editable=False,
    )

    objects: ClassVar[MemberManager] = MemberManager()
    # What a person's data shows for a sealed field: the area, by its name.
    sealed_shown_as: ClassVar[dict[str, str]] = {"desired_area_ref": "desired_area"}

    REQUIRED_FIELDS = ["email", "name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-date_joined"]

    def __str__(self) -> str:
        return self.username

    # Sealed field -> (its digest column, the digest function); ``save`` keeps them in step.
    DIGESTS: ClassVar[dict[str, tuple[str, Callable[[str], str]]]] = {
        "username": ("username_digest", lookup.login_id_digest),
        "email": ("email_digest", lookup.email_digest),
        "mobile_phone": ("mobile_phone_digest", lookup.phone_digest),
    }

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        for field, (digest_field, digest) in self.DIGESTS.items():
            value = self.__dict__.get(field, Ciphertext())
            if not isinstance(value, Ciphertext):  # deferred, or loaded and never read: current
                setattr(self, digest_field, digest(value or ""))
            if update_fields is not None and field in update_fields:
                update_fields = {*update_fields, digest_field}
        if update_fields is not None and "desired_area" in update_fields:
            update_fields = {*update_fields, "desired_area_ref", "desired_area_digest"
                             } - {"desired_area"}
        if update_fields is not None:
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)

    # Django's names for the account (the admin's greeting and change history) are the login
    # ID: the name is sealed, and opening it needs the member's data key, a query on every
    # admin page and one per entry of a history. Pages that show the name read ``name``.
    def get_full_name(self) -> str:
        return self.get_username()

    def get_short_name(self) -> str:
        return self.get_username()

    @property
    def desired_area(self) -> Any:
        """The ``consultations.ConsultationArea`` of ``desired_area_ref``, or None. The area
        model belongs to consultations, the layer above members: it is reached through the
        app registry rather than imported (its manager reads it from the near cache)."""
        if not self.desired_area_ref:
            return None
        areas = apps.get_model("consultations", "ConsultationArea")
        return areas._default_manager.by_pk(self.desired_area_ref)

    @desired_area.setter
    def desired_area(self, area: Any) -> None:
        self.desired_area_ref = "" if area is None else str(area.pk)
        self.desired_area_digest = area_digest(None if area is None else area.pk)

    @property
    def birth_date(self) -> date | None:
        return date.fromisoformat(self.date_of_birth) if self.date_of_birth else None


class Relation(models.TextChoices):
    PARENT = "parent", _("parent")
    GUARDIAN = "guardian", _("guardian")
    OTHER = "other", _("other legal representative")


class LegalRepresentative(models.Model):
    """The legal representative whose consent a member under 14 needs (PIPA art. 22-2).

    Sealed with the child's data key: erasing the child erases this too.
    """

    child = models.OneToOneField(
        Member, verbose_name=_("member under 14"), on_delete=models.CASCADE,
        related_name="legal_representative",
    )
    name = EncryptedTextField(_("representative's name"))
    email = EncryptedTextField(_("representative's email"))
    phone = EncryptedTextField(_("representative's phone number"), blank=True)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    representative_member = models.ForeignKey(
        Member, verbose_name=_("representative's own account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="represented_children",
    )
    requested_at = models.DateTimeField(_("consent requested at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("consent confirmed at"), null=True, blank=True)
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("legal representative")
        verbose_name_plural = _("legal representatives")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"LegalRepresentative #{self.pk}"


class LoginResult(models.TextChoices):
    SUCCESS = "success", _("logged in")
    FAILURE = "failure", _("wrong login ID or password")
    BLOCKED = "blocked", _("refused: the account is blocked")


class LoginRecord(AppendOnlyModel):
    """One log-in attempt (policy item "access log, access IP information").

    Never holds the typed password, nor the typed login ID when it names no member. The IP
    address is sealed under the member's data key, and not kept at all for an attempt that
    names no member (there is nobody whose key could seal it). Kept 3 months (registry rule
    ``login_records``), then removed by the privacy purge.
    """

    member = models.ForeignKey(
        Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="login_records",
    )
    recorded_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip_address = EncryptedTextField(_("IP address"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=LoginResult.choices)
    # The member's own data key (never one of its own: see ``members.services.login_record``).
    data_key = subject_data_key_field()

    class Meta:
        verbose_name = _("login record")
        verbose_name_plural = _("login records")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["member", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_result_display()} {self.recorded_at:%Y-%m-%d %H:%M}"


class MemberBlock(models.Model):
    """A staff decision that a member may not use the site (fraud prevention).

    The email and mobile number are kept only as keyed hashes of their normalised form, so a
    block can refuse re-registration after the account is gone without holding the contact
    data itself. Staff's reason (a note about the person) is sealed under a data key of the
    block's own: the block outlives the member's account, and the purge destroys the key
    with the block once it is lifted.
    """

    member = models.ForeignKey(
        Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="blocks",
    )
    reason = EncryptedTextField(_("reason"), max_length=1000)
    blocked_at = models.DateTimeField(_("blocked at"), default=timezone.now)
    blocked_by = models.ForeignKey(
        Member, verbose_name=_("blocked by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    email_hash = models.CharField(_("email (keyed hash)"), max_length=64, db_index=True)
    mobile_hash = models.CharField(
        _("mobile phone number (keyed hash)"), max_length=64, blank=True, db_index=True
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        Member, verbose_name=_("lifted by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    data_key = DataKeyField()

    class Meta:
        verbose_name = _("member block")
        verbose_name_plural = _("member blocks")
        ordering = ["-blocked_at", "-id"]

    def __str__(self) -> str:
        return f"MemberBlock #{self.pk}"
