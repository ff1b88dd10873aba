"""The system check holds every model field to the registry."""

from __future__ import annotations

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
