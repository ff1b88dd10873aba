"""Template tags for the layout's ``<head>``: what search engines and link previews read.

A page names its title and description once, in blocks; the layout captures them so that
``<title>``, the meta description and the OpenGraph tags say the same thing.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.base import Parser, Token
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        # Rendered output is already escaped; joining its words adds no character to escape.
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))  # noqa: S308
        return ""


@register.tag
def capture(parser: Parser, token: Token) -> CaptureNode:
    """``{% capture as name %}…{% endcapture %}``: render the enclosed template once, with its
    blocks, into the variable ``name`` (whitespace collapsed), and print nothing."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.simple_tag(takes_context=True)
def canonical_url(context: dict[str, Any]) -> str:
    """The page's one address for search engines and sharing: ``SITE_URL`` and the path,
    without the query string (paging, search, filters), never the Host header; or "".

    "" when there is no request (the server-error page renders from settings alone) or when
    the address is none of the site's (the 404 page must not echo what was typed)."""
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return ""
    return f"{settings.SITE_URL}{request.path}"
