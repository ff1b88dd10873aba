"""Every page and email reads in one language: no unresolved particles ("을(를)") or English
words on Korean pages and in Korean emails, no Korean on English pages (DESIGN.md, Languages)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import polib
import pytest
from allauth.core import context as allauth_context
from cookie_consent.models import Cookie, CookieGroup
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from clinic_site.i18n_tools import catalogues
from consultations.models import (
    Answer,
    Consultation,
    ConsultationArea,
    GuestConsultation,
    ProcedureRecord,
    Review,
)
from consultations.services import consultation_answer
from members import roles
from members.models import LegalRepresentative, Member
from members.services import legal_representative_request_send
from privacy.complaints.services import complaint_submit
from privacy.marketing.campaigns import ReminderDue, consent_reminder_message
from privacy.models import Disclosure, PolicyVersion
from privacy.policy.services import policy_notice_send, policy_render
from tests.clinic_site.language_scan import (
    HAEYO,
    UNRESOLVED_PARTICLES,
    page_problems,
    visible_text,
    wrong_language,
)
from tests.consultations.factories import (
    ConsultationAreaFactory,
    ConsultationFactory,
    GuestConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import (
    MemberFactory,
    PosterFactory,
    StaffFactory,
    log_in,
    reauthenticate,
)
from tests.members.test_staff_mfa import enrolment_link
from tests.privacy.selfservice.conftest import fill

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

PUBLIC_PAGES = (
    "/", "/consultations/", "/consultations/guest/", "/consultations/guest/read/", "/reviews/",
    "/privacy/policy/", "/privacy/policy/versions/", "/privacy/policy/1.0/",
    "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
    "/accounts/password/reset/done/", "/accounts/confirm-email/", "/cookies/",
    "/privacy/complaints/", "/privacy/complaints/sent/", "/no-such-page/",
    "/consultations/guest/find/",
)
MEMBER_PAGES = (
    "/accounts/profile/", "/accounts/profile/edit/", "/consultations/new/",
    "/consultations/aftercare/", "/reviews/mine/", "/reviews/new/", "/privacy/my-data/",
    "/privacy/my-data/items/home_address/", "/privacy/my-data/items/access_ip/",
    "/privacy/consents/", "/privacy/consents/receipts/", "/privacy/withdraw/",
    "/accounts/email/", "/accounts/password/change/", "/accounts/sessions/",
    "/accounts/reauthenticate/", "/accounts/logout/", "/consultations/mine/",
)

SIGNUP = {
    "name": "홍길동", "username": "hong_gildong", "email": "hong@example.com",
    "password1": "Seoul-clinic-2026!", "password2": "Seoul-clinic-2026!",
    "mobile_phone": "010 1234 5678", "date_of_birth": "1990-05-17",
}


def _client(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def site(db: Any) -> dict[str, Any]:
    """A policy version, a member with data in every item, public posts and a guest's post."""
    PolicyVersion.objects.create(version="1.0", effective_on=datetime.date(2024, 7, 1),
                                 summary="개인정보처리방침 제정", summary_en="First policy")
    member = fill(PosterFactory(name="주인회원", mobile_phone="010-1111-2222"), tag="1")
    area = ConsultationAreaFactory(slug="eyes", name_ko="눈", name_en="Eyes")
    public = ConsultationFactory(area=area, title="눈매 교정 문의", body="붓기가 궁금합니다.")
    ReviewFactory(area=area, title="만족합니다", body="친절하게 상담해 주셨습니다.")
    GuestConsultationFactory(area=area)
    return {"member": member, "public": public}


def _data_words() -> set[str]:
    """Words people wrote (names, titles, bodies, addresses): shown as written in either
    language, so they are not the site's wording."""
    values: list[str] = []
    for member in Member.objects.all():
        values += [member.name, member.home_address or ""]
    for model, fields in ((Consultation, ("title", "body")), (Answer, ("body",)),
                          (Review, ("title", "body")),
                          (GuestConsultation, ("name", "title", "body")),
                          (ProcedureRecord, ("procedure_name",)), (Disclosure, ("recipient",)),
                          (LegalRepresentative, ("name",))):
        for row in model.objects.all():
            values += [str(getattr(row, name) or "") for name in fields]
    words: set[str] = set()
    for value in values:
        words.update(re.findall(r"[A-Za-z'-]+|[가-힣]+", value))
    # Names are shown masked ("김**1"): their syllables stand alone.
    words.update(syllable for member in Member.objects.all() for syllable in member.name)
    words.update(syllable for guest in GuestConsultation.objects.all() for syllable in guest.name)
    return words


