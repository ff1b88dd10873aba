"""The system check holds every model field to the registry."""

from __future__ import annotations

import dataclasses

from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from privacy import registry
from privacy.checks import check_registry_covers_models, registry_problems


def test_the_project_passes_the_registry_check() -> None:
    assert check_registry_covers_models() == []
    call_command("check")  # raises SystemCheckError on any error


@isolate_apps("privacy")
def test_an_undeclared_field_fails_naming_it() -> None:
    class Gadget(models.Model):
        nickname = models.CharField(max_length=10)

        class Meta:
            app_label = "privacy"

    problems = registry_problems([Gadget])
    messages = [problem.msg for problem in problems if problem.id == "privacy.E001"]
    assert any("privacy.Gadget.nickname" in message for message in messages)
    assert any("privacy.Gadget.id" in message for message in messages)


def test_a_declared_field_that_does_not_exist_fails(monkeypatch) -> None:
    monkeypatch.setattr(
        registry, "NOT_PERSONAL", registry.NOT_PERSONAL | {"members.Member.shoe_size"}
    )
    problems = registry_problems([])
    assert [p.id for p in problems] == ["privacy.E002"]
    assert "members.Member.shoe_size" in problems[0].msg


def test_every_policy_section_1_item_is_declared() -> None:
    section_1 = {"name", "login_id", "password", "home_phone", "home_address", "mobile_phone",
                 "email", "access_log", "cookies", "access_ip", "desired_area"}
    assert section_1 <= set(registry.ITEMS_BY_KEY)


def _holders_without(model_label: str) -> tuple[registry.Holder, ...]:
    return tuple(holder for holder in registry.HOLDERS if holder.model != model_label)


def test_a_model_holding_items_without_a_holder_fails_naming_it(monkeypatch) -> None:
    monkeypatch.setattr(registry, "HOLDERS", _holders_without("consultations.Answer"))
    problems = registry_problems([])
    assert [p.id for p in problems] == ["privacy.E007"]
    assert "consultations.Answer" in problems[0].msg


def test_a_holder_with_an_owner_that_leads_to_no_member_fails(monkeypatch) -> None:
    monkeypatch.setattr(registry, "HOLDERS", (
        *_holders_without("consultations.Answer"),
        registry.Holder("consultations.Answer", owner="consultation__procedure",
                        collected_at="created_at"),
    ))
    problems = registry_problems([])
    assert [p.id for p in problems] == ["privacy.E009"]
    assert "consultation__procedure" in problems[0].msg and "ProcedureRecord" in problems[0].msg


def test_a_holder_naming_fields_that_do_not_exist_fails(monkeypatch) -> None:
    monkeypatch.setattr(registry, "HOLDERS", (
        *_holders_without("members.LoginRecord"),
        registry.Holder("members.LoginRecord", owner="owner", collected_at="logged_in_at",
                        shown_with=("result",)),
    ))
    messages = [p.msg for p in registry_problems([]) if p.id == "privacy.E009"]
    assert len(messages) == 3
    assert any("'owner'" in message for message in messages)
    assert any("'logged_in_at'" in message for message in messages)
    assert any("'result'" in message for message in messages)


def test_only_the_account_row_is_its_own_owner(monkeypatch) -> None:
    monkeypatch.setattr(registry, "HOLDERS", (
        *_holders_without("members.LoginRecord"),
        registry.Holder("members.LoginRecord", owner="pk", collected_at="recorded_at"),
    ))
    assert [p.id for p in registry_problems([])] == ["privacy.E009"]


def test_a_holder_of_a_model_that_holds_no_item_fails(monkeypatch) -> None:
    monkeypatch.setattr(registry, "HOLDERS", (
        *registry.HOLDERS,
        registry.Holder("consultations.ConsultationArea", owner=None, collected_at=None),
    ))
    problems = registry_problems([])
    assert [p.id for p in problems] == ["privacy.E008"]


def test_an_item_naming_an_unknown_retention_rule_fails(monkeypatch) -> None:
    wrong = dataclasses.replace(registry.item("name"), retention_key="forever")
    monkeypatch.setattr(registry, "ITEMS", (wrong, *registry.ITEMS[1:]))
    problems = registry_problems([])
    assert [p.id for p in problems] == ["privacy.E006"]
    assert "forever" in problems[0].msg
