"""Sign-up and profile forms, driven by the privacy registry (required/optional, consents)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import phones
from members.ages import needs_representative
from members.emails import email_address_sync, is_stand_in
from members.models import (
    ADDRESS_MAX_LENGTH,
    NAME_MAX_LENGTH,
    REPRESENTATIVE_NAME_MAX_LENGTH,
    Member,
    Relation,
    login_id_validator,
)
from members.selectors import birth_date_allowed, contact_is_blocked
from members.services import RepresentativeData
from privacy import registry
from privacy.josa import format_with_particles
from privacy.ledger import policy_version_current
from privacy.lookup import identity_normal
from privacy.models import PolicyVersion

# Form field -> collection item of the registry that declares it.
FIELD_ITEMS: dict[str, str] = {
    "name": "name",
    "username": "login_id",
    "password1": "password",
    "email": "email",
    "mobile_phone": "mobile_phone",
    "home_phone": "home_phone",
    "home_address": "home_address",
    "date_of_birth": "date_of_birth",
    "desired_area": "desired_area",
}
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
CONSENT_PREFIX = "consent_"


class KoreanPhoneField(forms.CharField):
    """A Korean number, cleaned to its stored form (see ``members.phones``)."""

    def __init__(self, *, mobile: bool = False, **kwargs: Any) -> None:
        self.normalise = phones.normalise_mobile if mobile else phones.normalise_phone
        kwargs.setdefault("max_length", phones.RAW_MAX_LENGTH)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return self.normalise(value) if value else ""


def area_choices() -> QuerySet:
    """The active consultation areas, in their order. The area model belongs to
    consultations, the layer above members: it is reached through the app registry rather
    than imported (as ``Member.desired_area`` reaches it)."""
    areas = apps.get_model("consultations", "ConsultationArea")
    return areas._default_manager.filter(is_active=True).order_by("position", "id")


if TYPE_CHECKING:
    _ConsentedForm = forms.BaseForm
else:
    _ConsentedForm = object


class ConsentedItemsMixin(_ConsentedForm):
    """Optional items need their consent: an item entered without it is refused, by name."""

    def add_consent_fields(self, keys: tuple[str, ...], initial: dict[str, bool]) -> None:
        for key in keys:
            consent = registry.consent(key)
            self.fields[CONSENT_PREFIX + key] = forms.BooleanField(
                label=consent.label, required=False, initial=initial.get(key, False),
                help_text=consent.notice,
            )

    def consent_decisions(self) -> dict[str, bool]:
        return {
            name.removeprefix(CONSENT_PREFIX): bool(self.cleaned_data.get(name))
            for name in self.fields
            if name.startswith(CONSENT_PREFIX)
        }

    def clean_consented_items(self) -> None:
        decisions = self.consent_decisions()
        for key, granted in decisions.items():
            if granted:
                continue
            consent = registry.consent(key)
            for item_key in consent.items:
                field_name = next(
                    (name for name, item in FIELD_ITEMS.items() if item == item_key), None
                )
                if field_name is None or field_name not in self.fields:
                    continue
                if registry.item(item_key).required:
                    continue
                if self.cleaned_data.get(field_name):
                    self.add_error(field_name, format_with_particles(_(
                        "You entered your %(item)s without ticking the consent "
                        "“%(consent)s”. Tick that consent, or leave this field empty."
                    ), {"item": registry.item(item_key).label, "consent": consent.label}))


def birth_date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"},
                               format="%Y-%m-%d"),
        help_text=_("Members under 14 need the consent of a legal representative."),
    )


def clean_birth_date(value: date) -> date:
    if value > timezone.localdate() or value < EARLIEST_BIRTH_DATE:
        raise forms.ValidationError(_("Enter your real date of birth."))
    return value


class SignupForm(ConsentedItemsMixin, AllauthSignupForm):
    """Exactly the policy's sign-up items, plus a legal representative for children under 14."""

    typed_email = ""  # the address as typed, in its normal form (``clean_email``)

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    date_of_birth = birth_date_field()
    mobile_phone = KoreanPhoneField(label=_("Mobile phone number"), mobile=True)
    home_phone = KoreanPhoneField(label=_("Home phone number"))
    home_address = forms.CharField(
        label=_("Home address"), max_length=ADDRESS_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    desired_area = forms.ModelChoiceField(
        label=_("Desired consultation area"), queryset=area_choices().none(),
    )
    policy_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    representative_name = forms.CharField(
        label=_("Legal representative's name"), max_length=REPRESENTATIVE_NAME_MAX_LENGTH,
        required=False,
    )
    representative_email = forms.EmailField(
        label=_("Legal representative's email"), required=False, max_length=254,
        help_text=_("We send the link that confirms the consent to this address."),
    )
    representative_phone = KoreanPhoneField(
        label=_("Legal representative's phone number"), required=False,
    )
    representative_relation = forms.ChoiceField(
        label=_("Relation to you"), choices=[("", "---------"), *Relation.choices],
        required=False,
    )

    field_order = [
        "name", "username", "password1", "password2", "email", "mobile_phone",
        "date_of_birth", "home_phone", "home_address", "desired_area",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Login ID")
        self.fields["username"].help_text = login_id_validator.message
        desired_area = self.fields["desired_area"]
        assert isinstance(desired_area, forms.ModelChoiceField)
        desired_area.queryset = area_choices()
        for field_name, item_key in FIELD_ITEMS.items():
            if field_name in self.fields:
                self.fields[field_name].required = registry.item(item_key).required
        self.add_consent_fields(tuple(consent.key for consent in registry.MEMBER_CONSENTS), {})
        self.shown_policy = policy_version_current()
        if self.shown_policy is not None:
            self.fields["policy_version"].initial = self.shown_policy.version

    # --- What the template shows -----------------------------------------------------------

    def contract_items(self) -> list[registry.CollectionItem]:
        """Items needed for the membership contract: a notice, no consent box (PIPA 15(1)4)."""
        keys = set(FIELD_ITEMS.values())
        return [
            item for item in registry.ITEMS
            if item.key in keys and item.basis == registry.LegalBasis.CONTRACT
        ]

    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name in FIELD_ITEMS or name == "password2"]

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(CONSENT_PREFIX)]

    def representative_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("representative_")]

    # --- Validation -------------------------------------------------------------------------

    def clean_username(self) -> str:
        value = super().clean_username()
        login_id_validator(value)
        return value

    def clean_email(self) -> str:
        """allauth cleans the address into its stand-in (members.emails); the typed address,
        in its normal form, is kept for the blocks, the representative check and the account."""
        self.typed_email = identity_normal(self.cleaned_data.get("email") or "")
        refuse_stand_in(self.typed_email)
        return str(super().clean_email())

    def clean_policy_version(self) -> PolicyVersion | None:
        """The consents are given to the policy version the page showed, recorded as such."""
        shown = self.cleaned_data.get("policy_version")
        if not shown:
            return self.shown_policy
        return PolicyVersion.objects.filter(version=shown).first() or self.shown_policy

    def clean_date_of_birth(self) -> date:
        return clean_birth_date(self.cleaned_data["date_of_birth"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # allauth's clean returns the cleaned data
        self.clean_consented_items()
        born = cleaned.get("date_of_birth")
        if born and needs_representative(born, timezone.localdate()):
            self._clean_representative(cleaned)
        if contact_is_blocked(email=self.typed_email,
                              mobile_phone=cleaned.get("mobile_phone") or ""):
            raise forms.ValidationError(
                _("Registration with this email address or mobile phone number is not "
                  "possible. Please contact the clinic."),
                code="blocked",
            )
        return cleaned

    def _clean_representative(self, cleaned: dict[str, Any]) -> None:
        message = _("Members under 14 need a legal representative: enter this.")
        for name in ("representative_name", "representative_email", "representative_relation"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        own = self.typed_email
        if own and identity_normal(cleaned.get("representative_email") or "") == own:
            self.add_error("representative_email", _(
                "Enter your legal representative's own email address, not yours."
            ))

    def representative_data(self) -> RepresentativeData | None:
        born = self.cleaned_data["date_of_birth"]
        if not needs_representative(born, timezone.localdate()):
            return None
        return RepresentativeData(
            name=self.cleaned_data["representative_name"],
            email=self.cleaned_data["representative_email"],
            phone=self.cleaned_data.get("representative_phone") or "",
            relation=self.cleaned_data["representative_relation"],
        )


def refuse_stand_in(email: str) -> None:
    """An address at the stand-ins' domain (members.emails) is never a person's: refused as
    invalid, so no typed value is taken for a stand-in."""
    if is_stand_in(email):
        raise forms.ValidationError(_("Enter a valid email address."), code="invalid")


class AddEmailForm(AllauthAddEmailForm):
    """allauth's form for a further address at /accounts/email/, refusing stand-ins. The page
    builds it for every request: the account's own address gets its row here, where allauth's
    view would have synchronised it (``members.emails.email_address_sync``)."""

    def __init__(self, user: Member | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        if user is not None:
            email_address_sync(user)

    def clean_email(self) -> str:
        refuse_stand_in(identity_normal(self.cleaned_data.get("email") or ""))
        return str(super().clean_email())


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's form, also finding an account by its own (sealed) email through the email's
    keyed digest: an account created without allauth (``createsuperuser``) has no confirmed
    address row, and allauth's query on the account's email column cannot match a sealed
    value."""

    def clean_email(self) -> str:
        typed = self.cleaned_data.get("email") or ""
        email = super().clean_email()
        self.users: list[Member]
        if not self.users:
            self.users = list(Member.objects.with_email(typed).filter(is_active=True))
        return email


class ProfileForm(ConsentedItemsMixin, forms.Form):
    """A member's own items (or their child's), with the consents that cover optional items.

    Every item of the registry that a member can correct is here; email and password have
    allauth's own pages (reauthentication, confirmation of the new address)."""

    PROFILE_CONSENTS = ("optional_items", "sensitive_health")

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    mobile_phone = KoreanPhoneField(label=_("Mobile phone number"), mobile=True)
    date_of_birth = birth_date_field()
    home_phone = KoreanPhoneField(label=_("Home phone number"), required=False)
    home_address = forms.CharField(label=_("Home address"), max_length=ADDRESS_MAX_LENGTH,
                                   required=False)
    desired_area = forms.ModelChoiceField(
        label=_("Desired consultation area"), queryset=area_choices().none(),
        required=False,
    )

    def __init__(self, *args: Any, member: Member, consents: dict[str, bool],
                 **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "name": member.name, "mobile_phone": member.mobile_phone,
            "home_phone": member.home_phone, "home_address": member.home_address,
            "desired_area": member.desired_area_ref or None, "date_of_birth": member.birth_date,
        })
        super().__init__(*args, **kwargs)
        self.member = member
        desired_area = self.fields["desired_area"]
        assert isinstance(desired_area, forms.ModelChoiceField)
        desired_area.queryset = area_choices()
        for field_name in list(self.fields):
            item_key = FIELD_ITEMS.get(field_name)
            if item_key:
                self.fields[field_name].required = registry.item(item_key).required
        self.add_consent_fields(self.PROFILE_CONSENTS, consents)

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(CONSENT_PREFIX)]

    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(CONSENT_PREFIX)]

    def clean_date_of_birth(self) -> date:
        born = clean_birth_date(self.cleaned_data["date_of_birth"])
        if not birth_date_allowed(self.member, born, today=timezone.localdate()):
            raise forms.ValidationError(_(
                "Members under 14 need the consent of a legal representative, which this "
                "account does not have. If your date of birth is under 14, please call the "
                "clinic: your legal representative confirms first, then the date is corrected."
            ), code="needs_representative")
        return born

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.clean_consented_items()
        return cleaned

    def profile_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields
                if not name.startswith(CONSENT_PREFIX)}
