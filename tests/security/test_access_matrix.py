"""Access-control matrix: every URL of the site, visited as every role, answers as the table says.

The URL conf is walked whole (tests/security/access.py), so a new URL is covered
automatically: a URL pattern missing from ``TABLE`` fails the test and asks for its row. The
roles: ``anonymous``; ``other``, a member who owns nothing of what the URL shows; ``owner``,
the member whose objects fill the URL's parameters, also the confirmed legal representative
of a child member (the "representative" role); ``staff``, a staff account (TOTP set up, as
the admin requires) without any admin permission; ``superuser``. ModelAdmin URLs follow one
rule (``AdminModelRule``). A case with ``fresh=True`` is visited right after the password was
confirmed again, so pages behind allauth's reauthentication are checked for who may see what.

Besides the status, no page that ``anonymous`` or ``other`` can open may contain the owner's
private data (private and after-care consultations, answer, phone, email, the child's name, a
guest's question), and no HTML page may carry inline script or style that the strict Content
Security Policy would block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from cookie_consent.models import Cookie, CookieGroup, LogItem
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from clinic.models import Doctor, Holiday, OpeningHours, ProcedurePage, VisitInformation
from consultations.models import BookingRequest, Consultation, GuestConsultation, ProcedureRecord
from members.models import (
    LegalRepresentative,
    LoginRecord,
    LoginResult,
    Member,
    MemberBlock,
    Relation,
)
from members.services import login_record, member_block, representative_link_token
from privacy.access_log import access_log_append
from privacy.complaints.services import complaint_submit
from privacy.ledger import consent_record
from privacy.marketing.campaigns import unsubscribe_token
from privacy.models import (
    AccessLogEntry,
    Campaign,
    CampaignChannel,
    Complaint,
    ConsentMethod,
    ConsentRecord,
    Disclosure,
    DisclosureBasis,
    PolicyDraft,
    PolicyNotice,
    PolicyVersion,
    Processor,
    Visit,
)
from privacy.policy.services import policy_version_publish
from privacy.processors.services import disclosure_record
from tests.clinic.factories import (
    DoctorFactory,
    HolidayFactory,
    OpeningHoursFactory,
    ProcedurePageFactory,
    VisitInformationFactory,
)
from tests.consultations.factories import (
    AftercareFactory,
    AnswerFactory,
    BookingRequestFactory,
    ConsultationAreaFactory,
    ConsultationFactory,
    GuestConsultationFactory,
    ProcedureRecordFactory,
    ReviewFactory,
)
from tests.members.factories import (
    DEFAULT_PASSWORD,
    MemberFactory,
    PosterFactory,
    StaffFactory,
    reauthenticate,
)
from tests.privacy.factories import ProcessorFactory
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
AFTERCARE_TITLE = "수술 후 관리: 실밥 부위 진물"
CHILD_NAME = "박아동"
CHILD_TITLE = "비공개 상담: 소아 귀 성형"
GUEST_BODY = "비회원 문의: 안면윤곽 재수술 비용"
GUEST_PHONE = "010-2468-1357"


@dataclass
class World:
    """The owner is also the confirmed legal representative of ``child`` (the issue's
    "representative" role: the owner's pages about the child are theirs, nobody else's)."""

    owner: Any
    other: Any
    staff: Any
    superuser: Any
    bystander: Any  # owns the objects made for admin pages, so no role's pages change
    child: Any
    child_consultation: Consultation  # private: the child's representative (the owner) reads it
    private_consultation: Consultation
    public_consultation: Consultation  # unanswered: its author may still edit or delete it
    review: Any
    consent: ConsentRecord
    policy_first: PolicyVersion
    policy_second: PolicyVersion
    unsubscribe_token: str
    representative_token: str

    def user(self, role: str) -> Any:
        return None if role == "anonymous" else getattr(self, role)

    def admin_object(self, model: type) -> Any:
        return admin_object(model, admin_object_makers(self))

    def secrets(self) -> list[str]:
        """What only the owner (or the guest who wrote it) and staff may ever see."""
        return [PRIVATE_TITLE, PRIVATE_BODY, PRIVATE_ANSWER, AFTERCARE_TITLE, OWNER_PHONE,
                self.owner.email, CHILD_NAME, CHILD_TITLE, GUEST_BODY, GUEST_PHONE]


def admin_object_makers(world: World) -> dict[type, Callable[[], Any]]:
    """How to make an object of each admin-registered model that has none yet."""

    def cookie_group() -> CookieGroup:
        return CookieGroup.objects.create(varname="matrix", name="Matrix", description="x")

    def member_block_made() -> MemberBlock:
        return member_block(member=MemberFactory(), reason="matrix", actor=world.superuser)

    return {
        Group: lambda: Group.objects.create(name="counsellors"),
        EmailAddress: lambda: verified_email(world.bystander) or EmailAddress.objects.first(),
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
        MemberBlock: member_block_made,
        LoginRecord: lambda: login_record(member=world.bystander, result=LoginResult.SUCCESS,
                                          ip_address="203.0.113.9"),
        ProcedureRecord: lambda: ProcedureRecordFactory(member=world.bystander),
        GuestConsultation: lambda: GuestConsultationFactory(),
        BookingRequest: lambda: BookingRequestFactory(),
        ProcedurePage: lambda: ProcedurePageFactory(),
        Doctor: lambda: DoctorFactory(),
        OpeningHours: lambda: OpeningHoursFactory(),
        Holiday: lambda: HolidayFactory(),
        VisitInformation: lambda: VisitInformationFactory(),
        PolicyVersion: lambda: world.policy_first,
        PolicyDraft: lambda: PolicyDraft.objects.create(version="9.9", summary="matrix"),
        ConsentRecord: lambda: world.consent,
        PolicyNotice: lambda: PolicyNotice.objects.create(version=world.policy_first,
                                                          member=world.bystander),
        Processor: lambda: ProcessorFactory(),
        Disclosure: lambda: disclosure_record(
            subject_ref=world.bystander.subject_ref, recipient="Matrix Hospital",
            items=["name"], legal_basis=DisclosureBasis.LAW),
        Complaint: lambda: complaint_submit(body="matrix complaint", member=world.bystander,
                                            admin_url_for=lambda complaint: "/admin/"),
        Campaign: lambda: Campaign.objects.create(title="Matrix", channel=CampaignChannel.EMAIL,
                                                  body="matrix"),
        Visit: lambda: Visit.objects.create(visitor_id=world.bystander.subject_ref, path="/"),
        AccessLogEntry: lambda: access_log_append(
            actor="matrix", action="view", subject_ref=world.bystander.subject_ref),
    }


@pytest.fixture
def world() -> World:
    owner = PosterFactory(mobile_phone=OWNER_PHONE, email="owner.matrix@example.com")
    area = ConsultationAreaFactory()
    private = ConsultationFactory(author=owner, area=area, is_private=True,
                                  title=PRIVATE_TITLE, body=PRIVATE_BODY)
    AnswerFactory(consultation=private, body=PRIVATE_ANSWER)
    public = ConsultationFactory(author=owner, area=area, is_private=False)
    AftercareFactory(author=owner, title=AFTERCARE_TITLE)  # and a procedure: a patient
    review = ReviewFactory(author=owner, area=area)
    child = MemberFactory(name=CHILD_NAME, date_of_birth="2016-03-01")
    LegalRepresentative.objects.create(
        child=child, name=owner.name, email=owner.email, relation=Relation.PARENT,
        representative_member=owner, confirmed_at=timezone.now(), data_key=child.data_key,
    )
    child_consultation = ConsultationFactory(author=child, area=area, is_private=True,
                                             title=CHILD_TITLE)
    pending_child = MemberFactory(is_active=False)
    pending = LegalRepresentative.objects.create(
        child=pending_child, name="보호자", email="guardian.matrix@example.com",
        relation=Relation.GUARDIAN, data_key=pending_child.data_key,
    )
    GuestConsultationFactory(body=GUEST_BODY, mobile_phone=GUEST_PHONE)
    consent = consent_record(subject_ref=owner.subject_ref, member=owner,
                             consent="marketing_email", granted=True,
                             method=ConsentMethod.SIGNUP_FORM)
    today = timezone.localdate()
    world = World(
        owner=owner, other=MemberFactory(), staff=StaffFactory(),
        superuser=StaffFactory(is_superuser=True), bystander=MemberFactory(), child=child,
        child_consultation=child_consultation,
        private_consultation=private, public_consultation=public, review=review,
        consent=consent,
        policy_first=policy_version_publish(version="1.0",
                                            effective_on=today.replace(year=today.year - 2)),
        policy_second=policy_version_publish(version="1.1",
                                             effective_on=today.replace(year=today.year - 1)),
        unsubscribe_token=unsubscribe_token(subject_ref=owner.subject_ref,
                                            consent="marketing_email"),
        representative_token=representative_link_token(pending),
    )
    for model in admin.site._registry:
        world.admin_object(model)  # made now, so the order of visits changes nothing
    return world


def content_type_id(world: World) -> dict[str, Any]:
    content_type = ContentType.objects.get_for_model(Consultation)
    return {"content_type_id": content_type.pk, "object_id": world.public_consultation.pk}


def pk_of(attribute: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"pk": getattr(world, attribute).pk}


def admin_pk(model: type) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"object_id": world.admin_object(model).pk}


MISSING = Case(everyone(404), kwargs=lambda w: {"pk": 999_999}, label="missing")
ADMIN_POST_ONLY = expect(anonymous="→admin:login", other="→admin:login", staff=405)
LOGIN_REQUIRED = expect(anonymous="→account_login", other=200, staff=200)
STAFF_ONLY = expect(anonymous="→admin:login", other="→admin:login", staff=200)
REAUTHENTICATE = expect(anonymous="→account_login", other="→account_reauthenticate",
                        staff="→account_reauthenticate")
NOTHING_TO_SHOW = expect(anonymous="→account_login", other=404, staff=404)
# The owner's own object: everyone else gets the 404 of a page that does not exist.
OWNER_ONLY = expect(anonymous="→account_login", other=404, owner=200, staff=404)
# Writing on the boards needs a confirmed email and the sensitive-information consent (only
# the owner has both); after-care questions and reviews also need a procedure record.
POSTER_ONLY = expect(anonymous="→account_login", other=403, owner=200, staff=403)

POST_ONLY = expect(anonymous="→account_login", other=405, staff=405)
# A represented child's page behind reauthentication: strangers get the 404 first.
CHILD_REAUTHENTICATED = (
    Case(expect(anonymous="→account_login", other=404, owner="→account_reauthenticate",
                staff=404), kwargs=pk_of("child")),
    Case(OWNER_ONLY, kwargs=pk_of("child"), fresh=True, label="after reauthentication"),
    Case(NOTHING_TO_SHOW, kwargs=pk_of("other"), fresh=True, label="not a child"),
)
# URL pattern key (name, or route when unnamed) -> Case, or a tuple of Cases.
TABLE: dict[str, Case | tuple[Case, ...]] = {
    # --- site ------------------------------------------------------------------------------
    "home": Case(everyone(200)),
    "healthz": Case(everyone(200)),
    "robots_txt": Case(everyone(200)),
    "sitemap": Case(everyone(200)),
    # Sent on to the static file, which no URL pattern of the site serves ("→?").
    "favicon": Case(everyone("→?")),
    # --- clinic pages: public; an area without a published page is 404 ---------------------
    "clinic:procedure_page": (
        Case(everyone(200), kwargs=lambda w: {"slug": w.admin_object(ProcedurePage).area.slug}),
        Case(everyone(404), kwargs=lambda w: {"slug": "no-such-area"}, label="missing"),
    ),
    "clinic:doctors": Case(everyone(200)),
    "clinic:visit": Case(everyone(200)),
    "set_language": Case(everyone("→home"), query="?next=/"),
    # --- members -----------------------------------------------------------------------------
    "members:my_page": Case(LOGIN_REQUIRED),
    "members:profile_edit": (
        Case(REAUTHENTICATE),
        Case(LOGIN_REQUIRED, fresh=True, label="after reauthentication"),
    ),
    "members:child_profile": (
        Case(OWNER_ONLY, kwargs=pk_of("child"), label="represented child"),
        Case(NOTHING_TO_SHOW, kwargs=pk_of("other"), label="not a child"),
        Case(NOTHING_TO_SHOW, kwargs=lambda w: {"pk": 999_999}, label="missing"),
    ),
    "members:child_profile_edit": (
        Case(REAUTHENTICATE, kwargs=pk_of("child")),
        Case(OWNER_ONLY, kwargs=pk_of("child"), fresh=True, label="after reauthentication"),
        Case(NOTHING_TO_SHOW, kwargs=pk_of("owner"), fresh=True, label="not a child"),
    ),
    "members:representative_pending": Case(everyone(200)),
    # The emailed link is the key (the representative may have no account); a bad one is 400.
    "members:representative_confirm": (
        Case(everyone(200), kwargs=lambda w: {"token": w.representative_token}, label="valid"),
        Case(everyone(400), kwargs=lambda w: {"token": "not-a-real-token"}, label="invalid"),
    ),
    # A staff member without an authenticator asks for the enrolment link by POST; the link
    # is for the signed-in staff account only, and a bad one is 400.
    "members:staff_enrolment_send": Case(POST_ONLY),
    "members:staff_enrolment": Case(expect(anonymous="→account_login", other=400, staff=400),
                                    kwargs=lambda w: {"token": "not-a-real-token"}),
    # --- consultations -------------------------------------------------------------------------
    "consultations:list": Case(everyone(200)),
    "consultations:create": Case(POSTER_ONLY),
    # Each member's own questions: the page lists only the viewer's.
    "consultations:mine": Case(LOGIN_REQUIRED),
    # Staff read private questions by their role's permission, never by being staff.
    # A logged-out visitor (the answer email's link) is sent to log in for any post page
    # they may not see, missing ones too, so the redirect tells nothing about existence.
    "consultations:detail": (
        Case(expect(anonymous="→account_login", other=404, owner=200, staff=404, superuser=200),
             kwargs=pk_of("private_consultation"), label="private"),
        Case(everyone(200), kwargs=pk_of("public_consultation"), label="public"),
        Case(expect(anonymous="→account_login", other=404, owner=200, staff=404, superuser=200),
             kwargs=pk_of("child_consultation"), label="represented child's private"),
        Case(NOTHING_TO_SHOW, kwargs=lambda w: {"pk": 999_999}, label="missing"),
    ),
    "consultations:edit": (
        Case(OWNER_ONLY, kwargs=pk_of("public_consultation"), label="unanswered"),
        # Answered: the owner is sent back to the post, which can no longer change.
        Case(expect(anonymous="→account_login", other=404, owner="→consultations:detail",
                    staff=404), kwargs=pk_of("private_consultation"), label="answered"),
        Case(NOTHING_TO_SHOW, kwargs=lambda w: {"pk": 999_999}, label="missing"),
    ),
    "consultations:delete": (
        Case(OWNER_ONLY, kwargs=pk_of("public_consultation"), label="unanswered"),
        # The author deletes an answered question too (its answers go with it).
        Case(OWNER_ONLY, kwargs=pk_of("private_consultation"), label="answered"),
    ),
    # POST only (staff answer there); a GET is refused before anything is looked up.
    "consultations:answer": Case(everyone(405), kwargs=pk_of("private_consultation")),
    "consultations:aftercare": Case(LOGIN_REQUIRED),
    "consultations:aftercare_create": Case(POSTER_ONLY),
    # Guests: the form is public; the answer shows only for reference + password (a POST).
    "consultations:guest": Case(everyone(200)),
    "consultations:guest_done": Case(everyone("→consultations:guest_read")),
    "consultations:guest_read": Case(everyone(200)),
    # The reference goes by text message to the number given, never onto the page.
    "consultations:guest_find": Case(everyone(200)),
    # Booking requests: the form is public (members book as themselves); a guest's request
    # shows only for reference + contact (a POST).
    "consultations:booking": Case(everyone(200)),
    "consultations:booking_done": Case(everyone("→consultations:booking_read")),
    "consultations:booking_read": Case(everyone(200)),
    "reviews:list": Case(everyone(200)),
    "reviews:mine": Case(LOGIN_REQUIRED),
    "reviews:create": Case(POSTER_ONLY),
    "reviews:edit": (Case(OWNER_ONLY, kwargs=pk_of("review")),
                     Case(NOTHING_TO_SHOW, kwargs=lambda w: {"pk": 999_999}, label="missing")),
    "reviews:delete": Case(OWNER_ONLY, kwargs=pk_of("review")),
    # --- privacy -----------------------------------------------------------------------------
    "privacy:policy": Case(everyone(200)),
    "privacy:policy_versions": Case(everyone(200)),
    "privacy:policy_version": (
        Case(everyone(200), kwargs=lambda w: {"version": w.policy_first.version}),
        Case(everyone(404), kwargs=lambda w: {"version": "9.9"}, label="missing"),
    ),
    "privacy:policy_version_diff": (
        Case(everyone(200), kwargs=lambda w: {"version": w.policy_second.version}),
        Case(everyone(404), kwargs=lambda w: {"version": w.policy_first.version},
             label="first version"),
    ),
    # Nothing to re-consent to: back to where the member came from.
    "privacy:reconsent": Case(expect(anonymous="→account_login", other="→home", staff="→home")),
    "privacy:consent_receipts": Case(LOGIN_REQUIRED),
    # A receipt is its owner's; anyone else, logged in or not, gets a 404.
    "privacy:consent_receipt": (
        Case(expect(anonymous=404, other=404, owner=200, staff=404), kwargs=pk_of("consent")),
        MISSING,
    ),
    "privacy:complaint": Case(everyone(200)),
    "privacy:complaint_sent": Case(everyone(200)),
    # The signed link is the key (advertisements reach people who are not logged in).
    "privacy:unsubscribe": (
        Case(everyone(200), kwargs=lambda w: {"token": w.unsubscribe_token}, label="valid"),
        Case(everyone(400), kwargs=lambda w: {"token": "not-a-real-token"}, label="invalid"),
    ),
    # Self-service: one's own data, and a represented child's (404 for anyone else,
    # before any reauthentication prompt); exporting and withdrawing ask for the password again.
    "privacy:my_data": Case(LOGIN_REQUIRED),
    "privacy:my_data_child": (Case(OWNER_ONLY, kwargs=pk_of("child"), label="represented child"),
                              Case(NOTHING_TO_SHOW, kwargs=pk_of("other"), label="not a child")),
    "privacy:my_data_export": (Case(REAUTHENTICATE),
                               Case(LOGIN_REQUIRED, fresh=True, label="after reauthentication")),
    "privacy:my_data_export_child": CHILD_REAUTHENTICATED,
    "privacy:my_data_request": Case(POST_ONLY),
    "privacy:my_data_request_child": Case(POST_ONLY, kwargs=pk_of("child")),
    # All records of one registry item, or of one list of "my data": the viewer's own.
    "privacy:my_data_item": (
        Case(LOGIN_REQUIRED, kwargs=lambda w: {"key": "consultation_content"}),
        Case(NOTHING_TO_SHOW, kwargs=lambda w: {"key": "no_such_item"}, label="unknown item"),
    ),
    "privacy:my_data_item_child": (
        Case(OWNER_ONLY, kwargs=lambda w: {"pk": w.child.pk, "key": "consultation_content"},
             label="represented child"),
        Case(NOTHING_TO_SHOW, kwargs=lambda w: {"pk": w.other.pk, "key": "name"},
             label="not a child"),
    ),
    "privacy:my_data_section": (
        Case(LOGIN_REQUIRED, kwargs=lambda w: {"key": "consultations"}),
        Case(NOTHING_TO_SHOW, kwargs=lambda w: {"key": "no_such_list"}, label="unknown list"),
    ),
    "privacy:my_data_section_child": (
        Case(OWNER_ONLY, kwargs=lambda w: {"pk": w.child.pk, "key": "consultations"},
             label="represented child"),
        Case(NOTHING_TO_SHOW, kwargs=lambda w: {"pk": w.other.pk, "key": "consents"},
             label="not a child"),
    ),
    "privacy:consents": Case(LOGIN_REQUIRED),
    # The statement before withdrawing the sensitive consent: only for who has given it.
    "privacy:sensitive_withdraw": Case(expect(anonymous="→account_login",
                                              other="→privacy:consents", owner=200,
                                              staff="→privacy:consents")),
    "privacy:consents_child": (
        Case(OWNER_ONLY, kwargs=pk_of("child"), label="represented child"),
        Case(NOTHING_TO_SHOW, kwargs=pk_of("other"), label="not a child"),
    ),
    "privacy:sensitive_withdraw_child": (
        Case(expect(anonymous="→account_login", other=404, owner="→privacy:consents_child",
                    staff=404), kwargs=pk_of("child"), label="represented child"),
        Case(NOTHING_TO_SHOW, kwargs=pk_of("other"), label="not a child"),
    ),
    "privacy:withdraw": (Case(REAUTHENTICATE),
                         Case(LOGIN_REQUIRED, fresh=True, label="after reauthentication")),
    "privacy:withdraw_child": CHILD_REAUTHENTICATED,
    # --- cookies (django-cookie-consent's URL names) -----------------------------------------
    "cookie_consent_cookie_group_list": Case(everyone(200)),
    "cookie_consent_accept": Case(everyone(405)),
    "cookie_consent_decline": Case(everyone(405)),
    # --- accounts (allauth) ------------------------------------------------------------------
    # Staff already logged in are sent on to where they work, the admin.
    "account_login": Case(expect(anonymous=200, other="→home", staff="→admin:index")),
    "account_logout": Case(expect(anonymous="→home", other=200, staff=200)),
    "account_inactive": Case(everyone(200)),
    "account_signup": Case(expect(anonymous=200, other="→home", staff="→admin:index")),
    "account_reauthenticate": Case(LOGIN_REQUIRED),
    # Reauthentication by a mailed code is switched off (ACCOUNT_REAUTHENTICATION_METHODS).
    "account_request_reauthentication_code": Case(expect(anonymous="→account_login", other=403,
                                                         staff=403)),
    "account_confirm_reauthentication_code": Case(expect(anonymous="→account_login", other=403,
                                                         staff=403)),
    "account_email": Case(LOGIN_REQUIRED),
    "account_email_verification_sent": Case(everyone(200)),
    "account_change_password": Case(LOGIN_REQUIRED),
    "account_set_password": Case(expect(anonymous="→account_login",
                                        other="→account_change_password",
                                        staff="→account_change_password")),
    "account_reset_password": Case(everyone(200)),
    "account_confirm_login_code": Case(expect(anonymous="→account_login", other="→home",
                                              staff="→admin:index")),
    "account_confirm_email": Case(everyone(200), kwargs=lambda w: {"key": "not-a-real-key"}),
    "account_reset_password_from_key_done": Case(everyone(200)),
    "account_reset_password_from_key": Case(
        everyone(200), kwargs=lambda w: {"uidb36": "zz", "key": "not-a-real-key"}),
    "account_reset_password_done": Case(everyone(200)),
    "mfa_index": Case(LOGIN_REQUIRED),
    "mfa_authenticate": Case(expect(anonymous="→account_login", other="→home",
                                    staff="→admin:index")),
    # Members have no MFA: changing it asks for the password again, and there is nothing to
    # deactivate or show; activation needs a verified email (the owner's). Staff have TOTP
    # (the admin requires it): they reauthenticate with it, and deactivating asks for it.
    "mfa_reauthenticate": Case(expect(anonymous="→account_login",
                                      other="→account_reauthenticate", staff=200)),
    "mfa_activate_totp": Case(expect(anonymous="→account_login", other="→mfa_index",
                                     owner="→account_reauthenticate", staff="→mfa_index")),
    "mfa_deactivate_totp": Case(expect(anonymous="→account_login", other=404,
                                       staff="→account_reauthenticate")),
    "mfa_view_recovery_codes": Case(NOTHING_TO_SHOW),
    "mfa_generate_recovery_codes": Case(REAUTHENTICATE),
    "mfa_download_recovery_codes": Case(NOTHING_TO_SHOW),
    "usersessions_list": Case(LOGIN_REQUIRED),
    # --- admin (ModelAdmin URLs follow AdminModelRule) ---------------------------------------
    "admin:index": Case(STAFF_ONLY),
    # Admin's own login form is replaced by allauth's (rate limits, access log, MFA); a
    # member who is not staff is told that this account may not enter.
    "admin:login": Case(expect(anonymous="→account_login", other=200,
                               staff="→account_login")),
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
    "admin:privacy_visit_report": Case(expect(anonymous="→admin:login",
                                              other="→admin:login", staff=403,
                                              superuser=200)),
    # Masked admin (staff admin): a record's personal items in clear, and the exact mobile
    # search, answer POST only (with the reveal permission; each reveal logged).
    "admin:members_member_reveal": Case(ADMIN_POST_ONLY, kwargs=admin_pk(Member)),
    "admin:consultations_guestconsultation_reveal": Case(
        ADMIN_POST_ONLY, kwargs=admin_pk(GuestConsultation)),
    "admin:privacy_complaint_reveal": Case(ADMIN_POST_ONLY, kwargs=admin_pk(Complaint)),
    "admin:consultations_bookingrequest_reveal": Case(
        ADMIN_POST_ONLY, kwargs=admin_pk(BookingRequest)),
    "admin:privacy_disclosure_reveal": Case(ADMIN_POST_ONLY, kwargs=admin_pk(Disclosure)),
    "admin:account_emailaddress_reveal": Case(ADMIN_POST_ONLY, kwargs=admin_pk(EmailAddress)),
    "admin:usersessions_usersession_reveal": Case(ADMIN_POST_ONLY,
                                                  kwargs=admin_pk(UserSession)),
    "admin:members_member_search_mobile": Case(ADMIN_POST_ONLY),
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


def client_for(world: World, role: str, *, fresh: bool = False) -> Client:
    """A session of ``role``; ``fresh``: one that has just confirmed the password through
    allauth's reauthentication form, so reauthentication-guarded pages open."""
    client = Client()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
        if fresh:
            reauthenticate(client)
    return client


