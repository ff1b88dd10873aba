"""Filters and tags of the member pages."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django import template
from django.db.models import prefetch_related_objects

from members.devices import device_summary as _device_summary
from members.emails import address_email as _address_email
from members.emails import real_email as _real_email

register = template.Library()


@register.filter
def device_summary(user_agent: str) -> str:
    """A session's browser and system in words (``members.devices.device_summary``)."""
    return _device_summary(user_agent)


@register.simple_tag
def with_sealed_clients(sessions: list[UserSession]) -> list[UserSession]:
    """allauth's sessions with their sealed IP address and browser (``members.sessions``),
    read for the whole list in two queries rather than two per session."""
    prefetch_related_objects(sessions, "sealed_client__data_key")
    return sessions


@register.filter
def real_email(email: str) -> str:
    """The address an allauth stand-in stands for (``members.emails``), for the messages that
    name an address; a real address is itself."""
    return _real_email(str(email or ""))


@register.filter
def address_email(address: EmailAddress) -> str:
    """The address of one of allauth's rows, as its member typed it (``members.emails``)."""
    return _address_email(address)
