"""Access-control matrix: every URL of the site, visited as every role, answers as the table says.

The URL conf is walked whole (tests/security/access.py), so a new URL is covered
automatically: a URL pattern missing from ``TABLE`` fails the test and asks for its row. The
roles: ``anonymous``; ``other``, a member who owns nothing of what the URL shows; ``owner``,
the member whose objects fill the URL's parameters; ``staff``, a staff account without any
admin permission; ``superuser``. ModelAdmin URLs follow one rule (``AdminModelRule``).

Besides the status, no page that ``anonymous`` or ``other`` can open may contain the owner's
private data (private consultation, answer, phone, email), and no HTML page may carry inline
script or style that the strict Content Security Policy would block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from cookie_consent.models import Cookie, CookieGroup, LogItem
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from consultations.models import Consultation
from privacy.models import ConsentMethod, ConsentRecord, PolicyVersion
from privacy.services import consent_record
from tests.consultations.factories import (
    AnswerFactory,
    ConsultationAreaFactory,
    ConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory, StaffFactory
from tests.security.access import (
    MEMBER_ROLES,
    ROLES,
    AdminModelRule,
    Case,
    Route,
    admin_object,
    build_path,
    everyone,
    expect,
    outcome_of,
    site_routes,
)
from tests.security.conftest import inline_code_problems, verified_email
from tests.security.test_headers import csp_directives, csp_nonce

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

OWNER_PHONE = "010-7531-8642"
PRIVATE_TITLE = "비공개 상담: 가슴 재수술"
PRIVATE_BODY = "보형물 파열이 의심됩니다"
PRIVATE_ANSWER = "내원하시어 초음파 검사를 받으세요"


@dataclass
class World:
    owner: Any
    other: Any
    staff: Any
    superuser: Any
    bystander: Any  # owns the objects made for admin pages, so no role's pages change
    private_consultation: Consultation
    public_consultation: Consultation

    def user(self, role: str) -> Any:
        return None if role == "anonymous" else getattr(self, role)

    def admin_object(self, model: type) -> Any:
        return admin_object(model, admin_object_makers(self))

    def secrets(self) -> list[str]:
        """What only the owner and staff may ever see."""
        return [PRIVATE_TITLE, PRIVATE_BODY, PRIVATE_ANSWER, OWNER_PHONE, self.owner.email]


def admin_object_makers(world: World) -> dict[type, Callable[[], Any]]:
    """How to make an object of each admin-registered model that has none yet."""

    def cookie_group() -> CookieGroup:
        return CookieGroup.objects.create(varname="matrix", name="Matrix", description="x")

    return {
        Group: lambda: Group.objects.create(name="counsellors"),
        Authenticator: lambda: Authenticator.objects.create(
            user=world.bystander, type=Authenticator.Type.RECOVERY_CODES,
            data={"seed": "00" * 20, "used_mask": 0},
        ),
        UserSession: lambda: UserSession.objects.create(
            user=world.bystander, ip="203.0.113.9", session_key="matrix-session",
            user_agent="Matrix/1.0", last_seen_at=timezone.now(), created_at=timezone.now(),
        ),
        CookieGroup: cookie_group,
        Cookie: lambda: Cookie.objects.create(
            cookiegroup=world.admin_object(CookieGroup), name="matrix_cookie"),
        LogItem: lambda: LogItem.objects.create(
            action=1, cookiegroup=world.admin_object(CookieGroup), version="1"),
        PolicyVersion: lambda: PolicyVersion.objects.create(
            version="matrix-1", effective_on=timezone.localdate()),
        ConsentRecord: lambda: consent_record(
            subject_ref=world.bystander.subject_ref, member=world.bystander,
            consent=next(iter(_consent_keys())), granted=True,
            method=ConsentMethod.SIGNUP_FORM),
    }


def _consent_keys() -> list[str]:
    from privacy import registry

    return list(registry.CONSENTS_BY_KEY)


@pytest.fixture
def world() -> World:
    owner = MemberFactory(mobile_phone=OWNER_PHONE, email="owner.matrix@example.com")
    verified_email(owner)
    area = ConsultationAreaFactory()
    private = ConsultationFactory(author=owner, area=area, is_private=True,
                                  title=PRIVATE_TITLE, body=PRIVATE_BODY)
    AnswerFactory(consultation=private, body=PRIVATE_ANSWER)
    public = ConsultationFactory(author=owner, area=area, is_private=False)
    ReviewFactory(author=owner, area=area)
    world = World(owner=owner, other=MemberFactory(), staff=StaffFactory(),
                  superuser=StaffFactory(is_superuser=True), bystander=MemberFactory(),
                  private_consultation=private, public_consultation=public)
    for model in admin.site._registry:
        world.admin_object(model)  # made now, so the order of visits changes nothing
    return world


def content_type_id(world: World) -> dict[str, Any]:
    content_type = ContentType.objects.get_for_model(Consultation)
    return {"content_type_id": content_type.pk, "object_id": world.public_consultation.pk}


LOGIN_REQUIRED = expect(anonymous="→account_login", other=200, staff=200)
STAFF_ONLY = expect(anonymous="→admin:login", other="→admin:login", staff=200)
REAUTHENTICATE = expect(anonymous="→account_login", other="→account_reauthenticate",
                        staff="→account_reauthenticate")
NOTHING_TO_SHOW = expect(anonymous="→account_login", other=404, staff=404)

# URL pattern key (name, or route when unnamed) -> Case, or a tuple of Cases.
TABLE: dict[str, Case | tuple[Case, ...]] = {
    # --- site ------------------------------------------------------------------------------
    "home": Case(everyone(200)),
    "healthz": Case(everyone(200)),
    "set_language": Case(everyone("→home"), query="?next=/"),
    "members:my_page": Case(LOGIN_REQUIRED),
    "consultations:list": Case(everyone(200)),
    "consultations:detail": (
        Case(expect(anonymous=404, other=404, owner=200, staff=200),
             kwargs=lambda w: {"pk": w.private_consultation.pk}, label="private"),
        Case(everyone(200), kwargs=lambda w: {"pk": w.public_consultation.pk}, label="public"),
        Case(everyone(404), kwargs=lambda w: {"pk": 999_999}, label="missing"),
    ),
    "reviews:list": Case(everyone(200)),
    "privacy:policy": Case(everyone(200)),
    # --- accounts (allauth) ------------------------------------------------------------------
    "account_login": Case(expect(anonymous=200, other="→home", staff="→home")),
    "account_logout": Case(expect(anonymous="→home", other=200, staff=200)),
    "account_inactive": Case(everyone(200)),
    "account_signup": Case(expect(anonymous=200, other="→home", staff="→home")),
    "account_reauthenticate": Case(LOGIN_REQUIRED),
    "account_email": Case(LOGIN_REQUIRED),
    "account_email_verification_sent": Case(everyone(200)),
    "account_change_password": Case(LOGIN_REQUIRED),
    "account_set_password": Case(expect(anonymous="→account_login",
                                        other="→account_change_password",
                                        staff="→account_change_password")),
    "account_reset_password": Case(everyone(200)),
    "account_confirm_login_code": Case(expect(anonymous="→account_login", other="→home",
                                              staff="→home")),
    "account_confirm_email": Case(everyone(200), kwargs=lambda w: {"key": "not-a-real-key"}),
    "account_reset_password_from_key_done": Case(everyone(200)),
    "account_reset_password_from_key": Case(
        everyone(200), kwargs=lambda w: {"uidb36": "zz", "key": "not-a-real-key"}),
    "account_reset_password_done": Case(everyone(200)),
    "mfa_index": Case(LOGIN_REQUIRED),
    "mfa_authenticate": Case(expect(anonymous="→account_login", other="→home", staff="→home")),
    # Nobody in the world has set up MFA: changing it asks for the password again, and
    # there is nothing to deactivate or show. Activation needs a verified email (the owner's).
    "mfa_reauthenticate": Case(REAUTHENTICATE),
    "mfa_activate_totp": Case(expect(anonymous="→account_login", other="→mfa_index",
                                     owner="→account_reauthenticate", staff="→mfa_index")),
    "mfa_deactivate_totp": Case(NOTHING_TO_SHOW),
    "mfa_view_recovery_codes": Case(NOTHING_TO_SHOW),
    "mfa_generate_recovery_codes": Case(REAUTHENTICATE),
    "mfa_download_recovery_codes": Case(NOTHING_TO_SHOW),
    "usersessions_list": Case(LOGIN_REQUIRED),
    # --- admin (ModelAdmin URLs follow AdminModelRule) ---------------------------------------
    "admin:index": Case(STAFF_ONLY),
    "admin:login": Case(expect(anonymous=200, other=200, staff="→admin:index")),
    "admin:logout": Case(expect(anonymous="→admin:index", other="→admin:index", staff=405)),
    "admin:password_change": Case(STAFF_ONLY),
    "admin:password_change_done": Case(STAFF_ONLY),
    "admin:autocomplete": Case(expect(anonymous="→admin:login", other="→admin:login",
                                      staff=403)),
    "admin:jsi18n": Case(STAFF_ONLY),
    "admin:view_on_site": Case(
        expect(anonymous="→admin:login", other="→admin:login", staff=404),
        kwargs=content_type_id),
    "admin:app_list": Case(expect(anonymous="→admin:login", other="→admin:login", staff=404,
                                  superuser=200),
                           kwargs=lambda w: {"app_label": "consultations"}),
    "admin/(?P<url>.*)$": Case(expect(anonymous="→admin:login", other="→admin:login",
                                      staff=404), kwargs=lambda w: {"url": "no-such-page/"}),
}


def cases_for(route: Route, admin_rule: AdminModelRule, world: World) -> tuple[Case, ...]:
    admin_case = admin_rule.case_for(route, world.superuser)
    if admin_case is not None:
        return (admin_case,)
    if route.key not in TABLE:
        raise LookupError(
            f"URL pattern {route.key!r} (/{route.route}) is not in the access matrix: add a "
            "row for it to TABLE in tests/security/test_access_matrix.py saying what each role "
            f"({', '.join(ROLES)}) must get"
        )
    entry = TABLE[route.key]
    return entry if isinstance(entry, tuple) else (entry,)


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def visit(world: World, role: str, path: str) -> Any:
    return client_for(world, role).get(path)


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_table_says(world: World, role: str) -> None:
    admin_rule = AdminModelRule()
    mismatches = []
    visited = 0
    # One session per role: no visit is a POST, so none changes what the next one sees.
    client = client_for(world, role)
    for route in site_routes():
        for case in cases_for(route, admin_rule, world):
            kwargs = case.kwargs(world) if case.kwargs else {}
            path = build_path(route, kwargs) + case.query
            response = client.get(path)
            visited += 1
            got, wanted = outcome_of(response), case.expect[role]
            where = f"{route.key} {case.label}".strip()
            if got != wanted:
                mismatches.append(f"{where} ({path}): expected {wanted!r}, got {got!r}")
                continue
            if response.status_code != 200 or not response["Content-Type"].startswith(
                "text/html"
            ):
                continue
            content = response.content.decode(errors="replace")
            if role in ("anonymous", "other"):
                leaked = [secret for secret in world.secrets() if secret in content]
                if leaked:
                    mismatches.append(f"{where} ({path}): shows the owner's {leaked}")
            # The strict CSP holds on every page, not only the main ones.
            nonce = csp_nonce(csp_directives(response["Content-Security-Policy"]))
            for problem in sorted(set(inline_code_problems(content, nonce))):
                mismatches.append(f"{where} ({path}): {problem}, which the CSP blocks")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)
    assert visited >= len(TABLE)


def test_an_unknown_url_pattern_fails_with_a_message_saying_what_to_do(world: World) -> None:
    route = Route(key="consultations:brand_new", route="consultations/new/", name=None,
                  params=())
    with pytest.raises(LookupError, match=r"add a row for it to TABLE in tests/security"):
        cases_for(route, AdminModelRule(), world)


def test_the_table_has_no_row_for_a_url_that_no_longer_exists() -> None:
    keys = {route.key for route in site_routes()}
    assert set(TABLE) - keys == set()


def test_owner_sees_private_data_that_the_matrix_keeps_from_others(world: World) -> None:
    """The leak check above is only meaningful if the owner's page does show the secrets."""
    path = build_path(
        next(route for route in site_routes() if route.key == "consultations:detail"),
        {"pk": world.private_consultation.pk},
    )
    content = visit(world, "owner", path).content.decode()
    assert PRIVATE_BODY in content
    assert PRIVATE_ANSWER in content


def test_roles_are_who_the_matrix_says(world: World) -> None:
    assert not world.other.is_staff and not world.owner.is_staff
    assert world.staff.is_staff and not world.staff.is_superuser
    assert not world.staff.user_permissions.exists()
    assert world.superuser.is_superuser
    assert set(MEMBER_ROLES) <= set(ROLES)


# Views that may take a POST without Django's CSRF token (webhooks and the like); each needs
# a reason here.
CSRF_EXEMPT: dict[str, str] = {}


@pytest.mark.parametrize("role", ["anonymous", "owner"])
def test_no_url_takes_a_post_without_the_csrf_token(world: World, role: str) -> None:
    client = Client(enforce_csrf_checks=True)
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    admin_rule = AdminModelRule()
    accepted = []
    for route in site_routes():
        if route.key in CSRF_EXEMPT:
            continue
        case = cases_for(route, admin_rule, world)[0]
        path = build_path(route, case.kwargs(world) if case.kwargs else {})
        response = client.post(path, {"probe": "1"})
        if response.status_code != 403:
            accepted.append(f"{route.key} ({path}): {response.status_code}")
    assert not accepted, "POST without a CSRF token was not refused:\n" + "\n".join(accepted)
