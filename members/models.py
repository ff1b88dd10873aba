"""Members: the people who register on the site (policy section 1, membership registration)."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from privacy.fields import DataKeyField, EncryptedTextField

LOGIN_ID_MAX_LENGTH = 20
NAME_MAX_LENGTH = 50
PHONE_MAX_LENGTH = 13  # 010-1234-5678

login_id_validator = RegexValidator(
    regex=r"^[a-z][a-z0-9_]{3,19}\Z",
    message=_(
        "A login ID is 4 to 20 characters: lowercase letters, digits and underscores, "
        "starting with a letter."
    ),
)


class Member(AbstractUser):
    """A registered member. Contact items are encrypted under the member's own data key."""

    username = models.CharField(
        _("login ID"),
        max_length=LOGIN_ID_MAX_LENGTH,
        unique=True,
        validators=[login_id_validator],
        error_messages={"unique": _("This login ID is already taken.")},
    )
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    email = models.EmailField(_("email"), max_length=254)
    mobile_phone = EncryptedTextField(_("mobile phone number"), blank=True)
    subject_ref = models.UUIDField(
        _("subject reference"), default=uuid.uuid4, unique=True, editable=False,
        help_text=_("Pseudonymous reference used in ledgers instead of the member's identity."),
    )
    data_key = DataKeyField()

    objects = UserManager()

    REQUIRED_FIELDS = ["email", "name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-date_joined"]

    def __str__(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name
