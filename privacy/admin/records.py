import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from privacy import registry
from privacy.admin_mixins import (
    EstimatedCountPaginator,
    MaskedPersonalDataAdmin,
    ReadOnlyAdmin,
    ReadOnlyAdminMixin,
    YesNoIconsAdmin,
)
from privacy.errors import PrivacyError
from privacy.masking import mask_name, mask_text
from privacy.models import (
    AccessLogEntry,
    Complaint,
    ConsentRecord,
    Disclosure,
    PolicyDraft,
    PolicyNotice,
    PolicyVersion,
    Processor,
    RequestChannel,
)
from privacy.policy.services import POLICY_NOTICE_DAYS, policy_draft_open, policy_draft_publish
from privacy.processors.selectors import subject_ref_named
from privacy.processors.services import disclosure_check, disclosure_record

_VERSION_FIELDS: tuple[str, ...] = ("version", "effective_on", "published_at", "summary",
                                    "summary_en", "requires_reconsent", "content_ko",
                                    "content_en")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(YesNoIconsAdmin):
    """Published versions are what members were told: shown, never changed or removed. A change
    goes into a draft (``PolicyDraftAdmin``), published as a new version."""

    list_display = ["version", "effective_on", "published_at", "requires_reconsent"]
    fields = _VERSION_FIELDS
    readonly_fields = _VERSION_FIELDS

    def has_add_permission(self, request, obj=None):
        # A version is frozen from the rendered policy: a draft, or `privacy publish-policy`.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PolicyDraft)
class PolicyDraftAdmin(YesNoIconsAdmin):
    """The next version: a processor change opens one; the privacy manager gives it a number and
    an effective date and publishes it ("Publish" action), then tells members individually with
    ``privacy notify-policy``."""

    list_display = ["__str__", "effective_on", "created_at", "published"]
    fields = ["version", "effective_on", "summary", "requires_reconsent", "created_at",
              "published"]
    readonly_fields = ["created_at", "published"]
    actions = ["publish"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.published_id is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.published_id is not None:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Publish the selected draft as a new version"))
    def publish(self, request, queryset):
        drafts = list(queryset)
        if len(drafts) != 1:
            self.message_user(request, _("Select one draft to publish."), messages.ERROR)
            return
        try:
            version = policy_draft_publish(draft=drafts[0])
        except PrivacyError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, _(
            "Version %(version)s is published and takes effect on %(day)s. Tell members now: "
            "python manage.py privacy notify-policy --version %(version)s"
        ) % {"version": version.version, "day": f"{version.effective_on:%Y-%m-%d}"},
            messages.SUCCESS)


class ConsentFilter(admin.SimpleListFilter):
    """The consents of the registry as choices: listing every distinct value of the column
    would read the whole ledger."""

    title = _("consent")
    parameter_name = "consent"

    def lookups(self, request, model_admin):
        return [(consent.key, consent.label) for consent in registry.CONSENTS]

    def queryset(self, request, queryset):
        return queryset.filter(consent=self.value()) if self.value() else queryset


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    """The ledger is append-only: staff can read it, never change it."""

    list_display = ["recorded_at", "subject_ref", "consent", "granted", "method", "actor"]
    list_filter = [ConsentFilter, "granted", "method"]
    show_full_result_count = False
    logged_fields = ("subject_ref", "consent", "granted")


# --- Policy versions, consents, processors, disclosures, complaints ---------------------------

@admin.register(PolicyNotice)
class PolicyNoticeAdmin(ReadOnlyAdmin):
    list_display = ["claimed_at", "sent_at", "version", "member"]
    list_filter = ["version"]
    list_select_related = ["version", "member"]
    subject_ref_path = "member__subject_ref"
    logged_fields = ("member",)


# What the policy page states of a processor; ending it ("until") or asking consent first
# only narrows what it receives and may change at any time.
DELEGATION_TERMS = ("name", "tasks_ko", "tasks_en", "items", "country", "sends_email",
                    "sends_sms")


