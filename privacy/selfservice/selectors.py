"""What the site holds about one person, read from the registry's declarations.

``subject_data`` iterates ``registry.ITEMS`` and their ``fields`` references, so an item added
to the registry shows up on "my data", in the export and in the withdrawal statement without
any change here. One query per model the registry names, whatever the amount of data.

``subject_data`` reads everything (the export, the withdrawal statement). The "my data" page
reads only what it shows: ``subject_overview`` counts every item's rows in one query and reads
the newest few of each; ``item_listing`` and ``section_listing`` read one page of one item or
list. Their query counts are fixed, whatever a member has written.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import models, router
from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic_site.statements import ANY_ID, Statement
from members.selectors import login_history_for
from privacy import registry
from privacy.consents.receipts import consent_labels
from privacy.models import Disclosure, Restriction, RightsRequest, RightsRequestKind
from privacy.restrictions import item_is_restricted, restricted_items_of_member
from privacy.selectors import (
    consent_records_for,
    consents_current_for,
    disclosures_for,
    member_subject_ref,
)

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

    @property
    def filled(self) -> list[tuple[str, str]]:
        """The fields that hold something (the pages list only these)."""
        return [(label, value) for label, value in self.values if value]


@dataclass
class ItemView:
    item: registry.CollectionItem
    rows: list[ItemRow] = field(default_factory=list)
    linked: bool = True  # False: the item's records are not linked to any account
    restricted: bool = False
    legal_hold: LegalHold | None = None
    # How many records hold the item when ``rows`` are only the newest (None: rows are all).
    total: int | None = None

    @property
    def count(self) -> int:
        return len(self.rows) if self.total is None else self.total

    @property
    def purposes(self) -> str:
        return ", ".join(str(purpose.label) for purpose in self.item.purposes)

    @property
    def has_more(self) -> bool:
        """More records than ``rows`` shows: the page links to the item's own pages."""
        return self.count > len(self.rows)

    @property
    def last_collected(self) -> Any:
        times = [row.collected_at for row in self.rows if row.collected_at]
        return max(times) if times else None


class _AboutSubject:
    """What the pages about one person ask of it, whether it holds all rows or the newest."""

    member: Any
    viewer: Any
    items: list[ItemView]

    @property
    def is_own(self) -> bool:
        return self.viewer.pk == self.member.pk

    def item(self, key: str) -> ItemView:
        return next(view for view in self.items if view.item.key == key)

    @property
    def restricted_items(self) -> list[ItemView]:
        return [view for view in self.items if view.restricted]


@dataclass
class SubjectData(_AboutSubject):
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
    if not view.rows:
        return None
    return legal_hold_since(view.item, collected=view.last_collected)


def legal_hold_since(item: registry.CollectionItem, *, collected: Any) -> LegalHold | None:
    """The hold a law puts on ``item`` when its newest record was collected at ``collected``."""
    period = legal_hold_period(item.retention)
    if period is None or collected is None:
        return None
    until = _local_day(collected) + period
    if until < timezone.localdate():
        return None
    return LegalHold(item=item, law=str(item.retention.law), until=until)


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


@functools.cache
def _owner_lookups(model: type[models.Model]) -> tuple[str, ...]:
    """How rows of ``model`` name the person they are about (empty: they name no account)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    if model is user_model:
        return ("pk",)
    parent = _PARENT_OWNED.get(model._meta.label_lower)
    if parent:
        return (parent,)
    names = _model_field_names(model)
    lookups = [
        name for name in _OWNER_FIELDS
        if name in names and model._meta.get_field(name).related_model is user_model
    ]
    if "subject_ref" in names:
        lookups.append("subject_ref")
    return tuple(lookups)


def _owner_condition(model: type[models.Model], *, pk: Any, subject_ref: Any) -> Q | None:
    """Rows of ``model`` about the member ``pk`` (values, or references to an outer query's
    member row); None when the model's rows name no account."""
    condition: Q | None = None
    for lookup in _owner_lookups(model):
        part = Q(**{lookup: subject_ref if lookup == "subject_ref" else pk})
        condition = part if condition is None else condition | part
    return condition


def _owner_filter(model: type[models.Model], member: Any) -> Q | None:
    """Rows of ``model`` about ``member``; None when the model's rows name no account."""
    return _owner_condition(model, pk=member.pk, subject_ref=member.subject_ref)


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
    name = _collected_field(model)
    return getattr(row, name) if name else None


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


