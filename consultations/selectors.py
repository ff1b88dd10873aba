"""Reads of the consultation boards and reviews that pages need, and the rules of who may see,
post or change what. Each rule is one function, used by every view and template."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import caches
from django.db import router, transaction
from django.db.models import Q, QuerySet

from clinic_site.statements import ANY_ID, Statement
from consultations.models import (
    Answer,
    Consultation,
    ConsultationArea,
    ConsultationKind,
    GuestConsultation,
    ProcedureRecord,
    Review,
    ReviewStatus,
)
from consultations.pagination import KeysetPage, keyset_page
from members import selectors as members_selectors
from privacy.selectors import consent_is_granted

# The registry's consent to sensitive information that covers what the boards collect.
BOARD_CONSENT = "sensitive_health"


_AREAS_CACHE_KEY = "consultations:active-areas:v1"
# A change made outside the admin (shell, data migration) shows within this time.
_AREAS_CACHE_SECONDS = 5 * 60


def area_list_active() -> QuerySet[ConsultationArea]:
    return ConsultationArea.objects.filter(is_active=True)


def area_list_cached() -> list[ConsultationArea]:
    """The active areas for display, from the near cache: the home page and the board list
    them on every request and staff change them rarely (the admin clears the cache). The
    objects are shared between requests: read them, never change them."""
    areas = caches["near"].get(_AREAS_CACHE_KEY)
    if areas is None:
        areas = list(area_list_active())
        caches["near"].set(_AREAS_CACHE_KEY, areas, _AREAS_CACHE_SECONDS)
    return areas


def area_list_cache_clear() -> None:
    """Clear now and again once the change is committed: a page read between the two would
    otherwise put the old list back for ``_AREAS_CACHE_SECONDS``."""
    caches["near"].delete(_AREAS_CACHE_KEY)
    transaction.on_commit(lambda: caches["near"].delete(_AREAS_CACHE_KEY))


def member_may_post(member: Any) -> bool:
    """The one rule for who may write on the boards (consultations, after-care, reviews): a
    member who may post at all (members app: active, email confirmed, not blocked) and who has
    given the separate consent to sensitive information that the boards collect (PIPA art. 23)."""
    if member is None or not members_selectors.member_may_post(member):
        return False
    return consent_is_granted(subject_ref=member.subject_ref, consent=BOARD_CONSENT)


def represented_child_ids(viewer: Any) -> set[int]:
    """Ids of the members whose confirmed legal representative ``viewer`` is (one query)."""
    if viewer is None or not viewer.is_authenticated:
        return set()
    return set(
        members_selectors.children_represented_by(representative=viewer)
        .values_list("pk", flat=True)
    )


def consultation_list_for(
    *, viewer: Any = None, area: ConsultationArea | None = None, query: str = ""
) -> QuerySet[Consultation]:
    """The board as ``viewer`` sees it (after-care questions never appear on it).

    Private titles are replaced in the template; a title search matches only posts whose title
    the viewer may read, so searching cannot reveal what a private title says."""
    queryset = Consultation.objects.filter(kind=ConsultationKind.BOARD).order_by(
        "-created_at", "-id"
    )
    if area is not None:
        queryset = queryset.filter(area=area)
    query = query.strip()
    if query:
        readable = Q(is_private=False)
        if viewer is not None and viewer.is_authenticated:
            readable |= Q(author=viewer) | Q(author__in=members_selectors.children_represented_by(
                representative=viewer
            ).values("pk"))
            if staff_may_read(viewer, kind=ConsultationKind.BOARD):
                readable = Q()
        queryset = queryset.filter(readable, title__icontains=query)
    return queryset


def staff_may_read(viewer: Any, *, kind: str) -> bool:
    """Staff read private questions by their role's permission, not by being staff: health
    information is shown only to whom the work needs it (receptionists the board, doctors
    after-care too; roles in members/roles.py), and only to an account with a second factor,
    as in the admin."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_staff:
        return False
    if not members_selectors.staff_has_second_factor(viewer):
        return False
    permission = (
        "consultations.answer_aftercare" if kind == ConsultationKind.AFTERCARE
        else "consultations.view_consultation"
    )
    return viewer.has_perm(permission)


