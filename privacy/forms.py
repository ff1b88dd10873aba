"""Forms of the privacy pages: re-consent and complaints."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

COMPLAINT_BODY_MAX_LENGTH = 3000
COMPLAINT_NAME_MAX_LENGTH = 50
COMPLAINT_CONTACT_MAX_LENGTH = 100


class ReconsentForm(forms.Form):
    """Each optional consent as its own unticked box (PIPA: separate, never pre-ticked)."""

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        for key, label in choices:
            self.fields[key] = forms.BooleanField(label=label, required=False, initial=False)

    def granted(self) -> list[str]:
        return [key for key, _label in self.choices if self.cleaned_data.get(key)]


class ComplaintForm(forms.Form):
    """A complaint; guests also give a name and a way to answer them."""

    name = forms.CharField(label=_("Name"), max_length=COMPLAINT_NAME_MAX_LENGTH)
    contact = forms.CharField(
        label=_("Phone or email for our answer"), max_length=COMPLAINT_CONTACT_MAX_LENGTH,
    )
    body = forms.CharField(
        label=_("Your complaint"), max_length=COMPLAINT_BODY_MAX_LENGTH, min_length=10,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, guest: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not guest:
            del self.fields["name"]
            del self.fields["contact"]

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()
