"""Fixed markup, rendered once per process and kept with holes for what each request fills
in (its CSRF token, the path to come back to, the words searched).

The header, the footer and the cookie banner are on every page and depend only on the
language, whether the visitor is signed in, the settings and the code; rendering them with
the template engine cost as much as the rest of a page. The same holds for the board's
heading and my data's declarations; the policy banner also depends on the version announced,
which its caller puts in the key (``variant``). They are kept in the process's "layout" cache
(``CACHES["layout"]``: nothing personal, and a deployment starts with new ones); the holes are
stand-in words no translation or URL contains, replaced by the request's values escaped as the
template would escape them. A value that is already markup (``SafeString``) goes in as it
is: pass only markup the caller wrote and escaped itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

HOLES = ("csrf_token", "next_path")
_HOLE = re.compile(r"keptmarkup([a-z_]+)hole7d1e")


def _hole(name: str) -> str:
    """The stand-in rendered into the kept markup for ``name``: ASCII letters and
    underscores only, so escaping leaves it as it is, and no translation or URL has it."""
    return f"keptmarkup{name}hole7d1e"


def kept_markup(template_name: str, *, variant: tuple[Any, ...] = (),
                context: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
                holes: tuple[str, ...] = HOLES) -> str:
    """``template_name`` rendered once per language and ``variant`` (what else it depends
    on besides the code and the settings, e.g. the signed-in state) with ``context`` (or what
    ``context()`` returns: built only when the markup is rendered), and stand-ins for
    ``holes``."""
    language = get_language() or settings.LANGUAGE_CODE
    cache = caches["layout"]
    key = "kept:" + ":".join(map(str, (template_name, language, *variant)))
    markup = cache.get(key)
    if markup is None:
        values = context() if callable(context) else context or {}
        markup = str(render_to_string(
            template_name, {**values, **{name: _hole(name) for name in holes}}
        ))
        cache.set(key, markup)
    return markup


def fill_holes(markup: str, **values: str) -> SafeString:
    """``markup`` with each hole's value for this request, escaped unless it is markup
    already (``SafeString``, e.g. options written by ``clinic_site.markup``), in one pass (a
    value is never read again for holes)."""
    escaped = {name: conditional_escape(value) for name, value in values.items()}
    return SafeString(_HOLE.sub(lambda found: escaped.get(found.group(1), ""), markup))


def fill_request_holes(markup: str, context: Any) -> SafeString:
    """``markup`` with the CSRF token and the path of the template ``context``'s request
    (none: a page rendered without one, such as an error page)."""
    request = context.get("request")
    return fill_holes(markup, csrf_token=str(context.get("csrf_token", "")),
                      next_path=request.get_full_path() if request is not None else "")
