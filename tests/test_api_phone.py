"""Phone numbers: E.164 normalisation with reasons, and display formatting."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sakari_tui.api.phone import InvalidNumber, format_number, normalize_number


@pytest.mark.parametrize(
    "text, region, expected",
    [
        ("(415) 555-0123", "US", "+14155550123"),
        ("415.555.0123", "US", "+14155550123"),
        ("+1 415 555 0123", "GB", "+14155550123"),
        ("001 415 555 0123", "FR", "+14155550123"),  # international prefix of France
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("1-800-FLOWERS", "US", "+18003569377"),
    ],
)
def test_normalize_examples(text, region, expected):
    assert normalize_number(text, region) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("hello", "not a number"),
        ("12", "too short"),
        ("555-0123", "too short: add the area code"),
        ("+1 415 555 01234567", "too long"),
        ("+999 123 456 789", "invalid country code"),
        ("+1 999 555 0123", "not a valid number for region US"),
        ("+44 10 1234 5678", "not a valid number for region GB"),
    ],
)
def test_invalid_numbers_say_why(text, reason):
    with pytest.raises(InvalidNumber) as caught:
        normalize_number(text, "US")
    assert caught.value.reason == reason
    assert str(caught.value) == reason


def test_format_number_national_at_home_international_abroad():
    assert format_number("+14155550123") == "(415) 555-0123"
    assert format_number("+442079460958") == "+44 20 7946 0958"
    assert format_number("+442079460958", default_region="GB") == "020 7946 0958"
    assert format_number("not a number") == "not a number"


def _example_numbers():
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None and phonenumbers.is_valid_number(example):
                numbers.append((region, example))
    return numbers


EXAMPLES = _example_numbers()


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(EXAMPLES), st.sampled_from(["US", "GB", "DE", "IN", "BR"]))
def test_valid_e164_comes_back_unchanged(example, default_region):
    _, number = example
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert normalize_number(e164, default_region) == e164


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(EXAMPLES))
def test_national_and_international_formats_normalise_to_the_same_number(example):
    region, number = example
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert normalize_number(national, region) == e164
    assert normalize_number(format_number(e164, region), region) == e164


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="+0123456789 ()-.", max_size=20), st.sampled_from(["US", "GB", "FR"]))
def test_normalize_is_idempotent_or_says_why(text, region):
    try:
        first = normalize_number(text, region)
    except InvalidNumber as invalid:
        assert invalid.reason  # a reason, never an empty message
        return
    assert first.startswith("+") and first[1:].isdigit()
    assert normalize_number(first, region) == first
    assert normalize_number(first, "US") == first  # E.164 does not depend on the region
