"""Suspension of processing: start, check, lift; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.models import Restriction
from privacy.restrictions import item_is_restricted, restriction_lift, restriction_start
from tests.privacy.marketing.factories import ReachableMemberFactory

pytestmark = pytest.mark.django_db


def test_start_check_and_lift() -> None:
    member, other = ReachableMemberFactory(), ReachableMemberFactory()
    restriction = restriction_start(subject_ref=member.subject_ref,
                                    items=["email", "mobile_phone"], channel="phone",
                                    reference="2026-0042")
    assert item_is_restricted(subject_ref=member.subject_ref, item_key="email")
    assert item_is_restricted(subject_ref=member.subject_ref, item_key="mobile_phone")
    assert not item_is_restricted(subject_ref=member.subject_ref, item_key="home_phone")
    assert not item_is_restricted(subject_ref=other.subject_ref, item_key="email")

    restriction_lift(restriction=restriction)

    assert not item_is_restricted(subject_ref=member.subject_ref, item_key="email")
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None  # the record of the request stays
    with pytest.raises(ValueError, match="already lifted"):
        restriction_lift(restriction=restriction)


def test_a_key_is_matched_whole_not_as_part_of_another() -> None:
    member = ReachableMemberFactory()
    restriction_start(subject_ref=member.subject_ref, items=["home_phone"])
    assert not item_is_restricted(subject_ref=member.subject_ref, item_key="phone")
    assert not item_is_restricted(subject_ref=member.subject_ref, item_key="mobile_phone")


def test_a_restriction_applies_from_its_start() -> None:
    member = ReachableMemberFactory()
    later = timezone.now() + timedelta(days=1)
    restriction_start(subject_ref=member.subject_ref, items=["email"], now=later)
    assert not item_is_restricted(subject_ref=member.subject_ref, item_key="email")
    assert item_is_restricted(subject_ref=member.subject_ref, item_key="email",
                              now=later + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"items": []}, "at least one"),
        ({"items": ["shoe_size"]}, "unknown collection item"),
        ({"items": ["email"], "reason": "whim"}, "unknown restriction reason"),
        ({"items": ["email"], "channel": "pigeon"}, "unknown request channel"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(kwargs: dict, error: str) -> None:
    member = ReachableMemberFactory()
    with pytest.raises(ValueError, match=error):
        restriction_start(subject_ref=member.subject_ref, **kwargs)
    assert not Restriction.objects.exists()
