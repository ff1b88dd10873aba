"""Forms of the boards. Every text is plain text with a length limit; templates escape it."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from consultations import selectors
from consultations.models import (
    BODY_MAX_LENGTH,
    BOOKING_MAX_SLOTS,
    BOOKING_NOTE_MAX_LENGTH,
    GUEST_NAME_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    TITLE_MAX_LENGTH,
    ConsultationArea,
    ContactChannel,
    ProcedureRecord,
)
from members.models import Member
from privacy import registry

# Korean mobile numbers: 010 (and the older 011, 016-019), with or without dashes or spaces.
MOBILE_RE = re.compile(r"^01([016789])(\d{3,4})(\d{4})$")
GUEST_PASSWORD_MIN_LENGTH = 8
GUEST_PASSWORD_MAX_LENGTH = 128


def _plain_text_help_now() -> str:
    return _("Plain text, up to %(limit)d characters.") % {"limit": BODY_MAX_LENGTH}


_plain_text_help = lazy(_plain_text_help_now, str)


def title_field() -> forms.CharField:
    return forms.CharField(
        label=_("Title"), max_length=TITLE_MAX_LENGTH,
        error_messages={"required": _("Please write a title.")},
    )


def body_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": BODY_MAX_LENGTH}),
        help_text=_plain_text_help(),
        error_messages={"required": _("Please write your text; it cannot be empty.")},
    )


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ConsultationArea) -> str:
        return obj.name(get_language() or "ko")


def area_field(queryset: Any = None, label: Any = None) -> AreaChoiceField:
    return AreaChoiceField(
        label=label or _("Area"),
        queryset=queryset if queryset is not None else selectors.area_list_active(),
        empty_label=None,
        error_messages={"required": _("Please choose an area."),
                        "invalid_choice": _("Please choose one of the listed areas.")},
    )


BOARD_CONSENT_FIELD = "sensitive_consent"


class BoardConsentMixin(forms.Form):
    """The boards' forms ask, on the form itself, for the separate consent to sensitive
    information when the member has not given it (PIPA art. 23: its own unticked box with its
    notice), so that posting never stops at a page that sends the member elsewhere."""

    def __init__(self, *args: Any, ask_consent: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ask_consent:
            consent = registry.consent(selectors.BOARD_CONSENT)
            self.fields[BOARD_CONSENT_FIELD] = forms.BooleanField(
                label=consent.label, help_text=consent.notice, initial=False,
                error_messages={"required": _(
                    "Questions and reviews are health information: to post, tick the consent "
                    "to sensitive information."
                )},
            )

    def consent_given(self) -> bool:
        """Whether the member ticked the consent on this form (not asked: False)."""
        return bool(self.cleaned_data.get(BOARD_CONSENT_FIELD))

    def post_data(self) -> dict[str, Any]:
        """What the post itself is made of: the cleaned data without the consent box."""
        return {name: value for name, value in self.cleaned_data.items()
                if name != BOARD_CONSENT_FIELD}


class ConsultationForm(BoardConsentMixin):
    area = area_field()
    title = title_field()
    body = body_field(_("Question"))
    # Private unless the member chooses otherwise: a question is health information.
    is_private = forms.BooleanField(
        label=_("Private (only you and the clinic's staff can read it)"), required=False,
        initial=True,
        help_text=_("If you untick this box, everyone can read your question on the board, "
                    "with your masked name. Do not make public what you would not show to "
                    "strangers."),
    )


class AftercareForm(BoardConsentMixin):
    procedure = forms.ModelChoiceField(
        label=pgettext_lazy("medical procedure", "Procedure"),
        queryset=ProcedureRecord.objects.none(), empty_label=None,
        error_messages={"required": _("Please choose your procedure."),
                        "invalid_choice": _("Please choose one of your procedures.")},
    )
    title = title_field()
    body = body_field(_("Question"))

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["procedure"]
        field.queryset = selectors.procedure_records_of(member)  # type: ignore[attr-defined]
        field.label_from_instance = (  # type: ignore[attr-defined]
            lambda record: f"{record.procedure_name} ({record.performed_date:%Y-%m-%d})"
        )


class AftercareEditForm(BoardConsentMixin):
    title = title_field()
    body = body_field(_("Question"))


class AnswerForm(forms.Form):
    body = body_field(_("Answer"))


class ReviewForm(BoardConsentMixin):
    area = area_field(label=_("Procedure area"))
    title = title_field()
    body = body_field(_("Review"))
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int,
        choices=[(value, str(value)) for value in range(RATING_MAX, RATING_MIN - 1, -1)],
        error_messages={"required": _("Please choose a rating from 1 to 5."),
                        "invalid_choice": _("Please choose a rating from 1 to 5.")},
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only areas where the member had a procedure: a review is about one's own procedure.
        # Procedure areas are sealed: the member's few records are opened to list theirs.
        area_ids = [record.area_ref for record in selectors.procedure_records_of(member)]
        self.fields["area"].queryset = ConsultationArea.objects.filter(  # type: ignore[attr-defined]
            pk__in=area_ids
        )


def normalise_mobile(value: str) -> str:
    """'01012345678', '010 1234 5678' -> '010-1234-5678'; ValidationError otherwise."""
    digits = re.sub(r"[\s\-.]", "", value or "")
    match = MOBILE_RE.match(digits)
    if not match:
        raise forms.ValidationError(
            _("Please enter a Korean mobile number, e.g. 010-1234-5678."), code="invalid"
        )
    return f"01{match.group(1)}-{match.group(2)}-{match.group(3)}"


class GuestConsultationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=GUEST_NAME_MAX_LENGTH,
        error_messages={"required": _("Please enter your name.")},
    )
    mobile_phone = forms.CharField(
        label=_("Mobile phone number"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Please enter your mobile phone number.")},
    )
    area = area_field()
    title = title_field()
    body = body_field(_("Question"))
    password = forms.CharField(
        label=_("Password to read the answer"), min_length=GUEST_PASSWORD_MIN_LENGTH,
        max_length=GUEST_PASSWORD_MAX_LENGTH, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters. Keep it: with the reference you will receive, it is "
                    "the only way to read the answer."),
        error_messages={"required": _("Please choose a password.")},
    )
    password_again = forms.CharField(
        label=_("Password (again)"), max_length=GUEST_PASSWORD_MAX_LENGTH, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Please enter the password again.")},
    )
    consent = forms.BooleanField(
        label=_("I agree to the collection and use of my personal information described above."),
        error_messages={"required": _(
            "A guest consultation needs your consent to the collection and use of the items "
            "above."
        )},
    )
    sensitive_consent = forms.BooleanField(
        label=_("I agree to the processing of my health information described above."),
        error_messages={"required": _(
            "Your question is health information: a guest consultation needs your separate "
            "consent to its processing."
        )},
    )

    def clean_mobile_phone(self) -> str:
        return normalise_mobile(self.cleaned_data["mobile_phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again is not None and password != again:
            self.add_error("password_again", _("The two passwords do not match."))
        elif password:
            try:
                validate_password(password)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class GuestReadForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"), max_length=20,
        error_messages={"required": _("Please enter your reference.")},
    )
    password = forms.CharField(
        label=_("Password"), max_length=GUEST_PASSWORD_MAX_LENGTH, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Please enter your password.")},
    )


class GuestReferenceFindForm(forms.Form):
    mobile_phone = forms.CharField(
        label=_("Mobile phone number"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Please enter your mobile phone number.")},
    )
    password = forms.CharField(
        label=_("Password"), max_length=GUEST_PASSWORD_MAX_LENGTH, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Please enter your password.")},
    )

    def clean_mobile_phone(self) -> str:
        return normalise_mobile(self.cleaned_data["mobile_phone"])


# --- Booking requests ------------------------------------------------------------------------

class BookingForm(forms.Form):
    """A request for a consultation appointment. The preferred times come as up to three
    repeated ``slot_date``/``slot_time`` pairs (the page shows three rows); each is checked
    against the opening hours and holidays of its day. A guest gives a name and the contact
    for the channel they choose; a member is reached through the account. The two consents
    are separate and unticked."""

    area = area_field()
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=BOOKING_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BOOKING_NOTE_MAX_LENGTH}),
        help_text=_("What you would like to discuss, in a few words (up to 500 characters)."),
    )
    name = forms.CharField(
        label=_("Name"), max_length=GUEST_NAME_MAX_LENGTH,
        error_messages={"required": _("Please enter your name.")},
    )
    channel = forms.ChoiceField(
        label=_("How should we tell you?"), choices=ContactChannel.choices,
        widget=forms.RadioSelect, initial=ContactChannel.SMS,
        error_messages={"required": _("Please choose text message or email."),
                        "invalid_choice": _("Please choose text message or email.")},
    )
    mobile_phone = forms.CharField(
        label=_("Mobile phone number"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to the collection and use of my personal information described "
                "above."),
        error_messages={"required": _(
            "A booking request needs your consent to the collection and use of your name and "
            "contact."
        )},
    )
    consent_sensitive = forms.BooleanField(
        label=_("I agree to the processing of the sensitive information described above."),
        error_messages={"required": _(
            "A booking request needs your separate consent to the consultation area, times "
            "and note (health information)."
        )},
    )

    def __init__(self, *args: Any, member: Member | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        if member is not None:
            for name in ("name", "mobile_phone", "email"):
                del self.fields[name]
        self.slot_rows: list[tuple[str, str]] = self._slot_rows()

    def _slot_rows(self) -> list[tuple[str, str]]:
        """The submitted (date, time) rows as typed, blank rows dropped; three empty rows on a
        new form."""
        if not self.is_bound:
            return []
        dates = self.data.getlist("slot_date") if hasattr(self.data, "getlist") else []
        times = self.data.getlist("slot_time") if hasattr(self.data, "getlist") else []
        if len(dates) != len(times):
            return [("", "")] * (BOOKING_MAX_SLOTS + 1)  # a malformed post: refused below
        return [(d.strip()[:10], t.strip()[:5]) for d, t in zip(dates, times, strict=True)
                if d.strip() or t.strip()]

    def slot_rows_for_display(self) -> list[tuple[str, str]]:
        rows = self.slot_rows[:BOOKING_MAX_SLOTS]
        return rows + [("", "")] * (BOOKING_MAX_SLOTS - len(rows))

    def time_choices(self) -> list[str]:
        return [f"{value:%H:%M}" for value in selectors.booking_slot_times()]

    def clean_mobile_phone(self) -> str:
        value = self.cleaned_data.get("mobile_phone", "")
        return normalise_mobile(value) if value else ""

    def _clean_slots(self) -> list[datetime.datetime]:
        rows = self.slot_rows
        if not rows:
            raise forms.ValidationError(_("Please choose at least one preferred date and time."))
        if len(rows) > BOOKING_MAX_SLOTS:
            raise forms.ValidationError(_("Please choose at most three preferred times."))
        now = timezone.now()
        slots: list[datetime.datetime] = []
        errors: list[Any] = []
        for day, start in rows:
            try:
                naive = datetime.datetime.combine(
                    datetime.date.fromisoformat(day), datetime.time.fromisoformat(start)
                )
            except ValueError:
                errors.append(_("Please give each preferred time as a date and a time."))
                continue
            slot = timezone.make_aware(naive)
            if slot in slots:
                errors.append(_("%(date)s %(time)s is chosen twice; choose each time once.")
                              % {"date": day, "time": start})
                continue
            problem = selectors.booking_slot_error(slot, now=now)
            if problem:
                errors.append(problem)
            slots.append(slot)
        if errors:
            raise forms.ValidationError(errors)
        return slots

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned["slots"] = self._clean_slots()
        except forms.ValidationError as error:
            self.add_error(None, error)
        if self.member is None:
            channel = cleaned.get("channel")
            if channel == ContactChannel.SMS and not cleaned.get("mobile_phone") \
                    and "mobile_phone" not in self.errors:
                self.add_error("mobile_phone", _(
                    "Please enter your mobile phone number to be told by text message."))
            if channel == ContactChannel.EMAIL and not cleaned.get("email") \
                    and "email" not in self.errors:
                self.add_error("email", _("Please enter your email address to be told by email."))
            cleaned["contact"] = (cleaned.get("email") if channel == ContactChannel.EMAIL
                                  else cleaned.get("mobile_phone")) or ""
        return cleaned


class BookingReadForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"), max_length=20,
        error_messages={"required": _("Please enter your reference.")},
    )
    contact = forms.CharField(
        label=_("The mobile phone number or email you gave"), max_length=254,
        error_messages={"required": _("Please enter the mobile phone number or email you "
                                      "gave.")},
    )
