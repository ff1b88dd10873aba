"""Nobody reads, edits or deletes another member's private post, after-care question, review
or guest consultation: every detail, edit and delete URL, with another member's ids and
anonymously, and guessed ids that do not exist."""

from __future__ import annotations

import pytest
from django.test import Client

from consultations.models import Consultation, Review, ReviewStatus
from members.roles import DOCTOR, RECEPTIONIST
from tests.consultations.factories import (
    AftercareFactory,
    ConsultationFactory,
    ReviewFactory,
)
from tests.members.factories import MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

SECRET = "아무도 보면 안 되는 내용"


def _posts() -> dict[str, Consultation]:
    owner = MemberFactory()
    return {
        "private": ConsultationFactory(author=owner, is_private=True, title="비공개 제목",
                                       body=SECRET),
        "aftercare": AftercareFactory(author=owner, title="수술 후 제목", body=SECRET),
        "public": ConsultationFactory(author=owner, is_private=False, title="공개 제목"),
    }


def _as(client: Client, who: str) -> None:
    if who == "other member":
        client.force_login(MemberFactory())


# Anonymous visitors are sent to log in instead (an email's link reaches members logged out),
# the same for posts that do not exist, so the redirect reveals nothing.
@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("other member", 404)])
@pytest.mark.parametrize("kind", ["private", "aftercare"])
def test_private_and_aftercare_detail_is_404_for_others(
    client: Client, who: str, status: int, kind: str
) -> None:
    post = _posts()[kind]
    _as(client, who)
    response = client.get(f"/consultations/{post.pk}/")
    assert response.status_code == status
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize("kind", ["private", "aftercare", "public"])
@pytest.mark.parametrize("action", ["edit", "delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_members_cannot_edit_or_delete(
    client: Client, kind: str, action: str, method: str
) -> None:
    post = _posts()[kind]
    client.force_login(MemberFactory())
    data = {"area": post.area.pk, "title": "가로채기", "body": "가로채기"}
    response = getattr(client, method)(f"/consultations/{post.pk}/{action}/", data)
    assert response.status_code == 404
    post.refresh_from_db()
    assert post.title != "가로채기"


@pytest.mark.parametrize("kind", ["private", "aftercare", "public"])
@pytest.mark.parametrize("action", ["edit", "delete"])
def test_anonymous_edit_or_delete_goes_to_login_and_changes_nothing(
    client: Client, kind: str, action: str
) -> None:
    post = _posts()[kind]
    response = client.post(
        f"/consultations/{post.pk}/{action}/",
        {"area": post.area.pk, "title": "가로채기", "body": "가로채기"},
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    post.refresh_from_db()
    assert post.title != "가로채기"


@pytest.mark.parametrize("who", ["anonymous", "other member"])
def test_staff_answer_url_is_404_for_non_staff(client: Client, who: str) -> None:
    post = _posts()["private"]
    _as(client, who)
    assert client.post(f"/consultations/{post.pk}/answer/", {"body": "x"}).status_code == 404
    assert not post.answers.exists()


@pytest.mark.parametrize("who", ["anonymous", "other member", "author"])
def test_guessed_ids_are_404_like_forbidden_ones(client: Client, who: str) -> None:
    posts = _posts()
    if who == "author":
        client.force_login(posts["private"].author)
    else:
        _as(client, who)
    missing = max(post.pk for post in posts.values()) + 1
    for suffix in ("", "edit/", "delete/"):
        response = client.get(f"/consultations/{missing}/{suffix}")
        # Anonymous visitors are sent to log in, for missing and forbidden posts alike.
        assert response.status_code == (302 if who == "anonymous" else 404)


def test_owner_and_staff_open_private_and_aftercare(client: Client) -> None:
    posts = _posts()
    client.force_login(posts["private"].author)
    for kind in ("private", "aftercare"):
        assert SECRET in client.get(f"/consultations/{posts[kind].pk}/").content.decode()
    client.force_login(StaffFactory(role=DOCTOR))
    for kind in ("private", "aftercare"):
        assert SECRET in client.get(f"/consultations/{posts[kind].pk}/").content.decode()


def test_staff_read_private_questions_only_as_their_role_allows(client: Client) -> None:
    """Being staff is not enough: health information is shown to the roles whose work needs it
    (a receptionist reads the board, not after-care; an account without a role reads neither)."""
    posts = _posts()
    client.force_login(StaffFactory())
    for kind in ("private", "aftercare"):
        assert client.get(f"/consultations/{posts[kind].pk}/").status_code == 404
    client.force_login(StaffFactory(role=RECEPTIONIST))
    assert SECRET in client.get(f"/consultations/{posts['private'].pk}/").content.decode()
    assert client.get(f"/consultations/{posts['aftercare'].pk}/").status_code == 404


def test_staff_without_a_second_factor_read_no_private_question_on_the_site(
    client: Client,
) -> None:
    """As in the admin, a staff role's reading of health information needs TOTP: a leaked
    staff password alone opens nothing, neither the page nor a title on the board."""
    posts = _posts()
    client.force_login(StaffFactory(role=DOCTOR, totp=False))
    for kind in ("private", "aftercare"):
        assert client.get(f"/consultations/{posts[kind].pk}/").status_code == 404
    board = client.get("/consultations/").content.decode()
    assert "비공개 제목" not in board
    public = posts["public"]
    response = client.post(f"/consultations/{public.pk}/answer/", {"body": "답변"})
    assert response.status_code == 404
    assert not public.answers.exists()


def test_aftercare_list_shows_only_own_questions(client: Client) -> None:
    mine = AftercareFactory(title="내 수술 후 질문")
    theirs = AftercareFactory(title="남의 수술 후 질문")
    client.force_login(mine.author)
    page = client.get("/consultations/aftercare/").content.decode()
    assert "내 수술 후 질문" in page and "남의 수술 후 질문" not in page
    # after-care questions never appear on the public board, not even as "private"
    assert theirs.title not in client.get("/consultations/").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "other member"])
@pytest.mark.parametrize("action", ["edit", "delete"])
def test_reviews_of_others_cannot_be_edited_or_deleted(
    client: Client, who: str, action: str
) -> None:
    review = ReviewFactory(title="원래 후기", status=ReviewStatus.PENDING)
    _as(client, who)
    data = {"area": review.area.pk, "title": "가로채기", "body": "가로채기", "rating": 1}
    for method in ("get", "post"):
        response = getattr(client, method)(f"/reviews/{review.pk}/{action}/", data)
        assert response.status_code == (404 if who == "other member" else 302)
    review.refresh_from_db()
    assert review.title == "원래 후기" and Review.objects.filter(pk=review.pk).exists()


def test_pending_and_rejected_reviews_are_not_public(client: Client) -> None:
    ReviewFactory(title="대기 중 후기", status=ReviewStatus.PENDING)
    ReviewFactory(title="반려된 후기", status=ReviewStatus.REJECTED)
    ReviewFactory(title="게시된 후기", status=ReviewStatus.PUBLISHED)
    client.force_login(MemberFactory())
    page = client.get("/reviews/").content.decode()
    assert "게시된 후기" in page
    assert "대기 중 후기" not in page and "반려된 후기" not in page
    assert "대기 중 후기" not in client.get("/reviews/mine/").content.decode()