def _item_row(
    model: type[models.Model], row: Any, names: Iterable[str], *, member: Any, viewer: Any,
) -> ItemRow | None:
    """What one row holds of an item (its fields, as the subject reads them); None if nothing."""
    values = [
        (str(model._meta.get_field(name).verbose_name),
         display_value(row, model._meta.get_field(name), member=member, viewer=viewer))
        for name in names
    ]
    if not any(value for _label, value in values):
        return None
    return ItemRow(collected_at=_collected_at(model, row), values=values)


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
    restricted = restricted_items_of_member(pk=member.pk, now=now)
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
                item_row = _item_row(model, row, names, member=member, viewer=viewer)
                if item_row is not None:
                    view.rows.append(item_row)
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


# --- "My data": an overview bounded in size, and a page per item or list ----------------------
# A member may hold thousands of rows (posts, log-ins, consents); the overview reads a COUNT of
# each item's rows (all in one query) and the newest few, so it costs the same for every member.

OVERVIEW_ROWS = 5  # newest records the overview shows of each item and list
PAGE_ROWS = 20  # records per page of an item or list


@functools.cache
def _collected_field(model: type[models.Model]) -> str | None:
    """The field that says when a row was collected (the first of ``_COLLECTED_AT`` it has)."""
    names = _model_field_names(model)
    return next((name for name in _COLLECTED_AT if name in names), None)


def _textual(model_field: Any) -> bool:
    # An IP address field stores a blank as NULL: only the NULL test applies to it.
    return isinstance(model_field, (models.CharField, models.TextField))


def _value_condition(model: type[models.Model], names: Iterable[str]) -> Q | None:
    """Rows in which one of ``names`` holds something; None when every row does.

    As ``display_value`` shows them: NULL and the empty string are nothing; a date, a yes/no
    or a required link always is something. ``_RowQuery.holds`` asks the same of a row read."""
    condition = Q()
    for name in names:
        model_field = model._meta.get_field(name)
        if not model_field.null and not _textual(model_field):
            return None
        part = Q(**{f"{name}__isnull": False}) if model_field.null else Q()
        if _textual(model_field):
            part &= ~Q(**{name: ""})
        condition |= part
    return condition


@functools.cache
def _unshown_texts(model: type[models.Model]) -> tuple[str, ...]:
    """Long texts of a row that is shown only by its name beside another (a policy version's
    full text beside a consent record): not read. A data key is read whole."""
    from privacy.models import DataKey

    if model is DataKey:
        return ()
    return tuple(
        model_field.name for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.TextField)
    )


def _joined(queryset: QuerySet) -> QuerySet:
    """``queryset`` with what its rows are shown with (``_related_of``), joined."""
    model = queryset.model
    related = _related_of(model)
    return queryset.select_related(*related).defer(*(
        f"{name}__{text}" for name in related
        for text in _unshown_texts(model._meta.get_field(name).related_model)
    ))


@dataclass(frozen=True)
class _RowQuery:
    """The rows of ``model`` about a member, newest first; with ``names``, only the rows that
    hold something in one of them (so that a COUNT counts the records an item shows)."""

    model: type[models.Model]
    names: tuple[str, ...] = ()

    def queryset(self, member: Any) -> QuerySet:
        """The rows, with what they are shown with (one query, joined)."""
        return _joined(self.rows_about(pk=member.pk, subject_ref=member.subject_ref))

    def rows_about(self, *, pk: Any, subject_ref: Any) -> QuerySet:
        """The rows alone, about the member ``pk`` (values or references to a member row)."""
        queryset = self.model._base_manager.filter(
            _owner_condition(self.model, pk=pk, subject_ref=subject_ref)
        )
        if self.names:
            queryset = queryset.filter(_value_condition(self.model, self.names))
        collected = _collected_field(self.model)
        if collected is None:
            ordering: list[Any] = ["-pk"]
        else:
            nullable = self.model._meta.get_field(collected).null
            ordering = [F(collected).desc(nulls_last=True) if nullable else f"-{collected}",
                        "-pk"]
        return queryset.order_by(*ordering)

    def holds(self, row: Any) -> bool:
        """Whether ``row`` (read without the condition) is one this query finds."""
        if not self.names:
            return True
        for name in self.names:
            model_field = self.model._meta.get_field(name)
            value = row.__dict__.get(model_field.attname)  # as stored: nothing is decrypted
            if value is not None and not (_textual(model_field) and value == ""):
                return True
        return False


