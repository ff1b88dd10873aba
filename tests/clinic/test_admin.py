"""Staff edit the clinic pages in the admin: rich text is reduced to safe markup and a script
is refused with a message; photos are checked, stripped of metadata and resized."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from clinic import images
from clinic.models import Doctor, ProcedurePage
from tests.clinic.factories import DoctorFactory
from tests.consultations.factories import ConsultationAreaFactory
from tests.members.factories import StaffFactory

pytestmark = pytest.mark.django_db

PAGE_ADD = "/admin/clinic/procedurepage/add/"
DOCTOR_ADD = "/admin/clinic/doctor/add/"


@pytest.fixture
def admin(client: Client) -> Client:
    client.force_login(StaffFactory(is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages as their English ids
    return client


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _page_data(area_pk: int, **overrides: str) -> dict[str, Any]:
    data = {
        "area": area_pk, "is_published": "on",
        "summary_ko": "요약", "summary_en": "Summary",
        "procedures_ko": "<p>수술 안내</p>", "procedures_en": "<p>Procedures</p>",
        "recovery_ko": "<p>회복</p>", "recovery_en": "<p>Recovery</p>",
        "risks_ko": "<p>위험</p>", "risks_en": "<p>Risks</p>",
    }
    return {**data, **overrides}


def _picture(fmt: str = "JPEG", size: tuple[int, int] = (1200, 800), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 90))
    buffer = io.BytesIO()
    options: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # camera make
        data[0x8825] = {1: "N", 2: (37.0, 30.0, 0.0)}  # GPS position
        options["exif"] = data
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _doctor_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name_ko": "장진우", "name_en": "Jang Jin-woo", "specialty_ko": "성형외과 전문의",
        "specialty_en": "Plastic surgeon", "qualifications_ko": "전문의",
        "qualifications_en": "Specialist", "position": "0", "is_active": "on",
    }
    return {**data, **overrides}


def test_safe_markup_is_kept_and_the_rest_removed(admin: Client) -> None:
    area = ConsultationAreaFactory()
    response = admin.post(PAGE_ADD, _page_data(
        area.pk, procedures_ko='<p class="x" style="color:red">안내 <b>굵게</b></p><img src=x>',
    ))
    assert response.status_code == 302
    assert ProcedurePage.objects.get().procedures_ko == "<p>안내 <b>굵게</b></p>"


@pytest.mark.parametrize("markup", [
    "<p>안내</p><script>alert(1)</script>",
    '<p onmouseover="alert(1)">안내</p>',
    '<a href="javascript:alert(1)">링크</a>',
    '<iframe src="https://example.com"></iframe>',
])
def test_script_in_a_procedure_page_is_refused_with_a_message(
    admin: Client, markup: str
) -> None:
    area = ConsultationAreaFactory()
    response = admin.post(PAGE_ADD, _page_data(area.pk, risks_en=markup))
    assert response.status_code == 200
    assert "Scripts, event handlers, frames and javascript: links are not allowed here." in (
        response.content.decode()
    )
    assert not ProcedurePage.objects.exists()


def test_photo_is_stripped_of_exif_and_resized_with_hashed_names(admin: Client) -> None:
    upload = SimpleUploadedFile("me.jpg", _picture(exif=True), content_type="image/jpeg")
    response = admin.post(DOCTOR_ADD, {**_doctor_data(), "photo": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    doctor = Doctor.objects.get()
    with Image.open(doctor.photo.path) as stored:
        assert stored.size == (1200, 800)
        assert not stored.getexif() and "exif" not in stored.info
    with Image.open(doctor.photo_small.path) as small, Image.open(doctor.photo_medium.path) as mid:
        assert small.width == 320 and mid.width == 640
        assert not small.getexif()
    assert doctor.photo.name.startswith("clinic/") and "me" not in doctor.photo.name
    assert doctor.photo_small.name.endswith("-320.jpg")


def test_png_and_webp_keep_their_format(admin: Client) -> None:
    for fmt, ext in (("PNG", "png"), ("WEBP", "webp")):
        upload = SimpleUploadedFile(f"p.{ext}", _picture(fmt, (300, 300)))
        assert admin.post(DOCTOR_ADD, {**_doctor_data(), "photo": upload}).status_code == 302
    assert sorted(d.photo.name.rsplit(".", 1)[1] for d in Doctor.objects.all()) == ["png", "webp"]


@pytest.mark.parametrize(("content", "message"), [
    (b"%PDF-1.4 not a picture", "Upload a valid image"),
    (_picture("GIF", (50, 50)), "Only JPEG, PNG and WebP"),
    (_picture("PNG", (6001, 10)), "6000 pixels"),
])
def test_bad_photos_are_refused_with_a_message(
    admin: Client, content: bytes, message: str
) -> None:
    upload = SimpleUploadedFile("bad.jpg", content)
    response = admin.post(DOCTOR_ADD, {**_doctor_data(), "photo": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Doctor.objects.exists()


def test_photo_over_five_megabytes_is_refused(admin: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr(images, "MAX_BYTES", 1000)
    upload = SimpleUploadedFile("big.jpg", _picture(size=(400, 400)))
    response = admin.post(DOCTOR_ADD, {**_doctor_data(), "photo": upload})
    assert response.status_code == 200
    assert "at most 5 MB" in response.content.decode()
    assert not Doctor.objects.exists()


def test_editing_a_doctor_without_a_new_photo_keeps_the_photo(admin: Client) -> None:
    upload = SimpleUploadedFile("me.jpg", _picture(), content_type="image/jpeg")
    admin.post(DOCTOR_ADD, {**_doctor_data(), "photo": upload})
    doctor = Doctor.objects.get()
    names = (doctor.photo.name, doctor.photo_small.name)
    response = admin.post(f"/admin/clinic/doctor/{doctor.pk}/change/",
                          _doctor_data(specialty_ko="원장"))
    assert response.status_code == 302
    doctor.refresh_from_db()
    assert (doctor.photo.name, doctor.photo_small.name) == names
    assert doctor.specialty_ko == "원장"


def test_new_doctor_shows_on_the_doctors_page_at_once(admin: Client) -> None:
    DoctorFactory(name_en="First")
    assert "First" in admin.get("/doctors/").content.decode()
    admin.post(DOCTOR_ADD, _doctor_data(name_en="Newly Added"))
    assert "Newly Added" in admin.get("/doctors/").content.decode()
