"""Raw database rows hold no plaintext of encrypted fields, before and after a KEK rotation."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from consultations.models import Answer, Consultation, Review
from members.models import Member
from privacy.lookup import email_digest, login_id_digest
from privacy.models import DataKey
from tests.consultations.factories import AnswerFactory, ConsultationFactory, ReviewFactory
from tests.members.factories import MemberFactory
from tests.security.test_key_rotation import NEW_KEK

pytestmark = pytest.mark.django_db(databases=["default", "retention"])

PHONE = "010-8642-9753"
SECRETS = {
    # The whole number, with and without dashes: a short run of digits can occur by chance in
    # the row's random hex (a subject reference, a digest).
    "phone": PHONE,
    "phone digits": PHONE.replace("-", ""),
    "question": "쌍꺼풀 재수술 부작용이 걱정됩니다",
    "answer": "재수술은 6개월 이후에 권합니다",
    "review": "흉터가 거의 없어서 만족합니다",
    "consultation title": "코 재수술 상담 문의",
    "review title": "눈매 교정 후기",
    "login ID": "zz_rest_login",
    "email": "zz.rest.mail@example.org",
}


def raw_row(model: type, pk: int) -> str:
    """Every column of the row as the database returns it, joined into one string."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
    return " | ".join("" if value is None else str(value) for value in row)


@pytest.fixture
def stored() -> dict[str, object]:
    member = MemberFactory(mobile_phone=PHONE, username=SECRETS["login ID"],
                           email=SECRETS["email"])
    consultation = ConsultationFactory(author=member, body=SECRETS["question"], is_private=True,
                                       title=SECRETS["consultation title"])
    answer = AnswerFactory(consultation=consultation, body=SECRETS["answer"])
    review = ReviewFactory(author=member, body=SECRETS["review"], title=SECRETS["review title"])
    return {"member": member, "consultation": consultation, "answer": answer, "review": review}


def assert_no_plaintext(stored: dict[str, object]) -> None:
    rows = {
        "member": raw_row(Member, stored["member"].pk),
        "consultation": raw_row(Consultation, stored["consultation"].pk),
        "answer": raw_row(Answer, stored["answer"].pk),
        "review": raw_row(Review, stored["review"].pk),
    }
    for name, row in rows.items():
        for secret in SECRETS.values():
            assert secret not in row, f"plaintext {secret!r} in the raw {name} row"
    # The row does hold the login ID's and email's keyed digests: the check reads real rows.
    assert login_id_digest(SECRETS["login ID"]) in rows["member"]
    assert email_digest(SECRETS["email"]) in rows["member"]

    material = stored["member"].data_key.material()
    key_row = raw_row(DataKey, stored["member"].data_key_id)
    for encoding in (base64.b64encode, base64.urlsafe_b64encode):
        assert encoding(material).decode() not in key_row
    assert material.hex() not in key_row


def test_raw_rows_hold_no_plaintext(stored: dict[str, object]) -> None:
    assert_no_plaintext(stored)
    fresh = Consultation.objects.select_related("data_key").get(pk=stored["consultation"].pk)
    assert fresh.body == SECRETS["question"]


def test_raw_rows_hold_no_plaintext_after_a_key_rotation(
    settings, stored: dict[str, object]
) -> None:
    settings.PRIVACY_KEK = [NEW_KEK, *settings.PRIVACY_KEK]
    call_command("privacy", "rotate-keys", stdout=StringIO())
    settings.PRIVACY_KEK = [NEW_KEK]
    stored["member"] = Member.objects.select_related("data_key").get(pk=stored["member"].pk)
    assert stored["member"].mobile_phone == PHONE
    assert_no_plaintext(stored)
