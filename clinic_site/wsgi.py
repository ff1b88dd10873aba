"""WSGI entry point for gunicorn (see gunicorn.conf.py)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")

from clinic_site.env import ConfigurationError

try:
    import clinic_site.settings  # noqa: F401  (fail fast, with one line, on bad configuration)
except ConfigurationError as exc:
    sys.exit(f"Configuration error: {exc}")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
