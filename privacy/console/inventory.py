"""What personal data the clinic holds right now, item by item (the privacy manager's inventory).

Everything is counted from the registry's field references with aggregate queries: one per
model (records, oldest), one per item (distinct subjects across its models), three per purge
rule (due now, in 7 and in 30 days) and two on the retention store. The number of queries
depends on the registry, never on the volume of data, and no value is ever read: a field
"holds" something when its column is neither NULL nor empty (for encrypted fields, the
ciphertext column; nothing is decrypted).

``open_requests`` lists what the privacy manager must answer, with its legal deadline.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, router
from django.db.models import Count, Min, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy import registry
from privacy.models import COMPLAINT_OPEN, Complaint, RightsRequest
from privacy.retention.destruction import purge_rules
from privacy.retention.store import retention_access

DUE_WINDOWS: tuple[int, ...] = (7, 30)

# Where a model's rows name their subject, when it is not a ``subject_ref`` column or a
# ``member``/``author``/``child`` link to a member (see ``subject_path``).
SUBJECT_PATHS: dict[str, str] = {
    "consultations.Answer": "consultation__author__subject_ref",
    "members.LegalRepresentative": "child__subject_ref",
    "privacy.Visit": "visitor_id",  # a random visitor number: the subject of a cookie record
}
_MEMBER_LINKS = ("member", "author", "child")


def subject_path(model: type[models.Model]) -> str | None:
    """The lookup that gives the subject (a ``subject_ref`` UUID) of a row of ``model``."""
    label = model._meta.label
    if label in SUBJECT_PATHS:
        return SUBJECT_PATHS[label]
    by_name = {f.name: f for f in model._meta.concrete_fields}
    if "subject_ref" in by_name:
        return "subject_ref"
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for name in _MEMBER_LINKS:
        link = by_name.get(name)
        if link is not None and link.is_relation and link.related_model is user_model:
            return f"{name}__subject_ref"
    return None


def created_field(model: type[models.Model]) -> str | None:
    """The column that says when a row came to be: its first timestamp set on creation."""
    for candidate in model._meta.concrete_fields:
        if isinstance(candidate, models.DateTimeField) and (
            candidate.auto_now_add or candidate.default is timezone.now
        ):
            return candidate.name
    return None


def holds_value(model_field: models.Field) -> Q:
    """The row holds something in ``model_field``: not NULL and, for text, not empty."""
    condition = Q(**{f"{model_field.name}__isnull": False})
    if isinstance(model_field, (models.CharField, models.TextField)):
        condition &= ~Q(**{model_field.name: ""})
    return condition


def _resolve(reference: str) -> tuple[type[models.Model], models.Field]:
    app_label, model_name, field_name = reference.split(".")
    model = apps.get_model(app_label, model_name)
    return model, model._meta.get_field(field_name)


def item_fields_by_model(
    item: registry.CollectionItem,
) -> dict[type[models.Model], list[models.Field]]:
    grouped: dict[type[models.Model], list[models.Field]] = defaultdict(list)
    for reference in registry.record_fields(item):
        model, model_field = _resolve(reference)
        if model_field.many_to_many:
            continue
        grouped[model].append(model_field)
    return grouped


def item_rows(model: type[models.Model], fields: Iterable[models.Field]) -> Q:
    """Rows of ``model`` holding any of ``fields`` (one item's fields in that model)."""
    condition = Q()
    for model_field in fields:
        condition |= holds_value(model_field)
    return condition


def is_live(model: type[models.Model]) -> bool:
    return router.db_for_read(model) == "default"


# --- The inventory ---------------------------------------------------------------------------

@dataclass
class ItemCount:
    key: str
    label: str
    legal_basis: str
    purposes: tuple[str, ...]
    encrypted: bool
    live_subjects: int = 0
    live_records: int = 0
    retained_subjects: int = 0
    retained_records: int = 0
    oldest: datetime.datetime | None = None
    due_now: int = 0
    due: dict[int, int] = field(default_factory=dict)  # days ahead -> records newly due

    def note_oldest(self, moment: datetime.datetime | None) -> None:
        if moment is not None and (self.oldest is None or moment < self.oldest):
            self.oldest = moment


@dataclass
class PurposeTotal:
    key: str
    label: str
    items: int = 0
    live_records: int = 0
    retained_records: int = 0
    due: dict[int, int] = field(default_factory=dict)


@dataclass
class Inventory:
    taken_at: datetime.datetime
    items: list[ItemCount]
    purposes: list[PurposeTotal]


def _live_counts(counts: dict[str, ItemCount]) -> None:
    per_model: dict[type[models.Model], list[tuple[str, list[models.Field]]]] = defaultdict(list)
    subjects_of: dict[str, list[models.QuerySet]] = defaultdict(list)
    for item in registry.ITEMS:
        for model, fields in item_fields_by_model(item).items():
            if not is_live(model):
                continue
            per_model[model].append((item.key, fields))
            path = subject_path(model)
            if path is not None:
                subjects_of[item.key].append(
                    model._base_manager.filter(item_rows(model, fields))
                    .filter(**{f"{path}__isnull": False})
                    .order_by().values_list(path)
                )
    # One query per model: records and oldest row for every item it holds.
    for model, entries in per_model.items():
        created = created_field(model)
        aggregates: dict[str, Any] = {}
        for index, (_key, fields) in enumerate(entries):
            condition = item_rows(model, fields)
            aggregates[f"records_{index}"] = Count("pk", filter=condition)
            if created is not None:
                aggregates[f"oldest_{index}"] = Min(created, filter=condition)
        result = model._base_manager.order_by().aggregate(**aggregates)
        for index, (key, _fields) in enumerate(entries):
            counts[key].live_records += result[f"records_{index}"] or 0
            counts[key].note_oldest(result.get(f"oldest_{index}"))
    # One query per item: distinct subjects across the models that hold it.
    for key, querysets in subjects_of.items():
        first, *others = querysets
        combined = first.union(*others) if others else first.distinct()
        counts[key].live_subjects = combined.count()


def _retained_counts(counts: dict[str, ItemCount], summary: dict[str, dict[str, Any]]) -> None:
    store_items = {
        item.key for item in registry.ITEMS
        if any(not is_live(model) for model in item_fields_by_model(item))
    }
    for key, count in counts.items():
        row = summary.get("*" if key in store_items else key)
        if not row:
            continue
        count.retained_records = row["records"] or 0
        count.retained_subjects = row["subjects"] or 0
        count.note_oldest(row["oldest"])


def _due_counts(counts: dict[str, ItemCount], now: datetime.datetime) -> None:
    """Records each purge rule will destroy in the next 7 and 30 days (not yet due now)."""
    for rule in purge_rules().values():
        if rule.triggered:  # applied by an event (withdrawal), not by the calendar
            continue
        due_now = rule.due(now).count()
        ahead = {
            days: max(rule.due(now + datetime.timedelta(days=days)).count() - due_now, 0)
            for days in DUE_WINDOWS
        }
        for key in rule.item_keys:
            if key in counts:
                counts[key].due_now += due_now
                for days, number in ahead.items():
                    counts[key].due[days] = counts[key].due.get(days, 0) + number


def _purpose_totals(counts: dict[str, ItemCount]) -> list[PurposeTotal]:
    totals = []
    for purpose in registry.Purpose:
        total = PurposeTotal(key=purpose.value, label=str(purpose.label),
                             due={days: 0 for days in DUE_WINDOWS})
        for count in counts.values():
            if purpose.value not in count.purposes:
                continue
            total.items += 1
            total.live_records += count.live_records
            total.retained_records += count.retained_records
            for days in DUE_WINDOWS:
                total.due[days] += count.due.get(days, 0)
        totals.append(total)
    return totals


def inventory_take(*, actor: str, now: datetime.datetime | None = None) -> Inventory:
    """Count what is held for every registry item, live and in the retention store.

    The retention store is read through ``retention_access`` (logged under ``actor``), and only
    for counts."""
    now = now or timezone.now()
    counts = {
        item.key: ItemCount(
            key=item.key, label=str(item.label), legal_basis=str(item.basis.label),
            purposes=tuple(purpose.value for purpose in item.purposes),
            encrypted=item.encrypted, due={days: 0 for days in DUE_WINDOWS},
        )
        for item in registry.ITEMS
    }
    _live_counts(counts)
    with retention_access(actor=actor, action="inventory") as store:
        _retained_counts(counts, store.summary_by_item())
        _due_counts(counts, now)
    return Inventory(taken_at=now, items=list(counts.values()), purposes=_purpose_totals(counts))


INVENTORY_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("kind", _("kind")),
    ("key", _("key")),
    ("label", _("item")),
    ("legal_basis", _("legal basis")),
    ("purposes", _("purposes")),
    ("live_subjects", _("subjects (live)")),
    ("live_records", _("records (live)")),
    ("retained_subjects", _("subjects (retention database)")),
    ("retained_records", _("records (retention database)")),
    ("oldest", _("oldest record")),
    ("due_now", _("due now")),
    ("due_7_days", _("due in 7 days")),
    ("due_30_days", _("due in 30 days")),
)