def staff_may_answer(viewer: Any, consultation: Consultation) -> bool:
    return staff_may_read(viewer, kind=consultation.kind) and viewer.has_perm(
        "consultations.add_answer"
    )


@dataclass(frozen=True, slots=True)
class BoardRow:
    """A row of the board as read from the database: plain values, not model instances
    (building 20 consultations with their area and author cost twice the query itself).
    Neither the body nor the author's other columns are read."""

    pk: int
    title: str
    is_private: bool
    kind: str
    created_at: datetime
    author_id: int
    area_name_ko: str
    area_name_en: str
    author_name: str


# BoardRow's fields, in order, as the board's query names them.
BOARD_ROW_COLUMNS = (
    "id", "title", "is_private", "kind", "created_at", "author_id",
    "area__name_ko", "area__name_en", "author__name",
)


def consultation_board_page(
    *, viewer: Any, area: ConsultationArea | None, query: str, params: Any, per_page: int
) -> KeysetPage:
    """One page of the board (rows are ``BoardRow``), found by an index seek
    (``consultations.pagination``): page 500 costs what page 1 costs. The total of a list
    without a title search is cached, as it is the same for every viewer."""
    queryset = consultation_list_for(viewer=viewer, area=area, query=query)
    searching = bool(query.strip())  # the search's SQL depends on the viewer and the words
    page = keyset_page(
        queryset, params=params, per_page=per_page, columns=BOARD_ROW_COLUMNS,
        count_key=None if searching else f"consultations:board-total:{area.pk if area else 0}",
        statement_key=None if searching else ("board", area.pk if area else None),
    )
    page.rows = [BoardRow(*(row[column] for column in BOARD_ROW_COLUMNS)) for row in page.rows]
    return page


def consultation_visible_to(
    consultation: Consultation, viewer: Any, *, represented: set[int] | None = None
) -> bool:
    """The one rule for who may open a consultation: public, its author, the author's legal
    representative, or staff whose role reads such questions (``staff_may_read``).

    After-care consultations are always private (``consultation_create_aftercare``). A page
    that asks for many rows passes ``represented`` (``represented_child_ids``) once, so the
    rule costs no query per row."""
    if not consultation.is_private and consultation.kind == ConsultationKind.BOARD:
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    if consultation.author_id == viewer.pk or staff_may_read(viewer, kind=consultation.kind):
        return True
    if represented is not None:
        return consultation.author_id in represented
    return members_selectors.member_represents(
        representative=viewer, child=consultation.author_id
    )


def represented_ids_needed(consultation: Any, viewer: Any) -> bool:
    """Whether ``consultation_visible_to`` needs the viewer's represented children to decide
    about ``consultation``: not for a public board post, the viewer's own post, or staff
    whose role reads such questions (checked only for someone else's private post; the
    permission and second-factor answers are remembered on the user)."""
    if not consultation.is_private and consultation.kind == ConsultationKind.BOARD:
        return False
    if viewer is None or not viewer.is_authenticated or consultation.author_id == viewer.pk:
        return False
    return not staff_may_read(viewer, kind=consultation.kind)


def consultation_is_answered(consultation: Consultation) -> bool:
    return consultation.answers.exists()


def consultation_editable_by(consultation: Any, viewer: Any, *,
                             answered: bool | None = None) -> bool:
    """Only the author changes or deletes their post, and only while it is unanswered: an
    answer refers to the question as it was asked. ``answered``: when the caller has read
    the answers already (the post page)."""
    return (
        viewer is not None
        and viewer.is_authenticated
        and consultation.author_id == viewer.pk
        and not (consultation_is_answered(consultation) if answered is None else answered)
    )


@dataclass(frozen=True, slots=True)
class AnswerRow:
    created_at: datetime
    body: str


