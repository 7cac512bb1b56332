"""A one-line meter under the composer: encoding, characters, segments.

It warns when a character forces UCS-2 (which more than halves what fits in a
segment) and names that character, so the agent can swap a curly quote for a
straight one before paying for three segments instead of one.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text
from textual.widgets import Static

from sakari_tui.core.sms import MAX_SEGMENTS, count_segments


def describe_character(ch: str) -> str:
    name = unicodedata.name(ch, f"U+{ord(ch):04X}").lower()
    shown = ch if ch.isprintable() and not ch.isspace() else ""
    return f"{shown} ({name})".strip() if shown else name


def meter_text(text: str) -> Text:
    info = count_segments(text)
    plural = "" if info.segments == 1 else "s"
    line = Text()
    line.append(f"{info.encoding} · {info.characters} chars · {info.segments} segment{plural}")
    if info.segments:
        line.append(f" · {info.remaining} left", style="dim")
    if info.non_gsm:
        line.append("  ")
        culprit = describe_character(info.non_gsm[0])
        more = f" and {len(info.non_gsm) - 1} more" if len(info.non_gsm) > 1 else ""
        line.append(f"UCS-2 because of {culprit}{more}", style="bold yellow")
    if info.too_long:
        line.append(f"  over {MAX_SEGMENTS} segments: too long to send", style="bold red")
    return line


class SegmentMeter(Static):
    DEFAULT_CSS = """
    SegmentMeter {
        height: auto;
        max-height: 3;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(meter_text(text), **kwargs)
        self._text = text

    def measure(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update(meter_text(text))
