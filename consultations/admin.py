"""Staff side of the boards: answering, procedure records, review moderation, guest answers.

Every change that has effects beyond its row (emailing the author, starting a retention
period, sealing with the right key) goes through ``consultations.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.paginator import Paginator
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultations import services
from consultations.models import (
    TITLE_MAX_LENGTH,
    Answer,
    Consultation,
    ConsultationArea,
    ConsultationKind,
    GuestConsultation,
    ProcedureRecord,
    Review,
    ReviewStatus,
    TitleSearchQuerySet,
)
from consultations.selectors import area_list_cache_clear, procedure_record_consent_missing
from members.models import Member
from privacy.admin_mixins import (
    EstimatedCountPaginator,
    LoginIdSearchAdmin,
    MaskedPersonalDataAdmin,
    YesNoIconsAdmin,
)
from privacy.lookup import area_digest
from privacy.masking import mask_name, mask_phone

AFTERCARE_PERMISSION = "consultations.answer_aftercare"


@admin.register(ConsultationArea)
class ConsultationAreaAdmin(YesNoIconsAdmin):
    list_display = ["name_ko", "name_en", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name_en"]}

    # Pages list the areas from the near cache (selectors.area_list_cached).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        area_list_cache_clear()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        area_list_cache_clear()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        area_list_cache_clear()


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 1
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]


def answer_total() -> Coalesce:
    """The number of answers of the consultation in the outer query: a correlated
    ``SELECT COUNT(*)`` that neither joins nor groups the outer rows."""
    answers = (
        Answer.objects.filter(consultation=OuterRef("pk")).order_by()
        .annotate(total=Func(F("pk"), function="COUNT")).values("total")
    )
    return Coalesce(Subquery(answers, output_field=IntegerField()), 0)


class AnsweredListFilter(admin.SimpleListFilter):
    """Answered or waiting, the first question of staff opening any consultation list."""

    title = _("answer")
    parameter_name = "answered"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("waiting for an answer")), ("yes", _("answered"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() not in ("yes", "no"):
            return queryset
        answered = self.answered_condition()
        return queryset.filter(answered) if self.value() == "yes" else queryset.exclude(answered)

    def answered_condition(self) -> Any:
        return Exists(Answer.objects.filter(consultation=OuterRef("pk")))


class GuestAnsweredListFilter(AnsweredListFilter):
    def answered_condition(self) -> Any:
        return Q(answered_at__isnull=False)


class SealedAreaAdmin(MaskedPersonalDataAdmin):
    """Lists of rows whose area is sealed (``consultations.models.SealedArea``): the area is
    shown by name from the areas table (``ConsultationArea.objects.by_pk``) and filtered by
    its keyed digest (``SealedAreaListFilter``)."""

    @admin.display(description=_("area"))
    def area_name(self, obj: Any) -> str:
        return str(obj.area or "")


class SealedAreaListFilter(admin.SimpleListFilter):
    """Filter by an area held sealed (``area_ref``), through its keyed digest (``area_digest``):
    the rows' areas stay unread, the list of areas comes from their own small table."""

    title = _("area")
    parameter_name = "area"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(str(area.pk), str(area)) for area in ConsultationArea.objects.all()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value or not str(value).isdigit():
            return queryset
        return queryset.filter(area_digest=area_digest(int(value)))


class TitleSearchAdmin(SealedAreaAdmin):
    """Searches titles by their keyed digests (``TitleSearchQuerySet.title_matching``): the
    titles are sealed, so SQL cannot read them."""

    # Shows the search box; the search is ``title_matching``, through these digests.
    search_fields = ["title_tokens__digest"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str
                           ) -> tuple[QuerySet, bool]:
        assert isinstance(queryset, TitleSearchQuerySet)  # Consultation's and Review's
        return queryset.title_matching(search_term[:TITLE_MAX_LENGTH]), False

    def get_paginator(self, request: HttpRequest, queryset: QuerySet, per_page: int,
                      orphans: int = 0, allow_empty_first_page: bool = True) -> Paginator:
        """A search counts at most ``EstimatedCountPaginator.FILTERED_UP_TO`` posts: a common
        word is in most titles, and counting them all would read every post's tokens."""
        if request.GET.get(SEARCH_VAR, "").strip():
            return EstimatedCountPaginator(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans,
                                     allow_empty_first_page)


@admin.register(Consultation)
class ConsultationAdmin(TitleSearchAdmin):
    """Post-surgery consultations are listed only for staff with ``answer_aftercare``
    (doctors); the question is shown in clear because answering needs it, and logged."""

    list_display = ["title", "kind", "area_name", "is_private", "created_at", "answer_count"]
    # The date filter offers fixed ranges: a date drill-down would read every row's date.
    list_filter = [AnsweredListFilter, "kind", SealedAreaListFilter, "is_private",
                   ("created_at", admin.DateFieldListFilter)]
    fields = ["kind", "area_name", "procedure", "author", "title", "body", "is_private",
              "created_at", "updated_at"]
    # django-stubs types `fields` as str-or-group lists (invariant), never as flat names.
    readonly_fields = fields  # type: ignore[assignment]
    inlines = [AnswerInline]
    list_select_related = ["data_key"]
    show_full_result_count = False
    subject_ref_path = "author__subject_ref"
    logged_fields = ("author", "title", "body")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Consultation]:
        # A subquery per listed row: the list's count and page queries group nothing.
        queryset = super().get_queryset(request).annotate(answer_total=answer_total())
        if not request.user.has_perm(AFTERCARE_PERMISSION):
            queryset = queryset.exclude(kind=ConsultationKind.AFTERCARE)
        return queryset

    @admin.display(description=_("answers"), ordering="answer_total")
    def answer_count(self, consultation: Consultation) -> int:
        return consultation.answer_total  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # questions come from members, never from the back office

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Answer:
            return super().save_formset(request, form, formset, change)
        answers = formset.save(commit=False)
        for answer in formset.deleted_objects:
            answer.delete()
        for answer in answers:
            if answer.pk is None:
                assert isinstance(request.user, Member)  # the admin is staff-only
                services.consultation_answer(
                    consultation=form.instance, staff=request.user,
                    body=answer.body,
                    site_url=request.build_absolute_uri("/").rstrip("/"),
                )
            else:
                answer.save()
        return None


