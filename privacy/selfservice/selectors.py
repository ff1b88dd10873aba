"""What the site holds about one person, read through the registry's declarations.

The registry says which fields hold each item (``registry.ITEMS``) and, for each model, where a
person's rows are and when each was collected (``registry.HOLDERS``). ``item_sources`` is the
one reader of those declarations: it turns them into each item's share of each model, with the
queries that find a person's rows there. Every page about a person reads through it, so an item
added to the registry shows up everywhere without any change here:

- ``items_held`` reads every row (the export, the values told to recipients of a correction);
- ``subject_overview`` counts every item's rows in one query and reads the newest few of each
  ("my data", the withdrawal statement);
- ``item_listing`` and ``section_listing`` read one page of one item or list.

Their query counts are fixed, whatever a member has written.
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
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.models import Consultation, ProcedureRecord, Review
from members.models import LoginRecord, Member
from members.selectors import login_history_for
from privacy import registry
from privacy.consents.receipts import consent_labels
from privacy.consents.services import reconsent_choices
from privacy.josa import format_with_particles
from privacy.ledger import consent_records_for, consents_current_for
from privacy.models import (
    ConsentRecord,
    DataKey,
    Disclosure,
    Restriction,
    RightsRequest,
    RightsRequestKind,
)
from privacy.processors.selectors import disclosures_for
from privacy.restrictions import item_is_restricted, restricted_items

# Where a member changes an item themself (URL names); other items go through a request.
PROFILE_ITEMS = ("name", "mobile_phone", "home_phone", "home_address", "desired_area",
                 "date_of_birth")
# Items whose rows member_erase destroys at once (the rest is kept by a rule, see statement).
ERASED_AT_WITHDRAWAL = (
    registry.MEMBERSHIP.key, registry.MEMBER_POSTS.key, registry.CONSENT_WITHDRAWN.key,
    registry.PROCEDURE_HISTORY.key,
)
OVERVIEW_ROWS = 5  # newest records the overview shows of each item and list
PAGE_ROWS = 20  # records per page of an item or list


@dataclass(frozen=True)
class LegalHold:
    """An item a law requires to keep: it cannot be changed or deleted before ``until``."""

    item: registry.CollectionItem
    law: str
    until: datetime.date

    def message(self) -> str:
        return format_with_particles(_(
            "%(item)s is kept as required by %(law)s until %(until)s; it cannot be changed or "
            "deleted before then, even on request."
        ), {"item": self.item.label, "law": self.law, "until": self.until.isoformat()})


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
    def distinct_rows(self) -> list[tuple[ItemRow, int]]:
        """The rows with the same values taken together, newest first: each with how many
        records hold it (five consent records from one address read as one row, five
        times), so the page lists what is held, not how often it was written."""
        grouped: dict[tuple[tuple[str, str], ...], list[Any]] = {}
        for row in self.rows:
            grouped.setdefault(tuple(row.filled), [row, 0])[1] += 1
        return [(row, count) for row, count in grouped.values()]

    @property
    def last_collected(self) -> Any:
        times = [row.collected_at for row in self.rows if row.collected_at]
        return max(times) if times else None


class _AboutSubject:
    """What the pages about one person ask of it, whether it holds all rows or the newest."""

    member: Member
    viewer: Member
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

    member: Member
    viewer: Member
    generated_at: datetime.datetime
    items: list[ItemView]
    consultations: list[Consultation]
    reviews: list[Review]
    consent_ledger: list[tuple[ConsentRecord, str]]
    login_history: list[LoginRecord]
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


# --- Where a person's rows are: the registry's declarations as queries --------------------

def _textual(model_field: Any) -> bool:
    # An IP address field stores a blank as NULL: only the NULL test applies to it.
    return isinstance(model_field, (models.CharField, models.TextField))


def _concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """Field ``name`` of ``model``: the registry names fields, never reverse relations."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return model_field


