"""A buyer's WhatsApp number, however they write it (domain.contact)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inden.domain.contact import normalise_phone


@pytest.mark.parametrize("written", ["+62 812-3456-7890", "0812 3456 7890", "6281234567890", "0062 81234567890",
                                     "(0812) 3456.7890"])
def test_an_indonesian_number_written_any_usual_way_becomes_digits_with_62(written: str) -> None:
    assert normalise_phone(written) == "6281234567890"


@pytest.mark.parametrize("written", ["", "12", "+0812345678", "0812-abc-7890", "+1234567890123456"])
def test_what_is_not_a_phone_number_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        normalise_phone(written)


@given(st.from_regex(r"[1-9][0-9]{7,14}", fullmatch=True))
def test_a_number_with_its_country_code_is_kept_as_it_is(digits: str) -> None:
    assert normalise_phone("+" + digits) == digits == normalise_phone(digits)
