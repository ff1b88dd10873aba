"""Lookup digests: keyed with PRIVACY_LOOKUP_KEY (not SECRET_KEY), kept current on save,
recomputed after a new key is listed, and blocks still matching under the old one."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import override_settings

from consultations.models import Consultation, GuestConsultation, Review
from members.models import Member, MemberBlock
from members.selectors import contact_is_blocked
from members.services import member_block
from privacy.lookup import (
    area_digest,
    email_digest,
    identity_normal,
    phone_digest,
    search_index,
)
from tests.consultations.factories import (
    ConsultationFactory,
    GuestConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

OLD_KEY = django_settings.PRIVACY_LOOKUP_KEY[0]
NEW_KEY = b"a new lookup key for this test 0"[:32]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("privacy", "refresh-lookup-digests", *args, stdout=out)
    return out.getvalue()


def test_the_digest_is_keyed_and_normalised() -> None:
    assert phone_digest("010-1234-5678") == phone_digest("+82 10 1234 5678")
    assert phone_digest("010-1234-5678") == phone_digest("０１０-１２３４-５６７８")
    assert phone_digest("010-1234-5678") != phone_digest("010-1234-5679")
    assert phone_digest("5678") == "" and phone_digest("") == ""
    assert email_digest("Demo.Lee@Example.com") == email_digest("ｄｅｍｏ.ｌｅｅ＠example.com")
    before = phone_digest("010-1234-5678")
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert phone_digest("010-1234-5678") == before  # Django's secret is not the key
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY]):
        assert phone_digest("010-1234-5678") != before


def test_identity_normal_folds_case_and_compatibility_forms() -> None:
    assert identity_normal(" ＤＥＭＯ_User ") == "demo_user"
    decomposed = unicodedata.normalize("NFD", "Straße@example.com")
    assert identity_normal(decomposed) == "strasse@example.com"


def test_a_new_key_is_taken_in_by_the_action() -> None:
    member = MemberFactory(mobile_phone="010-2222-3333")
    stored = Member.objects.get(pk=member.pk).mobile_phone_digest
    assert stored == phone_digest("010-2222-3333")
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY, OLD_KEY]):
        assert phone_digest("010-2222-3333") != stored
        assert run("--dry-run") == ("lookup digests: 1 members checked, 1 would change; "
                                    "email address stand-ins: 0 would change; "
                                    "guest consultations: 0 would change; "
                                    "blocks of existing accounts: 0 would change; "
                                    "titles: 0 would change; areas: 0 would change\n")
        assert Member.objects.get(pk=member.pk).mobile_phone_digest == stored
        assert run() == ("lookup digests: 1 members checked, 1 changed; "
                         "email address stand-ins: 0 changed; "
                         "guest consultations: 0 changed; "
                         "blocks of existing accounts: 0 changed; titles: 0 changed; "
                         "areas: 0 changed\n")
        assert Member.objects.get(pk=member.pk).mobile_phone_digest == phone_digest(
            "010-2222-3333")
        assert run().startswith("lookup digests: 1 members checked, 0 changed")


def test_blocks_match_under_every_listed_key_until_the_old_one_goes() -> None:
    kept = MemberFactory(email="kept@example.com", mobile_phone="010-4444-5555")
    gone = MemberFactory(email="gone@example.com", mobile_phone="010-6666-7777")
    staff = StaffFactory()
    member_block(member=kept, reason="Fraud", actor=staff)
    member_block(member=gone, reason="Fraud", actor=staff)
    gone.delete()
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY, OLD_KEY]):
        assert contact_is_blocked(email="GONE@example.com")
        assert contact_is_blocked(mobile_phone="01066667777")
        assert "blocks of existing accounts: 1 changed;" in run()
        block = MemberBlock.objects.get(member=kept)
        assert block.email_hash == email_digest("kept@example.com")
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY]):
        assert contact_is_blocked(email="kept@example.com")
        assert contact_is_blocked(mobile_phone="010 4444 5555")
        # The account is gone: nothing held the values to recompute its digests from.
        assert not contact_is_blocked(email="gone@example.com")


def test_a_saved_number_is_found_by_its_digest_in_any_written_form() -> None:
    member = MemberFactory(mobile_phone="010-8888-9999")
    assert Member.objects.filter(mobile_phone_digest=phone_digest("+82 10 8888 9999")).get() \
        == member


def test_title_search_digests_follow_a_new_key() -> None:
    consultation = ConsultationFactory(title="코 재수술 상담")
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY, OLD_KEY]):
        assert "titles: 1 changed" in run()
        stored = set(consultation.title_tokens.values_list("digest", flat=True))
        assert stored == search_index("코 재수술 상담")
        assert Consultation.objects.title_matching("재수술").get() == consultation


def test_title_search_tokens_are_replaced_under_a_new_key() -> None:
    consultation = ConsultationFactory(title="코 재수술 상담")
    review = ReviewFactory(title="눈 성형 후기")
    erased = ReviewFactory(title="지워진 후기")
    erased.data_key.delete()  # its title cannot be opened: no digest to recompute
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY, OLD_KEY]):
        assert not Consultation.objects.title_matching("재수술").exists()  # not yet
        assert "titles: 2 would change" in run("--dry-run")
        assert not Review.objects.title_matching("성형").exists()
        assert "titles: 2 changed" in run()
        assert set(review.title_tokens.values_list("digest", flat=True)) == search_index(
            "눈 성형 후기")
        assert Consultation.objects.title_matching("재수술").get() == consultation
        assert Review.objects.title_matching("성형").get() == review
        assert "titles: 0 changed" in run()
    assert not Review.objects.title_matching("성형").exists()  # the old key's are gone


def test_title_tokens_are_checked_and_replaced_a_batch_of_posts_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Five posts in batches of two: every batch, the last one short, is checked and written,
    and a post whose tokens are current already is left alone."""
    monkeypatch.setattr("privacy.actions.refresh_lookup_digests.BATCH_SIZE", 2)
    titles = [f"코 재수술 상담 {number}" for number in range(5)]
    posts = [ConsultationFactory(title=title) for title in titles]
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY, OLD_KEY]):
        posts[2].title = titles[2]
        posts[2].save()  # its tokens are made under the new key on save
        assert "titles: 4 would change" in run("--dry-run")
        assert "titles: 4 changed" in run()
        for post, title in zip(posts, titles, strict=True):
            assert set(post.title_tokens.values_list("digest", flat=True)) == search_index(
                title)
        assert Consultation.objects.title_matching("상담 4").get() == posts[4]
        assert "titles: 0 changed" in run()


def test_guest_consultations_get_their_digest_from_the_action() -> None:
    guest = GuestConsultationFactory(mobile_phone="010-4444-5555")
    assert GuestConsultation.objects.get(pk=guest.pk).mobile_phone_digest == ""
    assert "guest consultations: 1 changed;" in run()
    assert GuestConsultation.objects.get(pk=guest.pk).mobile_phone_digest == phone_digest(
        "010-4444-5555")


def test_area_digests_follow_a_new_key_and_the_board_still_filters(client: object) -> None:
    consultation = ConsultationFactory()
    area = consultation.area
    member = MemberFactory(desired_area=area)
    with override_settings(PRIVACY_LOOKUP_KEY=[NEW_KEY, OLD_KEY]):
        assert "areas: 1 changed" in run()
        assert Consultation.objects.get(pk=consultation.pk).area_digest == area_digest(area.pk)
        assert Member.objects.get(pk=member.pk).desired_area_digest == area_digest(area.pk)
        page = client.get("/consultations/", {"area": area.slug})  # type: ignore[attr-defined]
        assert [row.pk for row in page.context["page"]] == [consultation.pk]
        assert run().endswith("areas: 0 changed\n")
