"""Staff views of members, blocks and the access log (Django admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from members import services
from members.models import LoginRecord, Member, MemberBlock


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    """Accounts are created by sign-up (or ``createsuperuser``), never typed in by staff."""

    list_display = ("username", "name", "email", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff")
    search_fields = ("username", "name", "email")
    fields = ("username", "name", "email", "is_active", "is_staff", "groups", "date_joined",
              "last_login")
    readonly_fields = ("username", "date_joined", "last_login")
    filter_horizontal = ("groups",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(MemberBlock)
class MemberBlockAdmin(admin.ModelAdmin):
    list_display = ("member", "blocked_at", "blocked_by", "lifted_at")
    list_filter = ("lifted_at",)
    search_fields = ("member__username",)
    autocomplete_fields = ("member",)
    fields = ("member", "reason", "blocked_at", "blocked_by", "lifted_at", "lifted_by")
    readonly_fields = ("blocked_at", "blocked_by", "lifted_at", "lifted_by")
    actions = ["lift_blocks"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return (*self.readonly_fields, "member", "reason")
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: MemberBlock, form: Any, change: bool) -> None:
        if change:
            return
        block = services.member_block(member=obj.member, reason=obj.reason, actor=request.user)
        obj.pk = block.pk
        obj.blocked_at, obj.blocked_by = block.blocked_at, block.blocked_by

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Lift the selected blocks"))
    def lift_blocks(self, request: HttpRequest, queryset: QuerySet[MemberBlock]) -> None:
        for block in queryset:
            services.member_block_lift(block=block, actor=request.user)
        self.message_user(request, _("The blocks are lifted."), messages.SUCCESS)


@admin.register(LoginRecord)
class LoginRecordAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence and is removed only by the privacy purge."""

    list_display = ("recorded_at", "member", "ip_address", "result")
    list_filter = ("result",)
    search_fields = ("member__username",)
    list_select_related = ("member",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