def _value_condition(model: type[models.Model], names: Iterable[str]) -> Q | None:
    """Rows in which one of ``names`` holds something; None when every row does.

    As ``display_value`` shows them: NULL and the empty string are nothing; a date, a yes/no
    or a required link always is something. ``_RowQuery.holds`` asks the same of a row read."""
    condition = Q()
    for name in names:
        model_field = _concrete_field(model, name)
        if not model_field.null and not _textual(model_field):
            return None
        part = Q(**{f"{name}__isnull": False}) if model_field.null else Q()
        if _textual(model_field):
            part &= ~Q(**{name: ""})
        condition |= part
    return condition


def _holder_model(holder: registry.Holder) -> type[models.Model]:
    return apps.get_model(holder.model)


def _is_account(model: type[models.Model]) -> bool:
    return model is apps.get_model(settings.AUTH_USER_MODEL)


@dataclass(frozen=True)
class RowQuery:
    """The rows of a holder's model about a person; with ``names``, only the rows that hold
    something in one of them (so that a COUNT counts the records an item shows)."""

    holder: registry.Holder
    names: tuple[str, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return _holder_model(self.holder)

    @property
    def is_account_row(self) -> bool:
        """The member's own account row, whole: the member the request has read already."""
        return _is_account(self.model) and not self.names

    def about(self, *, pk: Any, subject_ref: Any) -> QuerySet:
        """The rows about the member ``pk`` (values, or references to an outer query's
        member row), in the model's own order."""
        owner = self.holder.owner
        assert owner is not None  # only holders whose rows name their member have a RowQuery
        value = subject_ref if owner == registry.SUBJECT_REF else pk
        queryset = self.model._base_manager.filter(**{owner: value})
        if self.names:
            queryset = queryset.filter(_value_condition(self.model, self.names))
        return queryset

    def newest_first(self, *, pk: Any, subject_ref: Any) -> QuerySet:
        """``about``, newest first by the holder's collection time."""
        collected = self.holder.collected_at
        if collected is None:
            ordering: list[Any] = ["-pk"]
        else:
            nullable = _concrete_field(self.model, collected).null
            ordering = [F(collected).desc(nulls_last=True) if nullable else f"-{collected}",
                        "-pk"]
        return self.about(pk=pk, subject_ref=subject_ref).order_by(*ordering)

    def queryset(self, member: Member) -> QuerySet:
        """The rows newest first, with what they are shown with (one query, joined)."""
        return _joined(self.newest_first(pk=member.pk, subject_ref=member.subject_ref),
                       self.holder)

    def holds(self, row: Any) -> bool:
        """Whether ``row`` (read without the condition) is one this query finds."""
        if not self.names:
            return True
        for name in self.names:
            model_field = _concrete_field(self.model, name)
            value = row.__dict__.get(model_field.attname)  # as stored: nothing is decrypted
            if value is not None and not (_textual(model_field) and value == ""):
                return True
        return False


def _collected_at(holder: registry.Holder, row: Any) -> Any:
    return getattr(row, holder.collected_at) if holder.collected_at else None


@dataclass(frozen=True)
class ItemSource:
    """One model's share of an item: the item's fields there and the queries that read them."""

    item_key: str
    holder: registry.Holder
    names: tuple[str, ...]
    rows: RowQuery  # the rows that hold the item (its own pages count and list these)
    overview: RowQuery  # the query the overview reads them through, shared where it can be

    @property
    def model(self) -> type[models.Model]:
        return _holder_model(self.holder)

    @property
    def whole(self) -> RowQuery:
        """All the person's rows of the model, whatever they hold (read once per model)."""
        return RowQuery(self.holder)

    @property
    def is_member_row(self) -> bool:
        """The member's own account row: read whole once, then each item's fields checked."""
        return _is_account(self.model)

    def item_row(self, row: Any, *, member: Member, viewer: Member) -> ItemRow | None:
        return _item_row(self.model, self.holder, row, self.names, member=member,
                         viewer=viewer)


@functools.cache
def item_sources() -> dict[str, tuple[ItemSource, ...]]:
    """Each registry item's sources: the models on the live database whose rows name their
    subject (``registry.HOLDERS``), in the order the item names its fields.

    The retention store is read by the privacy officer only, and rows that name no account
    (analytics visits, sessions) cannot be told apart from anyone else's: such an item shows
    as not linked. A model that holds only keyed digests of an item is no source
    (``registry.record_fields``): the person reads the value where it is held."""
    sources: dict[str, tuple[ItemSource, ...]] = {}
    for item in registry.ITEMS:
        by_model: dict[str, list[str]] = defaultdict(list)
        for reference in registry.record_fields(item):
            label, name = reference.rsplit(".", 1)
            by_model[label].append(name)
        found = []
        for label, names in by_model.items():
            holder = registry.holder(label)
            if holder is None or holder.owner is None:
                continue
            model = _holder_model(holder)
            if router.db_for_read(model) != "default":
                continue
            selective = _value_condition(model, names) is not None
            rows = RowQuery(holder, tuple(names) if selective else ())
            overview = RowQuery(holder) if _is_account(model) else rows
            found.append(ItemSource(item_key=item.key, holder=holder, names=tuple(names),
                                    rows=rows, overview=overview))
        sources[item.key] = tuple(found)
    return sources


def item_source(item_key: str, model_label: str) -> ItemSource:
    """The source of ``item_key`` in the model ``"app_label.ModelName"``."""
    return next(source for source in item_sources()[item_key]
                if source.holder.model == model_label)


def _unique(queries: Iterable[RowQuery]) -> list[RowQuery]:
    return list(dict.fromkeys(queries))


# --- Reading rows and what they are shown with ---------------------------------------------

@functools.cache
def _unshown_texts(model: type[models.Model]) -> tuple[str, ...]:
    """Long texts of a row that is shown only by its name beside another (a policy version's
    full text beside a consent record): not read. A data key is read whole."""
    if model is DataKey:
        return ()
    return tuple(
        model_field.name for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.TextField)
    )


