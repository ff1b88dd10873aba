"""Read-only admin pages of the privacy manager's console: the inventory and open requests.

Each is a model without a table (``privacy.Inventory``, ``privacy.OpenRequest``), so the pages
sit in the admin index under Privacy and are governed by ordinary permissions:
``privacy.view_inventory`` and ``privacy.view_openrequest`` (given to the privacy-manager
role). Staff without them get 403. Nothing here writes, and nothing shows a personal value.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.console.inventory import (
    INVENTORY_COLUMNS,
    inventory_rows,
    inventory_take,
    open_requests,
)
from privacy.models import Inventory, OpenRequest


class ConsolePageAdmin(admin.ModelAdmin):
    """A single read-only page in place of the changelist; no add, change or delete."""

    template_name = ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def page_context(self, request: HttpRequest) -> dict[str, Any]:
        raise NotImplementedError

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return TemplateResponse(request, self.template_name, {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.opts.verbose_name_plural,
            **self.page_context(request),
        })


@admin.register(Inventory)
class InventoryAdmin(ConsolePageAdmin):
    template_name = "admin/privacy/inventory.html"

    def page_context(self, request: HttpRequest) -> dict[str, Any]:
        inventory = inventory_take(actor=request.user.get_username())
        rows = inventory_rows(inventory)
        return {
            "columns": [(key, label) for key, label in INVENTORY_COLUMNS
                        if key not in ("kind", "purposes")],
            "item_rows": [row for row in rows if row["kind"] == "item"],
            "purpose_rows": [row for row in rows if row["kind"] == "purpose"],
            "taken_at": inventory.taken_at,
        }


@admin.register(OpenRequest)
class OpenRequestAdmin(ConsolePageAdmin):
    template_name = "admin/privacy/open_requests.html"

    def page_context(self, request: HttpRequest) -> dict[str, Any]:
        now = timezone.now()
        return {"requests": open_requests(now), "today": timezone.localdate(now),
                "empty_text": _("No open requests or complaints.")}
