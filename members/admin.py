"""Staff views of members, blocks and the access log (Django admin).

Personal items are masked and every look is logged (``privacy.admin_mixins``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members import services
from members.models import LoginRecord, Member, MemberBlock
from privacy.admin_export import ExportReasonForm, members_csv
from privacy.admin_mixins import (
    EXPORT_PERMISSION,
    REVEAL_PERMISSION,
    LoginIdSearchAdmin,
    MaskedPersonalDataAdmin,
    ReadOnlyAdmin,
)
from privacy.masking import mask_address, mask_birth_date, mask_email, mask_name, mask_phone


@admin.register(Member)
class MemberAdmin(LoginIdSearchAdmin, MaskedPersonalDataAdmin):
    """Accounts are created by sign-up (or ``createsuperuser``), never typed in by staff; they
    are erased with ``privacy erase``, never deleted here. Search: login ID, exact email, or an
    exact mobile number (through its keyed digest). Not by name: names are sealed, and one is
    no way to tell members apart (many share one), so staff ask for the login ID or number."""

    list_display = ("username", "name", "email", "mobile_phone", "is_active", "is_staff",
                    "date_joined")
    list_filter = ("is_active", "is_staff")
    # Login ID only: a searched email would travel in the URL (?q=) into access logs and
    # browser history; a mobile number is searched by POST and keyed digest instead.
    search_fields = ("username_digest",)
    phone_search_field = "mobile_phone_digest"
    list_select_related = ("data_key",)
    # Newest sign-ups first, in the order of the primary key's index: ordering by the joining
    # time (the model's order) sorts every member for each page.
    ordering = ("-pk",)
    fields = ("username", "name", "email", "mobile_phone", "home_phone", "home_address",
              "date_of_birth", "is_active", "is_staff", "groups", "date_joined", "last_login")
    readonly_fields = ("username", "date_joined", "last_login")
    filter_horizontal = ("groups",)
    masked_fields = {
        "name": mask_name, "email": mask_email, "mobile_phone": mask_phone,
        "home_phone": mask_phone, "home_address": mask_address,
        "date_of_birth": mask_birth_date,
    }
    actions = ["export_csv"]
    self_logging_actions = ("export_csv",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)

    @admin.action(description=_("Export the selected members as CSV (asks for a reason)"),
                  permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Member]) -> HttpResponse:
        can_reveal = request.user.has_perm(REVEAL_PERMISSION)
        confirmed = request.POST.get("confirm") == "yes"
        form = ExportReasonForm(request.POST if confirmed else None, can_reveal=can_reveal)
        if confirmed and form.is_valid():
            members = list(queryset.select_related("data_key").order_by("pk"))
            unmasked = bool(form.cleaned_data.get("unmasked"))
            self._log(request, "export", fields=[
                *self.masked_fields, *(["unmasked"] if unmasked else [])
            ], count=len(members), reason=form.cleaned_data["reason"])
            response = HttpResponse(members_csv(members, unmasked=unmasked),
                                    content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="members-{timezone.localdate():%Y%m%d}.csv"')
            response["Cache-Control"] = "no-store"
            return response
        return TemplateResponse(request, "admin/privacy/export_reason.html", {
            **self.admin_site.each_context(request),
            "title": _("Export members"),
            "opts": self.model._meta,
            "form": form,
            "action": "export_csv",
            "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(MemberBlock)
class MemberBlockAdmin(LoginIdSearchAdmin, MaskedPersonalDataAdmin):
    list_display = ("member", "blocked_at", "blocked_by", "lifted_at")
    list_filter = ("lifted_at",)
    search_fields = ("member__username_digest",)
    autocomplete_fields = ("member",)
    fields = ("member", "reason", "blocked_at", "blocked_by", "lifted_at", "lifted_by")
    readonly_fields = ("blocked_at", "blocked_by", "lifted_at", "lifted_by")
    list_select_related = ("member__data_key", "blocked_by__data_key")
    actions = ["lift_blocks"]
    subject_ref_path = "member__subject_ref"
    logged_fields = ("member", "reason")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None:
            return (*readonly, "member", "reason")
        return readonly

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest,
                                 **kwargs: Any) -> Any:
        # The column is nullable so that a block outlives its member (SET_NULL), but a new
        # block is of someone: without this the add form accepted no member and then failed.
        if db_field.name == "member":
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: MemberBlock, form: Any, change: bool) -> None:
        if change:
            return
        assert obj.member is not None  # required on the add form (formfield_for_foreignkey)
        assert isinstance(request.user, Member)  # the admin is staff-only
        block = services.member_block(member=obj.member, reason=obj.reason, actor=request.user)
        obj.pk = block.pk
        obj.blocked_at, obj.blocked_by = block.blocked_at, block.blocked_by

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Lift the selected blocks"))
    def lift_blocks(self, request: HttpRequest, queryset: QuerySet[MemberBlock]) -> None:
        assert isinstance(request.user, Member)  # the admin is staff-only
        for block in queryset:
            services.member_block_lift(block=block, actor=request.user)
        self.message_user(request, _("The blocks are lifted."), messages.SUCCESS)


@admin.register(LoginRecord)
class LoginRecordAdmin(LoginIdSearchAdmin, ReadOnlyAdmin):
    """Read-only: the access log is evidence and is removed only by the privacy purge."""

    list_display = ("recorded_at", "member", "ip_address", "result")
    list_filter = ("result",)
    search_fields = ("member__username_digest",)
    list_select_related = ("member__data_key", "data_key")
    subject_ref_path = "member__subject_ref"
    logged_fields = ("member", "ip_address")


# Django names a permission in English when it creates it ("Can add member") and keeps that
# text in the database; the role form names each one from its model, in the staff's language.
PERMISSION_ACTIONS = {"add": _("can add"), "change": _("can change"),
                      "delete": _("can delete"), "view": _("can view")}


def permission_label(permission: Permission) -> str:
    """"Member | can view": the model's name and what the permission allows, translated; a
    model's own permissions (``Meta.permissions``) by their declared, translated names."""
    model = permission.content_type.model_class()
    if model is None:  # a model no longer installed
        return permission.name
    opts = model._meta
    action, _underscore, model_name = permission.codename.partition("_")
    if model_name == opts.model_name and action in PERMISSION_ACTIONS:
        allows = PERMISSION_ACTIONS[action]
    else:
        allows = dict(opts.permissions).get(permission.codename, permission.name)
    return f"{capfirst(opts.verbose_name)} | {allows}"


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    """The staff roles (``members.roles``) with their permissions named in the staff's
    language."""

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest,
                                 **kwargs: Any) -> Any:
        if db_field.name == "permissions":
            kwargs["form_class"] = PermissionsField
        return super().formfield_for_manytomany(db_field, request, **kwargs)
