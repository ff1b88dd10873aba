"""Export: reauthentication, a zip with every item that has a value, logged, nobody else's."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from privacy.access_log import access_log_verify
from privacy.models import AccessLogEntry, RightsRequest
from privacy.selfservice.selectors import items_held
from tests.members.factories import log_in, reauthenticate

pytestmark = pytest.mark.django_db

URL = "/privacy/my-data/export/"


def _download(client: Client, url: str = URL) -> tuple[dict[str, Any], str]:
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["data.html", "data.json"]
    return json.loads(archive.read("data.json")), archive.read("data.html").decode()


def test_export_needs_reauthentication(client: Client, owner: Any) -> None:
    log_in(client, owner)
    client.logout()
    log_in(client, owner)
    # A fresh login counts as recent authentication; an old one must confirm again.
    session = client.session
    session["account_authentication_records"] = []
    session.save()
    response = client.post(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not RightsRequest.objects.exists()


def test_export_holds_every_item_with_a_value_and_no_one_elses(
    client: Client, owner: Any, other: Any
) -> None:
    log_in(client, owner)
    reauthenticate(client)
    assert client.get(URL).status_code == 200
    expected = {view.item.key for view in items_held(member=owner, viewer=owner) if view.rows}
    document, page = _download(client)

    assert {item["key"] for item in document["items"]} == expected
    text = json.dumps(document, ensure_ascii=False)
    for value in ("010-1111-2222", "02-123-4567", "서울시 중구 own로 1", "질문 본문 own",
                  "후기 본문 own", "보험사 own", "198.51.100.4"):
        assert value in text, value
        assert value in page, value
    for value in ("010-3333-4444", "다른회원", "질문 본문 other", "보험사 other",
                  str(other.subject_ref), other.username):
        assert value not in text, value
        assert value not in page, value
    assert owner.password not in text


def test_export_is_logged_and_recorded(client: Client, owner: Any) -> None:
    log_in(client, owner)
    reauthenticate(client)
    _download(client)
    entry = AccessLogEntry.objects.get(action="data_export:web")
    assert entry.subject_ref == owner.subject_ref and entry.actor == owner.username
    request = RightsRequest.objects.get(kind="export")
    assert request.subject_ref == owner.subject_ref and request.completed_at is not None
    assert (request.due_on - timezone.localdate(request.received_at)).days == 10


def test_the_export_entry_joins_the_access_log_chain(client: Client, owner: Any) -> None:
    """Written around the chain, an entry made verify-access-log report a break."""

    log_in(client, owner)
    reauthenticate(client)
    _download(client)
    report = access_log_verify()
    assert report.problem is None and report.checked == 1


def test_the_html_file_escapes_what_members_typed(client: Client, owner: Any) -> None:
    owner.home_address = '<script>alert("x")</script>'
    owner.save()
    log_in(client, owner)
    reauthenticate(client)
    _document, page = _download(client)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_a_representative_exports_the_child_only(client: Client, family: Any,
                                                 other: Any) -> None:
    parent, child = family
    log_in(client, parent)
    reauthenticate(client)
    document, _page = _download(client, f"/privacy/my-data/child/{child.pk}/export/")
    text = json.dumps(document, ensure_ascii=False)
    assert "010-7777-8888" in text and "질문 본문 child" in text
    assert "010-5555-6666" not in text and "010-3333-4444" not in text
    assert client.post(f"/privacy/my-data/child/{other.pk}/export/").status_code == 404


def test_export_is_post_only_for_the_download(client: Client, owner: Any) -> None:
    log_in(client, owner)
    reauthenticate(client)
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not RightsRequest.objects.exists()


def test_the_exported_page_reads_on_a_phone(client: Client, owner: Any) -> None:
    """data.html is opened on its own, often on a phone: it sets its viewport and carries its
    styles, with the tables turning into labelled cards on a narrow screen."""
    log_in(client, owner)
    reauthenticate(client)
    _, page = _download(client)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media (max-width:37.5em)" in page
    assert "<link" not in page and "<script" not in page  # nothing fetched from the site
    assert 'data-label="수집 일시"' in page
