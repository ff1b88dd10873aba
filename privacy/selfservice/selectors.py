"""What the site holds about one person, read from the registry's declarations.

``subject_data`` iterates ``registry.ITEMS`` and their ``fields`` references, so an item added
to the registry shows up on "my data", in the export and in the withdrawal statement without
any change here. One query per model the registry names, whatever the amount of data.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, router
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.selectors import children_represented_by, login_history_for
from privacy import registry
from privacy.models import Disclosure, Restriction, RightsRequest, RightsRequestKind
from privacy.receipts import consent_labels
from privacy.restrictions import restricted_items
from privacy.selectors import consent_records_for, consents_current_for, disclosures_for

# Rows owned through a parent row rather than a field of their own.
_PARENT_OWNED: dict[str, str] = {"consultations.answer": "consultation__author"}
# Fields that name the person a row is about, tried in this order.
_OWNER_FIELDS = ("member", "child", "author")
# The first of these a model has says when a row was collected.
_COLLECTED_AT = (
    "date_joined", "recorded_at", "created_at", "disclosed_at", "started_at", "received_at",
    "claimed_at", "blocked_at", "requested_at", "sent_at", "at", "visited_at", "performed_on",
)
# Where a member changes an item themself (URL names); other items go through a request.
PROFILE_ITEMS = ("name", "mobile_phone", "home_phone", "home_address", "desired_area")
OWN_PAGE_ITEMS = {"email": "account_email", "password": "account_change_password"}
# Items whose rows member_erase destroys at once (the rest is kept by a rule, see statement).
ERASED_AT_WITHDRAWAL = (
    registry.MEMBERSHIP.key, registry.MEMBER_POSTS.key, registry.CONSENT_WITHDRAWN.key,
    registry.PROCEDURE_HISTORY.key,
)


@dataclass(frozen=True)
class LegalHold:
    """An item a law requires to keep: it cannot be changed or deleted before ``until``."""

    item: registry.CollectionItem
    law: str
    until: datetime.date

    def message(self) -> str:
        return _(
            "%(item)s is kept as required by %(law)s until %(until)s; it cannot be changed or "
            "deleted before then, even on request."
        ) % {"item": self.item.label, "law": self.law, "until": self.until.isoformat()}


@dataclass
class ItemRow:
    collected_at: Any
    values: list[tuple[str, str]]


@dataclass
class ItemView:
    item: registry.CollectionItem
    rows: list[ItemRow] = field(default_factory=list)
    linked: bool = True  # False: the item's records are not linked to any account
    restricted: bool = False
    legal_hold: LegalHold | None = None

    @property
    def has_value(self) -> bool:
        return any(value for row in self.rows for _label, value in row.values)

    @property
    def last_collected(self) -> Any:
        times = [row.collected_at for row in self.rows if row.collected_at]
        return max(times) if times else None


@dataclass
class SubjectData:
    """Everything held about ``member``, as ``viewer`` (the member or a representative) sees it."""

    member: Any
    viewer: Any
    generated_at: datetime.datetime
    items: list[ItemView]
    consultations: list[Any]
    reviews: list[Any]
    consent_ledger: list[tuple[Any, str]]
    login_history: list[Any]
    disclosures: list[Disclosure]
    restrictions: list[Restriction]
    requests: list[RightsRequest]

    @property
    def is_own(self) -> bool:
        return self.viewer.pk == self.member.pk

    def item(self, key: str) -> ItemView:
        return next(view for view in self.items if view.item.key == key)

    @property
    def restricted_items(self) -> list[ItemView]:
        return [view for view in self.items if view.restricted]


# --- Legal hold ------------------------------------------------------------------------------

def legal_hold_period(rule: registry.RetentionRule) -> datetime.timedelta | None:
    """How long a law keeps what ``rule`` governs (None: no law keeps it)."""
    if rule.law is None:
        return None
    return rule.kept_by_law_for or rule.live_for


def _local_day(moment: Any) -> datetime.date:
    """The day of ``moment`` in the site's time zone (Seoul), for a date or a datetime."""
    if isinstance(moment, datetime.datetime):
        return timezone.localtime(moment).date()
    return moment


def legal_hold_of(view: ItemView) -> LegalHold | None:
    period = legal_hold_period(view.item.retention)
    collected = view.last_collected
    if period is None or collected is None or not view.rows:
        return None
    until = _local_day(collected) + period
    if until < timezone.localdate():
        return None
    return LegalHold(item=view.item, law=str(view.item.retention.law), until=until)


# --- Reading rows through the registry ------------------------------------------------------

def _fields_by_model() -> dict[str, list[str]]:
    declared: dict[str, list[str]] = defaultdict(list)
    for item in registry.ITEMS:
        for reference in item.fields:
            label, name = reference.rsplit(".", 1)
            if name not in declared[label]:
                declared[label].append(name)
    return declared


