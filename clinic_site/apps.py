from django.apps import AppConfig


class ClinicSiteConfig(AppConfig):
    name = "clinic_site"
    verbose_name = "Clinic site"

    def ready(self) -> None:
        # Checks register when imported, once the app registry is ready (the usual place).
        from clinic_site import checks  # noqa: F401, PLC0415
