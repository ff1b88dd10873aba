"""Staff's visit report in the admin: server-rendered SVG, staff only, read-only records."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client

from privacy.models import Visit
from tests.members.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
REPORT = "/admin/privacy/visit/report/"


def bars(svg: str) -> dict[str, int]:
    return {label: int(count) for label, count in re.findall(r"<title>([^<:]+): (\d+)</title>",
                                                             svg)}


@time_machine.travel(datetime(2026, 11, 25, 15, tzinfo=SEOUL), tick=False)
def test_staff_see_visits_per_day_and_per_hour(client: Client) -> None:
    visitor = uuid.uuid4()
    for day, hour in [(25, 9), (25, 9), (25, 14), (24, 9), (1, 23)]:
        Visit.objects.create(visitor_id=visitor, path="/",
                             visited_at=datetime(2026, 11, day, hour, 30, tzinfo=SEOUL))
    Visit.objects.create(visitor_id=visitor, path="/",
                         visited_at=datetime(2026, 9, 1, 9, tzinfo=SEOUL))  # outside 30 days
    staff = StaffFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_visit"))
    client.force_login(staff)
    response = client.get(REPORT)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<svg class="visit-chart"') == 2
    per_day, per_hour = html.split('aria-labelledby="per-hour-title"')
    day_bars, hour_bars = bars(per_day), bars(per_hour)
    assert len(day_bars) == 30 and len(hour_bars) == 24
    assert day_bars["11-25"] == 3 and day_bars["11-24"] == 1 and day_bars["11-01"] == 1
    assert day_bars["11-23"] == 0
    assert hour_bars["09"] == 3 and hour_bars["14"] == 1 and hour_bars["23"] == 1
    assert sum(day_bars.values()) == 5
    changelist = client.get("/admin/privacy/visit/")
    assert changelist.status_code == 200 and 'href="/admin/privacy/visit/report/"' in (
        changelist.content.decode())


def test_the_report_is_for_staff_with_permission_only(client: Client) -> None:
    assert client.get(REPORT).status_code == 302  # to the admin login
    client.force_login(MemberFactory())
    assert client.get(REPORT).status_code == 302
    client.force_login(StaffFactory())
    assert client.get(REPORT).status_code == 403


def test_staff_cannot_change_visits(admin_client: Client) -> None:
    visit = Visit.objects.create(visitor_id=uuid.uuid4(), path="/")
    assert admin_client.get("/admin/privacy/visit/add/").status_code == 403
    response = admin_client.post(f"/admin/privacy/visit/{visit.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_staff_manage_cookie_groups_in_the_admin(admin_client: Client) -> None:
    html = admin_client.get("/admin/cookie_consent/cookiegroup/").content.decode()
    assert "analytics" in html and "marketing" in html and "necessary" in html