@dataclass(frozen=True)
class ItemSource:
    """One model's share of an item: the item's fields there and the queries that read them."""

    item_key: str
    model: type[models.Model]
    names: tuple[str, ...]
    rows: _RowQuery  # the rows that hold the item (its own pages count and list these)
    overview: _RowQuery  # the query the overview reads them through, shared where it can be

    @functools.cached_property
    def is_member_row(self) -> bool:
        """The member's own account row: read whole once, then each item's fields checked."""
        return self.model is apps.get_model(settings.AUTH_USER_MODEL)

    def item_row(self, row: Any, *, member: Any, viewer: Any) -> ItemRow | None:
        return _item_row(self.model, row, self.names, member=member, viewer=viewer)


@functools.cache
def _sources() -> dict[str, tuple[ItemSource, ...]]:
    """Each item's sources: the models on the live database whose rows name their subject.

    The retention store is read by the privacy officer only, and rows that name no account
    (analytics visits, sessions) cannot be told apart from anyone else's: the item shows as
    not linked, as in ``items_held``."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    sources: dict[str, tuple[ItemSource, ...]] = {}
    for item in registry.ITEMS:
        by_model: dict[str, list[str]] = defaultdict(list)
        for reference in item.fields:
            label, name = reference.rsplit(".", 1)
            by_model[label].append(name)
        found = []
        for label, names in by_model.items():
            model = apps.get_model(label)
            if router.db_for_read(model) != "default" or not _owner_lookups(model):
                continue
            selective = _value_condition(model, names) is not None
            rows = _RowQuery(model, tuple(names) if selective else ())
            overview = _RowQuery(model) if model is user_model else rows
            found.append(ItemSource(item_key=item.key, model=model, names=tuple(names),
                                    rows=rows, overview=overview))
        sources[item.key] = tuple(found)
    return sources


def item_source(item_key: str, model_label: str) -> ItemSource:
    """The source of ``item_key`` in the model ``"app_label.ModelName"``."""
    return next(
        source for source in _sources()[item_key] if source.model._meta.label == model_label
    )


def _overview_queries() -> list[_RowQuery]:
    return list(dict.fromkeys(
        source.overview for sources in _sources().values() for source in sources
    ))


NOTHING_HELD = gettext_lazy("None.")


@dataclass(frozen=True)
class Section:
    """A readable list on "my data" (policy section 6): one item's records in one model, in
    the columns a person reads them by (title, area, decision...) rather than field by field.
    It reads the rows its item reads: no query of its own on the overview."""

    key: str  # in the URL of its pages
    title: Promise
    item_key: str
    model_label: str
    related: tuple[str, ...] = ()
    empty: Promise = NOTHING_HELD

    @property
    def source(self) -> ItemSource:
        return item_source(self.item_key, self.model_label)


SECTIONS: tuple[Section, ...] = (
    Section("consultations", gettext_lazy("Consultations"), "consultation_content",
            "consultations.Consultation", related=("area",)),
    Section("reviews", gettext_lazy("Reviews"), "review_content", "consultations.Review",
            related=("area",)),
    Section("consents", gettext_lazy("Consent decisions"), "consent_records",
            "privacy.ConsentRecord"),
    Section("logins", gettext_lazy("Log-in history"), "access_log", "members.LoginRecord"),
    Section("disclosures", gettext_lazy("Provision to third parties"), "disclosure_records",
            "privacy.Disclosure",
            empty=gettext_lazy("Your information has not been provided to any third party.")),
    Section("restrictions", gettext_lazy("Suspensions of processing"),
            "processing_restrictions", "privacy.Restriction"),
    Section("requests", gettext_lazy("Your requests"), "rights_requests",
            "privacy.RightsRequest"),
)
SECTIONS_BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}


@functools.cache
def _related_of(model: type[models.Model]) -> tuple[str, ...]:
    """What a row of ``model`` is shown with: its links named by items or lists, its data key."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    label = model._meta.label
    names = [name for item in registry.ITEMS for reference in item.fields
             for model_label, name in [reference.rsplit(".", 1)] if model_label == label]
    names += [name for section in SECTIONS if section.model_label == label
              for name in section.related]
    related = [
        name for name in dict.fromkeys(names)
        if model._meta.get_field(name).is_relation
        and model._meta.get_field(name).related_model is not user_model
    ]
    if "data_key" in _model_field_names(model):
        related.append("data_key")
    return tuple(related)