def _joined(queryset: QuerySet, holder: registry.Holder) -> QuerySet:
    """``queryset`` with what its rows are shown with (``holder.shown_with``), joined."""
    model = queryset.model
    return queryset.select_related(*holder.shown_with).defer(*(
        f"{name}__{text}" for name in holder.shown_with
        for text in _unshown_texts(model._meta.get_field(name).related_model)
    ))


def _rows(query: RowQuery, member: Member, *, newest: int | None = None) -> list[Any]:
    """The rows ``query`` finds about ``member``: all of them in the model's order, or the
    ``newest`` few. Without what they are shown with (``_with_related`` reads it for all rows
    at once). The account row is ``member`` itself, read whole for this request already."""
    if query.is_account_row:
        return [member]
    if newest is None:
        return list(query.about(pk=member.pk, subject_ref=member.subject_ref))
    return list(query.newest_first(pk=member.pk, subject_ref=member.subject_ref)[:newest])


def _with_related(rows_by_query: dict[RowQuery, list[Any]]) -> None:
    """Give the rows what they are shown with (their holder's ``shown_with``): one query per
    related model for all of them. Rows sealed with the same data key share one key object,
    so each key is unwrapped once."""
    links: list[tuple[Any, str, type[models.Model], Any]] = []
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    seen: set[int] = set()
    for query, rows in rows_by_query.items():
        for row in rows:
            if id(row) in seen:
                continue
            seen.add(id(row))
            for name in query.holder.shown_with:
                model_field = query.model._meta.get_field(name)
                assert isinstance(model_field, models.ForeignKey)  # shown_with names links
                value = getattr(row, model_field.attname)
                if value is not None and not model_field.is_cached(row):
                    related = model_field.related_model
                    assert not isinstance(related, str)  # "self" is resolved by now
                    links.append((row, name, related, value))
                    wanted[related].add(value)
    found = {
        related: related._base_manager.defer(*_unshown_texts(related)).in_bulk(values)
        for related, values in wanted.items()
    }
    for row, name, related, value in links:
        if value in found[related]:
            setattr(row, name, found[related][value])


