"""ASGI entry point (the site is served by gunicorn over WSGI; this is for completeness)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")

from clinic_site.env import ConfigurationError

try:
    import clinic_site.settings  # noqa: F401
except ConfigurationError as exc:
    sys.exit(f"Configuration error: {exc}")

from django.core.asgi import get_asgi_application

application = get_asgi_application()