def _count_queryset(queries: tuple[_RowQuery, ...], *, pk: int) -> QuerySet:
    """One row of COUNTs, one per query, each a subquery about the member row ``pk``."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    about = {"pk": OuterRef("pk"), "subject_ref": OuterRef("subject_ref")}
    counted = {
        f"n{index}": Subquery(
            query.rows_about(**about).order_by().annotate(
                found=Func(F("pk"), function="COUNT", output_field=IntegerField())
            ).values("found"),
            output_field=IntegerField(),
        )
        for index, query in enumerate(queries)
    }
    return user_model._base_manager.filter(pk=pk).values(**counted)


# The overview runs the same score of queries for every member, and Django takes many times
# longer to compile them than the database takes to run them: each is compiled once per
# process about the stand-in id ``ANY_ID`` (everything else about the member, such as the
# subject reference, is read through the id in the SQL itself; ``clinic_site.statements``).
@functools.cache
def _count_statement(queries: tuple[_RowQuery, ...], alias: str) -> Statement:
    return Statement.compile(_count_queryset(queries, pk=ANY_ID), alias, expect=("id",))


def _counts(member: Any, queries: list[_RowQuery]) -> dict[_RowQuery, int]:
    """How many rows each query finds about ``member``, in one query."""
    alias = router.db_for_read(apps.get_model(settings.AUTH_USER_MODEL))
    found = next(iter(_count_statement(tuple(queries), alias).rows(id=member.pk)), {})
    return {query: found.get(f"n{index}") or 0 for index, query in enumerate(queries)}


@functools.cache
def _newest_statement(query: _RowQuery, alias: str) -> Statement:
    newest = query.rows_about(pk=ANY_ID, subject_ref=member_subject_ref(ANY_ID))[:OVERVIEW_ROWS]
    return Statement.compile(newest.values(*_attnames(query.model)), alias, expect=("id",))


@functools.cache
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(model_field.attname for model_field in model._meta.concrete_fields)


def _newest(query: _RowQuery, member: Any) -> list[Any]:
    """The newest ``OVERVIEW_ROWS`` rows ``query`` finds about ``member``, without the rows
    they are shown with (``_with_related`` reads those for all rows at once). The account
    row is ``member`` itself, read whole for this request already."""
    if type(member) is query.model and not query.names:
        return [member]
    alias = router.db_for_read(query.model)
    names = _attnames(query.model)
    return [query.model.from_db(alias, names, [row[name] for name in names])
            for row in _newest_statement(query, alias).rows(id=member.pk)]


def _with_related(rows: Iterable[Any]) -> None:
    """Give ``rows`` what they are shown with (the links ``_related_of`` names, data keys):
    one query per related model for all of them. Rows sealed with the same data key share
    one key object, so each key is unwrapped once."""
    links: list[tuple[Any, str, type[models.Model], Any]] = []
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for row in {id(row): row for row in rows}.values():
        for name in _related_of(type(row)):
            model_field = row._meta.get_field(name)
            value = getattr(row, model_field.attname)
            if value is not None and not model_field.is_cached(row):
                links.append((row, name, model_field.related_model, value))
                wanted[model_field.related_model].add(value)
    found = {
        related: related._base_manager.defer(*_unshown_texts(related)).in_bulk(values)
        for related, values in wanted.items()
    }
    for row, name, related, value in links:
        if value in found[related]:
            setattr(row, name, found[related][value])


def _moment(value: Any) -> datetime.datetime:
    """When a record was collected, comparable across models (a date counts from midnight;
    a record without a time sorts last)."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time.min,
                                         tzinfo=timezone.get_current_timezone())
    return datetime.datetime.min.replace(tzinfo=datetime.UTC)


def _with_consent_labels(records: list[Any]) -> list[Any]:
    """Ledger entries with what their consent is called (registry label or processor name)."""
    if records:
        labels = consent_labels()
        for record in records:
            record.consent_label = labels.get(record.consent, record.consent)
    return records