def display_value(row: Any, model_field: Any, *, member: Member, viewer: Member | None) -> str:
    """A field's value as its subject reads it (decrypted; never a password hash, nor a
    lookup digest)."""
    reference = f"{model_field.model._meta.label}.{model_field.name}"
    if reference in registry.DIGEST_FIELDS:
        return _("stored") if getattr(row, model_field.attname, None) else ""
    if reference in registry.SECRET_FIELDS:
        if not getattr(row, model_field.attname, None):
            return ""
        if model_field.name == "password":
            return _("(set; stored only as a one-way hash)")
        return _("(held; a secret, never shown)")
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
    # A sealed value that stands for another row (an area's id) is shown as that row.
    shown_as = getattr(row, "sealed_shown_as", {}).get(model_field.name)
    if shown_as is not None:
        shown = getattr(row, shown_as)
        return "" if shown is None else str(shown)
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


# Labels of library fields whose verbose names are not translated (allauth's sessions).
LIBRARY_FIELD_LABELS: dict[str, Promise] = {
    "usersessions.UserSession.user": gettext_lazy("login ID"),
    "usersessions.UserSession.created_at": gettext_lazy("started at"),
    "usersessions.UserSession.last_seen_at": gettext_lazy("last seen at"),
}


def _field_label(model: type[models.Model], name: str) -> str:
    label = LIBRARY_FIELD_LABELS.get(f"{model._meta.label}.{name}")
    return str(label if label is not None else _concrete_field(model, name).verbose_name)


def _item_row(
    model: type[models.Model], holder: registry.Holder, row: Any, names: Iterable[str], *,
    member: Member, viewer: Member,
) -> ItemRow | None:
    """What one row holds of an item (its fields, as the subject reads them); None if nothing."""
    values = [
        (_field_label(model, name),
         display_value(row, model._meta.get_field(name), member=member, viewer=viewer))
        for name in names
        if f"{model._meta.label}.{name}" not in registry.LOOKUP_DIGESTS
    ]
    if not any(value for _label, value in values):
        return None
    return ItemRow(collected_at=_collected_at(holder, row), values=values)


# --- Everything: the export -----------------------------------------------------------------

def items_held(
    *, member: Member, viewer: Member, now: datetime.datetime | None = None
) -> list[ItemView]:
    """Every registry item with all the member's rows of it: one query per model that holds
    items, one per model their rows are shown with."""
    now = now or timezone.now()
    sources = item_sources()
    wholes = _unique(source.whole for found in sources.values() for source in found)
    read = {query: _rows(query, member) for query in wholes}
    _with_related(read)
    restricted = restricted_items(subject_ref=member.subject_ref, now=now)
    views = []
    for item in registry.ITEMS:
        view = ItemView(item=item, linked=bool(sources[item.key]),
                        restricted=item.key in restricted)
        for source in sources[item.key]:
            for row in read[source.whole]:
                item_row = source.item_row(row, member=member, viewer=viewer)
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


