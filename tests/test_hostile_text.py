"""Untrusted text (bodies, names) shows literally and does nothing: no markup, no escapes."""

from __future__ import annotations

from conftest import wait_for
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from sakari_tui.core.text import one_line, strip_control
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.thread import MessageThread

HOSTILE_NAME = "[link=https://evil.example]Mallory[/link] [bold red]x[/]"
HOSTILE_BODY = (
    "[bold red]x[/] \x1b[31mred\x1b[0m \x1b]52;c;aGFja2Vk\x07 \x1b]0;pwned\x1b\\ "
    "\x1b[2J\x1b[H bell\x07 nul\x00 rtl\u202egnp.exe [/] [link=file:///etc/passwd]click[/link]"
)


def screen_text(widget, lines: int) -> str:
    return "\n".join(widget.render_line(y).text for y in range(lines))


async def test_markup_and_escapes_in_names_and_bodies_render_literally(app, sandbox) -> None:
    async with app.run_test(size=(160, 40)) as pilot:
        listing = app.screen.query_one(ConversationList)
        await wait_for(pilot, lambda: listing.rows, what="conversations")
        await app.client.contacts.create(
            {"firstName": HOSTILE_NAME, "lastName": "", "mobile": {"number": "+12065550999", "country": "US"}}
        )
        sandbox.inject_inbound("+12065550999", HOSTILE_BODY)
        await wait_for(pilot, lambda: listing.rows and listing.rows[0].number == "+12065550999", what="the new row")
        listing.action_first()
        thread = app.screen.query_one(MessageThread)
        await wait_for(pilot, lambda: any("red" in b.text for b in thread.bubbles), what="the thread")
        await pilot.pause()

        rows = screen_text(listing, 4)
        assert "[link=https://evil.example]Mallory[/link] [" in rows  # the row is truncated to fit (unread: badge)
        shown = screen_text(thread, thread.size.height)
        assert "[bold red]x[/]" in shown
        assert "[link=file:///etc/passwd]click[/link]" in shown
        assert "red" in shown and "gnp.exe" in shown
        for text in (rows, shown):
            assert "\x1b" not in text and "\x07" not in text and "\x00" not in text and "\u202e" not in text
        # Nothing was interpreted as a link or a style.
        for y in range(thread.size.height):
            for segment in thread.render_line(y):
                style = segment.style
                assert style is None or style.link is None


SEQUENCES = st.sampled_from(
    ["\x1b[31m", "\x1b]52;c;eA==\x07", "\x1b]0;t\x1b\\", "\x1bP1;2|x\x1b\\", "\x9b2J", "\x07", "\x00", "\x7f", "\u202e"]
)


@given(st.lists(st.one_of(st.text(max_size=5), SEQUENCES), max_size=8).map("".join))
def test_strip_control_leaves_no_control_characters(text: str) -> None:
    cleaned = strip_control(text)
    assert not any(ord(ch) < 32 and ch != "\n" for ch in cleaned)
    assert not any(0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    assert "\u202e" not in cleaned
    assert "\n" not in one_line(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs")), max_size=40))
def test_plain_text_passes_through_unchanged(text: str) -> None:
    # Printable text, markup-looking brackets included, is shown exactly as written.
    assert strip_control(text) == text
    assert Text(strip_control(text)).plain == text