def _section_rows(section: Section, rows: list[Any]) -> list[Any]:
    """``rows`` with what the list shows beside their fields."""
    if section.key == "consents":
        return _with_consent_labels(rows)
    if section.key in ("disclosures", "restrictions"):
        return _with_item_labels(rows)
    return rows


@dataclass
class SectionView:
    section: Section
    rows: list[Any]  # the newest, or one page
    count: int  # all the member's records in the list

    @property
    def has_more(self) -> bool:
        return self.count > len(self.rows)


@dataclass
class SubjectOverview(_AboutSubject):
    """What "my data" shows: every item with its declarations, how many records hold it and
    the newest of them; the lists of section 6 likewise. Bounded whatever is held."""

    member: Any
    viewer: Any
    generated_at: datetime.datetime
    items: list[ItemView]
    sections: list[SectionView]


def subject_overview(
    *, member: Any, viewer: Any, now: datetime.datetime | None = None
) -> SubjectOverview:
    """The "my data" page: one COUNT query for every item and list, then the newest
    ``OVERVIEW_ROWS`` rows of each model that holds any (only the rows shown are decrypted).

    Queries: the counts; the newest rows of each model that has some (at most one query per
    model and condition the registry's items name); what those rows are shown with, one
    query per related model (data keys, areas, policy versions); the restrictions in force;
    the names of consents when the ledger has entries. A fixed bound, never one per row."""
    now = now or timezone.now()
    sources = _sources()
    queries = _overview_queries()
    counts = _counts(member, queries)
    read: dict[_RowQuery, list[Any]] = {}
    for query in sorted(queries, key=lambda query: bool(query.names)):
        wanted = min(counts[query], OVERVIEW_ROWS)
        # The newest rows of the whole model, read for another item, often are the newest
        # that hold this item too (nearly every log-in record has an IP address).
        newest = [row for row in read.get(_RowQuery(query.model), ()) if query.holds(row)]
        read[query] = newest[:wanted] if len(newest) >= wanted else _newest(query, member)
    _with_related(row for rows in read.values() for row in rows)
    restricted = restricted_items_of_member(pk=member.pk, now=now)
    items = []
    for item in registry.ITEMS:
        view = ItemView(item=item, linked=bool(sources[item.key]),
                        restricted=item.key in restricted)
        total = sum(counts[source.overview] for source in sources[item.key]
                    if not source.is_member_row)
        candidates = [
            (source, row) for source in sources[item.key] for row in read[source.overview]
        ]
        candidates.sort(key=lambda pair: (_moment(_collected_at(pair[0].model, pair[1])),
                                          pair[1].pk), reverse=True)
        for source, row in candidates:  # decrypted only until the few shown are found
            if len(view.rows) == OVERVIEW_ROWS:
                break
            item_row = source.item_row(row, member=member, viewer=viewer)
            if item_row is not None:
                view.rows.append(item_row)
                if source.is_member_row:  # the account row is counted whole, not by item
                    total += 1
        view.total = total
        view.legal_hold = legal_hold_of(view)
        items.append(view)
    sections = [
        SectionView(
            section=section,
            rows=_section_rows(section, read[section.source.overview]),
            count=counts[section.source.overview],
        )
        for section in SECTIONS
    ]
    return SubjectOverview(member=member, viewer=viewer, generated_at=now, items=items,
                           sections=sections)


# --- One item, or one list, page by page -----------------------------------------------------

@dataclass
class ItemListing:
    """One page of an item's records, newest first, with the item's declarations."""

    view: ItemView  # rows: this page's records; total: all of them
    page: Page | None  # None when the item's records are not linked to an account


def _page(queryset: QuerySet, number: Any) -> Page:
    """Page ``number`` (as typed in the URL: anything) of ``queryset``: a COUNT and a LIMIT.

    A number that is not one gives the first page, one past the end the last: never an
    error, as ``Paginator.get_page`` does."""
    page = Paginator(queryset, PAGE_ROWS).get_page(number)
    page.object_list = list(page.object_list)
    return page


