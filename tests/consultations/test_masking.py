"""The one masking helper (privacy.masking), used wherever a person is shown partially."""

from __future__ import annotations

import pytest

from privacy.masking import mask_address, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("김민수", "김*수"),
        ("김수", "김*"),
        ("남궁민수", "남**수"),
        ("김", "김"),
        ("  이서연 ", "이*연"),
        ("Jane Doe", "J**e D*e"),
        ("Al", "A*"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("010-1234-5678", "010-****-5678"),
        ("01012345678", "010-****-5678"),
        ("011-123-4567", "011-***-4567"),
        ("02-123-4567", "02-***-4567"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("서울특별시 강남구 테헤란로 123 4층 401호", "서울특별시 강남구 테헤란로 123 ***"),
        ("서울특별시 강남구 역삼동 123-4 행복빌라 201호", "서울특별시 강남구 역삼동 123-4 ***"),
        ("부산광역시 해운대구 센텀중앙로 97", "부산광역시 해운대구 센텀중앙로 97"),
        ("12 Main Street, Apt 4B, Springfield", "12 Main Street ***"),
        ("", ""),
    ],
)
def test_mask_address_keeps_only_the_street(address: str, masked: str) -> None:
    assert mask_address(address) == masked
