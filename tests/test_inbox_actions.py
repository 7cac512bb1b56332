"""The inbox's actions, each pressed as an agent presses it."""

from __future__ import annotations

import io

from conftest import wait_for
from rich.console import Console
from textual.widgets import Input

from sakari_tui.screens.dialogs import (
    ConfirmScreen,
    ContactCard,
    NewConversationScreen,
    TemplatePicker,
)
from sakari_tui.screens.help import HelpScreen
from sakari_tui.textual_private import notifications
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.segment_meter import SegmentMeter, meter_text
from sakari_tui.widgets.thread import MessageThread


def rendered_text(static) -> str:
    """What a Static shows, as plain text (its content may be a Rich table)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(static.content)
    return console.export_text()


async def ready(pilot) -> ConversationList:
    listing = pilot.app.screen.query_one(ConversationList)
    await wait_for(
        pilot, lambda: listing.rows and pilot.app.screen.open_id == listing.highlighted.id, what="inbox ready"
    )
    return listing


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press({" ": "space", "+": "plus", "/": "slash"}.get(ch, ch))


async def test_filter_as_you_type_by_name_number_and_text(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        total = len(listing.rows)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await type_text(pilot, "lucas")
        assert [r.name for r in listing.rows] == ["Lucas Silva"]
        await pilot.press("escape")  # clears the filter, back to the list
        assert len(listing.rows) == total and app.focused is listing
        number = listing.rows[3].number  # +1NXXNXXXXXX
        await pilot.press("slash")
        await type_text(pilot, f"({number[2:5]}) {number[5:8]}-{number[8:]}")
        assert [r.number for r in listing.rows] == [number]
        await pilot.press("escape")
        target = listing.rows[5]
        word = max(target.preview.split(), key=len).strip(".,!?'").lower()
        await pilot.press("slash")
        await type_text(pilot, word)
        assert target.id in [r.id for r in listing.rows]
        assert all(word in (r.preview + r.name).lower() for r in listing.rows)


async def test_toggle_between_open_closed_and_all(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        closed = sum(c["closed"] for c in sandbox.conversations())
        open_ = len(sandbox.conversations()) - closed
        assert len(listing.rows) == open_ and not any(r.closed for r in listing.rows)
        await pilot.press("s")
        assert len(listing.rows) == closed and all(r.closed for r in listing.rows)
        await pilot.press("s")
        assert len(listing.rows) == open_ + closed


async def test_close_asks_first_then_closes_on_the_server(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        conversation_id = listing.highlighted.id
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert not next(c for c in sandbox.conversations() if c["id"] == conversation_id)["closed"]
        await pilot.press("c")
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: next(c for c in sandbox.conversations() if c["id"] == conversation_id)["closed"],
            what="closed on the server",
        )
        await wait_for(
            pilot, lambda: conversation_id not in [r.id for r in listing.rows], what="gone from the open list"
        )


async def test_mark_unread_shows_the_badge_again(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        conversation_id = listing.highlighted.id
        await pilot.press("enter", "escape")  # open it (read), then back to the list
        assert next(r for r in listing.rows if r.id == conversation_id).unread == 0
        await pilot.press("u")
        row = next(r for r in listing.rows if r.id == conversation_id)
        assert row.unread >= 1
        assert app.store.all_read_state()[conversation_id][1] is True


async def test_copy_the_selected_message(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        thread = app.screen.query_one(MessageThread)
        await wait_for(pilot, lambda: thread.bubbles, what="thread")
        thread.focus()
        await pilot.press("up")
        await pilot.press("y")
        assert app.clipboard == thread.selected.text
        assert app.clipboard


async def test_open_the_contact_card(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        name = listing.highlighted.name
        await pilot.press("o")
        assert isinstance(app.screen, ContactCard)
        card = app.screen
        await wait_for(pilot, lambda: card.contact is not None, what="contact details")
        assert name.split()[0] in rendered_text(card.query_one("#contact-body"))
        await pilot.press("escape")
        assert not isinstance(app.screen, ContactCard)


async def test_new_conversation_rejects_a_bad_number_then_sends_to_a_good_one(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, NewConversationScreen)
        await type_text(pilot, "12345")
        await pilot.press("enter")
        error = app.screen.query_one("#recipient-error")
        await wait_for(pilot, lambda: "not a phone number" in str(error.render()), what="the reason")
        field = app.screen.query_one("#recipient", Input)
        field.value = ""
        await type_text(pilot, "(312) 555-0177")
        await pilot.press("enter")
        assert not isinstance(app.screen, NewConversationScreen)
        assert isinstance(app.focused, Composer)
        await type_text(pilot, "Hello from the bakery")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any(m["message"] == "Hello from the bakery" and m["contact"]["mobile"]["number"] == "+13125550177"
                        for m in sandbox.messages()),
            what="the first message on the server",
        )  # fmt: skip
        listing = app.screen.query_one(ConversationList)
        await wait_for(
            pilot,
            lambda: listing.highlighted and listing.highlighted.number == "+13125550177",
            what="the new conversation opened",
        )


async def test_template_picker_inserts_the_rendered_template(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        first_name = listing.highlighted.name.split()[0]
        await pilot.press("ctrl+t")
        assert isinstance(app.screen, TemplatePicker)
        options = app.screen.query_one("#template-list")
        await wait_for(pilot, lambda: options.option_count > 0, what="templates")
        template = next(t for t in sandbox.templates() if "firstName" in t["template"])
        await type_text(pilot, template["name"])
        preview = app.screen.query_one("#template-preview")
        await wait_for(pilot, lambda: first_name in str(preview.render()), what="preview for this contact")
        shown_meter = str(preview.render()).splitlines()[-1]
        await pilot.press("enter")
        composer = app.screen.query_one(Composer)
        assert first_name in composer.text and "{{" not in composer.text.split(first_name)[0]
        # The picker counted the text as the composer's meter does.
        assert shown_meter == meter_text(composer.text).plain


async def test_segment_meter_names_the_character_that_forces_ucs2(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("r")
        await type_text(pilot, "We're open")
        meter = app.screen.query_one(SegmentMeter)
        assert "GSM-7" in str(meter.render())
        app.screen.query_one(Composer).insert("\u2019")  # a curly apostrophe, as phones type it
        await pilot.pause()
        shown = str(meter.render())
        assert "UCS-2 because of ’ (right single quotation mark)" in shown


async def test_a_blocked_contact_is_refused_before_sending(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await ready(pilot)
        number = listing.highlighted.number
        conversation_id = listing.highlighted.id
        sandbox.inject_inbound(number, "STOP")
        header = app.screen.query_one("#thread-header")
        await wait_for(pilot, lambda: "opted out" in str(header.render()), what="opt-out shown")
        before = len(sandbox.messages(conversation_id=conversation_id))
        await pilot.press("r")
        await type_text(pilot, "Are you sure")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert len(sandbox.messages(conversation_id=conversation_id)) == before
        assert any("opted out" in n.message for n in notifications(app))
        assert app.screen.query_one(Composer).text == "Are you sure"  # nothing lost


async def test_older_messages_load_at_the_top_keeping_the_place(app, sandbox) -> None:
    number = "+12065550142"
    for i in range(80):
        sandbox.inject_inbound(number, f"message number {i}")
    async with app.run_test(size=(120, 40)) as pilot:
        listing = app.screen.query_one(ConversationList)
        await wait_for(pilot, lambda: listing.rows and listing.rows[0].number == number, what="the long thread listed")
        thread = app.screen.query_one(MessageThread)
        await wait_for(pilot, lambda: len(thread.bubbles) == 50 and thread.has_older, what="newest page")
        assert thread.bubbles[-1].text == "message number 79"
        await wait_for(
            pilot, lambda: thread.max_scroll_y > 0 and thread.is_vertical_scroll_end, what="opened at the newest"
        )
        thread.focus()
        for _ in range(40):  # page up to the top of the newest page: the older ones load above
            if len(thread.bubbles) != 50:
                break
            await pilot.press("pageup")
        await wait_for(pilot, lambda: len(thread.bubbles) == 80, what="older messages")
        assert thread.bubbles[0].text == "message number 0"
        assert thread.selected.text == "message number 30"  # the same message stays selected
        assert not thread.has_older


async def test_thread_keys_page_top_and_back_to_newest(app, sandbox) -> None:
    number = "+12065550142"
    for i in range(130):
        sandbox.inject_inbound(number, f"message number {i}")
    async with app.run_test(size=(80, 24)) as pilot:
        listing = app.screen.query_one(ConversationList)
        await wait_for(pilot, lambda: listing.rows and listing.rows[0].number == number, what="the long thread listed")
        thread = app.screen.query_one(MessageThread)
        await wait_for(
            pilot, lambda: len(thread.bubbles) == 50 and thread.is_vertical_scroll_end, what="the newest page"
        )
        await pilot.press("t")
        assert thread.has_focus
        bottom = thread.scroll_y
        await pilot.press("pageup")
        assert thread.scroll_y == bottom - (thread.scrollable_content_region.height - 1)
        selected = thread.selected
        assert selected is not None and selected is not thread.bubbles[-1]
        await pilot.press("pagedown")
        assert thread.scroll_y == bottom
        await pilot.press("pageup", "pageup", "G")  # G (or End): back to the newest
        assert thread.is_vertical_scroll_end
        assert thread.selected.text == "message number 129"
        await pilot.press("g")  # g (or Home): the oldest, loading every older page on the way
        await wait_for(pilot, lambda: len(thread.bubbles) == 130 and not thread.has_older, what="all pages loaded")
        await wait_for(
            pilot, lambda: thread.selected.text == "message number 0" and thread.scroll_y == 0, what="at the oldest"
        )
        await pilot.press("escape")
        assert listing.has_focus


async def test_help_lists_the_keys_of_the_screen(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = rendered_text(app.screen.query_one("VerticalScroll Static"))
        for words in ("Reply", "conversations.reply", "Mark unread", "Close", "Next unread"):
            assert words in text
        thread_keys = rendered_text(app.screen.query("VerticalScroll Static")[2])
        for words in ("pgup", "Page up", "Oldest", "Newest", "thread.last"):
            assert words in thread_keys
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_keys_can_be_remapped_by_binding_id(app, sandbox) -> None:
    app.set_keymap({"conversations.reply": "e"})
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("e")
        assert isinstance(app.focused, Composer)


async def test_screens_switch_by_number_keys(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        assert type(app.screen).__name__ == "ContactsScreen"
        await pilot.press("4")
        assert type(app.screen).__name__ == "TemplatesScreen"
        await pilot.press("3")
        assert type(app.screen).__name__ == "CampaignsScreen"
        await pilot.press("1")
        assert type(app.screen).__name__ == "ConversationsScreen"


async def test_a_thread_opened_from_the_cache_loads_all_its_older_messages(tmp_path, sandbox) -> None:
    """The cache holds the newest 50 of 80; while the app was closed 60 more arrived, so the
    cache has a gap below the newest page. Going to the top still loads every message."""
    from conftest import make_app

    number = "+12065550142"
    for i in range(80):
        sandbox.inject_inbound(number, f"message number {i}")
    first = make_app(tmp_path / "data", sandbox)
    async with first.run_test(size=(120, 40)) as pilot:
        thread = first.screen.query_one(MessageThread)
        await wait_for(pilot, lambda: len(thread.bubbles) == 50, what="the newest page, cached")
    for i in range(80, 140):
        sandbox.inject_inbound(number, f"message number {i}")
    second = make_app(tmp_path / "data", sandbox)
    async with second.run_test(size=(120, 40)) as pilot:
        thread = second.screen.query_one(MessageThread)
        await wait_for(
            pilot, lambda: thread.bubbles and thread.bubbles[-1].text == "message number 139", what="the newest page"
        )
        await wait_for(pilot, lambda: thread.has_older, what="older messages known to exist")
        thread.focus()
        for _ in range(4):  # each trip to the top loads one more page
            if not thread.has_older:
                break
            count = len(thread.bubbles)
            await pilot.press("home")
            await wait_for(
                pilot, lambda count=count: len(thread.bubbles) > count or not thread.has_older, what="an older page"
            )
        texts = [bubble.text for bubble in thread.bubbles]
        assert texts == [f"message number {i}" for i in range(140)]
        assert not thread.has_older


async def test_thread_text_is_not_cut_at_small_sizes(tmp_path) -> None:
    from conftest import make_app
    from textual.geometry import Region

    for size in ((60, 20), (80, 24)):
        app = make_app(tmp_path / f"data-{size[0]}")
        async with app.run_test(size=size) as pilot:
            await ready(pilot)
            thread = app.screen.query_one(MessageThread)
            await wait_for(
                pilot,
                lambda thread=thread: thread.bubbles and thread.is_vertical_scroll_end,
                what="the thread at its end",
            )
            await pilot.pause()
            lines = [strip.text for strip in thread.render_lines(Region(0, 0, *thread.size))]
            words = " ".join(lines).split()
            # Every word of the messages on screen is whole: the newest two, ours with its mark.
            for bubble in thread.bubbles[-2:]:
                for word in bubble.text.split():
                    assert word in words, (size, word, lines)
            if any(b.outgoing and b.status == "delivered" for b in thread.bubbles[-2:]):
                assert "delivered" in words, (size, lines)


async def test_each_delivery_mark_reads_as_one_part_of_the_message_header(app, sandbox) -> None:
    from datetime import datetime

    from sakari_tui.widgets.thread import STATUS_MARKS, Bubble

    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        thread = app.screen.query_one(MessageThread)
        when = datetime(2026, 12, 1, 18, 11).astimezone()
        for status, (mark, _) in STATUS_MARKS.items():
            bubble = Bubble(key=status, outgoing=True, author="You", text="On my way", when=when, status=status)
            header = thread._bubble_strips(bubble, 80)[0].text.strip()
            assert header.startswith("You · ") and header.endswith(mark), (status, header)
            assert "· ·" not in header, (status, header)  # the mark is not taken for a separator


async def test_template_picker_down_moves_the_list_from_the_filter(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+t")
        picker = app.screen
        assert isinstance(picker, TemplatePicker)
        options = picker.query_one("#template-list")
        await wait_for(pilot, lambda: options.option_count > 1, what="templates")
        assert app.focused is picker.query_one("#template-filter")
        await pilot.press("down")
        assert options.highlighted == 1 and app.focused is picker.query_one("#template-filter")
        second = next(t for t in sandbox.templates() if t["id"] == options.get_option_at_index(1).id)
        await pilot.press("up", "down", "enter")
        composer = app.screen.query_one(Composer)
        assert composer.text and composer.text.split()[0] == second["template"].split()[0]