@dataclass(frozen=True, slots=True)
class ConsultationPage:
    """What the post page shows of a consultation and its answers: plain values, bodies
    decrypted (the forms and services work on the model, ``consultation_for_viewer``)."""

    pk: int
    kind: str
    title: str
    body: str
    is_private: bool
    created_at: datetime
    updated_at: datetime | None
    author_id: int
    author_name: str
    author_subject_ref: Any
    area_name_ko: str
    area_name_en: str
    answers: tuple[AnswerRow, ...]


# The encrypted bodies, and where their wrapped data keys are read beside them.
_QUESTION = Consultation._meta.get_field("body")
_ANSWER = Answer._meta.get_field("body")
_REVIEW = Review._meta.get_field("body")
_PAGE_COLUMNS = (
    "id", "kind", "title", "body", "is_private", "created_at", "updated_at", "author_id",
    "author__name", "author__subject_ref", "area__name_ko", "area__name_en",
    _QUESTION.wrapped_key_column,
)
_ANSWER_COLUMNS = ("created_at", "body", _ANSWER.wrapped_key_column)


@functools.cache
def _page_statements(alias: str) -> tuple[Statement, Statement]:
    """The post page's two queries, compiled once per process (``clinic_site.statements``):
    the page runs nothing else, and compiling them cost more than running them."""
    consultation = Consultation.objects.filter(pk=ANY_ID).order_by().values(*_PAGE_COLUMNS)
    answers = Answer.objects.filter(consultation_id=ANY_ID).order_by(
        "created_at", "id"
    ).values(*_ANSWER_COLUMNS)
    return (Statement.compile(consultation[:1], alias, expect=("id",)),
            Statement.compile(answers, alias, expect=("id",)))


def consultation_page_for_viewer(*, pk: int, viewer: Any) -> ConsultationPage | None:
    """The post page of consultation ``pk`` if ``viewer`` may open it (the rule of
    ``consultation_visible_to``), else None."""
    consultation_statement, answers_statement = _page_statements(
        router.db_for_read(Consultation)
    )
    found = consultation_statement.rows(id=pk)
    if not found:
        return None
    row = found[0]
    visible = SimpleNamespace(is_private=row["is_private"], kind=row["kind"],
                              author_id=row["author_id"])
    if not consultation_visible_to(visible, viewer):
        return None
    return ConsultationPage(
        pk=row["id"], kind=row["kind"], title=row["title"],
        body=_QUESTION.decrypt_with(row[_QUESTION.wrapped_key_column], row["body"]),
        is_private=row["is_private"], created_at=row["created_at"],
        updated_at=row["updated_at"], author_id=row["author_id"],
        author_name=row["author__name"], author_subject_ref=row["author__subject_ref"],
        area_name_ko=row["area__name_ko"], area_name_en=row["area__name_en"],
        answers=tuple(
            AnswerRow(created_at=answer["created_at"],
                      body=_ANSWER.decrypt_with(answer[_ANSWER.wrapped_key_column],
                                                answer["body"]))
            for answer in answers_statement.rows(id=pk)
        ),
    )


def consultation_for_viewer(*, pk: int, viewer: Any) -> Consultation | None:
    """The consultation ``pk`` if ``viewer`` may open it, else None (the view answers 404, so
    a guessed id tells nothing about whether it exists)."""
    consultation = (
        Consultation.objects.select_related("area", "author", "data_key").filter(pk=pk).first()
    )
    if consultation is None or not consultation_visible_to(consultation, viewer):
        return None
    return consultation


def aftercare_list_for(*, viewer: Any) -> QuerySet[Consultation]:
    """A patient's own after-care questions; staff whose role reads after-care see everyone's."""
    queryset = Consultation.objects.filter(kind=ConsultationKind.AFTERCARE).select_related(
        "area"
    )
    if not staff_may_read(viewer, kind=ConsultationKind.AFTERCARE):
        queryset = queryset.filter(author=viewer)
    return queryset.order_by("-created_at", "-id")


