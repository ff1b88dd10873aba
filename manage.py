#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
    # Imported here, after the settings module is named: a bad configuration stops with one
    # line and no traceback.
    from clinic_site.env import ConfigurationError  # noqa: PLC0415

    try:
        import clinic_site.settings  # noqa: F401, PLC0415
    except ConfigurationError as exc:
        sys.exit(f"Configuration error: {exc}")
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
