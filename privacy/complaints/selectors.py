"""Complaints still waiting for an answer."""

from __future__ import annotations

from django.db.models import QuerySet

from privacy.models import (
    COMPLAINT_OPEN,
    Complaint,
)


def complaints_open() -> QuerySet[Complaint]:
    return Complaint.objects.filter(status__in=COMPLAINT_OPEN).order_by("created_at")