def _day(moment: datetime.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else ""


def inventory_rows(inventory: Inventory) -> list[dict[str, str]]:
    """The inventory as flat rows (items, then purpose totals) for CSV, terminal and admin."""
    rows = []
    for count in inventory.items:
        rows.append({
            "kind": "item", "key": count.key, "label": count.label,
            "legal_basis": count.legal_basis, "purposes": " ".join(count.purposes),
            "live_subjects": str(count.live_subjects), "live_records": str(count.live_records),
            "retained_subjects": str(count.retained_subjects),
            "retained_records": str(count.retained_records),
            "oldest": _day(count.oldest), "due_now": str(count.due_now),
            "due_7_days": str(count.due.get(7, 0)), "due_30_days": str(count.due.get(30, 0)),
        })
    for total in inventory.purposes:
        rows.append({
            "kind": "purpose", "key": total.key, "label": total.label, "legal_basis": "",
            "purposes": str(total.items), "live_subjects": "",
            "live_records": str(total.live_records), "retained_subjects": "",
            "retained_records": str(total.retained_records), "oldest": "", "due_now": "",
            "due_7_days": str(total.due.get(7, 0)), "due_30_days": str(total.due.get(30, 0)),
        })
    return rows


# --- Requests at a glance --------------------------------------------------------------------

@dataclass(frozen=True)
class OpenRequestRow:
    """One open request, without anything that names its person."""

    kind: str
    reference: str
    received_at: datetime.datetime
    due_on: datetime.date
    overdue_days: int
    url: str


def _admin_url(model: type[models.Model], pk: Any) -> str:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                       args=[pk])
    except NoReverseMatch:
        return ""


