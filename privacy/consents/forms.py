"""The re-consent form: one unticked box per consent the new version asks for."""

from __future__ import annotations

from typing import Any

from django import forms


class ReconsentForm(forms.Form):
    """Each optional consent as its own unticked box (PIPA: separate, never pre-ticked)."""

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        for key, label in choices:
            self.fields[key] = forms.BooleanField(label=label, required=False, initial=False)

    def granted(self) -> list[str]:
        return [key for key, _label in self.choices if self.cleaned_data.get(key)]
