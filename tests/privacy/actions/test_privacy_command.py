"""The privacy manager's entry point: `manage.py privacy <action>`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from privacy import registry


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def test_registry_action_lists_every_item() -> None:
    output = run("registry")
    for item in registry.ITEMS:
        assert f"{item.key}:" in output


def test_unknown_item_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="unknown item 'shoe_size'"):
        run("registry", "--item", "shoe_size")


def test_an_action_is_required() -> None:
    with pytest.raises(CommandError):
        run()