def visit(world: World, role: str, path: str) -> Any:
    return client_for(world, role).get(path)


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_table_says(world: World, role: str) -> None:
    admin_rule = AdminModelRule()
    mismatches = []
    visited = 0
    # One session per role: no visit is a POST, so none changes what the next one sees.
    clients = {False: client_for(world, role), True: client_for(world, role, fresh=True)}
    for route in site_routes():
        for case in cases_for(route, admin_rule, world):
            kwargs = case.kwargs(world) if case.kwargs else {}
            path = build_path(route, kwargs) + case.query
            response = clients[case.fresh].get(path)
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
    assert AFTERCARE_TITLE in visit(world, "owner", "/consultations/aftercare/").content.decode()
    child_page = f"/accounts/profile/children/{world.child.pk}/"
    assert CHILD_NAME in visit(world, "owner", child_page).content.decode()


def test_a_post_to_the_admin_login_without_the_token_logs_nobody_in(world: World) -> None:
    """Why ``admin:login`` is in CSRF_EXEMPT: the POST is redirected, unread."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": world.superuser.username,
                                             "password": DEFAULT_PASSWORD})
    assert outcome_of(response) == "→account_login"
    assert "_auth_user_id" not in client.session


def test_roles_are_who_the_matrix_says(world: World) -> None:
    assert not world.other.is_staff and not world.owner.is_staff
    assert world.staff.is_staff and not world.staff.is_superuser
    assert not world.staff.user_permissions.exists()
    assert world.superuser.is_superuser
    assert set(MEMBER_ROLES) <= set(ROLES)


# Views that may take a POST without Django's CSRF token (webhooks and the like); each needs
# a reason here.
CSRF_EXEMPT: dict[str, str] = {
    "admin:login": "never reaches a view: members.middleware redirects every request (POST "
                   "included, its body unread) to allauth's login, which checks the token",
}


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
