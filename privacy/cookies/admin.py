"""Staff's view of the visit records (a read-only list and a small report per day and hour), and
django-cookie-consent's cookie and cookie-group lists under translated column names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cookie_consent import admin as cookie_consent_admin
from cookie_consent.models import Cookie, CookieGroup
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.admin_mixins import ReadOnlyAdminMixin, YesNoIconsAdmin
from privacy.cookies.charts import bar_chart
from privacy.cookies.selectors import visit_counts_by_day, visit_counts_by_hour
from privacy.models import Visit

REPORT_DAYS = 30


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Visits are evidence of use, not something staff edit: read only."""

    list_display = ["visited_at", "path", "visitor_id"]
    date_hierarchy = "visited_at"
    show_full_result_count = False
    change_list_template = "admin/privacy/visit/change_list.html"

    def get_urls(self) -> list[Any]:
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name="privacy_visit_report"), *super().get_urls()]

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        last = timezone.localdate()
        first = last - timedelta(days=REPORT_DAYS - 1)
        by_day = visit_counts_by_day(first=first, last=last)
        by_hour = visit_counts_by_hour(first=first, last=last)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Visits report"),
            "first": first,
            "last": last,
            "total": sum(count for _, count in by_day),
            "day_chart": bar_chart([(f"{day:%m-%d}", n) for day, n in by_day], label_every=5),
            "hour_chart": bar_chart([(f"{hour:02d}", n) for hour, n in by_hour], label_every=3),
        }
        return TemplateResponse(request, "admin/privacy/visit/report.html", context)


# django-cookie-consent lists a property (``Cookie.varname``) and a method (``get_version``)
# without a description, which Django's admin heads "Varname" and "Get version" in every
# language. Its admin module is imported above, before autodiscovery would, so these
# registrations replace its own.
for model in (Cookie, CookieGroup):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class CookieVersionColumn:
    @admin.display(description=_("version"))
    def version(self, obj: Cookie | CookieGroup) -> str:
        return obj.get_version()


@admin.register(Cookie)
class CookieAdmin(CookieVersionColumn, cookie_consent_admin.CookieAdmin):
    list_display = ("cookie_varname", "name", "cookiegroup", "path", "domain", "version")
    readonly_fields = ("cookie_varname",)

    @admin.display(description=_("cookie variable name"))
    def cookie_varname(self, obj: Cookie) -> str:
        return obj.varname


@admin.register(CookieGroup)
class CookieGroupAdmin(CookieVersionColumn, YesNoIconsAdmin,
                       cookie_consent_admin.CookieGroupAdmin):
    list_display = ("varname", "name", "is_required", "is_deletable", "num_cookies", "version")
