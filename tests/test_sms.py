"""The segment counter against the rules of DESIGN.md, by example and by property."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from sakari_tui.core.sms import GSM7_BASIC, GSM7_EXTENSION, MAX_SEGMENTS, count_segments

gsm_basic = st.text(alphabet=sorted(GSM7_BASIC), max_size=800)
gsm_any = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=800)
bmp_non_gsm = st.characters(min_codepoint=0x100, max_codepoint=0xFFFF).filter(
    lambda c: c not in GSM7_BASIC and c not in GSM7_EXTENSION and not 0xD800 <= ord(c) <= 0xDFFF
)


def test_examples() -> None:
    assert count_segments("").segments == 0
    assert count_segments("a" * 160).segments == 1
    assert count_segments("a" * 161).segments == 2
    assert count_segments("a" * 306).segments == 2
    assert count_segments("a" * 307).segments == 3
    info = count_segments("{" * 80)
    assert (info.encoding, info.units, info.segments) == ("GSM-7", 160, 1)
    assert count_segments("{" * 81).segments == 2
    hello = count_segments("héllo ✓")
    assert hello.encoding == "UCS-2" and hello.non_gsm == ("✓",)
    assert count_segments("é" * 160).encoding == "GSM-7"  # é is in the GSM-7 basic table
    assert count_segments("x" * 70 + "✓").segments == 2
    assert count_segments("✓" * 70).segments == 1
    emoji = count_segments("😀" * 35)
    assert (emoji.characters, emoji.units, emoji.segments) == (35, 70, 1)
    assert count_segments("😀" * 36).segments == 2


def test_extension_pair_is_not_split_across_segments() -> None:
    # 152 plain septets then "{": 154 septets would not fit 153, so "{" opens segment 2 whole.
    info = count_segments("a" * 152 + "{" + "a" * 10)
    assert info.segments == 2 and info.remaining == 153 - 12


@given(gsm_basic)
def test_plain_gsm_counts_by_160_then_153(text: str) -> None:
    info = count_segments(text)
    n = len(text)
    assert info.encoding == "GSM-7" and info.units == n
    expected = 0 if n == 0 else 1 if n <= 160 else math.ceil(n / 153)
    assert info.segments == expected


@given(gsm_any)
def test_extension_characters_count_two(text: str) -> None:
    info = count_segments(text)
    assert info.encoding == "GSM-7"
    assert info.units == len(text) + sum(ch in GSM7_EXTENSION for ch in text)
    # Packing can lose at most one septet per segment to an unsplit pair.
    if info.units > 160:
        assert math.ceil(info.units / 153) <= info.segments <= math.ceil(info.units / 152)


@given(gsm_any, bmp_non_gsm, gsm_any)
def test_one_non_gsm_character_switches_everything_to_ucs2(before: str, odd: str, after: str) -> None:
    text = before + odd + after
    info = count_segments(text)
    assert info.encoding == "UCS-2"
    assert odd in info.non_gsm
    assert info.units == len(text)  # BMP only: one unit per character
    n = len(text)
    assert info.segments == (1 if n <= 70 else math.ceil(n / 67))


@given(st.text(max_size=400))
def test_counts_are_consistent_for_any_text(text: str) -> None:
    info = count_segments(text)
    assert info.characters == len(text)
    assert 0 <= info.remaining <= info.per_segment
    assert info.too_long == (info.segments > MAX_SEGMENTS)
    if info.encoding == "UCS-2":
        assert info.units == len(text.encode("utf-16-le")) // 2
        assert all(ch not in GSM7_BASIC and ch not in GSM7_EXTENSION for ch in info.non_gsm)
    else:
        assert info.non_gsm == ()


@given(st.text(max_size=300), st.text(max_size=300))
def test_appending_never_reduces_segments(a: str, b: str) -> None:
    # Only within one encoding: appending a non-GSM character may switch encodings.
    if count_segments(a).encoding == count_segments(a + b).encoding:
        assert count_segments(a + b).segments >= count_segments(a).segments
