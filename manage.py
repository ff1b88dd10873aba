#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
    from clinic_site.env import ConfigurationError

    try:
        import clinic_site.settings  # noqa: F401  (bad configuration: one line, no traceback)
    except ConfigurationError as exc:
        sys.exit(f"Configuration error: {exc}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
