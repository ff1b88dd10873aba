"""Error reports (mail to ``ADMINS``) that say where the code failed, never what was sent.

Django's own filter hides only values named sensitive; on this site a consultation's body,
a name or a phone number in a form is as private as a password, and a path may carry a
one-time token. So in production every request value (GET, POST, files, cookies, headers,
the frames' local variables) is replaced by stars, the user by their number and the path by
the URL pattern that matched it. With ``DEBUG`` on, a developer's own error page shows all.
"""

from __future__ import annotations

import logging
from collections.abc import ItemsView, Iterable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Request headers that describe the request's shape only, kept in reports to help diagnose.
SHOWN_META = frozenset({"REQUEST_METHOD", "CONTENT_LENGTH", "CONTENT_TYPE", "SERVER_PROTOCOL"})
UNRESOLVED_PATH = "<a path matching no URL pattern>"


def request_route(request: HttpRequest) -> str:
    """The URL pattern the request's path matched (``/consultations/guest/<str:reference>/``),
    not the path itself."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNRESOLVED_PATH
    return "/" + match.route if match.route else UNRESOLVED_PATH


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Every request value and every local variable is hidden, not only the sensitive ones."""

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return {name: self.cleansed_substitute for name in request.POST}

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        if not self.is_active(request):
            return super().get_safe_request_meta(request)
        return {
            name: value if name in SHOWN_META else self.cleansed_substitute
            for name, value in getattr(request, "META", {}).items()
        }

    def get_safe_cookies(self, request: HttpRequest) -> dict[str, Any]:
        if not self.is_active(request):
            return super().get_safe_cookies(request)
        return {name: self.cleansed_substitute for name in getattr(request, "COOKIES", {})}

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: FrameType
                                      ) -> ItemsView[str, Any]:
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return {name: self.cleansed_substitute for name in tb_frame.f_locals}.items()


@dataclass(frozen=True)
class RequestSummary:
    """What the report's text template reads of the request, with the path as its pattern."""

    path_info: str
    META: dict[str, str] = field(default_factory=dict)  # named as on HttpRequest


class PrivateExceptionReporter(ExceptionReporter):
    """Django's report with the request's path, query, files and user replaced."""

    filter: PrivateExceptionReporterFilter

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        request = self.request
        if request is None or not self.filter.is_active(request):
            return data
        route = request_route(request)
        data["request"] = RequestSummary(path_info=route,
                                         META={"REQUEST_METHOD": str(request.method)})
        data["request_insecure_uri"] = route
        data["request_GET_items"] = self._hidden(request.GET)
        data["request_FILES_items"] = self._hidden(request.FILES)
        user = getattr(request, "user", None)
        data["user_str"] = (f"account #{user.pk}" if user is not None and user.is_authenticated
                            else "anonymous")
        return data

    def _hidden(self, names: Iterable[str]) -> list[tuple[str, str]]:
        return [(name, self.filter.cleansed_substitute) for name in names]


class RequestPathFilter(logging.Filter):
    """Django's request loggers name the path (``Internal Server Error: /path``); lines and
    mail subjects name its URL pattern instead, since a path can carry a one-time token."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and isinstance(record.args, tuple):
            record.args = tuple(
                request_route(request) if arg == request.path else arg for arg in record.args
            )
        return True
