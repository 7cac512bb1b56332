"""SMS segment counting and pricing.

GSM-7 fits 160 characters in one segment and 153 per segment once split (the rest carries the
concatenation header). One character outside GSM-7 switches the whole message to UCS-2: 70, then
67 per segment. GSM-7 extension characters take an escape plus the character, so they count two;
characters outside the Basic Multilingual Plane (most emoji) take two UCS-2 code units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

MAX_SEGMENTS = 10
PRICE_PER_SEGMENT = 0.0075
PRICE_PER_MMS = 0.02


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, 16-bit code units for UCS-2
    segments: int


def count_segments(text: str) -> SegmentCount:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = len(text) + sum(1 for ch in text if ch in GSM7_EXTENSION)
        single, split, encoding = 160, 153, "GSM-7"
    else:
        # surrogatepass: a lone surrogate (JSON allows "\ud800") still counts as one unit.
        units = len(text.encode("utf-16-le", "surrogatepass")) // 2
        single, split, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / split)
    return SegmentCount(encoding, units, segments)


def price(segments: int, message_type: str = "SMS") -> float:
    if message_type == "MMS":
        return PRICE_PER_MMS
    return round(segments * PRICE_PER_SEGMENT, 4)
