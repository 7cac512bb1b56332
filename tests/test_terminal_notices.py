"""Notices outside the app: the unread count in the terminal's title, desktop notifications
through the terminal (opt-in), the bell kept; untrusted text never escapes the sequence."""

from __future__ import annotations

import re

import pytest
from conftest import make_app, wait_for
from test_inbox import open_first

from sakari_tui.config import ConfigError, load_config
from sakari_tui.core.terminal_notices import (
    for_tmux,
    notification_sequence,
    title_sequence,
    tmux_window_name_sequence,
    window_title,
)
from sakari_tui.textual_private import notifications
from sakari_tui.widgets.conversation_list import ConversationList

HOSTILE = "Hi\x1b]52;c;ZXZpbA==\x07 there; \x1b]2;pwned\x07\x9b31m\x1b[2J ok"


def test_the_title_carries_the_unread_count() -> None:
    assert window_title(3, "work") == "(3) Sakari · work"
    assert window_title(0, "work") == "Sakari · work"
    assert window_title(3, "work", elsewhere=2) == "(3+2) Sakari · work"  # other profiles' unread
    assert window_title(0, "work", elsewhere=2) == "(0+2) Sakari · work"
    assert title_sequence("(3) Sakari · work") == "\x1b]2;(3) Sakari · work\x07"


@pytest.mark.parametrize("kind", ["osc777", "osc9"])
def test_untrusted_text_cannot_end_a_notification_early(kind: str) -> None:
    sequence = notification_sequence(kind, f"New message from Eve{HOSTILE}", HOSTILE)
    body = sequence[2:-2] if kind == "osc777" else sequence[2:-1]
    # One sequence: it starts and ends once, and nothing inside it is a control character.
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in body)
    assert "ZXZpbA" not in body and "pwned" not in body  # escape sequences dropped whole
    assert "Hi there" in body and "ok" in body  # the text itself is shown
    if kind == "osc777":
        assert sequence.startswith("\x1b]777;notify;") and sequence.endswith("\x1b\\")
        assert sequence.count(";") == 3  # notify;title;body: the text's own ";" became ","
    else:
        assert sequence.startswith("\x1b]9;") and sequence.endswith("\x07")
        assert not notification_sequence("osc9", "4", "").startswith("\x1b]9;4")  # not a progress report
    assert notification_sequence("off", "t", "b") == ""


def test_inside_tmux_the_window_is_named_too() -> None:
    assert tmux_window_name_sequence("(2) Sakari · work", {}) == ""
    assert tmux_window_name_sequence("(2) Sakari\x1b\\x", {"TMUX": "1"}) == "\x1bk(2) Sakarix\x1b\\"


def test_inside_tmux_a_notification_passes_through() -> None:
    sequence = notification_sequence("osc777", "t", "b")
    assert for_tmux(sequence, {}) == sequence
    wrapped = for_tmux(sequence, {"TMUX": "/tmp/tmux-0/default,1,0"})
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]777;") and wrapped.endswith("\x1b\x1b\\\x1b\\")


def test_notify_takes_only_known_kinds(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.work]\nnotify = "osc777"\n')
    assert load_config(path).profiles["work"].notify == "osc777"
    path.write_text('[profiles.work]\nnotify = "popup"\n')
    with pytest.raises(ConfigError, match=r"line 2.*notify must be one of"):
        load_config(path)


def titles(written: list[str]) -> list[str]:
    return [m for seq in written for m in re.findall(r"\x1b\]2;([^\x07]*)\x07", seq)]


async def test_title_follows_the_unread_count_and_a_notification_goes_out(tmp_path, sandbox) -> None:
    app = make_app(tmp_path / "data", sandbox, notify="osc777", bell=True)
    written: list[str] = []
    bells: list[int] = []
    app.write_terminal = written.append
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        await wait_for(pilot, lambda: titles(written) and titles(written)[-1] == window_title(app.unread_total, "demo"),
                       what="the title with the unread count")  # fmt: skip
        assert written[0] == "\x1b[22;0t"  # the terminal's own title is kept, to come back at the end
        before = app.unread_total
        other = app.screen.query_one(ConversationList).rows[-1]
        sandbox.inject_inbound(other.number, HOSTILE)
        await wait_for(pilot, lambda: app.unread_total == before + 1, what="one more unread")
        await wait_for(pilot, lambda: titles(written)[-1] == f"({before + 1}) Sakari · demo", what="title updated")
        # The notice goes out once the burst it may belong to is gathered (NOTICE_GATHER).
        await wait_for(pilot, lambda: any(seq.startswith("\x1b]777;notify;") for seq in written), what="notification")
        await pilot.pause(0.3)
        notices = [seq for seq in written if seq.startswith("\x1b]777;notify;")]
        assert len(notices) == 1
        assert "New message from" in notices[0] and "52;" not in notices[0] and "\x07" not in notices[0]
        assert bells == [1]  # the bell rings as before
        count = len(written)
        await pilot.pause(0.5)  # polls go on; nothing changed, so nothing more is written
        assert len(written) == count
    assert written[-1] == "\x1b[23;0t"  # the title from before comes back


async def test_no_desktop_notification_unless_asked_for(app, sandbox) -> None:
    written: list[str] = []
    app.write_terminal = written.append
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first(pilot)
        other = app.screen.query_one(ConversationList).rows[-1]
        sandbox.inject_inbound(other.number, "Hello?")
        await wait_for(pilot, lambda: any("Hello?" in n.message for n in notifications(app)), what="the toast")
        assert not [seq for seq in written if "777;" in seq or "\x1b]9;" in seq]
