"""Staff roles as Django groups: each role reaches only the models its work needs.

The data migration ``members/0004_staff_admin`` creates them (idempotent: running it again adds
nothing twice); an account gets a role by joining the group and having ``is_staff``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.apps.registry import Apps

RECEPTIONIST = "receptionist"
DOCTOR = "doctor"
PRIVACY_MANAGER = "privacy manager"
ADMINISTRATOR = "administrator"

# "app_label.codename" per role; the administrator gets every permission there is.
_RECEPTION = (
    "members.view_member",
    "consultations.view_consultationarea",
    "consultations.view_consultation", "consultations.change_consultation",
    "consultations.view_answer", "consultations.add_answer", "consultations.change_answer",
    "consultations.view_guestconsultation", "consultations.change_guestconsultation",
    "consultations.view_review", "consultations.change_review",
    "consultations.view_bookingrequest", "consultations.change_bookingrequest",
)
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    RECEPTIONIST: _RECEPTION,
    DOCTOR: (
        *_RECEPTION,
        "consultations.answer_aftercare",
        "consultations.view_procedurerecord", "consultations.add_procedurerecord",
        "consultations.change_procedurerecord",
        "privacy.reveal_personal_data",
    ),
    PRIVACY_MANAGER: (
        "members.view_member", "members.view_loginrecord", "members.view_memberblock",
        "privacy.export_personal_data",
        "privacy.view_consentrecord", "privacy.view_disclosure", "privacy.add_disclosure",
        "privacy.view_policynotice",
        "privacy.view_policyversion",
        "privacy.view_policydraft", "privacy.add_policydraft", "privacy.change_policydraft",
        "privacy.view_processor", "privacy.add_processor", "privacy.change_processor",
        "privacy.view_complaint", "privacy.change_complaint",
        "privacy.view_accesslogentry", "privacy.view_campaign", "privacy.view_visit",
        "cookie_consent.view_cookiegroup", "cookie_consent.change_cookiegroup",
        "cookie_consent.view_cookie", "cookie_consent.change_cookie",
        # Privacy manager's console: inventory, open requests, breaches.
        "privacy.view_inventory", "privacy.view_openrequest",
        "privacy.view_breachincident", "privacy.view_breachnotice",
    ),
}
ROLES: tuple[str, ...] = (RECEPTIONIST, DOCTOR, PRIVACY_MANAGER, ADMINISTRATOR)


def roles_create(apps: Apps) -> None:
    """Create or complete the role groups with the (historical) models of ``apps``.

    A permission whose model a later migration creates is skipped here; that migration runs
    this again to add it."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _created = group_model.objects.get_or_create(name=role)
        if role == ADMINISTRATOR:
            group.permissions.add(*permission_model.objects.all())
            continue
        for reference in ROLE_PERMISSIONS[role]:
            app_label, codename = reference.split(".")
            group.permissions.add(*permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename))
