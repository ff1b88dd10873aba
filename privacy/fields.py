"""Model fields that keep personal data encrypted at rest (DESIGN.md, "Personal data").

``EncryptedTextField`` stores ciphertext sealed with the data key of the row's subject, which the
row points to through a ``DataKeyField``. Values decrypt lazily on first access, so list pages
that never show a body never pay for it; ``select_related("data_key")`` avoids a query per row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import models, router
from django.db.models.query_utils import DeferredAttribute

from privacy import crypto

if TYPE_CHECKING:
    from privacy.models import DataKey

DESTROYED = ""  # what a field reads as once its subject's data key is destroyed


class Ciphertext(str):
    """A value as loaded from the database, not yet decrypted."""

    __slots__ = ()


def ensure_data_key(instance: models.Model, field_name: str = "data_key") -> None:
    """Give a new subject a data key of its own before its first encrypted write."""
    field = instance._meta.get_field(field_name)
    assert isinstance(field, models.ForeignKey)
    if getattr(instance, field.attname) is None:
        # The key model is the field's target (privacy.DataKey), found through the field so
        # that this module does not import the models that are built from it.
        key_model = cast("type[DataKey]", field.related_model)
        using = instance._state.db or router.db_for_write(type(instance), instance=instance)
        setattr(instance, field.name, key_model.objects.db_manager(using).create_for_subject())


def subject_data_key_field() -> models.ForeignKey[Any, Any]:
    """A row sealed under its subject's own data key, borrowed, never one of its own (unlike
    ``DataKeyField``, which makes one when missing): the row becomes unreadable when the
    subject's key is destroyed, and a row about nobody keeps nothing sealed."""
    return models.ForeignKey(
        "privacy.DataKey", null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="+",
    )


class DataKeyField(models.ForeignKey["DataKey | None", "DataKey | None"]):
    """Points a row at its subject's data key; deleting that key is cryptographic erasure."""

    def __init__(self, to: str = "privacy.DataKey", on_delete: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("related_name", "+")
        super().__init__(to, on_delete or models.SET_NULL, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        ensure_data_key(model_instance, self.name)
        return super().pre_save(model_instance, add)


class EncryptedAttribute(DeferredAttribute):
    """Data descriptor: decrypts on first read and caches the plaintext on the instance."""

    field: EncryptedTextField

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            value = self.field.decrypt_for(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text sealed with AES-GCM under the subject's data key (see ``privacy.crypto``).

    ``max_length`` limits the plaintext in forms; the column itself is unbounded text.
    Encrypted values cannot be filtered or ordered on in SQL.
    """

    descriptor_class = EncryptedAttribute

    def __init__(self, *args: Any, key_field: str = "data_key", **kwargs: Any) -> None:
        self.key_field = key_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.key_field != "data_key":
            kwargs["key_field"] = self.key_field
        return name, path, args, kwargs

    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return Ciphertext(value)

    def decrypt_for(self, instance: models.Model, value: Ciphertext) -> str:
        data_key = getattr(instance, self.key_field)
        if data_key is None:
            return DESTROYED
        return self._open(data_key.material(), value)

    def _open(self, material: bytes, value: str) -> str:
        return crypto.open_sealed(material, str(value), context=self.context())

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None or value == "" or isinstance(value, Ciphertext):
            return None if value is None else str(value)
        ensure_data_key(model_instance, self.key_field)
        data_key = getattr(model_instance, self.key_field)
        return crypto.seal(data_key.material(), str(value), context=self.context())
