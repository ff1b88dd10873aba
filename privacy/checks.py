"""System check: every model field of the project is a declared collection item or not personal.

A new field that holds something about a person cannot ship without saying why it is held and
when it goes, because ``manage.py check`` (and so every test run and deploy) fails naming it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import FieldDoesNotExist

from privacy import registry


def field_reference(model: Any, field: Any) -> str:
    return f"{model._meta.label}.{field.name}"


def project_models() -> list[Any]:
    return [
        model
        for app_label in registry.CHECKED_APPS
        for model in apps.get_app_config(app_label).get_models()
    ]


def model_field_references(models: Iterable[Any]) -> set[str]:
    references: set[str] = set()
    for model in models:
        meta = model._meta
        if meta.proxy or meta.auto_created:
            continue
        for field in [*meta.local_fields, *meta.local_many_to_many]:
            references.add(field_reference(model, field))
    return references


def _resolves(reference: str) -> bool:
    try:
        app_label, model_name, field_name = reference.split(".")
        apps.get_model(app_label, model_name)._meta.get_field(field_name)
    except (ValueError, LookupError, FieldDoesNotExist):
        return False
    return True


@register()
def check_registry_covers_models(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return registry_problems(project_models())


def registry_problems(models: Iterable[Any]) -> list[CheckMessage]:
    """Fields of ``models`` the registry does not account for, and declarations that are wrong."""
    errors: list[CheckMessage] = []
    declared = registry.declared_fields()
    not_personal = set(registry.NOT_PERSONAL)
    for reference in sorted(model_field_references(models)):
        if reference not in declared and reference not in not_personal:
            errors.append(Error(
                f"{reference} is neither a collection item in the privacy registry nor "
                "declared not personal.",
                hint="Declare it in privacy/registry.py: add it to an item's fields "
                "(with its purpose and retention rule) or to NOT_PERSONAL.",
                id="privacy.E001",
            ))
    for reference in sorted(declared | not_personal):
        if not _resolves(reference):
            errors.append(Error(
                f"The privacy registry names {reference}, which is not a model field.",
                hint="Remove or correct the reference in privacy/registry.py.",
                id="privacy.E002",
            ))
    for reference in sorted(declared & not_personal):
        errors.append(Error(
            f"{reference} is declared both as a collection item and as not personal.",
            id="privacy.E003",
        ))
    seen: dict[str, str] = {}
    for item in registry.ITEMS:
        for reference in item.fields:
            if reference in seen:
                errors.append(Error(
                    f"{reference} is declared by two items: {seen[reference]} and {item.key}.",
                    id="privacy.E004",
                ))
            seen[reference] = item.key
    for consent in registry.CONSENTS:
        for item_key in consent.items:
            if item_key not in registry.ITEMS_BY_KEY:
                errors.append(Error(
                    f"Consent {consent.key} names unknown item {item_key}.", id="privacy.E005",
                ))
    return errors
