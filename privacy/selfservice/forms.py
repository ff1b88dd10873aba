"""Forms of the self-service pages: one click per consent, explicit confirmations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy import registry
from privacy.models import RightsRequestKind


class ConsentChangeForm(forms.Form):
    consent = forms.CharField(max_length=40)
    grant = forms.TypedChoiceField(choices=(("1", "1"), ("0", "0")), coerce=lambda v: v == "1")

    def __init__(self, *args: Any, choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = set(choices)

    def clean_consent(self) -> str:
        value = self.cleaned_data["consent"]
        if value not in self.allowed:
            raise forms.ValidationError(_("Unknown consent."))
        return value


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account is closed at once and cannot be restored."),
        required=True,
    )


class SensitiveWithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this health information is destroyed at once and cannot be "
                "restored."),
        required=True,
    )


class ItemRequestForm(forms.Form):
    """A request to the privacy officer to correct or delete an item members cannot edit."""

    KINDS = (
        (RightsRequestKind.CORRECTION, _("correct")),
        (RightsRequestKind.DELETION, _("delete")),
    )

    item = forms.ChoiceField(
        label=_("Item"), choices=[(i.key, i.label) for i in registry.ITEMS]
    )
    kind = forms.ChoiceField(label=_("Request"), choices=KINDS)
