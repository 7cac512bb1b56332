"""Phone numbers: normalising what people type to E.164, and formatting for display."""

from __future__ import annotations

from functools import cache
from typing import Any

# phonenumbers takes a noticeable share of start-up to import, so it is imported on first use.


class InvalidNumber(ValueError):
    """``reason`` says why, in words a person can act on ("too short", ...)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@cache
def _lib() -> Any:  # the phonenumbers module
    import phonenumbers

    return phonenumbers


@cache
def _parse_reasons() -> dict[int, str]:
    error = _lib().NumberParseException
    return {
        error.INVALID_COUNTRY_CODE: "invalid country code",
        error.NOT_A_NUMBER: "not a number",
        error.TOO_SHORT_AFTER_IDD: "too short",
        error.TOO_SHORT_NSN: "too short",
        error.TOO_LONG: "too long",
    }


@cache
def _possibility_reasons() -> dict[int, str]:
    result = _lib().ValidationResult
    return {
        result.INVALID_COUNTRY_CODE: "invalid country code",
        result.TOO_SHORT: "too short",
        result.TOO_LONG: "too long",
        result.INVALID_LENGTH: "invalid length",
        result.IS_POSSIBLE_LOCAL_ONLY: "too short: add the area code",
    }


def normalize_number(text: str, default_region: str = "US") -> str:
    """``text`` as E.164 ("+14155550123"). Numbers without a leading + or international
    prefix are read as numbers of ``default_region``. Raises ``InvalidNumber``."""
    lib = _lib()
    if not text or not text.strip():
        raise InvalidNumber("empty")
    try:
        number = lib.parse(text, default_region)
    except lib.NumberParseException as exc:
        raise InvalidNumber(_parse_reasons().get(exc.error_type, "not a number")) from None
    if number.extension:
        # An SMS goes to the line, not an extension: sending it without one, silently,
        # would reach someone other than the person meant.
        raise InvalidNumber(
            f"has an extension (ext. {number.extension}), which a text message cannot reach;"
            " give a mobile number without one"
        )
    possible = lib.is_possible_number_with_reason(number)
    if possible != lib.ValidationResult.IS_POSSIBLE:
        raise InvalidNumber(_possibility_reasons().get(possible, "not a possible number"))
    if not lib.is_valid_number(number):
        regions = lib.region_codes_for_country_code(number.country_code)
        region = regions[0] if regions else default_region
        raise InvalidNumber(f"not a valid number for region {region}")
    return str(lib.format_number(number, lib.PhoneNumberFormat.E164))


def format_number(e164: str, default_region: str = "US") -> str:
    """A number for display: national format ("(415) 555-0123") in ``default_region``,
    international ("+44 20 7946 0958") elsewhere. Unreadable input comes back unchanged."""
    lib = _lib()
    try:
        number = lib.parse(e164, default_region)
    except lib.NumberParseException:
        return e164
    if lib.region_code_for_number(number) == default_region.upper():
        return str(lib.format_number(number, lib.PhoneNumberFormat.NATIONAL))
    return str(lib.format_number(number, lib.PhoneNumberFormat.INTERNATIONAL))
