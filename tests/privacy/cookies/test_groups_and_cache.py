"""The groups the migration installs, their texts in both languages, and the group cache tier."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from cookie_consent.cache import CACHE_KEY, all_cookie_groups
from cookie_consent.models import Cookie, CookieGroup
from django.core.cache import caches
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone, translation

from privacy.cookies.groups import GROUPS, groups_install
from privacy.cookies.selectors import cookie_consent_label

pytestmark = pytest.mark.django_db


def test_install_is_idempotent_and_keeps_staff_edits() -> None:
    group = CookieGroup.objects.get(varname="analytics")
    group.description = "Edited by staff"
    group.save()
    groups_install(CookieGroup, Cookie)
    groups_install(CookieGroup, Cookie)
    assert CookieGroup.objects.count() == len(GROUPS)
    assert Cookie.objects.count() == sum(len(spec.cookies) for spec in GROUPS)
    assert CookieGroup.objects.get(varname="analytics").description == "Edited by staff"
    necessary = CookieGroup.objects.get(varname="necessary")
    assert necessary.is_required and not necessary.is_deletable
    assert set(all_cookie_groups()) == {"analytics", "marketing"}  # only optional ones


def test_group_texts_in_english_and_staff_texts_as_written(client: Client) -> None:
    group = CookieGroup.objects.get(varname="marketing")
    group.description = "직원이 고친 설명"
    group.save()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/cookies/").content.decode()
    assert "Strictly necessary" in html and "Analytics" in html
    assert "Counts how often and at what times pages are visited" in html
    assert "직원이 고친 설명" in html
    assert "Always on" in html


def test_a_staff_change_clears_the_cache_in_this_process() -> None:
    assert all_cookie_groups()["analytics"].name == "Analytics"
    group = CookieGroup.objects.get(varname="analytics")
    group.name = "Statistics"
    group.save()
    assert all_cookie_groups()["analytics"].name == "Statistics"


def test_other_workers_see_a_change_within_the_local_timeout() -> None:
    near = caches["near"]
    assert all_cookie_groups()["analytics"].name == "Analytics"  # this worker's copy
    # Another worker saves the group: the row changes and that worker clears the shared cache;
    # this worker's copy stays until it times out.
    QuerySet(CookieGroup).filter(varname="analytics").update(name="Statistics")
    caches["default"].delete(CACHE_KEY)
    assert all_cookie_groups()["analytics"].name == "Analytics"
    with time_machine.travel(timezone.now() + timedelta(seconds=near.local_timeout + 1)):
        assert all_cookie_groups()["analytics"].name == "Statistics"


def test_ledger_keys_have_labels_in_both_languages() -> None:
    with translation.override("ko"):
        assert cookie_consent_label("cookies:analytics") == "쿠키: 분석 쿠키"
    with translation.override("en"):
        assert cookie_consent_label("cookies:marketing") == "Cookies: Marketing and personalisation"
        assert cookie_consent_label("cookies:gone") == "Cookies: gone"
