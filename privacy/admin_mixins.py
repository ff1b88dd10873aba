"""Admin for records that hold a member's or guest's personal items: masked, revealed one record
at a time with a permission, and every look logged in the staff access log.

Korean safety-measure rules ask that staff see personal data only as far as their work needs and
that every access is recorded (who, when, from where, whose data, what). ``MaskedPersonalDataAdmin``
does both for any ``ModelAdmin``: list and change pages show ``masked_fields`` through
``privacy.masking``, read-only; ``privacy.reveal_personal_data`` lets a staff member see one
record's items on a separate page (logged); lists, change pages, changes, deletions and actions
write ``AccessLogEntry`` rows through ``privacy.access_log``.

``EstimatedCountPaginator`` serves any change list over a table that grows without bound (the
access log, a title search over every post): its counts stop at a bound instead of reading
every row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.admin.options import get_content_type_for_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, Model, Q, QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from privacy import registry
from privacy.access_log import access_log_request
from privacy.lookup import login_id_digests, phone_digest
from privacy.restrictions import restricted_items

REVEAL_PERMISSION = "privacy.reveal_personal_data"
EXPORT_PERMISSION = "privacy.export_personal_data"
MASKED_SUFFIX = "__masked"
YES_NO_SUFFIX = "__yes_no"
MOBILE_SEARCH_MAX_LENGTH = 20
LOGIN_ID_SEARCH_MAX_LENGTH = 40


def masked_name(field_name: str) -> str:
    return f"{field_name}{MASKED_SUFFIX}"


def labelled_name(field_name: str) -> str:
    return f"{field_name}_labelled"


def neutral_repr(obj: Model) -> str:
    """The admin log's name for a record of a person: its kind and number, never its content
    (the log outlives the record, and a name, login ID or title would outlive its erasure)."""
    return f"{capfirst(obj._meta.verbose_name)} #{obj.pk}"


def subject_ref_of(obj: Model, path: str | None) -> Any:
    """Follow ``author__subject_ref``-style paths; ``None`` when a link is empty."""
    if not path:
        return None
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def yes_no_icon(value: bool | None) -> str:
    """Django's admin icon for a yes/no value, with alternative text in the page's language.

    Django's own icon writes the value itself ("True", "False", "None") as its alternative
    text, untranslated, which screen readers read out on Korean pages."""
    icon = {True: "yes", False: "no", None: "unknown"}[value]
    label = {True: _("Yes"), False: _("No"), None: _("Unknown")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), label)


def yes_no_name(field_name: str) -> str:
    return f"{field_name}{YES_NO_SUFFIX}"


class YesNoIconsAdmin(admin.ModelAdmin):
    """Shows the model's yes/no fields through ``yes_no_icon`` wherever they are read, not
    edited: as list columns and as read-only fields of a change page, including the pages of
    staff who may only view. A checkbox staff may tick stays a checkbox."""

    def __init__(self, model: type[Model], admin_site: Any) -> None:
        super().__init__(model, admin_site)
        self.yes_no_fields = {field.name: field for field in model._meta.fields
                              if isinstance(field, BooleanField)}
        for field in self.yes_no_fields.values():
            setattr(self, yes_no_name(field.name), self._yes_no_display(field))

    @staticmethod
    def _yes_no_display(field: BooleanField) -> Any:
        @admin.display(description=field.verbose_name, ordering=field.name)
        def display(obj: Model) -> str:
            return yes_no_icon(getattr(obj, field.name))

        return display

    def _yes_no(self, names: Sequence[Any], shown: Iterable[Any]) -> list[Any]:
        """``names`` with each yes/no field in ``shown`` replaced by its display, once."""
        shown = set(shown)
        result: list[Any] = []
        for name in names:
            if isinstance(name, str) and name in self.yes_no_fields and name in shown:
                name = yes_no_name(name)
            if name not in result:
                result.append(name)
        return result

    def _view_only(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_list_display(self, request: HttpRequest) -> Any:
        names = super().get_list_display(request)
        return self._yes_no(names, set(self.yes_no_fields) - set(self.list_editable))

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if self._view_only(request, obj):
            # Django shows every field read-only then; the form must leave the displays out.
            readonly += [name for name, field in self.yes_no_fields.items() if field.editable]
        return self._yes_no(readonly, self.yes_no_fields)

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        readonly = set(self.get_readonly_fields(request, obj))
        return self._yes_no(super().get_fields(request, obj),
                            {name for name in self.yes_no_fields
                             if yes_no_name(name) in readonly})


class LoginIdSearchAdmin(admin.ModelAdmin):
    """Finds a member's rows by the exact login ID, in any case or width. Login IDs are sealed,
    so ``search_fields`` name the keyed digest columns (``username_digest``,
    ``member__username_digest``) and the term is compared as its digest under every listed
    lookup key."""

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str
                           ) -> tuple[QuerySet, bool]:
        digests = login_id_digests(search_term.strip()[:LOGIN_ID_SEARCH_MAX_LENGTH])
        if not digests:
            return queryset, False
        matches = Q()
        for field in self.search_fields:
            matches |= Q(**{f"{field}__in": digests})
        return queryset.filter(matches), False


class MaskedPersonalDataAdmin(YesNoIconsAdmin):
    """Subclasses set ``masked_fields`` (field -> masking function of ``privacy.masking``),
    ``subject_ref_path`` (how to reach the person's subject reference) and ``logged_fields``
    (other personal fields shown in clear because the work needs them, e.g. a question)."""

    masked_fields: ClassVar[dict[str, Callable[[str], str]]] = {}
    # Labels for fields whose verbose names a library left untranslated (allauth's "ip",
    # "created at"); a model's own fields carry gettext_lazy verbose names instead.
    field_labels: ClassVar[dict[str, Any]] = {}
    logged_fields: ClassVar[tuple[str, ...]] = ()
    subject_ref_path: ClassVar[str | None] = "subject_ref"
    phone_search_field: ClassVar[str | None] = None
    self_logging_actions: ClassVar[tuple[str, ...]] = ()
    change_form_template = "admin/privacy/masked_change_form.html"
    change_list_template = "admin/privacy/masked_change_list.html"

    def __init__(self, model: type[Model], admin_site: Any) -> None:
        super().__init__(model, admin_site)
        for field_name, masker in self.masked_fields.items():
            setattr(self, masked_name(field_name), self._masked_display(field_name, masker))
        for field_name in self.field_labels.keys() - self.masked_fields.keys():
            setattr(self, labelled_name(field_name), self._labelled_display(field_name))

    def _label(self, field_name: str) -> Any:
        return self.field_labels.get(field_name,
                                     self.model._meta.get_field(field_name).verbose_name)

    def _labelled_display(self, field_name: str) -> Any:
        @admin.display(description=self._label(field_name), ordering=field_name)
        def display(obj: Model) -> Any:
            choice = getattr(obj, f"get_{field_name}_display", None)
            value = choice() if choice is not None else getattr(obj, field_name)
            # Django's admin writes an empty value returned by a display as "None".
            return self.get_empty_value_display() if value is None else value

        return display

    def _masked_display(self, field_name: str, masker: Callable[[str], str]) -> Any:
        label = self._label(field_name)

        @admin.display(description=label)
        def display(obj: Model) -> str:
            value = self.personal_value(obj, field_name)
            return masker(str(value)) if value else ""

        return display

    # --- What is shown, masked --------------------------------------------------------------

    def personal_value(self, obj: Model, field_name: str) -> Any:
        """The value of a masked field; an admin of a library's model whose values are kept
        elsewhere (sealed beside it) reads them from there."""
        return getattr(obj, field_name, None)

    def _shown_name(self, name: Any) -> Any:
        """The column or field that shows ``name``: masked, relabelled, or the field itself."""
        if isinstance(name, str) and name in self.masked_fields:
            return masked_name(name)
        if isinstance(name, str) and name in self.field_labels:
            return labelled_name(name)
        return name

    def _masked(self, names: Sequence[Any]) -> list[Any]:
        return [self._shown_name(name) for name in names]

    def personal_fields(self) -> list[str]:
        return [*self.masked_fields, *self.logged_fields]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self._masked(super().get_list_display(request))

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[Any]:
        return self._masked(super().get_fields(request, obj))

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        readonly = self._masked(list(super().get_readonly_fields(request, obj)))
        return [*readonly, *(self._shown_name(name)
                             for name in [*self.masked_fields, *self.field_labels]
                             if self._shown_name(name) not in readonly)]

    # --- Logging ----------------------------------------------------------------------------

    def _log(self, request: HttpRequest, action: str, obj: Model | None = None, *,
             fields: Sequence[str] | None = None, count: int = 1, reason: str = "") -> None:
        access_log_request(
            request, action=f"{action}:{self.model._meta.label_lower}",
            subject_ref=subject_ref_of(obj, self.subject_ref_path) if obj is not None else None,
            fields=self.personal_fields() if fields is None else fields, record_count=count,
            reason=reason,
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), **self.changelist_view_context(request)}
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) or {}
        if "cl" in changelist:
            fields = [name for name in self.personal_fields()
                      if name in self.get_list_display(request)
                      or self._shown_name(name) in self.get_list_display(request)]
            self._log(request, "list", fields=fields,
                      count=len(changelist["cl"].result_list))
        return response

    def restricted_labels(self, obj: Model | None) -> list[str]:
        """Labels of the record's items under restriction (a correction is pending, policy
        section 6): staff see that they may not be used or provided until it is completed."""

        subject_ref = subject_ref_of(obj, self.subject_ref_path) if obj is not None else None
        if subject_ref is None:
            return []
        keys = sorted(restricted_items(subject_ref=subject_ref))
        return [str(registry.item(key).label) for key in keys if key in registry.ITEMS_BY_KEY]

    def _restricted_fields(self, obj: Model) -> set[str]:
        subject_ref = subject_ref_of(obj, self.subject_ref_path)
        if subject_ref is None:
            return set()
        keys = restricted_items(subject_ref=subject_ref)
        label = self.model._meta.label
        return {name for name in self.masked_fields
                if (item := registry.item_for_field(f"{label}.{name}")) and item.key in keys}

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: Any = None) -> HttpResponse:
        obj = self.get_object(request, object_id) if request.method == "GET" else None
        extra_context = {**(extra_context or {}),
                         "can_reveal": bool(self.masked_fields)
                         and request.user.has_perm(REVEAL_PERMISSION),
                         "restricted_items": self.restricted_labels(obj)}
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if request.method == "GET" and original is not None:
            self._log(request, "view", original)
        return response

    def construct_change_message(self, request: HttpRequest, form: Any, formsets: Any,
                                 add: bool = False) -> Any:
        # The field names (not their translated labels) for the access log entry.
        request._access_log_changed = [  # type: ignore[attr-defined]
            *form.changed_data,
            *(f"{formset.prefix}.{name}" for formset in formsets or ()
              for inline_form in formset.forms if inline_form.has_changed()
              for name in inline_form.changed_data),
        ]
        return super().construct_change_message(request, form, formsets, add)

    def _admin_log(self, request: HttpRequest, objects: Iterable[Model], flag: int,
                   message: Any = "") -> list[LogEntry]:
        """Django's admin log entries, each naming its record neutrally (``neutral_repr``)."""
        text = json.dumps(message) if isinstance(message, list) else str(message)
        user_pk = request.user.pk
        assert user_pk is not None  # the admin is for signed-in staff only
        return LogEntry.objects.bulk_create([
            LogEntry(user_id=user_pk,
                     content_type_id=get_content_type_for_model(obj).pk,
                     object_id=str(obj.pk), object_repr=neutral_repr(obj)[:200],
                     action_flag=flag, change_message=text)
            for obj in objects
        ])

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        return self._admin_log(request, [obj], ADDITION, message)[0]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._log(request, "change", obj,
                  fields=getattr(request, "_access_log_changed", []))
        return self._admin_log(request, [obj], CHANGE, message)[0]

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        return self._admin_log(request, queryset, DELETION)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self._log(request, "delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self._log(request, "delete", obj)
        super().delete_queryset(request, queryset)

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> Any:
        name = str(request.POST.get("action", ""))[:30]
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if name in self.get_actions(request) and name not in (
            "delete_selected", *self.self_logging_actions
        ):
            self._log(request, f"action:{name}", fields=[], count=len(selected))
        return super().response_action(request, queryset)

    # --- Reveal -----------------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        info = self.model._meta.app_label, self.model._meta.model_name
        urls = []  # only where there is something to reveal or search (see the access matrix)
        if self.masked_fields:
            reveal = self.admin_site.admin_view(self.reveal_view)
            urls.append(path("<path:object_id>/reveal/", reveal,
                             name="{}_{}_reveal".format(*info)))
        if self.phone_search_field:
            search = self.admin_site.admin_view(self.search_mobile_view)
            urls.append(path("search-mobile/", search,
                             name="{}_{}_search_mobile".format(*info)))
        return [*urls, *super().get_urls()]

    def changelist_view_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"mobile_search": bool(self.phone_search_field)}

    def search_mobile_view(self, request: HttpRequest) -> HttpResponse:
        """Exact-match search by mobile number: the number arrives by POST (never in a URL or
        a server log) and the list is filtered on its keyed digest (``privacy.lookup``)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.phone_search_field or not self.has_view_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist",
                             current_app=self.admin_site.name)
        digest = phone_digest(str(request.POST.get("mobile", ""))[:MOBILE_SEARCH_MAX_LENGTH])
        if not digest:
            self.message_user(request, _("Enter a whole mobile number, e.g. 010-1234-5678."),
                              messages.ERROR)
            return HttpResponseRedirect(changelist)
        return HttpResponseRedirect(f"{changelist}?{urlencode({self.phone_search_field: digest})}")

    @method_decorator(never_cache)
    def reveal_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """One record's personal items in clear, for a staff member with the permission."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise PermissionDenied
        if not self.masked_fields or not request.user.has_perm(REVEAL_PERMISSION):
            raise PermissionDenied
        self._log(request, "reveal", obj, fields=list(self.masked_fields))
        restricted = self._restricted_fields(obj)
        rows = [(self._label(name),
                 _("(restricted: not to be used or provided until the correction is completed)")
                 if name in restricted else self.personal_value(obj, name) or "")
                for name in self.masked_fields]
        return TemplateResponse(request, "admin/privacy/reveal.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _("Personal data of %(record)s") % {"record": obj},
            "rows": rows,
        })


