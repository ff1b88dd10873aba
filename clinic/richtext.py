"""Rich text that staff write in the admin: a small set of safe markup, nothing that runs.

Staff paste text from word processors and other sites; what reaches a patient's browser must be
headings, paragraphs, lists, emphasis and plain links only. ``nh3`` (the Rust ``ammonia``
sanitiser) removes everything else, and a script in the input is refused with a message,
so staff see that it was not kept rather than finding it silently gone."""

from __future__ import annotations

import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h3", "h4", "blockquote", "a",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# What makes markup run code: a script or style element, an event handler attribute, a
# javascript: URL, an embedded frame or object.
_ACTIVE_CONTENT = re.compile(
    r"<\s*(script|style|iframe|object|embed|svg|math)\b|\son\w+\s*=|javascript\s*:",
    re.IGNORECASE,
)


def sanitise(value: str) -> str:
    """``value`` with only the allowed markup kept (links open no window of ours)."""
    return nh3.clean(
        value, tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer nofollow",
    )


def validate_no_script(value: str) -> None:
    """Refuse markup that would run code, naming what to remove."""
    if _ACTIVE_CONTENT.search(value):
        raise ValidationError(
            _("Scripts, event handlers, frames and javascript: links are not allowed here. "
              "Remove them; headings, paragraphs, lists, bold, italics and links are kept."),
            code="script",
        )


def clean_rich_text(value: str) -> str:
    """The admin's clean step: refuse scripts, then keep only the allowed markup."""
    validate_no_script(value)
    return sanitise(value)
