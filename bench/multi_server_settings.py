"""Settings for bench/multi_server.py only: production settings with a higher guest-post limit.

Every simulated client comes from 127.0.0.1, so the per-address limit of guest consultations
would turn the load into a test of the limiter; log-in limits stay as in production, since the
script checks that both servers share them.
"""

from clinic_site.settings import *  # noqa: F403

CONSULTATIONS_GUEST_CREATE_RATE_LIMIT = "100000/1m/ip"
CONSULTATIONS_GUEST_READ_RATE_LIMIT = "100000/1m/ip"
