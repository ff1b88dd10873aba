"""Korean phone numbers are validated and stored in one form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from members.phones import normalise_mobile, normalise_phone


@pytest.mark.parametrize(("raw", "stored"), [
    ("01012345678", "010-1234-5678"),
    ("010-1234-5678", "010-1234-5678"),
    ("010 1234 5678", "010-1234-5678"),
    ("010.1234.5678", "010-1234-5678"),
    ("+82 10-1234-5678", "010-1234-5678"),
    ("+82 (0)10 1234 5678", "010-1234-5678"),
])
def test_mobile_numbers_are_stored_in_one_form(raw: str, stored: str) -> None:
    assert normalise_mobile(raw) == stored


@pytest.mark.parametrize("raw", [
    "", "0101234567", "010123456789", "011-123-4567", "02-123-4567", "010-abcd-5678",
    "1234", "+1 202 555 0100",
])
def test_what_is_not_a_010_mobile_number_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalise_mobile(raw)
    assert error.value.code == "invalid_mobile"


@pytest.mark.parametrize(("raw", "stored"), [
    ("021234567", "02-123-4567"),
    ("0212345678", "02-1234-5678"),
    ("(02) 6677-0010", "02-6677-0010"),
    ("031-123-4567", "031-123-4567"),
    ("0311234567", "031-123-4567"),
    ("064 1234 5678", "064-1234-5678"),
    ("070-1234-5678", "070-1234-5678"),
    ("01098765432", "010-9876-5432"),
])
def test_landlines_and_mobiles_are_accepted_as_phone_numbers(raw: str, stored: str) -> None:
    assert normalise_phone(raw) == stored


@pytest.mark.parametrize("raw", [
    "02-012-3456",  # a local number never starts with 0
    "02-123-456",  # too short
    "039-123-4567",  # no such area code
    "1588-1234",  # company numbers are not home phones
    "02-1234-56789",
])
def test_invalid_landlines_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalise_phone(raw)
    assert error.value.code == "invalid_phone"
