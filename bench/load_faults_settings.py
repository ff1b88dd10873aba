"""Settings for bench/load_faults.py only: production settings without allauth's rate limits.

Every simulated client of the load run comes from 127.0.0.1, so per-IP limits (20 sign-ups a
minute, 10 guest consultations an hour) would turn the run into a test of the limiter; in
production each visitor has an IP.
"""

from clinic_site.settings import *  # noqa: F403

ACCOUNT_RATE_LIMITS = False
CONSULTATIONS_GUEST_CREATE_RATE_LIMIT = "100000/1m/ip"
CONSULTATIONS_GUEST_READ_RATE_LIMIT = "100000/1m/ip"
