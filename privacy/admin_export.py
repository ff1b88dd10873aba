"""CSV export of members from the admin: a recorded reason, masked unless revealed, and never
an item under a processing restriction (PIPA art. 37)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from privacy import registry
from privacy.csv_export import SafeCSVWriter
from privacy.masking import mask_birth_date, mask_email, mask_name, mask_phone
from privacy.restrictions import restricted_subjects

REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 200


class ExportReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the download"), min_length=REASON_MIN_LENGTH,
        max_length=REASON_MAX_LENGTH, strip=True,
        help_text=_("Why these records leave the system, e.g. the request or task it serves."),
        widget=forms.TextInput(attrs={"size": 60}),
    )
    unmasked = forms.BooleanField(
        label=_("Export the items unmasked (needs the reveal permission)"), required=False,
    )

    def __init__(self, *args: Any, can_reveal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_reveal:
            del self.fields["unmasked"]


# (header, registry item key, value of the member, masking function)
MEMBER_COLUMNS: tuple[tuple[str, str | None, Callable[[Any], str], Callable[[str], str] | None],
                      ...] = (
    ("login_id", "login_id", lambda member: member.username, None),
    ("name", "name", lambda member: member.name, mask_name),
    ("email", "email", lambda member: member.email, mask_email),
    ("mobile_phone", "mobile_phone", lambda member: member.mobile_phone or "", mask_phone),
    ("date_of_birth", "date_of_birth", lambda member: member.date_of_birth or "",
     mask_birth_date),
    ("date_joined", None, lambda member: f"{member.date_joined:%Y-%m-%d}", None),
    ("is_active", None, lambda member: "yes" if member.is_active else "no", None),
)
RESTRICTED = "(restricted)"


def export_item_keys() -> list[str]:
    return [key for _header, key, _value, _mask in MEMBER_COLUMNS if key]


def members_csv(members: Iterable[Any], *, unmasked: bool) -> str:
    """The CSV text, starting with the BOM and with formula cells neutralised
    (``privacy.csv_export``); one query per item for the restrictions, whatever the number of
    rows."""
    restricted = {
        key: {row["subject_ref"] for row in restricted_subjects(item_key=key)}
        for key in export_item_keys() if key in registry.ITEMS_BY_KEY
    }
    buffer = io.StringIO()
    writer = SafeCSVWriter(buffer)
    writer.writerow([header for header, _key, _value, _mask in MEMBER_COLUMNS])
    for member in members:
        row = []
        for _header, key, value, mask in MEMBER_COLUMNS:
            if key and member.subject_ref in restricted.get(key, ()):
                row.append(RESTRICTED)
                continue
            text = str(value(member) or "")
            row.append(mask(text) if mask and text and not unmasked else text)
        writer.writerow(row)
    return buffer.getvalue()


def export_filename() -> str:
    return _gettext("members") + ".csv"
