"""Filters of the member pages."""

from __future__ import annotations

from django import template

from members.devices import device_summary as _device_summary

register = template.Library()


@register.filter
def device_summary(user_agent: str) -> str:
    """A session's browser and system in words (``members.devices.device_summary``)."""
    return _device_summary(user_agent)
