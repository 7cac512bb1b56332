"""Phone numbers: normalising what people type to E.164, and formatting for display."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult


class InvalidNumber(ValueError):
    """``reason`` says why, in words a person can act on ("too short", ...)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "invalid country code",
    NumberParseException.NOT_A_NUMBER: "not a number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}

_POSSIBILITY_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: "invalid country code",
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "invalid length",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "too short: add the area code",
}


def normalize_number(text: str, default_region: str = "US") -> str:
    """``text`` as E.164 ("+14155550123"). Numbers without a leading + or international
    prefix are read as numbers of ``default_region``. Raises ``InvalidNumber``."""
    if not text or not text.strip():
        raise InvalidNumber("empty")
    try:
        number = phonenumbers.parse(text, default_region)
    except NumberParseException as exc:
        raise InvalidNumber(_PARSE_REASONS.get(exc.error_type, "not a number")) from None
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != ValidationResult.IS_POSSIBLE:
        raise InvalidNumber(_POSSIBILITY_REASONS.get(possible, "not a possible number"))
    if not phonenumbers.is_valid_number(number):
        regions = phonenumbers.region_codes_for_country_code(number.country_code)
        region = regions[0] if regions else default_region
        raise InvalidNumber(f"not a valid number for region {region}")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_number(e164: str, default_region: str = "US") -> str:
    """A number for display: national format ("(415) 555-0123") in ``default_region``,
    international ("+44 20 7946 0958") elsewhere. Unreadable input comes back unchanged."""
    try:
        number = phonenumbers.parse(e164, default_region)
    except NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == default_region.upper():
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