class ProcessorForm(forms.ModelForm):
    items = forms.MultipleChoiceField(
        label=_("collection items it receives"), required=False,
        choices=[(item.key, item.label) for item in registry.ITEMS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Processor
        fields = ["name", "tasks_ko", "tasks_en", "items", "since", "until", "country",
                  "requires_consent", "sends_email", "sends_sms"]

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns the cleaned data
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        earliest = timezone.localdate() + timedelta(days=POLICY_NOTICE_DAYS)
        in_force = self.instance.pk is not None and self.instance.since <= timezone.localdate()
        changed_terms = [name for name in DELEGATION_TERMS if name in self.changed_data]
        if in_force and changed_terms:
            # What members were told stays true until a new version says otherwise: the
            # processor is ended ("until") and the new terms added as a new processor.
            self.add_error(None, _(
                "A processor in force cannot change what the published policy says of it. Set "
                "its end date, and add the new terms as a new processor starting on %(day)s "
                "or later."
            ) % {"day": f"{earliest:%Y-%m-%d}"})
        moved = self.instance.pk is None or "since" in self.changed_data
        if since and since < earliest and moved:
            # A new delegate is announced in a new policy version before it receives anything.
            self.add_error("since", _(
                "A new processor can start on %(day)s at the earliest: the policy's new version "
                "is announced %(days)s days before it applies."
            ) % {"day": f"{earliest:%Y-%m-%d}", "days": POLICY_NOTICE_DAYS})
        return cleaned


@admin.register(Processor)
class ProcessorAdmin(YesNoIconsAdmin):
    """A change to a processor goes into the draft of the next policy version; the published
    versions stay as members were told them."""

    form = ProcessorForm
    list_display = ["name", "country", "since", "until", "requires_consent", "sends_email",
                    "sends_sms"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reason = (_("Processor changed: %(name)s") if change
                  else _("Processor added: %(name)s")) % {"name": obj.name}
        self._drafted(request, str(reason))

    def delete_model(self, request, obj):
        reason = str(_("Processor removed: %(name)s") % {"name": obj.name})
        super().delete_model(request, obj)
        self._drafted(request, reason)

    def delete_queryset(self, request, queryset):
        names = list(queryset.values_list("name", flat=True))
        super().delete_queryset(request, queryset)
        for name in names:
            self._drafted(request, str(_("Processor removed: %(name)s") % {"name": name}))

    def _drafted(self, request, reason: str) -> None:
        policy_draft_open(reason=reason)
        self.message_user(request, _(
            "The change is noted in the draft of the next policy version; publish it from "
            "\"Privacy policy drafts\" so that members are told."
        ), messages.WARNING)


class DisclosureForm(forms.ModelForm):
    """A provision staff made (an insurer's claim, a police request): the person by login ID or
    guest reference, the items from the registry. ``disclosure_check`` decides, as it does
    for code that records one."""

    subject = forms.CharField(
        label=_("member login ID or guest consultation reference"), max_length=150,
    )
    items = forms.MultipleChoiceField(
        label=_("items provided"), choices=[(item.key, item.label) for item in registry.ITEMS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Disclosure
        fields = ["recipient", "recipient_contact", "items", "legal_basis", "basis_detail",
                  "disclosed_at"]

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns the cleaned data
        if self.errors:
            return cleaned
        subject_ref = subject_ref_named(identifier=cleaned["subject"])
        if subject_ref is None:
            self.add_error("subject", _("No member or guest consultation goes by this login ID "
                                        "or reference."))
            return cleaned
        try:
            disclosure_check(subject_ref=subject_ref, recipient=cleaned["recipient"],
                             items=cleaned["items"], legal_basis=cleaned["legal_basis"])
        except PrivacyError as error:
            raise forms.ValidationError(str(error)) from None
        self.instance.subject_ref = subject_ref
        return cleaned


@admin.register(Disclosure)
class DisclosureAdmin(MaskedPersonalDataAdmin):
    """Append-only: staff with the permission add a provision (``disclosure_record``), nobody
    changes or deletes one; the correction flow notifies every recipient listed here."""

    form = DisclosureForm
    list_display = ["disclosed_at", "recipient", "legal_basis", "subject_ref"]
    list_filter = ["legal_basis"]
    search_fields = ["subject_ref"]
    fields = ["disclosed_at", "subject_ref", "recipient", "recipient_contact", "items",
              "legal_basis", "basis_detail", "recorded_by"]
    masked_fields = {"recipient_contact": mask_text}
    logged_fields = ("subject_ref", "recipient", "items")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["subject", "recipient", "recipient_contact", "items", "legal_basis",
                    "basis_detail", "disclosed_at"]
        return ["items_provided" if name == "items" else name
                for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*super().get_readonly_fields(request, obj), "items_provided"]

    @admin.display(description=_("items provided"))
    def items_provided(self, obj: Disclosure) -> str:
        """The registry's names of the items, not their keys."""
        return ", ".join(str(registry.item(key).label) if key in registry.ITEMS_BY_KEY else key
                         for key in obj.items)

    def save_model(self, request, obj, form, change):
        saved = disclosure_record(
            subject_ref=obj.subject_ref, recipient=obj.recipient,
            recipient_contact=obj.recipient_contact, items=form.cleaned_data["items"],
            legal_basis=obj.legal_basis, basis_detail=obj.basis_detail,
            disclosed_at=obj.disclosed_at, recorded_by=request.user,
        )
        obj.pk, obj.items, obj.recorded_by = saved.pk, saved.items, saved.recorded_by
        obj._state.adding = False

    def log_addition(self, request, obj, message):
        self._log(request, "add", obj, fields=["recipient", "recipient_contact", "items"])
        return super().log_addition(request, obj, message)


@admin.register(Complaint)
class ComplaintAdmin(MaskedPersonalDataAdmin):
    """The officer's list: status and the 10-day answer deadline, overdue ones highlighted.
    The sender's name and contact are masked; the complaint itself is shown to answer it."""

    list_display = ["__str__", "created_at", "sender", "status", "deadline"]
    list_filter = ["status"]
    list_select_related = ["member"]
    fields = ["sender", "name", "contact", "body", "created_at", "deadline", "status",
              "answered_at"]
    readonly_fields = ["sender", "name", "contact", "body", "created_at", "deadline"]
    masked_fields = {"name": mask_name, "contact": mask_text}
    logged_fields = ("body",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("from"))
    def sender(self, obj: Complaint) -> str:
        return str(_("member %(login)s") % {"login": obj.member}) if obj.member_id else str(
            _("guest"))

    @admin.display(description=_("answer due"), ordering="created_at")
    def deadline(self, obj: Complaint) -> str:
        due = f"{obj.answer_due_on:%Y-%m-%d}"
        if obj.is_overdue(timezone.localdate()):
            return format_html('<strong class="overdue">{} ({})</strong>',
                               due, _("overdue"))
        return due

    def save_model(self, request, obj, form, change):
        if obj.status not in ("received", "in_progress") and obj.answered_at is None:
            obj.answered_at = timezone.now()
        super().save_model(request, obj, form, change)


# --- The staff access log --------------------------------------------------------------------

# What an entry's action names, by its first word: the admin's own reads (``list:``, ``view:``
# and the rest, followed by the model), the privacy manager's commands and the members' and
# guests' own requests (followed by the channel).
ACTION_KINDS = {
    "list": _("list viewed"), "view": _("record viewed"), "reveal": _("personal data revealed"),
    "change": _("changed"), "delete": _("deleted"), "add": _("added"),
    "export": _("exported by staff"), "action": _("bulk action"),
    "retention": _("retention store"), "data_export": _("own data exported"),
    "member_erase": _("member's data erased"), "member_withdraw": _("member withdrew"),
    "correction_start": _("correction requested"),
    "correction_complete": _("correction completed"),
    "restriction_start": _("processing restricted"),
    "restriction_lift": _("restriction lifted"), "inventory": _("inventory viewed"),
    "verify-erasure": _("erasure verified"), "guest_read": _("guest post read"),
    "guest_create": _("guest post written"), "guest_find": _("guest reference found"),
    "guest_erase": _("guest post erased"), "booking_read": _("booking request read"),
    "booking_create": _("booking requested"), "complaint": _("complaint received"),
    "consent_grant": _("consent given"), "consent_withdraw": _("consent withdrawn"),
    "rights_request": _("rights request"), "sms": _("text message"),
    "staff_enrolment": _("staff enrolment"),
}


def _action_model(action: str) -> Any:
    """The model an admin entry's action names (``view:members.member``), if it names one."""
    _kind, _colon, target = action.partition(":")
    try:
        return apps.get_model(target) if target else None
    except (LookupError, ValueError):
        return None


def action_label(action: str) -> str:
    """An entry's action for people: its kind in words, then the kind of record it read
    ("record viewed · member") or the channel (``console``), which stays as written."""
    kind, _colon, target = action.partition(":")
    label = str(ACTION_KINDS.get(kind, kind))
    if not target:
        return label
    if model := _action_model(action):
        target = capfirst(model._meta.verbose_name)
    elif target in RequestChannel.values:
        target = str(RequestChannel(target).label)
    elif target in ACTION_KINDS:  # what the retention store was opened for
        target = str(ACTION_KINDS[target])
    return f"{label} · {target}"


def fields_label(action: str, fields: str) -> str:
    """The fields an entry read (``name,email``), by their names in the record's model where
    it has them."""
    model = _action_model(action)
    names = {field.name: field.verbose_name for field in model._meta.get_fields()
             if hasattr(field, "verbose_name")} if model else {}
    return ", ".join(str(names.get(name, name)) for name in fields.split(",") if name)


class ActionKindFilter(admin.SimpleListFilter):
    """What was done, by the action's first word (``view`` of ``view:members.member``). The
    choices are a fixed list, so the filter reads no rows; listing every distinct action would
    read the whole log."""

    title = _("action")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return list(ACTION_KINDS.items())

    def queryset(self, request, queryset):
        kind = self.value()
        if not kind:
            return queryset
        return queryset.filter(Q(action=kind) | Q(action__startswith=f"{kind}:"))


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The staff access log, for the monthly review; read only (``privacy verify-access-log``
    proves it unchanged)."""

    list_display = ["sequence", "at", "actor", "action_shown", "subject_ref", "ip_address",
                    "record_count", "reason"]
    # Fixed choices and date ranges: neither filter reads the log to offer its choices.
    list_filter = [ActionKindFilter, ("at", admin.DateFieldListFilter)]
    search_fields = ["=actor", "=subject_ref"]  # exact; see get_search_results
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ["sequence", "at", "actor", "ip_address", "action_shown", "subject_ref",
              "fields_shown",
              "record_count", "reason", "previous_hash", "entry_hash"]
    # django-stubs types `fields` as str-or-group lists (invariant), never as flat names.
    readonly_fields = fields  # type: ignore[assignment]

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, obj: AccessLogEntry) -> str:
        return action_label(obj.action)

    @admin.display(description=_("fields"))
    def fields_shown(self, obj: AccessLogEntry) -> str:
        return fields_label(obj.action, obj.fields)

    def get_search_results(self, request, queryset, search_term):
        """One actor's or one subject's entries, exactly as written, each read from its index
        (Django's ``=`` compares upper-cased text, which no index holds)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            subject_ref = uuid.UUID(term)
        except ValueError:
            return queryset.filter(actor=term), False
        return queryset.filter(Q(subject_ref=subject_ref) | Q(actor=term)), False
