"""``privacy registry``: print the collection items as the registry declares them."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from privacy import registry
from privacy.actions.base import Action


class RegistryAction(Action):
    help = "List every declared collection item: purposes, legal basis, fields and retention."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--item", help="Show one item (by key) only.")

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        items = registry.ITEMS
        if options.get("item"):
            if options["item"] not in registry.ITEMS_BY_KEY:
                known = ", ".join(registry.ITEMS_BY_KEY)
                raise self.fail(f"unknown item {options['item']!r}; known items: {known}")
            items = (registry.ITEMS_BY_KEY[options["item"]],)
        for item in items:
            purposes = ", ".join(str(purpose.label) for purpose in item.purposes)
            out.write(f"{item.key}: {item.label}\n")
            out.write(f"  purposes: {purposes}\n  basis: {item.basis.label}\n")
            out.write(f"  required: {'yes' if item.required else 'no'}; "
                      f"encrypted: {'yes' if item.encrypted else 'no'}\n")
            out.write(f"  fields: {', '.join(item.fields) or '-'}\n")
            out.write(f"  retention: {item.retention.key} ({item.retention.achieved_when})\n")


ACTION = RegistryAction()