class ProcedureRecordForm(forms.ModelForm):
    """The date is sealed text in the database; staff enter it as a date. A new record needs
    the member's consent to sensitive information: refused beside the form, with the
    consent's name, before anything is stored."""

    area = forms.ModelChoiceField(label=_("procedure area"),
                                  queryset=ConsultationArea.objects.all())
    performed_on = forms.DateField(label=_("date of the procedure"),
                                   widget=widgets.AdminDateWidget)

    class Meta:
        model = ProcedureRecord
        fields = ["member", "area", "procedure_name", "performed_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The area is sealed (not a model field the form fills in): shown and set by hand.
        if self.instance.pk is not None:
            self.initial.setdefault("area", self.instance.area)

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns the cleaned data
        if cleaned.get("area") is not None:
            self.instance.area = cleaned["area"]
        member = cleaned.get("member")
        if self.instance.pk is None and member is not None:
            missing = procedure_record_consent_missing(member)
            if missing is not None:
                self.add_error("member", _(
                    "This member has not given the consent “%(consent)s”, which procedure "
                    "records need; ask the member to give it on the consent page first."
                ) % {"consent": missing})
        return cleaned


@admin.register(ProcedureRecord)
class ProcedureRecordAdmin(LoginIdSearchAdmin, SealedAreaAdmin):
    form = ProcedureRecordForm
    list_display = ["member", "area_name", "performed_on", "recorded_by", "created_at"]
    list_filter = [SealedAreaListFilter]
    search_fields = ["member__username_digest"]
    raw_id_fields = ["member"]
    fields = ["member", "area", "procedure_name", "performed_on"]
    list_select_related = ["member__data_key", "recorded_by__data_key", "data_key"]
    subject_ref_path = "member__subject_ref"
    logged_fields = ("member", "procedure_name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The record is sealed with its member's key: it cannot move to another member.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "member"] if obj is not None else readonly

    def save_model(
        self, request: HttpRequest, obj: ProcedureRecord, form: Any, change: bool
    ) -> None:
        if change:
            obj.save()
            return
        assert isinstance(request.user, Member)  # the admin is staff-only
        performed_on, area = obj.performed_date, obj.area
        assert performed_on is not None and area is not None  # required fields of the form
        created = services.procedure_record_create(
            member=obj.member, area=area, procedure_name=obj.procedure_name,
            performed_on=performed_on, recorded_by=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(Review)
class ReviewAdmin(TitleSearchAdmin):
    """The moderation queue: pending reviews first; publish or reject with the actions."""

    list_display = ["title", "area_name", "rating", "status", "created_at", "moderated_at"]
    list_filter = ["status", SealedAreaListFilter]
    fields = ["author", "area_name", "title", "body", "rating", "status", "created_at",
              "updated_at", "moderated_at"]
    # django-stubs types `fields` as str-or-group lists (invariant), never as flat names.
    readonly_fields = fields  # type: ignore[assignment]
    actions = ["publish", "reject"]
    list_select_related = ["data_key"]
    subject_ref_path = "author__subject_ref"
    logged_fields = ("author", "title", "body")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        return super().get_queryset(request).order_by("status", "-created_at")  # pending first

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _moderate(self, request: HttpRequest, queryset: QuerySet[Review], status: str) -> None:
        changed = services.review_moderate(reviews=queryset, status=status)
        self.message_user(
            request,
            ngettext("%(count)d review changed.", "%(count)d reviews changed.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish the selected reviews"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._moderate(request, queryset, ReviewStatus.PUBLISHED)

    @admin.action(description=_("Reject the selected reviews"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._moderate(request, queryset, ReviewStatus.REJECTED)


@admin.register(GuestConsultation)
class GuestConsultationAdmin(SealedAreaAdmin):
    """The guest's name and number are masked; the question is shown to answer it."""

    list_display = ["reference", "area_name", "created_at", "answered_at", "destroyed_at"]
    list_filter = [GuestAnsweredListFilter, SealedAreaListFilter]
    search_fields = ["reference"]
    fields = ["reference", "area_name", "name", "mobile_phone", "title", "body", "answer",
              "created_at", "answered_at", "answered_by", "destroyed_at"]
    list_select_related = ["data_key"]
    masked_fields = {"name": mask_name, "mobile_phone": mask_phone}
    logged_fields = ("title", "body")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        masked = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.destroyed_at is not None:
            return [*self._masked(self.fields), *masked]
        return [*self._masked([field for field in self.fields if field != "answer"]), *masked]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: GuestConsultation, form: Any, change: bool
    ) -> None:
        if "answer" in form.changed_data and obj.answer.strip():
            assert isinstance(request.user, Member)  # the admin is staff-only
            services.guest_consultation_answer(
                guest_consultation=obj, staff=request.user, body=obj.answer
            )
