"""Reads of the consultation board and reviews that pages need."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from consultations.models import Consultation, ConsultationArea, Review, ReviewStatus


def area_list_active() -> QuerySet[ConsultationArea]:
    return ConsultationArea.objects.filter(is_active=True)


def consultation_list_for(*, area: ConsultationArea | None = None) -> QuerySet[Consultation]:
    """The board as anyone sees it: titles of private posts are masked in the template."""
    queryset = Consultation.objects.select_related("area", "author").order_by("-created_at", "-id")
    if area is not None:
        queryset = queryset.filter(area=area)
    return queryset


def consultation_visible_to(consultation: Consultation, viewer: Any) -> bool:
    """The one rule for who may open a consultation: public, its author, or staff."""
    if not consultation.is_private:
        return True
    if not viewer.is_authenticated:
        return False
    return viewer.is_staff or consultation.author_id == viewer.pk


def review_list_published() -> QuerySet[Review]:
    return (
        Review.objects.filter(status=ReviewStatus.PUBLISHED)
        .select_related("area", "author", "data_key")
        .order_by("-created_at", "-id")
    )
