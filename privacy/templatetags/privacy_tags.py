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


def _text(value: Any) -> str:
    return escape_text(str(value))


def _or_dash(value: Any) -> str:
    return _text(value) if value else "-"


def _list_item(*parts: str) -> str:
    return f"<li>{' · '.join(parts)}</li>"


def _consultation_entry(row: Any) -> str:
    return _list_item(day(row.created_at), _text(row.get_kind_display()), _text(row.area),
                      _text(row.title))


def _review_entry(row: Any) -> str:
    return _list_item(day(row.created_at), _text(row.area),
                      f"{_text(row.title)} ({_text(row.get_status_display())})")


def _login_entry(row: Any) -> str:
    return _list_item(minute(row.recorded_at), _or_dash(row.ip_address),
                      _text(row.get_result_display()))


def _disclosure_entry(row: Any) -> str:
    return _list_item(minute(row.disclosed_at), _text(row.recipient),
                      ", ".join(map(_text, row.item_labels)),
                      _text(row.get_legal_basis_display()))


def _restriction_entry(row: Any) -> str:
    until = day(row.lifted_at) if row.lifted_at else _text(_("in force"))
    return _list_item(", ".join(map(_text, row.item_labels)), _text(row.get_reason_display()),
                      f"{day(row.started_at)} – {until}")


def _request_entry(row: Any) -> str:
    if row.completed_at:
        state = f"{_text(_('completed'))} {day(row.completed_at)}"
    else:
        state = _text(_("open, answer due by %(due)s") % {"due": day(row.due_on)})
    return _list_item(day(row.received_at), _text(row.get_kind_display()),
                      _text(row.get_channel_display()), state)


_LIST_ENTRIES = {
    "consultations": _consultation_entry,
    "reviews": _review_entry,
    "logins": _login_entry,
    "disclosures": _disclosure_entry,
    "restrictions": _restriction_entry,
    "requests": _request_entry,
}


def _consents_table(rows: list[Any], *, is_own: bool) -> str:
    heads = [_("When"), _("Consent"), _("Decision"), _("Policy version")]
    if is_own:
        heads.append(_("Receipt"))
    parts = ['<table class="policy-table">\n  <thead><tr>',
             "".join(f'<th scope="col">{_text(head)}</th>' for head in heads),
             "</tr></thead>\n  <tbody>\n"]
    granted, refused, download = _("granted"), _("withdrawn or refused"), _("Download")
    for record in rows:
        version = record.policy_version.version if record.policy_version else ""
        receipt = ""
        if is_own:
            url = reverse("privacy:consent_receipt", kwargs={"pk": record.pk})
            receipt = f'<td><a href="{_text(url)}" download>{_text(download)}</a></td>'
        parts.append(
            f"    <tr><td>{minute(record.recorded_at)}</td><td>{_text(record.consent_label)}</td>"
            f"<td>{_text(granted if record.granted else refused)}</td>"
            f"<td>{_or_dash(version)}</td>{receipt}</tr>\n"
        )
    parts.append("  </tbody>\n</table>")
    return "".join(parts)


@register.simple_tag
def list_entries(key: str, rows: list[Any], is_own: bool = False) -> SafeString:
    """The entries of one list of "my data" (``selectors.SECTIONS``: rows of list ``key``),
    on the overview and on the list's own pages; written here, escaped, for the reason
    ``held_item`` gives."""
    if key == "consents":
        return SafeString(_consents_table(rows, is_own=is_own))
    entry = _LIST_ENTRIES.get(key)
    if entry is None:
        return SafeString("")
    return SafeString(f"<ul>{''.join(entry(row) for row in rows)}</ul>")
