"""Production static files: hashed names from WhiteNoise's manifest, served with a far-future
cache lifetime, and never a directory listing or a file outside the static root."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

HASHED_CSS = re.compile(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"')


@pytest.fixture
def manifest_static(settings, tmp_path: Path) -> Path:
    settings.STATIC_ROOT = tmp_path
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", stdout=StringIO())
    return tmp_path


def test_pages_link_hashed_static_files_served_with_a_long_cache_life(
    manifest_static: Path,
) -> None:
    client = Client()  # a new client loads WhiteNoise over the collected files
    html = client.get("/").content.decode()
    match = HASHED_CSS.search(html)
    assert match, "the layout does not link the hashed stylesheet"
    response = client.get(match.group(1))
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/static/", "/static/css/", "/static/../manage.py",
                                  "/static/%2e%2e/manage.py", "/static/css/nope.css"])
def test_no_listing_and_nothing_outside_the_static_root(manifest_static: Path,
                                                        path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert b"execute_from_command_line" not in response.content