def _merged_page(
    sources: tuple[ItemSource, ...], member: Any, number: Any
) -> tuple[Page, list[tuple[ItemSource, Any]]]:
    """A page of an item held in several models: (source, id, time) of all of them merged in
    one UNION ordered newest first, then the page's rows read by id, one query per model."""
    parts = [
        source.rows.rows_about(pk=member.pk, subject_ref=member.subject_ref).order_by().annotate(
            source_index=Value(index), collected=F(_collected_field(source.model)),
        ).values_list("source_index", "pk", "collected")
        for index, source in enumerate(sources)
    ]
    merged = parts[0].union(*parts[1:], all=True).order_by(
        "-collected", "-source_index", "-pk"
    )
    page = _page(merged, number)
    wanted: dict[int, list[int]] = defaultdict(list)
    for index, pk, _collected in page.object_list:
        wanted[index].append(pk)
    found = {  # the ids come from the member's rows: no need to ask whose they are again
        (index, row.pk): row
        for index, pks in wanted.items()
        for row in _joined(sources[index].model._base_manager.filter(pk__in=pks))
    }
    return page, [(sources[index], found[index, pk]) for index, pk, _collected
                  in page.object_list if (index, pk) in found]


def _newest_collected(sources: tuple[ItemSource, ...], member: Any) -> Any:
    """When the newest record of an item was collected (one LIMIT 1 query per model)."""
    moments = []
    for source in sources:
        collected = _collected_field(source.model)
        if collected is not None:
            moments += source.rows.rows_about(
                pk=member.pk, subject_ref=member.subject_ref
            ).values_list(collected, flat=True)[:1]
    return max(moments, key=_moment, default=None)


def item_legal_hold(*, member: Any, item_key: str) -> LegalHold | None:
    """The hold a law puts on ``member``'s records of ``item_key`` now (None: no law keeps
    the item, or nothing is held); reads only the newest record's time."""
    item = registry.ITEMS_BY_KEY[item_key]
    sources = _sources().get(item_key, ())
    if not sources or legal_hold_period(item.retention) is None:
        return None
    return legal_hold_since(item, collected=_newest_collected(sources, member))


def item_listing(
    *, member: Any, viewer: Any, key: str, page: Any = None, now: datetime.datetime | None = None,
) -> ItemListing | None:
    """Page ``page`` of the records holding item ``key`` (None: no such item).

    Queries: whether the item is restricted, the COUNT and the page (a UNION and one query
    per model when several models hold the item), and the newest record's time when a law
    keeps the item."""
    item = registry.ITEMS_BY_KEY.get(key)
    if item is None:
        return None
    sources = _sources()[key]
    view = ItemView(item=item, linked=bool(sources), restricted=item_is_restricted(
        subject_ref=member.subject_ref, item_key=key, now=now,
    ))
    if not sources:
        return ItemListing(view=view, page=None)
    if len(sources) == 1:
        found = _page(sources[0].rows.queryset(member), page)
        pairs = [(sources[0], row) for row in found.object_list]
    else:
        found, pairs = _merged_page(sources, member, page)
    for source, row in pairs:
        item_row = source.item_row(row, member=member, viewer=viewer)
        if item_row is not None:
            view.rows.append(item_row)
    view.total = found.paginator.count
    if view.total:
        view.legal_hold = item_legal_hold(member=member, item_key=key)
    return ItemListing(view=view, page=found)


@dataclass
class SectionListing:
    section: SectionView  # rows: this page's records; count: all of them
    page: Page


def section_listing(*, member: Any, key: str, page: Any = None) -> SectionListing | None:
    """Page ``page`` of list ``key`` of "my data" (None: no such list): a COUNT and a page."""
    section = SECTIONS_BY_KEY.get(key)
    if section is None:
        return None
    found = _page(section.source.rows.queryset(member), page)
    return SectionListing(
        section=SectionView(section=section, rows=_section_rows(section, found.object_list),
                            count=found.paginator.count),
        page=found,
    )


# --- Who may see whom -----------------------------------------------------------------------

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


def withdrawal_statement(data: _AboutSubject) -> list[StatementLine]:
    """For each item held: destroyed at once, or kept (by which rule or law, until when).

    It needs only whether an item is held and when its newest record was collected, which the
    overview (``subject_overview``) has without reading and decrypting everything."""
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

def correction_open(*, subject_ref: Any, item_key: str) -> RightsRequest | None:
    for request in RightsRequest.objects.filter(
        subject_ref=subject_ref, kind=RightsRequestKind.CORRECTION, completed_at__isnull=True
    ).order_by("received_at", "id"):
        if item_key in request.items:
            return request
    return None
