"""The shape shared by every privacy-manager action."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar

from django.core.management.base import CommandError
from tqdm import tqdm

T = TypeVar("T")


class Action:
    """One ``privacy <action>``. Subclasses set ``help`` and implement ``run``.

    ``changes_data`` actions get ``--dry-run`` automatically; ``run`` must then change nothing
    and report what it would do.
    """

    help: str = ""
    changes_data: bool = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the action's own arguments."""

    def run(self, options: dict[str, Any], out: TextIO) -> None:
        raise NotImplementedError

    # Helpers for subclasses -------------------------------------------------------------------

    @staticmethod
    def fail(message: str) -> CommandError:
        """A clear one-line error; the command exits non-zero with it."""
        return CommandError(message)

    @staticmethod
    def add_output_argument(parser: argparse.ArgumentParser) -> None:
        """``--output FILE.zip`` of the actions that write a subject's data to a file."""
        parser.add_argument("--output", required=True, metavar="FILE.zip",
                            help="Where to write the zip (must not exist).")

    @staticmethod
    def new_output_file(value: str) -> Path:
        """Where an action writes a subject's data: a new file in an existing directory, so a
        typo never overwrites another person's export."""
        target = Path(value)
        if target.exists():
            raise CommandError(f"{target} exists already; choose a new file name")
        if not target.parent.is_dir():
            raise CommandError(f"directory {target.parent} does not exist")
        return target

    @staticmethod
    def progress(items: Iterable[T], *, total: int | None, label: str, out: TextIO) -> Iterator[T]:
        """A progress bar on the terminal (hidden when output is not a terminal, as in cron)."""
        yield from Action.progress_bar(items, total=total, label=label, out=out, unit="rec")

    @staticmethod
    def progress_bar(items: Iterable[T] | None = None, *, total: int | None, label: str,
                     out: TextIO, unit: str = "msg") -> tqdm:
        """The bar itself, for senders that advance it by hand (``bar.update()``); hidden when
        output is not a terminal."""
        stream = getattr(out, "_out", out)
        disable = not getattr(stream, "isatty", lambda: False)()
        return tqdm(items, total=total, desc=label, unit=unit, file=stream, disable=disable)