def procedure_records_of(member: Any) -> QuerySet[ProcedureRecord]:
    if member is None or not member.is_authenticated:
        return ProcedureRecord.objects.none()
    return ProcedureRecord.objects.filter(member=member).select_related("area", "data_key")


def member_has_procedure(member: Any) -> bool:
    return procedure_records_of(member).exists()


def member_is_patient(member: Any) -> bool:
    """Staff have recorded a procedure for the member: after-care questions and reviews open."""
    return member_may_post(member) and member_has_procedure(member)


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A published review as the public list shows it: plain values, the body decrypted."""

    pk: int
    created_at: datetime
    title: str
    rating: int
    body: str
    area_name_ko: str
    area_name_en: str
    author_name: str


# What the public list reads of a review: the names and the author's wrapped data key as
# columns, not as area, member and key objects (each row would otherwise build four models).
REVIEW_ROW_COLUMNS = (
    "id", "created_at", "title", "rating", "body", "area__name_ko", "area__name_en",
    "author__name", _REVIEW.wrapped_key_column,
)


def review_published_page(*, params: Any, per_page: int) -> KeysetPage:
    """One page of the published reviews (rows are ``ReviewRow``), by the same index seek
    as the board."""
    queryset = Review.objects.filter(status=ReviewStatus.PUBLISHED).order_by(
        "-created_at", "-id"
    )
    page = keyset_page(queryset, params=params, per_page=per_page,
                       count_key="consultations:reviews-total", columns=REVIEW_ROW_COLUMNS,
                       statement_key=("reviews",))
    page.rows = [
        ReviewRow(
            pk=row["id"], created_at=row["created_at"], title=row["title"],
            rating=row["rating"],
            body=_REVIEW.decrypt_with(row[_REVIEW.wrapped_key_column], row["body"]),
            area_name_ko=row["area__name_ko"], area_name_en=row["area__name_en"],
            author_name=row["author__name"],
        )
        for row in page.rows
    ]
    return page


def review_list_of(member: Any) -> QuerySet[Review]:
    return Review.objects.filter(author=member).select_related("area").order_by(
        "-created_at", "-id"
    )


def review_for_author(*, pk: int, viewer: Any) -> Review | None:
    """The review ``pk`` if ``viewer`` wrote it; nobody else edits or deletes it."""
    if viewer is None or not viewer.is_authenticated:
        return None
    return Review.objects.select_related("area", "data_key").filter(pk=pk, author=viewer).first()


def guest_reference_normalise(reference: str) -> str:
    """Accept the reference as people type it: any case, with or without dashes or spaces."""
    compact = "".join((reference or "").split()).replace("-", "").upper()
    return "-".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def guest_consultation_authenticate(
    *, reference: str, password: str
) -> GuestConsultation | None:
    """The guest consultation if reference and password match, else None. A wrong reference
    costs the same hashing time as a wrong password, so timing tells nothing either."""
    guest_consultation = (
        GuestConsultation.objects.select_related("area", "data_key")
        .filter(reference=guest_reference_normalise(reference), destroyed_at__isnull=True)
        .first()
    )
    if guest_consultation is None:
        make_password(password)
        return None
    if not check_password(password, guest_consultation.password):
        return None
    return guest_consultation


def guest_consultations_due_for_destruction(*, now: datetime) -> QuerySet[GuestConsultation]:
    """Guest consultations whose purpose is achieved (registry rule ``guest_consultation``):
    answered more than GUEST_CONSULTATION_DAYS_AFTER_ANSWER days ago, or never answered and
    posted more than GUEST_CONSULTATION_DAYS_UNANSWERED days ago."""
    answered_before = now - timedelta(days=settings.GUEST_CONSULTATION_DAYS_AFTER_ANSWER)
    posted_before = now - timedelta(days=settings.GUEST_CONSULTATION_DAYS_UNANSWERED)
    return GuestConsultation.objects.filter(destroyed_at__isnull=True).filter(
        Q(answered_at__isnull=False, answered_at__lte=answered_before)
        | Q(answered_at__isnull=True, created_at__lte=posted_before)
    ).order_by("created_at", "id")
