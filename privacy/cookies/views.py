"""The cookie settings page and the accept/refuse endpoints (django-cookie-consent's views, each
decision also written to the consent ledger)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cookie_consent.forms import ProcessCookiesForm
from cookie_consent.models import CookieGroup
from cookie_consent.processor import CookiesProcessor
from cookie_consent.views import (
    CookieGroupAcceptView,
    CookieGroupDeclineView,
    CookieGroupListView,
    is_ajax_like,
)
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.utils.translation import gettext as _

from privacy.cookies.services import cookie_decisions_record

if TYPE_CHECKING:
    from cookie_consent.views import CookieGroupBaseProcessView
    from django.db.models import QuerySet

    _ProcessView = CookieGroupBaseProcessView
else:
    _ProcessView = object


class CookieSettingsView(CookieGroupListView):
    """All groups, the necessary one included, with the cookies each one sets."""

    http_method_names = ["get", "head"]
    template_name = "cookie_consent/cookiegroup_list.html"

    def get_queryset(self) -> QuerySet[CookieGroup]:
        return CookieGroup.objects.prefetch_related("cookie_set").order_by("ordering", "id")


class _RecordedDecisionMixin(_ProcessView):
    """The library's processing, then the same decision into the consent ledger."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form = ProcessCookiesForm(data=request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Unknown cookie group."))
        cookie_groups = [group for group in form.get_cookie_groups() if not group.is_required]
        if not cookie_groups:
            return HttpResponseBadRequest(_("Choose at least one cookie group."))
        response: HttpResponseBase
        if is_ajax_like(request):
            response = HttpResponse(status=204)
        else:
            response = HttpResponseRedirect(self.get_success_url())
        CookiesProcessor(request, response).process(
            cookie_groups, action=self.cookie_process_action
        )
        cookie_decisions_record(
            request=request, response=response, cookie_groups=cookie_groups,
            granted=self.cookie_process_action == "accept",
        )
        return response


class CookieAcceptView(_RecordedDecisionMixin, CookieGroupAcceptView):
    pass


class CookieDeclineView(_RecordedDecisionMixin, CookieGroupDeclineView):
    pass
