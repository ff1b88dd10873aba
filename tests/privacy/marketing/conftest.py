from __future__ import annotations

import pytest

from privacy.processors import sms


@pytest.fixture(autouse=True)
def _marketing_settings(settings: object) -> None:
    settings.SMS_BACKEND = "privacy.processors.sms.LocmemBackend"
    settings.SITE_URL = "https://www.jangps.example"
    sms.outbox.clear()
