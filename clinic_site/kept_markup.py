"""Fixed parts of the layout, rendered once per process and kept with holes for what each
request fills in (its CSRF token, the path to come back to).

The header, the footer and the cookie banner are on every page and depend only on the
language, whether the visitor is signed in, the settings and the code; rendering them with
the template engine cost as much as the rest of a page. They are kept in the process's
"layout" cache (``CACHES["layout"]``: nothing personal, and a deployment starts with new
ones); the holes are stand-in words no translation or URL contains, replaced by the
request's values escaped as the template would escape them."""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString

HOLES = ("csrf_token", "next_path")


def _hole(name: str) -> str:
    """The stand-in rendered into the kept markup for ``name``: ASCII letters only, so
    escaping leaves it as it is, and no translation or URL contains it."""
    return f"keptmarkup{name.replace('_', '')}hole7d1e"


def kept_markup(template_name: str, *, variant: tuple[Any, ...],
                context: dict[str, Any] | None = None,
                holes: tuple[str, ...] = HOLES) -> str:
    """``template_name`` rendered once per ``variant`` (what it depends on besides the code
    and the settings, e.g. the language) with ``context``, and stand-ins for ``holes``."""
    cache = caches["layout"]
    key = "kept:" + ":".join(map(str, (template_name, *variant)))
    markup = cache.get(key)
    if markup is None:
        markup = str(render_to_string(
            template_name, {**(context or {}), **{name: _hole(name) for name in holes}}
        ))
        cache.set(key, markup)
    return markup


def fill_holes(markup: str, **values: str) -> SafeString:
    """``markup`` with each hole's value for this request, escaped."""
    for name, value in values.items():
        markup = markup.replace(_hole(name), escape(value))
    return SafeString(markup)
