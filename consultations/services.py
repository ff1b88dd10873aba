"""Writes of the consultation board and reviews."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from consultations.models import Answer, Consultation, ConsultationArea, Review, ReviewStatus

# The areas of the clinic (issue 5); staff can edit them in the admin afterwards.
DEFAULT_AREAS: tuple[tuple[str, str, str], ...] = (
    ("eyes", "눈", "Eyes"),
    ("nose", "코", "Nose"),
    ("face-contour", "안면윤곽", "Face contour"),
    ("breast", "가슴", "Breast"),
    ("body", "바디", "Body"),
    ("skin", "피부", "Skin"),
    ("other", "기타", "Other"),
)


def area_ensure_defaults() -> list[ConsultationArea]:
    """Create the clinic's default areas that are missing; leaves staff edits alone."""
    areas = []
    for position, (slug, name_ko, name_en) in enumerate(DEFAULT_AREAS):
        area, _ = ConsultationArea.objects.get_or_create(
            slug=slug, defaults={"name_ko": name_ko, "name_en": name_en, "position": position}
        )
        areas.append(area)
    return areas


@transaction.atomic
def consultation_create(
    *, author: Any, area: ConsultationArea, title: str, body: str, is_private: bool
) -> Consultation:
    """Post a question; sealed with the author's own data key."""
    return Consultation.objects.create(
        author=author, area=area, title=title, body=body, is_private=is_private,
        data_key=author.data_key,
    )


@transaction.atomic
def consultation_answer(*, consultation: Consultation, staff: Any, body: str) -> Answer:
    """Answer a question; the answer is sealed with the asker's key, as it is about them."""
    return Answer.objects.create(
        consultation=consultation, author=staff, body=body, data_key=consultation.data_key
    )


@transaction.atomic
def review_create(
    *, author: Any, area: ConsultationArea, title: str, body: str, rating: int
) -> Review:
    return Review.objects.create(
        author=author, area=area, title=title, body=body, rating=rating,
        status=ReviewStatus.PENDING, data_key=author.data_key,
    )
