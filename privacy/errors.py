"""The error privacy services raise for bad input: one line for the shell, the admin or a
form to show."""

from __future__ import annotations


class PrivacyError(ValueError):
    """A request the privacy records refuse, with a message fit for the operator or user."""