class ReadOnlyAdminMixin:
    """Records that are evidence (ledgers, logs, sends, visits): staff read them, never add,
    change or delete them (the purge removes them when their retention ends)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, MaskedPersonalDataAdmin):
    """A read-only admin of records that hold personal data (masked, access-logged)."""


class EstimatedCountPaginator(Paginator):
    """Django's paginator, with counts that do not grow with a large table (the access log,
    a title search over every post).

    A whole table on PostgreSQL is counted from the planner's estimate
    (``pg_class.reltuples``) once it is past ``EXACT_UP_TO`` rows: an exact count reads every
    row. A filtered or searched list (one actor's entries, a date range, the posts with a
    common word) counts at most ``FILTERED_UP_TO`` rows, read from the filter's index: past
    that the list shows that many rows in its count and pages, newest first, and older ones
    are found by narrowing the search. SQLite counts a whole table exactly, and cheaply."""

    EXACT_UP_TO = 100_000
    FILTERED_UP_TO = 5_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        if queryset.query.where:
            # Only the keys: the list's annotations would be computed for every row counted.
            return queryset.order_by().values("pk")[:self.FILTERED_UP_TO].count()
        connection = connections[queryset.db]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                               [queryset.model._meta.db_table])
                row = cursor.fetchone()
            if row is not None and row[0] > self.EXACT_UP_TO:
                return int(row[0])
        return super().count
