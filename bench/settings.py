"""Settings of the benchmark runs: the site's settings plus one bench-only URL (``bench.urls``).

Never used by the site itself; ``bench/bench_pages.py`` points gunicorn at it."""

from clinic_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
