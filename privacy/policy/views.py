"""The policy page, its archived versions and the comparison of a version with the one before."""

from __future__ import annotations

import html
import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from privacy.ledger import policy_version_current_cached
from privacy.models import PolicyVersion
from privacy.policy.comparison import comparison_rows
from privacy.policy.selectors import policy_version_previous, policy_versions_all
from privacy.policy.services import policy_page_context


def _language() -> str:
    return "en" if (get_language() or "ko").startswith("en") else "ko"


@require_safe
def policy_current(request: HttpRequest) -> HttpResponse:
    """The policy as the registry declares it, under the version currently in force."""
    return render(
        request,
        "privacy/policy.html",
        {"version": policy_version_current_cached(), **policy_page_context()},
    )


@require_safe
def policy_versions(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/policy_versions.html",
                  {"versions": policy_versions_all()})


@require_safe
def policy_version(request: HttpRequest, version: str) -> HttpResponse:
    """A published version exactly as it was frozen when published."""
    published = get_object_or_404(PolicyVersion, version=version)
    return render(request, "privacy/policy_version.html", {
        "version": published,
        "content": published.content(_language()),
        "previous": policy_version_previous(published),
    })


_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)


_BLOCK_END = re.compile(r"</(?:p|li|tr|dt|dd|h[1-6]|table|ul|dl)>", re.IGNORECASE)


def _text_lines(frozen_html: str) -> list[str]:
    """The frozen text as lines a reader can compare: one per paragraph, row or list item."""
    flat = " ".join(frozen_html.split())
    marked = _BLOCK_END.sub("\n", _CELL_END.sub(" | ", flat.replace("<br>", " ")))
    text = html.unescape(strip_tags(marked))
    lines = (" ".join(line.split()).removesuffix(" |") for line in text.splitlines())
    return [line for line in lines if line]


@require_safe
def policy_version_diff(request: HttpRequest, version: str) -> HttpResponse:
    """What changed from the previous version, as a side-by-side old/new table (신구대비표)."""
    published = get_object_or_404(PolicyVersion, version=version)
    previous = policy_version_previous(published)
    if previous is None:
        raise Http404
    language = _language()
    rows = comparison_rows(_text_lines(previous.content(language)),
                           _text_lines(published.content(language)))
    return render(request, "privacy/policy_diff.html",
                  {"version": published, "previous": previous, "rows": rows})
