"""Rule modules plug their rules, withdrawal hooks and erasers in (``PURGE_MODULES``)."""

from __future__ import annotations

import datetime
import types
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from members.models import Member
from privacy.models import RetainedRecord
from privacy.retention import destruction
from privacy.retention.destruction import PurgeRule, member_erase, purge_rules
from privacy.retention.store import Retention
from tests.members.factories import MemberFactory

pytestmark = pytest.mark.django_db(databases=["default", "retention"])


def _nothing(now: datetime.datetime) -> Any:
    return Member.objects.none()


def _destroy(pks: list[int], *, now: datetime.datetime, reason: str) -> int:
    return 0


def plug(monkeypatch: pytest.MonkeyPatch, **names: Any) -> None:
    module = types.SimpleNamespace(**names)
    real = destruction._purge_modules
    monkeypatch.setattr(destruction, "_purge_modules", lambda: [*real(), module])


def test_an_apps_member_hooks_run_at_withdrawal(monkeypatch: pytest.MonkeyPatch) -> None:
    erased: list[list[int]] = []

    def keep_complaint(member: Any, now: datetime.datetime) -> list[Retention]:
        return [Retention(
            source=f"complaint:{member.subject_ref}", subject_ref=member.subject_ref,
            item_key="retained_records", rule_key="complaint_records",
            started_by="complaint_closed", started_at=now, payload={"complaint": 1},
        )]

    plug(monkeypatch, MEMBER_RETENTIONS=[keep_complaint],
         MEMBER_ERASERS=[lambda pks, *, now: erased.append(pks)])
    member = MemberFactory()
    member_erase(member=member, reason="withdrawal")
    assert erased == [[member.pk]]
    record = RetainedRecord.objects.get(subject_ref=member.subject_ref)
    assert (record.rule_key, record.started_by) == ("complaint_records", "complaint_closed")


def test_an_apps_purge_rule_is_found_by_key(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = PurgeRule(key="guest_extra", retention_rule="guest_consultation",
                     model="members.Member", due=_nothing, destroy=_destroy)
    plug(monkeypatch, PURGE_RULES=[rule])
    assert purge_rules()["guest_extra"] is rule


@pytest.mark.parametrize(("key", "retention_rule", "message"), [
    ("membership", "membership", "declared twice"),
    ("visits", "shoe_sizes", "unknown retention rule 'shoe_sizes'"),
])
def test_a_wrong_declaration_stops_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, key: str, retention_rule: str, message: str
) -> None:
    plug(monkeypatch, PURGE_RULES=[PurgeRule(
        key=key, retention_rule=retention_rule, model="members.Member", due=_nothing,
        destroy=_destroy,
    )])
    with pytest.raises(ImproperlyConfigured, match=message):
        purge_rules()
