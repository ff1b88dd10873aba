"""gunicorn configuration: `gunicorn clinic_site.wsgi` reads it from the working directory."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# Access logs carry paths and client addresses; the site's URLs hold no personal data, and the
# proxy in front keeps its own logs under its own retention.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 4094
limit_request_fields = 100
