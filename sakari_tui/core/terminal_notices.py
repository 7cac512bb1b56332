"""Notices that reach the agent outside the app: the terminal's title and desktop
notifications, as escape sequences for the terminal to act on.

- The title (OSC 2) carries the unread count, so a terminal tab or a tmux pane
  (``#{pane_title}``) shows it while another window is in front; inside tmux the window's
  name is set too, which tmux takes with ``allow-rename on``.
- Desktop notifications are opt-in (the profile's ``notify``): OSC 777 (``notify;title;body``:
  kitty, WezTerm, foot, Ghostty, rxvt-unicode, VTE terminals) or OSC 9 (iTerm2, Windows
  Terminal, WezTerm, kitty). Both pass over SSH, being only bytes to the terminal; inside
  tmux they are wrapped in its passthrough (``set -g allow-passthrough on``).

Names and message texts are untrusted: a customer's text must not end the sequence early
and smuggle in its own (a title change, a clipboard write). Control characters are
stripped, and ";" from the fields OSC 777 separates with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from .text import one_line

OSC = "\x1b]"
BEL = "\x07"
ST = "\x1b\\"
PUSH_TITLE = "\x1b[22;0t"  # xterm's title stack: the title from before the app ...
POP_TITLE = "\x1b[23;0t"  # ... comes back when it quits


def clean(text: str, width: int) -> str:
    """One line of ``text``, no control characters, at most ``width`` characters."""
    return one_line(text, width)


def window_title(unread: int, profile: str, app_name: str = "Sakari", *, elsewhere: int = 0) -> str:
    """``(3) Sakari · work``; with unread messages in the other profiles, ``(3+2) ...``."""
    label = f"{app_name} · {clean(profile, 40)}"
    if elsewhere > 0:
        return f"({unread}+{elsewhere}) {label}"
    return f"({unread}) {label}" if unread > 0 else label


def title_sequence(title: str) -> str:
    return f"{OSC}2;{clean(title, 120)}{BEL}"


def tmux_window_name_sequence(title: str, env: Mapping[str, str]) -> str:
    """Inside tmux, the window's name too (tmux obeys it with ``set -g allow-rename on``)."""
    return f"\x1bk{clean(title, 60)}{ST}" if env.get("TMUX") else ""


def notification_sequence(kind: str, title: str, body: str) -> str:
    """The escape sequence of one desktop notification, or "" when ``kind`` is "off"."""
    title = clean(title, 80)
    body = clean(body, 200)
    if kind == "osc777":
        return f"{OSC}777;notify;{title.replace(';', ',')};{body.replace(';', ',')}{ST}"
    if kind == "osc9":
        text = f"{title}: {body}" if body else title
        # "ESC ] 9 ; 4 ;" is ConEmu's progress report: a text must not start like one.
        if text[:2].isdigit() or (text[:1].isdigit() and text[1:2] == ";"):
            text = " " + text
        return f"{OSC}9;{text}{BEL}"
    return ""


def for_tmux(sequence: str, env: Mapping[str, str]) -> str:
    """Inside tmux, wrap an OSC for the outer terminal in tmux's passthrough (its ESCs doubled).
    The title is not wrapped: tmux takes it as the pane's title."""
    if not sequence or not env.get("TMUX"):
        return sequence
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + ST
