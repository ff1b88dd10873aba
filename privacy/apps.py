from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        # Checks register when imported, once the app registry is ready (the usual place).
        from privacy import checks  # noqa: F401, PLC0415