def subject_data(
    *, member: Member, viewer: Member, now: datetime.datetime | None = None
) -> SubjectData:
    """The export: every item's records, plus the readable lists of section 6."""
    now = now or timezone.now()
    labels = consent_labels()
    return SubjectData(
        member=member,
        viewer=viewer,
        generated_at=now,
        items=items_held(member=member, viewer=viewer, now=now),
        consultations=list(
            Consultation.objects.filter(author=member).select_related("data_key")
            .order_by("-created_at", "-id")
        ),
        reviews=list(
            Review.objects.filter(author=member).select_related("data_key")
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
    empty: Promise = NOTHING_HELD

    @property
    def source(self) -> ItemSource:
        return item_source(self.item_key, self.model_label)


SECTIONS: tuple[Section, ...] = (
    Section("consultations", gettext_lazy("Consultations"), "consultation_content",
            "consultations.Consultation"),
    Section("reviews", gettext_lazy("Reviews"), "review_content", "consultations.Review"),
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
def _overview_queries() -> tuple[RowQuery, ...]:
    """Every query the overview counts and reads, once each (they follow from the registry)."""
    return tuple(_unique(source.overview for found in item_sources().values() for source in found))


@functools.cache
def _counting() -> QuerySet:
    """The account rows with how many rows each overview query finds about each: a COUNT
    subquery per query about the outer row. Like a generic view's ``queryset`` it follows from
    the registry alone, so it is built once per process; each request filters it to its member
    and Django compiles it then."""
    about = {"pk": OuterRef("pk"), "subject_ref": OuterRef("subject_ref")}
    counted = {
        f"n{index}": Subquery(
            query.about(**about).order_by().annotate(
                found=Func(F("pk"), function="COUNT", output_field=IntegerField())
            ).values("found"),
            output_field=IntegerField(),
        )
        for index, query in enumerate(_overview_queries())
    }
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return user_model._base_manager.values(**counted)


def _counts(member: Member) -> dict[RowQuery, int]:
    """How many rows each overview query finds about ``member``: one query."""
    found = _counting().filter(pk=member.pk).first() or {}
    return {query: found.get(f"n{index}") or 0
            for index, query in enumerate(_overview_queries())}


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

    member: Member
    viewer: Member
    generated_at: datetime.datetime
    items: list[ItemView]
    sections: list[SectionView]


def subject_overview(
    *, member: Member, viewer: Member, now: datetime.datetime | None = None
) -> SubjectOverview:
    """The "my data" page: one COUNT query for every item and list, then the newest
    ``OVERVIEW_ROWS`` rows of each model that holds any (only the rows shown are decrypted).

    Queries: the counts; the newest rows of each model that has some (at most one query per
    model and condition the registry's items name); what those rows are shown with, one
    query per related model (data keys, areas, policy versions); the restrictions in force;
    the names of consents when the ledger has entries. A fixed bound, never one per row."""
    now = now or timezone.now()
    sources = item_sources()
    queries = _overview_queries()
    counts = _counts(member)
    read: dict[RowQuery, list[Any]] = {}
    for query in sorted(queries, key=lambda query: bool(query.names)):
        wanted = min(counts[query], OVERVIEW_ROWS)
        # The newest rows of the whole model, read for another item, often are the newest
        # that hold this item too (nearly every log-in record has an IP address).
        newest = [row for row in read.get(RowQuery(query.holder), ()) if query.holds(row)]
        if len(newest) >= wanted:
            read[query] = newest[:wanted]
        elif wanted:
            read[query] = _rows(query, member, newest=OVERVIEW_ROWS)
        else:
            read[query] = []
    _with_related(read)
    restricted = restricted_items(subject_ref=member.subject_ref, now=now)
    items = []
    for item in registry.ITEMS:
        view = ItemView(item=item, linked=bool(sources[item.key]),
                        restricted=item.key in restricted)
        total = sum(counts[source.overview] for source in sources[item.key]
                    if not source.is_member_row)
        candidates = [
            (source, row) for source in sources[item.key] for row in read[source.overview]
        ]
        candidates.sort(key=lambda pair: (_moment(_collected_at(pair[0].holder, pair[1])),
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
    sources: tuple[ItemSource, ...], member: Member, number: Any
) -> tuple[Page, list[tuple[ItemSource, Any]]]:
    """A page of an item held in several models: (source, id, time) of all of them merged in
    one UNION ordered newest first, then the page's rows read by id, one query per model."""
    parts = []
    for index, source in enumerate(sources):
        collected_at = source.holder.collected_at
        # Rows are merged by when they were collected; a model that does not record it (an
        # email address) gives no time.
        collected: Any = (
            F(collected_at) if collected_at is not None
            else Value(None, output_field=models.DateTimeField())
        )
        parts.append(
            source.rows.about(pk=member.pk, subject_ref=member.subject_ref).order_by().annotate(
                source_index=Value(index), collected=collected,
            ).values_list("source_index", "pk", "collected")
        )
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
        for row in _joined(sources[index].model._base_manager.filter(pk__in=pks),
                           sources[index].holder)
    }
    return page, [(sources[index], found[index, pk]) for index, pk, _collected
                  in page.object_list if (index, pk) in found]


def _newest_collected(sources: tuple[ItemSource, ...], member: Member) -> Any:
    """When the newest record of an item was collected (one LIMIT 1 query per model)."""
    moments: list[Any] = []
    for source in sources:
        collected = source.holder.collected_at
        if collected is not None:
            moments += source.rows.newest_first(
                pk=member.pk, subject_ref=member.subject_ref
            ).values_list(collected, flat=True)[:1]
    return max(moments, key=_moment, default=None)


def item_legal_hold(*, member: Member, item_key: str) -> LegalHold | None:
    """The hold a law puts on ``member``'s records of ``item_key`` now (None: no law keeps
    the item, or nothing is held); reads only the newest record's time."""
    item = registry.ITEMS_BY_KEY[item_key]
    sources = item_sources().get(item_key, ())
    if not sources or legal_hold_period(item.retention) is None:
        return None
    return legal_hold_since(item, collected=_newest_collected(sources, member))


def item_listing(
    *, member: Member, viewer: Member, key: str, page: Any = None,
    now: datetime.datetime | None = None,
) -> ItemListing | None:
    """Page ``page`` of the records holding item ``key`` (None: no such item).

    Queries: whether the item is restricted, the COUNT and the page (a UNION and one query
    per model when several models hold the item), and the newest record's time when a law
    keeps the item."""
    item = registry.ITEMS_BY_KEY.get(key)
    if item is None:
        return None
    sources = item_sources()[key]
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


def section_listing(*, member: Member, key: str, page: Any = None) -> SectionListing | None:
    """Page ``page`` of list ``key`` of "my data" (None: no such list): a COUNT and a page."""
    section = SECTIONS_BY_KEY.get(key)
    if section is None:
        return None
    found = _page(section.source.rows.queryset(member), page)
    assert isinstance(found.object_list, list)  # _page reads the page into a list
    return SectionListing(
        section=SectionView(section=section, rows=_section_rows(section, found.object_list),
                            count=found.paginator.count),
        page=found,
    )


# --- Consents ---------------------------------------------------------------------------------

@dataclass
class ConsentState:
    key: str
    label: str
    notice: str
    granted: bool
    record: ConsentRecord | None  # the latest ledger entry
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


def consent_states(*, member: Member) -> list[ConsentState]:
    """Each optional consent: the registry's member consents and processors asking consent."""
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


# --- What withdrawing the sensitive consent destroys ------------------------------------------

@dataclass
class SensitiveContent:
    """The health information held under the sensitive consent, as its holder sees it listed
    before withdrawing: what goes, one line each."""

    desired_area: Any
    consultations: list[Consultation]
    reviews: list[Review]
    procedures: list[ProcedureRecord]

    @property
    def empty(self) -> bool:
        return not (self.desired_area or self.consultations or self.reviews or self.procedures)


def sensitive_content_of(*, member: Member) -> SensitiveContent:
    """Everything the sensitive consent allowed for ``member``: the desired area, their
    consultations (each with its answer count), reviews and procedure records."""
    return SensitiveContent(
        desired_area=member.desired_area,
        consultations=list(
            Consultation.objects.filter(author=member).select_related("data_key")
            .annotate(answer_count=Count("answers")).order_by("-created_at", "-id")
        ),
        reviews=list(Review.objects.filter(author=member).select_related("data_key")
                     .order_by("-created_at", "-id")),
        procedures=list(ProcedureRecord.objects.filter(member=member).select_related("data_key")
                        .order_by("-performed_on", "-id")),
    )


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


def corrected_values(*, member: Member, items: Iterable[str]) -> dict[str, str]:
    """The current (corrected) value of each item, as the recipients are told it."""
    values = {}
    views = {v.item.key: v for v in items_held(member=member, viewer=member)}
    for key in items:
        view = views.get(key)
        if view is None:
            continue
        values[key] = "; ".join(value for row in view.rows for _label, value in row.values
                                if value)
    return values
