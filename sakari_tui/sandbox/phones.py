"""Mobile numbers and emails, checked with simple rules of our own.

The sandbox normalises to E.164 without a phone library on purpose: it is an independent
implementation of the contract, so it must not share the client's parsing. The rule: keep digits
(and a leading +), accept 8 to 15 digits; a national number gets its country's calling code,
with US (+1) as the default for 10-digit numbers.
"""

from __future__ import annotations

import re

DEFAULT_COUNTRY = "US"

CALLING_CODES = {
    "US": "1",
    "CA": "1",
    "GB": "44",
    "IE": "353",
    "AU": "61",
    "NZ": "64",
    "DE": "49",
    "FR": "33",
    "ES": "34",
    "IT": "39",
    "NL": "31",
    "MX": "52",
    "IN": "91",
    "ZA": "27",
}
# The other way round, longest codes first, to name the country of an E.164 number.
_COUNTRY_BY_CODE = sorted(
    ((code, country) for country, code in CALLING_CODES.items() if country != "CA"),
    key=lambda pair: -len(pair[0]),
)

_SEPARATORS = re.compile(r"[\s\-.()/]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class InvalidNumber(ValueError):
    pass


def normalise_mobile(raw: object, country: str | None = None) -> str:
    """Return the E.164 form of ``raw`` or raise InvalidNumber with the reason."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidNumber("mobile number is missing")
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    international = text.startswith("+")
    digits = text[1:] if international else text
    if not digits.isascii() or not digits.isdigit():
        raise InvalidNumber("mobile number may only contain digits, spaces, dashes and a leading +")
    if not international:
        region = (country or DEFAULT_COUNTRY).strip().upper() or DEFAULT_COUNTRY
        calling_code = CALLING_CODES.get(region)
        if calling_code == "1":
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]
            if len(digits) != 10:
                raise InvalidNumber("a US number needs 10 digits")
            digits = "1" + digits
        elif calling_code:
            digits = calling_code + digits.lstrip("0")
        # Unknown region: take the digits as already international.
    if digits.startswith("0"):
        raise InvalidNumber("a country calling code cannot start with 0")
    if not 8 <= len(digits) <= 15:
        raise InvalidNumber("a mobile number has 8 to 15 digits")
    if digits.startswith("1") and len(digits) != 11:
        raise InvalidNumber("a +1 number has 10 digits after the country code")
    return "+" + digits


def country_of(e164: str, fallback: str = "") -> str:
    digits = e164.lstrip("+")
    for code, country in _COUNTRY_BY_CODE:
        if digits.startswith(code):
            return country
    return fallback


def is_valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value)) and len(value) <= 254
