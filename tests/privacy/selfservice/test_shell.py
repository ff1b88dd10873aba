"""The privacy manager's actions on a member's behalf, and the report of requests."""

from __future__ import annotations

import datetime
import io
import json
import sys
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

import privacy.console.reports
from privacy.marketing.campaigns import campaign_recipients
from privacy.models import AccessLogEntry, RightsRequest
from privacy.selfservice.services import rights_request_record
from tests.members.factories import verify_email
from tests.privacy.marketing.factories import CampaignFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def run(*args: str) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def test_export_writes_the_members_zip_and_logs_it(owner: Any, other: Any,
                                                   tmp_path: Path) -> None:
    target = tmp_path / "export.zip"
    output = run("export", "--member", owner.username, "--channel", "mail", "--reference",
                 "L-2026-7", "--output", str(target))
    assert "exported" in output
    document = json.loads(zipfile.ZipFile(io.BytesIO(target.read_bytes())).read("data.json"))
    text = json.dumps(document, ensure_ascii=False)
    assert "010-1111-2222" in text and "010-3333-4444" not in text
    entry = AccessLogEntry.objects.get(action="data_export:mail")
    assert entry.subject_ref == owner.subject_ref and entry.actor.startswith("shell:")
    request = RightsRequest.objects.get(kind="export")
    assert (request.channel, request.reference) == ("mail", "L-2026-7")
    with pytest.raises(CommandError, match="exists already"):
        run("export", "--member", owner.username, "--channel", "mail", "--reference", "L",
            "--output", str(target))
    with pytest.raises(CommandError, match="1 to 40"):
        run("export", "--member", owner.username, "--channel", "mail", "--reference", "x" * 41,
            "--output", str(tmp_path / "b.zip"))
    assert RightsRequest.objects.count() == 1


@time_machine.travel(datetime.datetime(2026, 11, 25, 3, 0, tzinfo=datetime.UTC))  # Seoul noon
def test_restrict_blocks_marketing_until_lifted(owner: Any) -> None:
    campaign = CampaignFactory()

    verify_email(owner)
    now = timezone.now()
    assert owner in campaign_recipients(campaign=campaign, now=now)
    run("restrict", "--member", owner.username, "--item", "email", "--channel", "email",
        "--reference", "E-9")
    now = timezone.now()
    assert owner not in campaign_recipients(campaign=campaign, now=now)
    request = RightsRequest.objects.get(kind="restriction")
    assert request.items == ["email"] and request.reference == "E-9"
    assert AccessLogEntry.objects.filter(action="restriction_start:email").exists()
    run("restrict", "--member", owner.username, "--item", "email", "--channel", "email",
        "--reference", "E-10", "--lift")
    now = timezone.now()
    assert owner in campaign_recipients(campaign=campaign, now=now)
    with pytest.raises(CommandError, match="unknown collection item"):
        run("restrict", "--member", owner.username, "--item", "nope", "--channel", "email",
            "--reference", "E-11")


def test_erase_shows_what_is_kept_and_closes_the_account(owner: Any, other: Any) -> None:
    output = run("erase", "--member", owner.username, "--channel", "mail", "--reference",
                 "L-3", "--dry-run")
    assert "destroy   mobile_phone" in output and "kept      access_log" in output
    assert get_user_model().objects.filter(pk=owner.pk).exists()
    output = run("erase", "--member", owner.username, "--channel", "mail", "--reference", "L-3")
    assert "is closed" in output
    assert not get_user_model().objects.filter(pk=owner.pk).exists()
    assert get_user_model().objects.filter(pk=other.pk).exists()
    request = RightsRequest.objects.get(kind="deletion")
    assert request.subject_ref is None and request.channel == "mail"


def test_report_lists_open_and_overdue_requests(owner: Any) -> None:
    with time_machine.travel(datetime.datetime(2026, 10, 1, 3, 0, tzinfo=datetime.UTC),
                             tick=False):
        rights_request_record(subject_ref=owner.subject_ref, kind="correction",
                              channel="mail", reference="OLD-1", items=["name"])
    with time_machine.travel(datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC),
                             tick=False):
        rights_request_record(subject_ref=owner.subject_ref, kind="deletion", channel="phone",
                              reference="NEW-1")
        rights_request_record(subject_ref=owner.subject_ref, kind="export", reference="DONE-1",
                              completed=True)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 3, 0, tzinfo=datetime.UTC),
                             tick=False):
        text = run("report", "--month", "2026-11")
        csv_text = run("report", "--month", "2026-11", "--csv", "--section", "requests")
    assert "OVERDUE" in next(line for line in text.splitlines() if "OLD-1" in line)
    assert " open " in next(line for line in text.splitlines() if "NEW-1" in line)
    assert "completed" in next(line for line in text.splitlines() if "DONE-1" in line)
    # The CSV starts with the UTF-8 BOM, for Excel on Korean Windows.
    assert csv_text.splitlines()[0].startswith("\ufeff# Rights requests")
    assert ",OVERDUE,correction,mail,OLD-1,name,2026-10-01,2026-10-11,\r\n" in csv_text
    with pytest.raises(CommandError, match="YYYY-MM"):
        run("report", "--month", "2026-13")
    with pytest.raises(CommandError, match="unknown section"):
        run("report", "--section", "nope")


def test_report_discovers_section_modules(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "zz_extra.py").write_text(
        'TITLE = "Extra section"\n\n\n'
        "def build(*, start, end, now):\n"
        '    return [{"month": f"{start:%Y-%m}", "until": f"{end:%Y-%m-%d}"}]\n'
    )
    reports = privacy.console.reports
    monkeypatch.setattr(reports, "__path__", [*reports.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "privacy.console.reports.zz_extra", raising=False)
    output = run("report", "--month", "2026-12")
    assert "Rights requests" in output and "Extra section" in output
    assert "2026-12  2027-01-01" in output  # December ends where January begins
    sys.modules.pop("privacy.console.reports.zz_extra", None)
