"""The admin's change history (``django_admin_log``) as a store of personal data.

Each entry names the record it is about by content type and id, and by the record's ``__str__``
(a login ID, a consultation's title) with a description of the change. An entry is personal
data for as long as the record it names is; it goes when that record goes (rule
``admin_log``): at withdrawal with every record of the member (``admin_log_of_members``), when
a guest consultation is destroyed, and in ``privacy purge`` for any entry whose record no
longer exists (``admin_log_orphans``: a record deleted in the admin leaves its deletion entry).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, router
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast

from privacy import registry


def _personal_models() -> list[type[models.Model]]:
    """Models whose rows hold a person's items, on the live database (the admin log's own)."""
    found = [apps.get_model(settings.AUTH_USER_MODEL)]
    for holder in registry.HOLDERS:
        model = apps.get_model(holder.model)
        if model is not LogEntry and model not in found \
                and router.db_for_read(model) == router.db_for_read(LogEntry):
            found.append(model)
    return found


def _naming(model: type[models.Model], pks: Any) -> Q:
    """Entries about rows ``pks`` of ``model`` (a list, or a subquery of primary keys)."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    if isinstance(pks, models.QuerySet):
        pks = pks.annotate(pk_text=Cast("pk", CharField())).values("pk_text")
    else:
        pks = [str(pk) for pk in pks]
    return Q(content_type=content_type, object_id__in=pks)


def admin_log_naming(model: type[models.Model], pks: Iterable[Any]) -> models.QuerySet:
    """The entries that name rows ``pks`` of ``model``."""
    return LogEntry.objects.filter(_naming(model, list(pks)))


def admin_log_of_members(pks: list[int], subject_refs: list[Any]) -> models.QuerySet:
    """The entries naming the members ``pks`` or any row the registry says is theirs
    (``registry.HOLDERS``: their posts, answers to them, addresses, sessions, records kept
    about them by subject reference). Read before those rows are deleted."""
    condition = Q(pk__in=[])
    for model in _personal_models():
        holder = registry.holder(model._meta.label)
        if holder is None or holder.owner is None:
            continue
        value = subject_refs if holder.owner == registry.SUBJECT_REF else pks
        rows = model._base_manager.filter(**{f"{holder.owner}__in": value}).order_by()
        condition |= _naming(model, rows)
    return LogEntry.objects.filter(condition)


def admin_log_orphans() -> models.QuerySet:
    """Entries naming a record of a personal model that no longer exists."""
    condition = Q(pk__in=[])
    for model in _personal_models():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        exists = model._base_manager.annotate(pk_text=Cast("pk", CharField())).filter(
            pk_text=OuterRef("object_id")
        )
        condition |= Q(Q(content_type=content_type), ~Exists(exists))
    return LogEntry.objects.filter(condition)


def admin_log_remnants(member_pks: Iterable[Any]) -> models.QuerySet:
    """What ``privacy verify-erasure`` finds in the admin log after a member is destroyed:
    entries naming the account, and entries naming any destroyed personal record (those
    cannot be told apart by person once the record is gone, so every one is a remnant)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return LogEntry.objects.filter(
        _naming(user_model, member_pks) | Q(pk__in=admin_log_orphans().values("pk"))
    )