def _open_complaints(today: datetime.date) -> list[OpenRequestRow]:
    rows = []
    for complaint in Complaint.objects.filter(status__in=COMPLAINT_OPEN).only(
        "pk", "created_at", "status"
    ).order_by("created_at", "pk"):
        due_on = complaint.answer_due_on
        rows.append(OpenRequestRow(
            kind=str(_("complaint")), reference=f"#{complaint.pk}",
            received_at=complaint.created_at, due_on=due_on,
            overdue_days=max((today - due_on).days, 0),
            url=_admin_url(Complaint, complaint.pk),
        ))
    return rows


def _open_rights_requests(today: datetime.date) -> list[OpenRequestRow]:
    """Requests of section 6 (view, correction, deletion, restriction, consent withdrawal),
    open while ``completed_at`` is empty."""

    rows = []
    for request in RightsRequest._base_manager.filter(completed_at__isnull=True).only(
        "pk", "kind", "received_at", "due_on"
    ).order_by("due_on", "pk"):
        rows.append(OpenRequestRow(
            kind=str(request.get_kind_display()), reference=f"#{request.pk}",
            received_at=request.received_at, due_on=request.due_on,
            overdue_days=max((today - request.due_on).days, 0),
            url=_admin_url(RightsRequest, request.pk),
        ))
    return rows


# Each source is one query; a new kind of request with a deadline adds a function here.
OPEN_REQUEST_SOURCES: tuple[Callable[[datetime.date], list[OpenRequestRow]], ...] = (
    _open_complaints, _open_rights_requests,
)


def open_requests(now: datetime.datetime | None = None) -> list[OpenRequestRow]:
    """Every open request and complaint, overdue first, then by deadline."""
    today = timezone.localdate(now or timezone.now())
    rows = [row for source in OPEN_REQUEST_SOURCES for row in source(today)]
    return sorted(rows, key=lambda row: (row.overdue_days == 0, row.due_on, row.received_at))