def _model_field_names(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def _owner_filter(model: type[models.Model], member: Any) -> Q | None:
    """Rows of ``model`` about ``member``; None when the model's rows name no account."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    if model is user_model:
        return Q(pk=member.pk)
    parent = _PARENT_OWNED.get(model._meta.label_lower)
    if parent:
        return Q(**{parent: member})
    names = _model_field_names(model)
    condition: Q | None = None
    for name in _OWNER_FIELDS:
        if name in names and model._meta.get_field(name).related_model is user_model:
            condition = Q(**{name: member}) if condition is None else condition | Q(
                **{name: member}
            )
    if "subject_ref" in names:
        by_ref = Q(subject_ref=member.subject_ref)
        condition = by_ref if condition is None else condition | by_ref
    return condition


def _rows_of(model: type[models.Model], member: Any, names: list[str]) -> list[Any]:
    condition = _owner_filter(model, member)
    if condition is None:
        return []
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    related = [
        name for name in names
        if model._meta.get_field(name).is_relation
        and model._meta.get_field(name).related_model is not user_model
    ]
    if "data_key" in _model_field_names(model):
        related.append("data_key")
    return list(model._base_manager.filter(condition).select_related(*related).distinct())


def _collected_at(model: type[models.Model], row: Any) -> Any:
    names = _model_field_names(model)
    for name in _COLLECTED_AT:
        if name in names:
            return getattr(row, name)
    return None


def display_value(row: Any, model_field: Any, *, member: Any, viewer: Any) -> str:
    """A field's value as its subject reads it (decrypted; never a password hash)."""
    if model_field.name == "password":
        return _("(set; stored only as a one-way hash)") if getattr(row, "password", "") else ""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    if model_field.is_relation:
        if model_field.related_model is user_model:
            pk = getattr(row, model_field.attname)
            if pk is None:
                return ""
            if pk == member.pk:
                return member.username
            if viewer is not None and pk == viewer.pk:
                return viewer.username
            return _("clinic staff or another account")
        related = getattr(row, model_field.name)
        return "" if related is None else str(related)
    value = getattr(row, model_field.name)
    if value is None or value == "":
        return ""
    if model_field.name == "actor" and not model_field.choices:
        # Staff login IDs are not shown to members (they would name accounts to attack).
        own = {member.username, getattr(viewer, "username", None)}
        return str(value) if value in own else _("clinic staff")
    if model_field.name == "consent" and value in registry.CONSENTS_BY_KEY:
        return str(registry.CONSENTS_BY_KEY[value].label)
    if model_field.choices:
        return str(getattr(row, f"get_{model_field.name}_display")())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(
            str(registry.ITEMS_BY_KEY[v].label) if v in registry.ITEMS_BY_KEY else str(v)
            for v in value
        )
    return str(value)


def items_held(*, member: Any, viewer: Any, now: datetime.datetime | None = None) -> list[ItemView]:
    """Every registry item with the member's rows of it (one query per model named)."""
    now = now or timezone.now()
    fields_by_model = _fields_by_model()
    rows_by_model: dict[str, list[Any]] = {}
    models_by_label: dict[str, type[models.Model]] = {}
    for label, names in fields_by_model.items():
        model = apps.get_model(label)
        models_by_label[label] = model
        if router.db_for_read(model) != "default":
            rows_by_model[label] = []  # the retention store: read only by the officer
            continue
        rows_by_model[label] = _rows_of(model, member, names)
    restricted = restricted_items(subject_ref=member.subject_ref, now=now)
    views = []
    for item in registry.ITEMS:
        view = ItemView(item=item, restricted=item.key in restricted)
        by_model: dict[str, list[str]] = defaultdict(list)
        for reference in item.fields:
            label, name = reference.rsplit(".", 1)
            by_model[label].append(name)
        view.linked = any(
            router.db_for_read(models_by_label[label]) == "default"
            and _owner_filter(models_by_label[label], member) is not None
            for label in by_model
        )
        for label, names in by_model.items():
            model = models_by_label[label]
            for row in rows_by_model[label]:
                values = [
                    (str(model._meta.get_field(name).verbose_name),
                     display_value(row, model._meta.get_field(name), member=member,
                                   viewer=viewer))
                    for name in names
                ]
                if any(value for _label, value in values):
                    view.rows.append(ItemRow(collected_at=_collected_at(model, row),
                                             values=values))
        view.legal_hold = legal_hold_of(view)
        views.append(view)
    return views


def _with_item_labels(rows: list[Any]) -> list[Any]:
    """Rows whose ``items`` list registry keys, with the items' labels for display."""
    for row in rows:
        row.item_labels = [
            str(registry.ITEMS_BY_KEY[key].label) if key in registry.ITEMS_BY_KEY else key
            for key in row.items
        ]
    return rows


def subject_data(*, member: Any, viewer: Any, now: datetime.datetime | None = None) -> SubjectData:
    """My data: the registry's items plus the readable sections of section 6."""
    from consultations.models import Consultation, Review

    now = now or timezone.now()
    labels = consent_labels()
    return SubjectData(
        member=member,
        viewer=viewer,
        generated_at=now,
        items=items_held(member=member, viewer=viewer, now=now),
        consultations=list(
            Consultation.objects.filter(author=member).select_related("area")
            .order_by("-created_at", "-id")
        ),
        reviews=list(
            Review.objects.filter(author=member).select_related("area")
            .order_by("-created_at", "-id")
        ),
        consent_ledger=[
            (record, labels.get(record.consent, record.consent))
            for record in consent_records_for(subject_ref=member.subject_ref)
        ],
        login_history=list(login_history_for(member=member, now=now)),
        disclosures=_with_item_labels(disclosures_for(subject_ref=member.subject_ref)),
        restrictions=_with_item_labels(list(
            Restriction.objects.filter(subject_ref=member.subject_ref)
            .order_by("-started_at", "-id")
        )),
        requests=list(RightsRequest.objects.filter(subject_ref=member.subject_ref)),
    )


# --- Who may see whom -----------------------------------------------------------------------

def represented_child(*, representative: Any, pk: int) -> Any:
    """The child ``pk`` if ``representative`` is their confirmed legal representative."""
    if not getattr(representative, "is_authenticated", False):
        return None
    return children_represented_by(representative=representative).filter(pk=pk).first()


# --- Consents ---------------------------------------------------------------------------------

@dataclass
class ConsentState:
    key: str
    label: str
    notice: str
    granted: bool
    record: Any  # the latest ledger entry, or None
    destroyed_on_withdrawal: list[registry.CollectionItem]


def items_only_for_consent(key: str, *, granted: set[str]) -> list[registry.CollectionItem]:
    """Items a withdrawal of ``key`` leaves without purpose: held for that consent alone.

    These go under the ``consent_withdrawn`` rule; items another granted consent (or the
    contract) still needs stay."""
    consent = registry.CONSENTS_BY_KEY.get(key)
    if consent is None:
        return []
    others = {
        item_key for other in registry.CONSENTS if other.key != key and other.key in granted
        for item_key in other.items
    }
    return [
        item for item in registry.items_for_consent(key)
        if item.retention.key == registry.CONSENT_WITHDRAWN.key and item.key not in others
    ]


def consent_states(*, member: Any) -> list[ConsentState]:
    """Each optional consent: the registry's member consents and processors asking consent."""
    from privacy.services import reconsent_choices

    current = consents_current_for(subject_ref=member.subject_ref)
    granted = {key for key, record in current.items() if record.granted}
    states = []
    for key, label in reconsent_choices():
        consent = registry.CONSENTS_BY_KEY.get(key)
        record = current.get(key)
        states.append(ConsentState(
            key=key, label=str(label), notice=str(consent.notice) if consent else "",
            granted=bool(record and record.granted), record=record,
            destroyed_on_withdrawal=items_only_for_consent(key, granted=granted),
        ))
    return states


# --- Withdrawal statement -----------------------------------------------------------------------

@dataclass
class StatementLine:
    item: registry.CollectionItem
    kept: bool
    law: str = ""
    until: datetime.date | None = None
    how: str = ""


def withdrawal_statement(data: SubjectData) -> list[StatementLine]:
    """For each item held: destroyed at once, or kept (by which rule or law, until when)."""
    today = timezone.localdate()
    lines = []
    for view in data.items:
        if not view.rows:
            continue
        rule = view.item.retention
        if rule.key in ERASED_AT_WITHDRAWAL:
            lines.append(StatementLine(item=view.item, kept=False))
            continue
        period = legal_hold_period(rule) or rule.live_for
        last = view.last_collected
        start = _local_day(last) if last else today
        until = start + period if period else None
        lines.append(StatementLine(
            item=view.item, kept=True, law=str(rule.law or view.item.basis.label),
            until=until, how=str(rule.achieved_when),
        ))
    return lines


# --- Requests ---------------------------------------------------------------------------------

def rights_requests_open() -> list[RightsRequest]:
    return list(RightsRequest.objects.filter(completed_at__isnull=True).order_by("due_on", "id"))


def rights_requests_overdue(*, today: datetime.date) -> list[RightsRequest]:
    return [request for request in rights_requests_open() if request.due_on < today]


def correction_open(*, subject_ref: Any, item_key: str) -> RightsRequest | None:
    for request in RightsRequest.objects.filter(
        subject_ref=subject_ref, kind=RightsRequestKind.CORRECTION, completed_at__isnull=True
    ).order_by("received_at", "id"):
        if item_key in request.items:
            return request
    return None
