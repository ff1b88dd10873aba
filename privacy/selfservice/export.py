"""The export file: a zip with ``data.json`` (machine-readable) and ``data.html`` (readable).

Both are built from the same ``SubjectData`` as the "my data" page; the HTML is rendered by a
template with autoescaping, so nothing a member typed can run in the browser that opens it.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from privacy.selfservice.selectors import SubjectData

EXPORT_FORMAT = "clinic-my-data/1"


def _when(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def export_document(data: SubjectData) -> dict[str, Any]:
    """The export as plain JSON types."""
    member = data.member
    return {
        "format": EXPORT_FORMAT,
        "generated_at": _when(data.generated_at),
        "member": {"login_id": member.username, "subject_ref": str(member.subject_ref)},
        "items": [
            {
                "key": view.item.key,
                "label": str(view.item.label),
                "purposes": [str(p.label) for p in view.item.purposes],
                "legal_basis": str(view.item.basis.label),
                "retention": str(view.item.retention.achieved_when),
                "restricted": view.restricted,
                "kept_by_law": (
                    {"law": view.legal_hold.law, "until": view.legal_hold.until.isoformat()}
                    if view.legal_hold else None
                ),
                "records": [
                    {"collected_at": _when(row.collected_at),
                     "values": {label: value for label, value in row.values}}
                    for row in view.rows
                ],
            }
            for view in data.items if view.rows
        ],
        "consultations": [
            {"title": c.title, "area": str(c.area), "kind": c.get_kind_display(),
             "posted_at": _when(c.created_at)}
            for c in data.consultations
        ],
        "reviews": [
            {"title": r.title, "area": str(r.area), "status": r.get_status_display(),
             "written_at": _when(r.created_at)}
            for r in data.reviews
        ],
        "consents": [
            {"consent": label, "granted": record.granted, "recorded_at": _when(record.recorded_at),
             "method": record.get_method_display(),
             "policy_version": record.policy_version.version if record.policy_version else None}
            for record, label in data.consent_ledger
        ],
        "login_history": [
            {"at": _when(r.recorded_at), "ip_address": r.ip_address,
             "result": r.get_result_display()}
            for r in data.login_history
        ],
        "disclosures": [
            {"recipient": d.recipient, "items": d.items, "disclosed_at": _when(d.disclosed_at),
             "legal_basis": d.get_legal_basis_display(), "detail": d.basis_detail}
            for d in data.disclosures
        ],
        "restrictions": [
            {"items": r.items, "reason": r.get_reason_display(), "started_at": _when(r.started_at),
             "lifted_at": _when(r.lifted_at)}
            for r in data.restrictions
        ],
        "requests": [
            {"kind": r.get_kind_display(), "channel": r.get_channel_display(),
             "received_at": _when(r.received_at), "due_on": r.due_on.isoformat(),
             "completed_at": _when(r.completed_at)}
            for r in data.requests
        ],
    }


def export_zip(data: SubjectData) -> bytes:
    document = export_document(data)
    page = render_to_string("privacy/selfservice/export.html", {"data": data})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr("data.html", page)
    return buffer.getvalue()
