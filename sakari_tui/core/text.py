"""Make text from outside (message bodies, names, server errors) safe to show.

Terminal escape sequences in a message body must be shown, not obeyed: a
customer's text could otherwise recolour the screen, set the window title or
write to the clipboard through OSC 52. Rich markup is a separate concern: the
UI renders untrusted text as ``rich.text.Text``, which never parses markup.
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P/X/^/_ ... ST),
# the C1 equivalents (0x9b CSI, 0x9d OSC ...), and two-character ESC sequences.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]              # CSI
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])       # OSC, DCS, SOS, PM, APC ...
      .*?(?:\x07|\x1b\\|\x9c|$)                   # ... up to BEL or ST (or the end)
  | \x1b[@-Z\\-_]?                                 # other ESC sequences, or a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)

_KEEP = {"\n", "\t"}


def strip_control(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` without terminal escape sequences and control characters.

    Newlines (and tabs, as spaces) survive when ``keep_newlines``; otherwise they
    become spaces, for one-line previews.
    """
    text = _ESCAPES.sub("", text)
    out = []
    for ch in text:
        if ch in _KEEP:
            out.append(ch if keep_newlines and ch == "\n" else " ")
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch not in ("\u200d", "\u200c"):
            # Cc: C0/C1 controls; Cf: bidi overrides and other invisible formatting.
            # Zero-width joiners stay: emoji sequences need them.
            continue
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str, width: int | None = None) -> str:
    """A single-line preview: controls stripped, whitespace runs collapsed."""
    line = " ".join(strip_control(text, keep_newlines=False).split())
    if width is not None and len(line) > width:
        return line[: max(width - 1, 0)] + "…"
    return line


def human_size(size: int) -> str:
    """A file's size as people read it: ``512 bytes``, ``14 KB``, ``1,024.5 MB``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:,.0f} KB"
    return f"{size / 1024 / 1024:,.1f} MB"
