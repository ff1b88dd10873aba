"""The complaint form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

COMPLAINT_BODY_MAX_LENGTH = 3000


COMPLAINT_NAME_MAX_LENGTH = 50


COMPLAINT_CONTACT_MAX_LENGTH = 100


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
