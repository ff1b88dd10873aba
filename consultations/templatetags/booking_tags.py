"""The member's booking requests on "my page" (the members app's page cannot import this app,
so the page loads this tag)."""

from __future__ import annotations

from typing import Any

from django import template

from consultations.selectors import booking_requests_of
from members.models import Member

register = template.Library()

MY_PAGE_BOOKINGS = 10


@register.inclusion_tag("consultations/_my_bookings.html", takes_context=True)
def my_booking_requests(context: template.Context, member: Member) -> dict[str, Any]:
    return {
        "bookings": list(booking_requests_of(member)[:MY_PAGE_BOOKINGS]),
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
    }
