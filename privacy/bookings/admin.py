"""Staff answer booking requests here: the name and contact masked like every record, every
look and change in the staff access log, and one decision per save (confirm one of the times
asked for, propose another, or decline), after which the patient is told."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations import selectors, services
from consultations.admin import SealedAreaAdmin, SealedAreaListFilter
from consultations.models import BookingRequest
from members.models import Member
from privacy.bookings.notices import booking_notice_notify
from privacy.masking import mask_name, mask_text
from privacy.outbox import new_send_key

CONFIRM, PROPOSE, DECLINE = "confirm", "propose", "decline"


class BookingDecisionForm(forms.ModelForm):
    """The decision, checked before anything changes: a confirmed time must be one the patient
    asked for; a proposed one must be in the future and within the opening hours."""

    decision = forms.ChoiceField(
        label=_("Decision"), required=False, widget=forms.RadioSelect,
        choices=[("", _("no change")), (CONFIRM, _("confirm the time chosen below")),
                 (PROPOSE, _("propose another time")), (DECLINE, _("decline"))],
    )
    confirm_slot = forms.ChoiceField(label=_("Time to confirm"), required=False)
    proposed_at = forms.SplitDateTimeField(
        label=_("Time to propose"), required=False, widget=AdminSplitDateTime,
    )

    class Meta:
        model = BookingRequest
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slots = self.instance.slots() if self.instance.pk else []
        self.fields["confirm_slot"].choices = [  # type: ignore[attr-defined]
            (slot.isoformat(), f"{timezone.localtime(slot):%Y-%m-%d %H:%M}") for slot in slots
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        if decision == CONFIRM:
            value = cleaned.get("confirm_slot")
            if not value:
                self.add_error("confirm_slot", _("Choose the time to confirm."))
            else:
                cleaned["slot"] = datetime.datetime.fromisoformat(value)
        elif decision == PROPOSE:
            proposed = cleaned.get("proposed_at")
            if proposed is None:
                if "proposed_at" not in self.errors:
                    self.add_error("proposed_at", _("Give the time to propose."))
            else:
                problem = selectors.booking_slot_error(proposed, now=timezone.now())
                if problem:
                    self.add_error("proposed_at", problem)
                cleaned["slot"] = proposed
        return cleaned


@admin.register(BookingRequest)
class BookingRequestAdmin(SealedAreaAdmin):
    form = BookingDecisionForm
    list_display = ["reference", "area_name", "status", "appointment_at", "channel",
                    "created_at"]
    list_filter = ["status", SealedAreaListFilter, "channel"]
    search_fields = ["reference"]
    list_select_related = ["data_key"]
    date_hierarchy = "created_at"
    fields = ["reference", "area_name", "status", "appointment_at", "preferred_times", "note",
              "name", "contact", "channel", "member", "created_at", "decided_at",
              "decided_by", "reminded_at", "decision", "confirm_slot", "proposed_at"]
    masked_fields = {"name": mask_name, "contact": mask_text}
    logged_fields = ("member", "preferred_slots", "note")
    subject_ref_path = "person_ref"

    @admin.display(description=_("preferred times"))
    def preferred_times(self, obj: BookingRequest) -> str:
        return ", ".join(f"{timezone.localtime(slot):%Y-%m-%d %H:%M}" for slot in obj.slots())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        editable = {"decision", "confirm_slot", "proposed_at"}
        return [*super().get_readonly_fields(request, obj),
                *(self._masked([name for name in self.fields if name not in editable]))]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        decision = form.cleaned_data.get("decision")
        if not decision:
            return
        assert isinstance(request.user, Member)  # the admin is staff-only
        with transaction.atomic():
            if decision == CONFIRM:
                services.booking_confirm(booking=obj, slot=form.cleaned_data["slot"],
                                         staff=request.user)
            elif decision == PROPOSE:
                services.booking_propose(booking=obj, slot=form.cleaned_data["slot"],
                                         staff=request.user)
            else:
                services.booking_decline(booking=obj, staff=request.user)
            # Queued with the decision: the patient hears of it if and only if it is saved.
            booking_notice_notify.enqueue(booking_id=obj.pk, kind=obj.status,
                                          key=new_send_key())
        self.message_user(request, _("The patient is told by the channel they chose."))



