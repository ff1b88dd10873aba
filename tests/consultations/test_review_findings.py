"""Findings of the end-of-session review: each a path a member or visitor could take."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from consultations import selectors
from consultations.models import Consultation, Review
from members.models import LegalRepresentative
from members.roles import DOCTOR
from privacy.ledger import consent_record
from privacy.models import AccessLogEntry, ConsentMethod, Visit
from tests.consultations.factories import AftercareFactory, ConsultationFactory, ReviewFactory
from tests.members.factories import PosterFactory, StaffFactory, log_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/consultations/?after=1²_1", "/reviews/?before=1²_1",
                                 "/consultations/?after=٣_٣"])
def test_a_cursor_with_unicode_digits_shows_the_first_page(client: Client, url: str) -> None:
    ConsultationFactory()
    assert client.get(url).status_code == 200


def test_after_withdrawing_the_sensitive_consent_nothing_new_is_written(client: Client) -> None:
    author = PosterFactory()
    consultation = ConsultationFactory(author=author, body="원래 질문")
    review = ReviewFactory(author=author, body="원래 후기")
    consent_record(subject_ref=author.subject_ref, member=author, consent="sensitive_health",
                   granted=False, method=ConsentMethod.CONSENT_PAGE)
    client.force_login(author)
    response = client.post(f"/consultations/{consultation.pk}/edit/",
                           {"area": consultation.area.pk, "title": "t", "body": "새 건강 정보"})
    # The form asks for the consent again in its own box; unticked, it stores nothing.
    assert response.status_code == 200 and 'name="sensitive_consent"' in response.text
    response = client.post(f"/reviews/{review.pk}/edit/",
                           {"area": review.area.pk, "title": "t", "body": "새 건강 정보",
                            "rating": 5})
    assert response.status_code == 200 and 'name="sensitive_consent"' in response.text
    consultation.refresh_from_db()
    review.refresh_from_db()
    assert consultation.body == "원래 질문" and review.body == "원래 후기"


def test_staff_reading_a_private_question_on_the_site_is_logged(client: Client) -> None:
    private = ConsultationFactory(is_private=True)
    doctor = StaffFactory(role=DOCTOR)
    client.force_login(doctor)
    assert client.get(f"/consultations/{private.pk}/").status_code == 200
    entry = AccessLogEntry.objects.get(action="view:consultations.consultation")
    assert (entry.actor, entry.subject_ref) == (doctor.username, private.author.subject_ref)
    client.force_login(private.author)  # the author reading their own post is not staff access
    client.get(f"/consultations/{private.pk}/")
    assert AccessLogEntry.objects.count() == 1


def test_a_refused_staff_answer_shows_the_private_question_as_the_page_does(
    client: Client,
) -> None:
    """The answer form's error page shows the question again: logged as a staff read and
    never kept by the browser, like the post page itself."""
    private = ConsultationFactory(is_private=True, body="비공개 건강 질문")
    client.force_login(StaffFactory(role=DOCTOR))
    response = client.post(f"/consultations/{private.pk}/answer/", {"body": ""})
    assert response.status_code == 400
    assert "비공개 건강 질문" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AccessLogEntry.objects.filter(action="view:consultations.consultation",
                                         subject_ref=private.author.subject_ref).count() == 1
    assert not private.answers.exists()


def test_visits_record_the_page_pattern_never_ids_or_tokens(client: Client) -> None:
    client.post("/cookies/accept/", {"all_groups": "on"})
    private = ConsultationFactory(is_private=False)
    client.get(f"/consultations/{private.pk}/")
    paths = set(Visit.objects.values_list("path", flat=True))
    assert "/consultations/<int:pk>/" in paths
    assert not any(str(private.pk) in path for path in paths)


def test_withdrawing_the_sensitive_consent_takes_the_posts_out_of_public_view(
    client: Client,
) -> None:
    author = PosterFactory()
    public = ConsultationFactory(author=author, is_private=False, title="공개 질문 제목")
    review = ReviewFactory(author=author, title="공개 후기 제목")
    log_in(client, author)
    response = client.post("/privacy/consents/", {"consent": "sensitive_health", "grant": "0"})
    assert response["Location"] == "/privacy/consents/sensitive/withdraw/"
    assert Consultation.objects.filter(pk=public.pk).exists()  # nothing before the statement
    client.post("/privacy/consents/sensitive/withdraw/", {"confirm": "on"})
    assert not Consultation.objects.filter(pk=public.pk).exists()
    assert not Review.objects.filter(pk=review.pk).exists()
    stranger = Client()
    assert "공개 질문 제목" not in stranger.get("/consultations/").content.decode()
    assert "공개 후기 제목" not in stranger.get("/reviews/").content.decode()
    assert stranger.get(f"/consultations/{public.pk}/").status_code in (302, 404)


def test_the_post_page_lets_a_representative_read_any_post_of_the_childs_they_may(
    client: Client,
) -> None:
    """The post page asks for the viewer's represented children whenever the rule needs
    them: for a private post and for an after-care question (even one not marked private,
    which only the shell could make)."""


    parent, child, stranger = PosterFactory(), PosterFactory(), PosterFactory()
    LegalRepresentative.objects.create(
        child=child, name="보호자", email=parent.email, relation="parent",
        representative_member=parent, confirmed_at=timezone.now(),
    )
    private = ConsultationFactory(author=child, is_private=True)
    aftercare = AftercareFactory(author=child)
    type(aftercare).objects.filter(pk=aftercare.pk).update(is_private=False)
    for viewer, status in ((parent, 200), (stranger, 404)):
        client.force_login(viewer)
        for post in (private, aftercare):
            assert client.get(f"/consultations/{post.pk}/").status_code == status


def test_a_refused_answer_to_a_question_deleted_meanwhile_is_a_not_found(
    client: Client, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answer form reads the question again to show its errors; if the author deleted
    it in between, the answer is a 404, not a server error."""

    private = ConsultationFactory(is_private=True)
    client.force_login(StaffFactory(role=DOCTOR))
    monkeypatch.setattr(selectors, "consultation_page_for_viewer", lambda **_kwargs: None)
    response = client.post(f"/consultations/{private.pk}/answer/", {"body": ""})
    assert response.status_code == 404
