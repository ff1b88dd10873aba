"""Template tags of the privacy pages."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from clinic_site.kept_markup import fill_holes, kept_markup
from clinic_site.markup import escape_text
from privacy.selectors import policy_version_upcoming

register = template.Library()


@register.simple_tag
def policy_banner() -> SafeString:
    """The banner announcing an upcoming policy version, or nothing (one cached query at
    most; the markup kept rendered per version and language)."""
    upcoming = policy_version_upcoming()
    if upcoming is None:
        return SafeString("")
    return SafeString(kept_markup(
        "includes/policy_banner.html", variant=(upcoming.version, upcoming.effective_on),
        context={"upcoming": upcoming}, holes=(),
    ))


def _local(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


@register.filter
def minute(value: Any) -> str:
    """``value`` as ``YYYY-MM-DD HH:MM`` in the site's time zone (a date as ``YYYY-MM-DD``).

    What ``|date:"Y-m-d H:i"`` prints, at a fraction of its cost: the "my data" pages print
    dozens of times and ``date`` interprets its format anew for each."""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, datetime.date) else ""


@register.filter
def day(value: Any) -> str:
    """``value`` as ``YYYY-MM-DD`` in the site's time zone (``|date:"Y-m-d"``, cheaper)."""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, datetime.date) else ""



@register.simple_tag
def held_item(view: Any) -> SafeString:
    """One item of "my data" (a ``selfservice.selectors.ItemView``): what it is held for and
    its records.

    The declarations are the same for everyone and kept rendered per language and item
    (``clinic_site.kept_markup``); the records are written here, escaped, as the board's
    rows are: the overview shows a score of items and the template engine cost more than
    reading and decrypting them."""
    item = view.item
    declarations = kept_markup(
        "privacy/selfservice/_item_declarations.html", variant=(item.key,),
        context={"item": item},
    )
    parts = ["<dl>\n  ", declarations]
    if view.legal_hold:
        parts.append(f'  <dt>{escape_text(_("Kept by law"))}</dt>'
                     f'<dd class="legal-hold">{escape_text(view.legal_hold.message())}</dd>\n')
    parts.append("</dl>\n")
    if not view.linked:
        unlinked = _("These records are not linked to your account, so we cannot show them "
                     "here.")
        parts.append(f"<p>{escape_text(unlinked)}</p>")
    elif view.rows:
        parts.append(kept_markup("privacy/selfservice/_held_item_table_head.html"))
        for row in view.rows:
            fields = "<br>".join(
                f'<span class="field">{escape_text(label)}: {escape_text(value)}</span>'
                for label, value in row.filled
            )
            when = minute(row.collected_at) if row.collected_at else "-"
            parts.append(f"    <tr><td>{when}</td>\n      <td>{fields}</td></tr>\n")
        parts.append("  </tbody>\n</table>")
    else:
        parts.append(f"<p>{escape_text(_('None.'))}</p>")
    return SafeString("".join(parts))


@register.simple_tag(takes_context=True)
def item_request_form(context: Any) -> SafeString:
    """The form asking the officer to correct or delete an item: its choices are the
    registry's items, the same for everyone, so it is kept rendered per language with
    holes for the request's CSRF token and the form's address (a child's own)."""
    from privacy.selfservice.forms import ItemRequestForm

    markup = kept_markup(
        "privacy/selfservice/_request_form.html",
        context=lambda: {"request_form": ItemRequestForm()}, holes=("csrf_token", "action"),
    )
    return fill_holes(markup, csrf_token=str(context.get("csrf_token", "")),
                      action=context["urls"]["request"])


@register.simple_tag
def held_items(views: list[Any], child_pk: int | None = None) -> SafeString:
    """The items of "my data" that hold records (or whose records are not linked to the
    account), each an article with its records and, when there are more, a link to the
    item's own pages (``child_pk``: a child's, for their legal representative)."""
    restricted = escape_text(_("restricted: not used or provided until your request is "
                               "handled"))
    articles = []
    for view in views:
        if not (view.rows or not view.linked):
            continue
        label = escape_text(str(view.item.label))
        heading = label + (f' <strong class="restricted">({restricted})</strong>'
                           if view.restricted else "")
        more = ""
        if view.has_more:
            url = (reverse("privacy:my_data_item_child", args=[child_pk, view.item.key])
                   if child_pk else reverse("privacy:my_data_item", args=[view.item.key]))
            shown = _("The newest %(shown)s of %(total)s records are shown.") % {
                "shown": len(view.rows), "total": view.count}
            see_all = _("See all %(total)s records: %(label)s") % {
                "total": view.count, "label": view.item.label}
            more = (f'\n    <p class="meta">{escape_text(shown)}\n      '
                    f'<a href="{escape_text(url)}">{escape_text(see_all)}</a></p>')
        articles.append(
            f'<article class="held-item" id="item-{escape_text(view.item.key)}">\n'
            f"    <h3>{heading}</h3>\n    {held_item(view)}{more}\n  </article>"
        )
    return SafeString("\n  ".join(articles))
