"""System check: every model field of the project is a declared collection item or not personal,
and every model that holds an item says where a person's rows are.

A new field that holds something about a person cannot ship without saying why it is held and
when it goes, because ``manage.py check`` (and so every test run and deploy) fails naming it.
"My data" finds a person's rows only through ``registry.HOLDERS``, so a model without its
declaration, or with one that names no field, fails the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model

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
    for item in registry.ITEMS:
        if item.retention_key not in registry.RULES_BY_KEY:
            errors.append(Error(
                f"Item {item.key} names unknown retention rule {item.retention_key}.",
                id="privacy.E006",
            ))
    errors += holder_problems()
    return errors


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except (ValueError, LookupError):
        return None


def _owner_problem(model: Any, owner: str) -> str | None:
    """Why ``owner`` does not lead from a row of ``model`` to a member (None: it does)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    if owner == "pk":
        return None if model is user_model else "only the account row is its own owner (pk)"
    current = model
    for part in owner.split("__"):
        try:
            model_field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return f"{current._meta.label} has no field {part}"
        if owner == registry.SUBJECT_REF:
            return None
        if not (model_field.is_relation and model_field.concrete):
            return f"{current._meta.label}.{part} is not a link to another row"
        current = model_field.related_model
    return None if current is user_model else f"it leads to {current._meta.label}, not a member"


def _declaration_problems(holder: registry.Holder) -> list[str]:
    """What is wrong with one declaration of where a person's rows are."""
    model = _model(holder.model)
    if model is None:
        return [f"{holder.model} is not a model"]
    problems = []
    if holder.owner is not None:
        problem = _owner_problem(model, holder.owner)
        if problem:
            problems.append(f"its owner {holder.owner!r} does not name the member: {problem}")
    if holder.collected_at is not None and not _resolves(f"{holder.model}.{holder.collected_at}"):
        problems.append(f"its collection time {holder.collected_at!r} is not a field")
    for name in holder.shown_with:
        if not _resolves(f"{holder.model}.{name}") or not model._meta.get_field(name).many_to_one:
            problems.append(f"{name!r}, which it is shown with, is not a link to another row")
    return problems


def holder_problems() -> list[CheckMessage]:
    """Models that hold a declared item without saying where a person's rows are, and
    declarations that are wrong or about a model that holds no item."""
    errors: list[CheckMessage] = []
    holding = {reference.rsplit(".", 1)[0] for reference in registry.declared_fields()}
    declared = [holder.model for holder in registry.HOLDERS]
    for label in sorted(holding - set(declared)):
        errors.append(Error(
            f"{label} holds collection items but the privacy registry does not say where a "
            "person's rows of it are.",
            hint="Add a Holder for it to HOLDERS in privacy/registry.py: its owner lookup and "
            "its collected-at field.",
            id="privacy.E007",
        ))
    for holder in registry.HOLDERS:
        if declared.count(holder.model) > 1:
            errors.append(Error(f"{holder.model} has two Holder declarations.",
                                id="privacy.E008"))
        if holder.model not in holding:
            errors.append(Error(f"{holder.model} has a Holder declaration but holds no item.",
                                id="privacy.E008"))
        for problem in _declaration_problems(holder):
            errors.append(Error(
                f"The Holder of {holder.model} is wrong: {problem}.",
                hint="Correct it in HOLDERS in privacy/registry.py.", id="privacy.E009",
            ))
    return errors


@register()
def check_configured_periods(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A rule whose period is a setting states that setting in its text, so the policy page
    says the period the site applies."""
    errors: list[CheckMessage] = []
    for rule in registry.RETENTION_RULES:
        if rule.days_setting is None:
            continue
        days = getattr(settings, rule.days_setting, None)
        if not isinstance(days, int) or days < 1:
            errors.append(Error(
                f"Retention rule {rule.key}: setting {rule.days_setting} must be a whole number "
                "of days (1 or more).", id="privacy.E020",
            ))
        elif str(registry.live_period_days(rule)) not in str(rule.achieved_when):
            errors.append(Error(
                f"Retention rule {rule.key} does not state its period {rule.days_setting}.",
                hint=f"Write %({rule.days_setting})s in its achieved_when text.",
                id="privacy.E021",
            ))
    return errors
