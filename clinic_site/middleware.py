"""Site-wide middleware that belongs to no app."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from clinic_site.logs import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
# An id set by the proxy (nginx's $request_id, overwriting any the client sent) is kept, so its
# log and ours share it; a missing or odd-looking one is replaced by a fresh id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


class RequestIdMiddleware:
    """Gives each request an id that every log line of it carries (``clinic_site.logs``) and
    the response names in ``X-Request-ID``, so a visitor's report of a failing page can be
    matched to the server's lines without the visitor giving anything personal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
