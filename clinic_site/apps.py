from django.apps import AppConfig


class ClinicSiteConfig(AppConfig):
    name = "clinic_site"
    verbose_name = "Clinic site"

    def ready(self) -> None:
        # Checks register when imported, once the app registry is ready (the usual place).
        from clinic_site import checks  # noqa: F401, PLC0415

        # Receivers in the privacy features for signals of lower layers connect on import; the
        # ``privacy`` app's own AppConfig is in the base layer and may not import them.
        from privacy.marketing import receivers  # noqa: F401, PLC0415