def _request_for(user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _problems(client: Client, paths: tuple[str, ...], language: str,
              allowed: set[str] = frozenset()) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        response = client.get(path, follow=True)
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        assert f'<html lang="{language}"' in response.content.decode(), path
        if problems := page_problems(response.content.decode(), language,
                                     _data_words() | allowed):
            found[path] = problems
    return found


@pytest.mark.parametrize("language", ["ko", "en"])
def test_public_pages_are_in_one_language(site: dict[str, Any], language: str) -> None:
    paths = (*PUBLIC_PAGES, f"/consultations/{site['public'].pk}/")
    assert _problems(_client(language), paths, language) == {}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_member_pages_are_in_one_language(site: dict[str, Any], language: str) -> None:
    client = _client(language)
    log_in(client, site["member"])
    own = site["member"].consultations.first()
    paths = (*MEMBER_PAGES, f"/consultations/{own.pk}/")
    assert _problems(client, paths, language) == {}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_staff_admin_pages_are_in_one_language(site: dict[str, Any], language: str,
                                               staff_client: Any) -> None:
    client, _staff = staff_client(roles.PRIVACY_MANAGER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    paths = ("/admin/", "/admin/consultations/consultation/", "/admin/members/member/")
    assert _problems(client, paths, language) == {}


def _email_problems(language: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        if problems := wrong_language(text, language, _data_words()):
            found[message.subject] = problems
    return found


@pytest.mark.parametrize("language", ["ko", "en"])
def test_emails_are_in_one_language(
    site: dict[str, Any], language: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _client(language).post("/accounts/signup/", SIGNUP)
        _client(language).post("/accounts/password/reset/", {"email": site["member"].email})
    with translation.override(language), django_capture_on_commit_callbacks(execute=True):
        consultation_answer(consultation=site["public"], staff=StaffFactory(),
                            body="2주 정도면 붓기가 빠집니다.", site_url="http://testserver")
    assert len(mail.outbox) == 3
    assert _email_problems(language) == {}
    subjects = [message.subject for message in mail.outbox]
    clinic = "[장성형외과]" if language == "ko" else "[Jang Plastic Surgery]"
    assert all(subject.startswith(clinic) for subject in subjects[:2]), subjects
    # The pages the two account emails link to: email confirmation, new password.
    links = [re.search(r"http://testserver(/accounts/\S+)", message.body)
             for message in mail.outbox[:2]]
    paths = tuple(link.group(1) for link in links if link)
    assert len(paths) == 2
    assert _problems(_client(language), paths, language) == {}


def test_the_policy_notice_has_a_korean_and_an_english_part(site: dict[str, Any]) -> None:
    version = PolicyVersion.objects.create(
        version="2.0", effective_on=datetime.date(2027, 1, 1), summary="보유 기간 변경",
        summary_en="Retention periods changed",
    )
    policy_notice_send(version=version, member=site["member"], base_url="http://testserver")
    (message,) = mail.outbox
    korean, english = message.body.split("\n\nVersion 2.0 of the privacy policy")
    assert "보유 기간 변경" in korean and "Retention periods changed" in english
    assert wrong_language(f"{message.subject}\n{korean}", "ko") == []
    assert wrong_language(english, "en") == []


def test_the_scan_finds_particles_english_and_hangul() -> None:
    korean = ('<p>자택 주소을(를) 입력하셨습니다. Please sign in <span lang="en">English</span>'
              ' member0001 hong@example.com https://example.com/a URL</p>'
              '<input type="submit" value="Sign In"><script>var x = "code";</script>')
    assert page_problems(korean, "ko") == ["을(를)", "Please", "sign", "in", "Sign", "In"]
    english = '<p>Your 주소 <button lang="ko">한국어</button></p><img alt="장성형외과 로고">'
    assert page_problems(english, "en") == ["주소", "로고"]
    assert [text for _, text in visible_text("<p>a<br>b</p>", "ko")] == ["a", "b"]


def test_every_korean_message_speaks_in_one_voice() -> None:
    """Messages no test renders (rare errors, staff notices) are held to the same rules: no
    "을(를)" and no 해요체, in the site's catalogues and in its rewording of libraries."""
    found = {}
    for path in catalogues("ko"):
        for entry in polib.pofile(str(path)):
            text = entry.msgstr or " ".join(entry.msgstr_plural.values())
            # "아니요" is the word "no", not an ending.
            problems = UNRESOLVED_PARTICLES.findall(text) + [
                word for word in HAEYO.findall(text) if word != "아니요"
            ]
            if problems and not entry.obsolete:
                found[entry.msgid] = problems
    assert found == {}


@pytest.mark.parametrize(("language", "title", "section"), [
    ("ko", "장성형외과 관리", "쿠키 동의"),
    ("en", "Jang Plastic Surgery administration", "Cookie consent"),
])
def test_the_admin_is_titled_for_the_clinic(staff_client: Any, language: str, title: str,
                                             section: str) -> None:
    client, _staff = staff_client(roles.PRIVACY_MANAGER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/admin/").content.decode()
    index = "사이트 관리" if language == "ko" else "Site administration"
    assert f"<title>{index} | {title}</title>" in html
    assert f">{title}</a>" in html
    assert "Django" not in "".join(text for _lang, text in visible_text(html, language))
    assert section in html


@pytest.mark.parametrize(("language", "names"), [
    ("ko", ("2단계 인증 수단", "로그인 세션", "이메일 주소", "쿠키 그룹")),
    ("en", ("Second factors", "Login sessions", "Email addresses", "Cookie Groups")),
])
def test_the_admin_names_the_libraries_models_in_the_staffs_language(
    admin_user: Any, language: str, names: tuple[str, ...]
) -> None:
    client = _client(language)
    client.force_login(admin_user)
    html = client.get("/admin/").content.decode()
    assert all(f">{name}</a>" in html for name in names), names
    assert "Authenticators" not in html and "User sessions" not in html
    pages = {"/admin/cookie_consent/cookie/": ("쿠키 변수 이름", "Cookie variable name"),
             "/admin/mfa/authenticator/": ("2단계 인증 수단", "second factors")}
    for path, words in pages.items():
        assert words[language == "en"] in client.get(path).content.decode(), path


def test_the_policy_heads_the_destruction_procedure_as_such(site: dict[str, Any]) -> None:
    html = policy_render("ko")
    assert "<strong>파기 절차:</strong>" in html
    assert "시술:" not in html


def test_english_pages_name_areas_in_english(site: dict[str, Any]) -> None:
    html = _client("en").get("/accounts/signup/").content.decode()
    assert ">Eyes</option>" in html
    assert ">눈</option>" not in html
    assert ">눈</option>" in _client("ko").get("/accounts/signup/").content.decode()


def test_english_pages_log_in_and_out_in_one_term(site: dict[str, Any]) -> None:
    client = _client("en")
    html = client.get("/accounts/login/").content.decode()
    assert "Sign In" not in html and "Log in" in html
    log_in(client, site["member"])
    html = client.get("/accounts/logout/").content.decode()
    assert "Sign Out" not in html and "Log out" in html


def _admin_data_words() -> set[str]:
    """Names staff typed or that the database holds as codes: cookie groups and cookies, the
    staff roles' groups, consultation areas, login IDs, policy summaries."""
    values = [*CookieGroup.objects.values_list("name", flat=True),
              *CookieGroup.objects.values_list("varname", flat=True),
              *CookieGroup.objects.values_list("description", flat=True),
              *Cookie.objects.values_list("name", flat=True),
              *Cookie.objects.values_list("description", flat=True),
              *Group.objects.values_list("name", flat=True),
              *ConsultationArea.objects.values_list("name_en", flat=True),
              *ConsultationArea.objects.values_list("name_ko", flat=True),
              *ConsultationArea.objects.values_list("slug", flat=True),
              *PolicyVersion.objects.values_list("summary", flat=True),
              *PolicyVersion.objects.values_list("summary_en", flat=True),
              *(member.username for member in Member.objects.select_related("data_key"))]
    return {word for value in values for word in re.findall(r"[A-Za-z'-]+|[가-힣]+", value)}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_admin_list_and_form_is_in_one_language(
    site: dict[str, Any], language: str, admin_user: Any
) -> None:
    client = _client(language)
    client.force_login(admin_user)
    client.get("/admin/members/member/")  # an access-log entry for its pages below
    paths = ["/admin/"]  # the index, and the sidebar on every page below
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        paths.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(_request_for(admin_user)):
            paths.append(reverse("admin:{}_{}_add".format(*info)))
        if model._meta.managed and (first := model._default_manager.order_by("pk").first()):
            paths.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    paths.sort(key=lambda path: "accesslogentry" in path)
    found = {}
    for path in paths:  # the access log last, with the entries the other pages wrote
        allowed = _data_words() | _admin_data_words()
        found.update(_problems(client, (path,), language, allowed))
    assert {path: sorted(set(words)) for path, words in found.items()} == {}


def test_the_admin_names_yes_no_actions_and_permissions_in_korean(site: dict[str, Any],
                                                                   admin_user: Any) -> None:
    client = _client("ko")
    client.force_login(admin_user)
    members = client.get("/admin/members/member/").content.decode()
    assert 'alt="예"' in members and 'alt="아니요"' in members
    assert 'alt="True"' not in members and 'alt="False"' not in members
    log = client.get("/admin/privacy/accesslogentry/").content.decode()
    assert "목록 조회 · 회원" in log and "list:members.member" not in log
    role = Group.objects.get(name=roles.RECEPTIONIST)
    form = client.get(f"/admin/auth/group/{role.pk}/change/").content.decode()
    assert ">회원 | 보기</option>" in form and "Can view member" not in form


@pytest.mark.parametrize("language", ["ko", "en"])
def test_staff_account_pages_are_in_one_language(site: dict[str, Any], language: str,
                                                 staff_client: Any) -> None:
    """The second-factor pages staff go through: set-up, the overview, recovery codes."""
    newcomer, _staff = staff_client(roles.DOCTOR, totp=False)
    newcomer.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    reauthenticate(newcomer)
    assert _problems(newcomer, ("/accounts/2fa/totp/activate/",), language) == {}  # the refusal
    link = enrolment_link(newcomer)
    assert _problems(newcomer, (link,), language) == {}
    newcomer.post(link)
    assert _problems(newcomer, ("/accounts/2fa/totp/activate/",), language) == {}
    secret = "인증 앱 비밀 키" if language == "ko" else "Authenticator secret"
    assert secret in newcomer.get("/accounts/2fa/totp/activate/").content.decode()

    client, _staff = staff_client(roles.DOCTOR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    reauthenticate(client)
    client.post("/accounts/2fa/recovery-codes/generate/")
    paths = ("/accounts/2fa/", "/accounts/2fa/recovery-codes/",
             "/accounts/2fa/totp/deactivate/", "/accounts/sessions/", "/accounts/email/")
    assert _problems(client, paths, language) == {}
    codes = client.get("/accounts/2fa/recovery-codes/").content.decode()
    sentence = ("복구 코드 10개 중 10개를 아직 사용하지 않았습니다." if language == "ko"
                else "There are 10 out of 10 recovery codes available.")
    assert sentence in codes


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_representative_request_is_in_one_language(site: dict[str, Any],
                                                        language: str) -> None:
    child = MemberFactory(name="어린이")
    representative = LegalRepresentative.objects.create(
        child=child, name="보호자", email="parent@example.com", relation="parent")
    request = RequestFactory().get("/accounts/signup/")
    with translation.override(language), allauth_context.request_context(request):
        legal_representative_request_send(representative=representative, request=request)
    (message,) = mail.outbox
    assert wrong_language(f"{message.subject}\n{message.body}", language, _data_words()) == []


def test_korean_only_emails_are_korean(site: dict[str, Any]) -> None:
    """The complaint notice to the officer and the advertising-consent reminder are written in
    the clinic's language (settings.LANGUAGE_CODE, marketing's MESSAGE_LANGUAGE)."""
    complaint_submit(body="개인정보 열람 요청에 답이 없습니다.", name="홍길동",
                     contact="010-2222-3333",
                     admin_url_for=lambda c: f"http://testserver/admin/privacy/complaint/{c.pk}/")
    reminder = consent_reminder_message(member=site["member"], reminders=[ReminderDue(
        consent="marketing_email", granted_at=timezone.now(), period_start=timezone.now())])
    for message in (*mail.outbox, reminder):
        assert wrong_language(f"{message.subject}\n{message.body}", "ko") == [], message.subject
