"""``python manage.py privacy <action>``: the privacy manager's commands, grouped in one place.

Each action lives in ``privacy/actions/<action>.py``; ``privacy --help`` lists them.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError

import privacy.actions
from privacy.actions.base import Action


def discover_actions() -> dict[str, Action]:
    actions: dict[str, Action] = {}
    for module_info in pkgutil.iter_modules(privacy.actions.__path__):
        if module_info.name.startswith("_") or module_info.name == "base":
            continue
        module = importlib.import_module(f"privacy.actions.{module_info.name}")
        action = getattr(module, "ACTION", None)
        if isinstance(action, Action):
            actions[module_info.name.replace("_", "-")] = action
    return dict(sorted(actions.items()))


class Command(BaseCommand):
    help = "Privacy manager's actions. Run `privacy <action> --help` for each one."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        subparsers = parser.add_subparsers(
            dest="action", metavar="<action>", required=True,
            parser_class=type(parser),  # CommandParser: errors raise CommandError, not exit
        )
        for name, action in discover_actions().items():
            sub = subparsers.add_parser(name, help=action.help, description=action.help,
                                        called_from_command_line=getattr(
                                            parser, "called_from_command_line", None))
            if action.changes_data:
                sub.add_argument(
                    "--dry-run", action="store_true",
                    help="Show what would change, change nothing.",
                )
            action.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["action"]
        action = discover_actions().get(name)
        if action is None:  # pragma: no cover - argparse refuses unknown actions first
            raise CommandError(f"unknown action {name!r}")
        # OutputWrapper is the TextIOBase Django wraps stdout in (adding the line ending);
        # it forwards everything else to that stream, which is what the actions write to.
        action.run(options, cast(TextIO, self.stdout))
