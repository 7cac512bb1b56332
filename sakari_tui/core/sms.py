"""SMS segment counting by the GSM-7 / UCS-2 rules.

A message that fits GSM-7 takes 160 septets in one segment, 153 per segment
once split (the rest is the concatenation header). Extension characters
(``^ { } \\ [ ~ ] |``, the euro sign and form feed) take two septets, an escape
and the character, and the pair is never split across segments. One character
outside GSM-7 switches the whole message to UCS-2: 70 code units in one
segment, 67 per segment when split; characters outside the Basic Multilingual
Plane (most emoji) take two units, a surrogate pair that is never split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67
# Sakari caps a message at about ten segments.
MAX_SEGMENTS = 10

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SegmentInfo:
    """How a text goes out as SMS: encoding, length, segments and what forces UCS-2."""

    encoding: Encoding
    characters: int  # code points, what a person counts
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # capacity of a segment in units at this length
    remaining: int  # units left before the next segment starts
    non_gsm: tuple[str, ...]  # the characters that forced UCS-2, first seen first

    @property
    def too_long(self) -> bool:
        return self.segments > MAX_SEGMENTS


def is_gsm7(ch: str) -> bool:
    return ch in GSM7_BASIC or ch in GSM7_EXTENSION


def _weights(text: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _pack(weights: list[int], capacity: int) -> tuple[int, int]:
    """Greedy packing of indivisible units: (segments, units used in the last one)."""
    segments, used = 1, 0
    for weight in weights:
        if used + weight > capacity:
            segments += 1
            used = 0
        used += weight
    return segments, used


def count_segments(text: str) -> SegmentInfo:
    non_gsm = tuple(dict.fromkeys(ch for ch in text if not is_gsm7(ch)))
    encoding: Encoding = "UCS-2" if non_gsm else "GSM-7"
    single, multi = (UCS2_SINGLE, UCS2_MULTI) if non_gsm else (GSM7_SINGLE, GSM7_MULTI)
    weights = _weights(text, encoding)
    units = sum(weights)
    if units == 0:
        segments, per_segment, remaining = 0, single, single
    elif units <= single:
        segments, per_segment, remaining = 1, single, single - units
    else:
        segments, used = _pack(weights, multi)
        per_segment, remaining = multi, multi - used
    return SegmentInfo(encoding, len(text), units, segments, per_segment, remaining, non_gsm)
