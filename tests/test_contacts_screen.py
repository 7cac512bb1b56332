"""The Contacts screen, driven by keys against the sandbox: paging, filters, the form, CSV
import, selection and bulk send."""

from __future__ import annotations

import gc
import io
import time
import weakref
from pathlib import Path

import pytest
from conftest import finish, make_app, make_sandbox, wait_for
from rich.console import Console
from textual.widgets import Input, Static, TextArea

import sakari_tui.api.client as client_module
import sakari_tui.screens.contacts as contacts_module
from sakari_tui.api import RetryPolicy
from sakari_tui.screens.bulk_send import (
    SEND_BATCH,
    SEND_BODY_LIMIT,
    BulkSendScreen,
    Plan,
    Recipients,
    send_tags,
)
from sakari_tui.screens.contact_form import ContactForm
from sakari_tui.screens.contacts import ContactsScreen
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.screens.csv_import import CsvImportScreen, read_csv
from sakari_tui.screens.dialogs import ConfirmScreen, TemplatePicker
from sakari_tui.screens.help import HelpScreen
from sakari_tui.textual_private import notifications, screen_text
from sakari_tui.widgets.paged_list import MAX_PAGES, PagedList
from sakari_tui.widgets.path_input import PathSuggester
from sakari_tui.widgets.tag_editor import TagChips

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=2.0, max_total=1.0)
# The inbox, which stays alive behind this screen, polls slowly: these tests are not about it.
QUIET = {"poll_conversations": 30, "poll_thread": 30}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "RetryPolicy", lambda: FAST_RETRY)


@pytest.fixture
def app(tmp_path: Path, sandbox):
    return make_app(tmp_path / "data", sandbox, **QUIET)


def shown(widget: Static) -> str:
    """What a Static shows, as plain text (its content may be a Rich table or group)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch)


async def open_contacts(pilot) -> ContactsScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the inbox")
    await pilot.press("2")
    screen = app.screen
    assert isinstance(screen, ContactsScreen)
    listing = screen.listing
    await wait_for(pilot, lambda: listing.total is not None and listing.highlighted is not None, what="the first page")
    return screen


def contact_by_mobile(sandbox, number: str) -> dict | None:
    return next((c for c in sandbox.contacts() if c["mobile"]["number"] == number), None)


def tag_names(contact: dict) -> list[str]:
    return [t["tag"] for t in contact.get("tags", [])]


# -- the list ---------------------------------------------------------------------------


async def test_scrolling_loads_more_pages_and_the_total_is_shown(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=1_000)
    app = make_app(tmp_path / "data", sandbox, **QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(pilot)
        listing = screen.listing
        caption = screen.query_one("#contacts-caption", Static)
        await wait_for(pilot, lambda: "1,000" in shown(caption), what="the total in the caption")
        assert listing.cached_pages == [0]
        ids = list(sandbox.store.contacts)
        for _ in range(6):  # 6 screens of 18 rows: past row 100
            await pilot.press("pagedown")
        await wait_for(pilot, lambda: 1 in listing.cached_pages, what="the second page")
        assert listing.cursor > 100
        assert listing.highlighted.id == ids[listing.cursor]
        await pilot.press("end")
        await wait_for(pilot, lambda: listing.highlighted is not None and listing.cursor == 999, what="the last row")
        assert listing.highlighted.id == ids[-1]
        assert 9 in listing.cached_pages and 5 not in listing.cached_pages  # pages in between are never fetched
        await pilot.press("f1")  # and the help lists this screen's keys, by id
        assert isinstance(app.screen, HelpScreen)
        text = shown(app.screen.query_one("VerticalScroll Static"))
        for binding_id in ("contacts.new", "contacts.edit", "contacts.delete", "contacts.select",
                           "contacts.select_all", "contacts.send", "contacts.import", "contacts.filter"):  # fmt: skip
            assert binding_id in text
        assert "then move down" in text  # space selects and moves on: F1 says so


async def test_a_hundred_thousand_contacts_page_on_demand_with_bounded_memory(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=100_000)
    app = make_app(tmp_path / "data", sandbox, **QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(pilot)
        listing: PagedList = screen.listing
        assert listing.total == 100_000
        caption = screen.query_one("#contacts-caption", Static)
        await wait_for(pilot, lambda: "100,000" in shown(caption), what="the total in the caption")
        assert not listing.children  # rows are lines, not widgets
        ids = list(sandbox.store.contacts)
        for row in (20_000, 60_000, 99_999):
            listing.select_index(row)
            await wait_for(
                pilot, lambda r=row: listing.highlighted is not None and listing.cursor == r, what=f"row {row}"
            )
            assert listing.highlighted.id == ids[row]
        for _ in range(MAX_PAGES + 3):  # walk back page by page: the cache stays bounded
            listing.select_index(listing.cursor - 100)
            await wait_for(pilot, lambda: listing.highlighted is not None, what="a page")
        assert len(listing.cached_pages) <= MAX_PAGES
        assert listing.requests <= 1 + 3 * 2 + (MAX_PAGES + 3)  # each jump: its page, perhaps a neighbour


CONTACTS_GET = ("GET", "/v1/accounts/demo-account/contacts")


def view_rows(listing: PagedList) -> range:
    top = int(listing.scroll_y)
    return range(top, top + listing.scrollable_content_region.height)


async def test_paging_down_fetches_the_next_page_before_the_view_reaches_it(tmp_path: Path) -> None:
    sandbox = make_sandbox(contacts=1_000)
    app = make_app(tmp_path / "data", sandbox, **QUIET)
    async with app.run_test(size=(120, 40)) as pilot:  # a screen of 35 rows: more than the 20 rows always fetched
        screen = await open_contacts(pilot)
        listing = screen.listing
        await wait_for(pilot, lambda: not listing.fetching, what="the first page only")
        assert listing.cached_pages == [0] and sandbox.requests.count(CONTACTS_GET) == 1  # no travel yet: no prefetch
        while view_rows(listing)[-1] < 250:
            await pilot.press("pagedown")
            await wait_for(pilot, lambda: not listing.fetching, what="the loader idle")
            rows = view_rows(listing)
            # What the next pagedown shows is there before it is pressed...
            assert all(listing.item_at(i) is not None for i in range(rows[0], rows[-1] + len(rows)))
            # ...and nothing more than two screens below the view is fetched.
            assert max(listing.cached_pages) == (rows[-1] + 2 * len(rows)) // 100
        pages = listing.cached_pages
        assert pages == list(range(len(pages))) and len(pages) in (3, 4)
        assert sandbox.requests.count(CONTACTS_GET) == listing.requests == len(pages)  # each page once
        # Back up: the pages are still cached, nothing is asked for again.
        await pilot.press("home")
        await wait_for(pilot, lambda: not listing.fetching, what="the loader idle")
        assert sandbox.requests.count(CONTACTS_GET) == len(pages)


class CountedShows:
    """Wraps ``ContactDetail.show`` to record each contact it is given."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, screen: ContactsScreen) -> None:
        self.contacts: list = []
        show = screen.detail.show

        def counted(contact, note: str = "Loading…") -> None:
            self.contacts.append(contact)
            show(contact, note)

        monkeypatch.setattr(screen.detail, "show", counted)


async def test_held_keys_update_the_detail_once_with_the_row_the_cursor_stops_on(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Keys more than half a second apart would count as single presses: far slower than any test.
    monkeypatch.setattr(contacts_module, "DETAIL_SETTLE", 0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_contacts(pilot)
        listing = screen.listing
        shows = CountedShows(monkeypatch, screen)
        await pilot.press("down")
        shows.contacts.clear()
        await pilot.press("down", "down", "down", "pagedown", "down")  # each within the pause of the last
        assert shows.contacts == []  # nothing laid out while the keys come
        final = listing.highlighted
        assert listing.cursor > 10 and final is not None
        await wait_for(pilot, lambda: shows.contacts, what="the detail once the keys stop")
        assert shows.contacts == [final] and screen.detail.contact is final
        assert screen._detail_due is None  # nothing more to come
        messages = screen.detail.query_one("#detail-messages", Static)
        await wait_for(
            pilot, lambda: final.id in screen._messages and "Loading" not in shown(messages), what="its messages"
        )


async def test_a_single_key_shows_the_contact_at_once_and_enter_shows_the_row_it_is_on(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(pilot)
        listing = screen.listing
        shows = CountedShows(monkeypatch, screen)
        settle = contacts_module.DETAIL_SETTLE
        # The first row's own showing counts as a move: wait for it, then for the rest after it.
        await wait_for(
            pilot,
            lambda: screen.detail.contact is listing.highlighted and time.monotonic() - screen._moved_at > settle,
            what="the first row shown and the cursor at rest",
        )
        shows.contacts.clear()
        await pilot.press("down")
        assert shows.contacts == [listing.highlighted] and listing.cursor == 1  # no waiting for a pause
        monkeypatch.setattr(contacts_module, "DETAIL_SETTLE", 0.5)
        await pilot.press("down", "down")  # quickly: the detail waits for the cursor to rest
        assert shows.contacts[-1] is not listing.highlighted
        await pilot.press("enter")  # opens the detail of the row the cursor is on, now
        assert screen.has_class("-detail") and screen.detail.contact is listing.highlighted
        assert listing.cursor == 3 and screen._detail_due is None


async def test_dropped_pages_are_freed_without_the_collector_and_the_screen_freezes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict] = []
    sandbox = make_sandbox(contacts=(MAX_PAGES + 5) * 100)
    app = make_app(tmp_path / "data", sandbox, **QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.connected.is_set, what="start-up's own settling")
        # The screen's freeze, recorded instead of freezing the test process.
        monkeypatch.setattr(app, "settle_heap", lambda **options: calls.append(options))
        screen = await open_contacts(pilot)
        listing = screen.listing
        await wait_for(pilot, lambda: calls, what="the freeze after the first page")
        assert calls == [{}]
        first_page = [weakref.ref(listing.item_at(i)) for i in range(100)]
        gc.disable()  # from here only reference counting frees anything
        try:
            for row in range(100, (MAX_PAGES + 5) * 100, 100):
                listing.select_index(row)
                await wait_for(
                    pilot, lambda r=row: listing.cursor == r and listing.highlighted is not None, what=f"row {row}"
                )
            await wait_for(pilot, lambda: not listing.fetching, what="the loader idle")
            assert 0 not in listing.cached_pages and len(listing.cached_pages) <= MAX_PAGES
            assert not gc.isenabled()
            assert [r for r in first_page if r() is not None] == []  # no cycle keeps a dropped contact
        finally:
            gc.enable()
        assert calls == [{}]  # once, not at every page


FILTERS = [
    ("filter-first", "an", lambda c, v: v in c.get("firstName", "").lower()),
    ("filter-last", "son", lambda c, v: v in c.get("lastName", "").lower()),
    ("filter-mobile", "(312) 555", lambda c, v: "312555" in c["mobile"]["number"]),
    ("filter-email", "mail.ex", lambda c, v: v in c.get("email", "").lower()),
    ("filter-tags", "vip", lambda c, v: any(v in t for t in tag_names(c))),
]


async def test_filter_by_each_filter(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_contacts(pilot)
        listing = screen.listing
        everyone = len(sandbox.contacts())
        await pilot.press("slash")
        assert app.focused is screen.query_one("#filter-first", Input)
        for input_id, value, matches in FILTERS:
            expected = [c["id"] for c in sandbox.contacts() if matches(c, value)]
            assert 0 < len(expected) < everyone
            field = screen.query_one(f"#{input_id}", Input)
            field.focus()
            if input_id == "filter-first":
                await type_text(pilot, value)
            else:
                field.value = value
            await pilot.press("enter")
            assert app.focused is listing
            await wait_for(
                pilot,
                lambda expected=expected: listing.total == len(expected),
                what=f"{len(expected)} matches for {input_id}",
            )
            await wait_for(
                pilot,
                lambda expected=expected: len(list(listing.loaded_items())) == len(expected),
                what="the matching rows",
            )
            assert [c.id for c in listing.loaded_items()] == expected
            assert f"{len(expected)} matching" in shown(screen.query_one("#contacts-caption", Static))
            await pilot.press("ctrl+u")  # clears the filters
            await wait_for(pilot, lambda: listing.total == everyone, what="everyone again")


# -- create, edit, delete ---------------------------------------------------------------


async def new_contact_form(pilot, first: str, last: str, mobile: str, email: str) -> ContactForm:
    """Open the form and fill it (typing every character of every field is slow in a test)."""
    await pilot.press("n")
    form = pilot.app.screen
    assert isinstance(form, ContactForm)
    assert pilot.app.focused is form.query_one("#first-name", Input)
    form.query_one("#first-name", Input).value = first
    form.query_one("#last-name", Input).value = last
    form.query_one("#email", Input).value = email
    await pilot.press("tab", "tab")
    assert pilot.app.focused is form.query_one("#mobile", Input)
    form.query_one("#mobile", Input).value = mobile
    return form


async def test_create_a_contact_with_tags_and_attributes(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(pilot)
        before = len(sandbox.contacts())
        form = await new_contact_form(pilot, "Ada", "Lovelace", "3125550199", "ada@example.com")
        form.query_one("#tag-input", Input).focus()
        await type_text(pilot, "vip")
        await pilot.press("enter")
        await type_text(pilot, "ops,")  # a comma adds too
        await type_text(pilot, "x")
        await pilot.press("enter")
        await pilot.press("backspace")  # in the empty input: takes the last tag (x) off
        assert form.query_one(TagChips).tags == ["vip", "ops"]
        form.query_one(".attribute-key", Input).focus()
        await type_text(pilot, "city")
        await pilot.press("tab")
        await type_text(pilot, "Rome")
        await pilot.press("escape")  # closing would lose it all: asked first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is form
        await pilot.press("f2")
        await finish(pilot, "contact-form")
        assert not isinstance(app.screen, ContactForm)
        created = contact_by_mobile(sandbox, "+13125550199")
        assert created is not None and len(sandbox.contacts()) == before + 1
        assert (created["firstName"], created["lastName"], created["email"]) == ("Ada", "Lovelace", "ada@example.com")
        assert tag_names(created) == ["vip", "ops"]
        assert created["attributes"] == {"city": "Rome"}
        await wait_for(pilot, lambda: screen.listing.total == before + 1, what="the list reloaded")


async def test_bad_mobile_email_and_duplicate_are_said_next_to_the_field_and_the_form_kept(app, sandbox) -> None:
    taken = sandbox.contacts()[3]
    owner = f"{taken['firstName']} {taken['lastName']}"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_contacts(pilot)
        before = sandbox.contacts()
        form = await new_contact_form(pilot, "Bo", "Short", "12345", "bo at example")
        await pilot.press("f2")
        await wait_for(pilot, lambda: form.field_message("mobile"), what="the mobile's error")
        assert "not a phone number" in form.field_message("mobile") and "short" in form.field_message("mobile")
        assert "email" in form.field_message("email")
        assert app.screen is form and app.focused is form.query_one("#mobile", Input)
        assert form.value("first-name") == "Bo" and form.value("email") == "bo at example"
        # The number of another contact: create would merge into it, so the form says whose it is.
        form.query_one("#email", Input).value = "bo@example.com"
        form.query_one("#mobile", Input).value = taken["mobile"]["number"]
        await pilot.pause()
        assert not form.field_message("mobile") and not form.field_message("email")
        await pilot.press("f2")
        await wait_for(pilot, lambda: form.field_message("mobile"), what="the duplicate's error")
        assert "already belongs to" in form.field_message("mobile") and owner in form.field_message("mobile")
        assert app.screen is form and form.value("last-name") == "Short"
        assert sandbox.contacts() == before  # nothing created, nothing merged
        form.query_one("#mobile", Input).value = "3125550142"
        await pilot.press("enter")  # Enter in a field saves too
        await wait_for(pilot, lambda: contact_by_mobile(sandbox, "+13125550142"), what="the contact created")
        assert contact_by_mobile(sandbox, "+13125550142")["lastName"] == "Short"


async def test_edit_a_contact(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(pilot)
        await pilot.press("down")
        contact = screen.current
        original = next(c for c in sandbox.contacts() if c["id"] == contact.id)
        assert tag_names(original) and "city" in original["attributes"]
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, ContactForm)
        assert form.value("first-name") == original["firstName"]
        await pilot.press("tab")  # last name, its text selected: typing replaces it
        await type_text(pilot, "Renamed")
        form.query_one(TagChips).focus()
        await pilot.press("delete")  # the first tag goes
        form.query_one(".attribute-value", Input).focus()
        await type_text(pilot, "Lisbon")
        await pilot.press("f2")
        await finish(pilot, "contact-form")
        assert not isinstance(app.screen, ContactForm)
        saved = next(c for c in sandbox.contacts() if c["id"] == contact.id)
        assert saved["lastName"] == "Renamed" and saved["firstName"] == original["firstName"]
        assert tag_names(saved) == tag_names(original)[1:]
        first_key = next(iter(original["attributes"]))
        assert saved["attributes"] == {**original["attributes"], first_key: "Lisbon"}
        assert screen.current.last_name == "Renamed"  # the row shows the edit
        # Another contact's number: the server's CONT-004, said next to the mobile.
        other = sandbox.contacts()[5]["mobile"]["number"]
        await pilot.press("e")
        form = app.screen
        form.query_one("#mobile", Input).value = other
        await pilot.press("f2")
        await wait_for(pilot, lambda: form.field_message("mobile"), what="CONT-004 by the mobile")
        assert "CONT-004" in form.field_message("mobile") and app.screen is form
        assert next(c for c in sandbox.contacts() if c["id"] == contact.id)["mobile"]["number"] != other


async def test_delete_asks_first(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(pilot)
        await pilot.press("down", "down")
        contact_id = screen.current.id
        total = screen.listing.total
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert any(c["id"] == contact_id for c in sandbox.contacts())
        await pilot.press("d")
        await pilot.press("y")
        await wait_for(pilot, lambda: not any(c["id"] == contact_id for c in sandbox.contacts()), what="deleted")
        await wait_for(pilot, lambda: screen.listing.total == total - 1, what="the list reloaded")
        assert screen.current.id != contact_id


FAULTS = {
    "429": {"rate_429": 1.0, "retry_after": 0},
    "5xx": {"rate_5xx": 1.0},
    "down": {"down": True},
}
SAID = {"429": "busy", "5xx": "server failed", "down": "Could not reach", "404": "CONT-003"}


def set_fault(sandbox, fault: str | None) -> None:
    faults = sandbox.faults
    faults.rate_429, faults.rate_5xx, faults.down = 0.0, 0.0, False
    for name, value in FAULTS.get(fault or "", {}).items():
        setattr(faults, name, value)


async def form_error(pilot, form: ContactForm) -> str:
    error = form.query_one("#form-error", Static)
    await wait_for(pilot, lambda: error.display and not form.saving, what="the error under the form")
    message = shown(error).replace("\n", " ")
    form.set_error(None, None)
    return message


async def test_create_under_429_5xx_and_no_network_keeps_the_form_then_saves(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_contacts(pilot)
        form = await new_contact_form(pilot, "Flo", "Fault", "3125550177", "flo@example.com")
        for fault in FAULTS:
            set_fault(sandbox, fault)
            await pilot.press("f2")
            message = await form_error(pilot, form)
            assert SAID[fault] in message and "nothing you typed is lost" in message, message
            assert app.screen is form and form.value("first-name") == "Flo" and form.value("email") == "flo@example.com"
            assert not contact_by_mobile(sandbox, "+13125550177")
        set_fault(sandbox, None)
        await pilot.press("f2")
        await wait_for(pilot, lambda: contact_by_mobile(sandbox, "+13125550177"), what="saved once the fault is gone")
        assert not isinstance(app.screen, ContactForm)


async def test_edit_under_429_5xx_and_404_keeps_the_form(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(pilot)
        await pilot.press("down")
        contact = screen.current
        await pilot.press("e")
        form = app.screen
        await pilot.press("tab")
        await type_text(pilot, "Changed")
        for fault in ("429", "5xx", "404"):
            set_fault(sandbox, fault)
            if fault == "404":  # someone else deleted it meanwhile
                await app.client.contacts.remove(contact.id)
            await pilot.press("f2")
            message = await form_error(pilot, form)
            assert SAID[fault] in message, message
            assert app.screen is form and form.value("last-name") == "Changed"
            if fault != "404":
                assert next(c for c in sandbox.contacts() if c["id"] == contact.id).get("lastName") != "Changed"


async def test_delete_under_429_5xx_and_404_says_so_and_keeps_the_contact(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(pilot)
        contact = screen.current
        for fault, expected in (("429", "RATE-001"), ("5xx", "HTTP 50"), ("404", "CONT-003")):
            set_fault(sandbox, fault)
            if fault == "404":
                await app.client.contacts.remove(contact.id)
            app.clear_notifications()
            await pilot.press("d", "y")
            await wait_for(pilot, lambda: any(n.title == "Not deleted" for n in notifications(app)), what="the message")
            note = next(n for n in notifications(app) if n.title == "Not deleted")
            assert expected in note.message or (fault == "5xx" and "SRV-503" in note.message), note.message
            if fault != "404":
                assert any(c["id"] == contact.id for c in sandbox.contacts())
                assert screen.current.id == contact.id


# -- detail and conversation ------------------------------------------------------------


async def test_the_detail_shows_fields_attributes_state_and_recent_messages(app, sandbox) -> None:
    talker = sandbox.conversations()[0]["contact"]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_contacts(pilot)
        await pilot.press("slash")
        screen.query_one("#filter-first", Input).value = talker["firstName"]
        screen.query_one("#filter-last", Input).value = talker["lastName"]
        await pilot.press("enter")
        listing = screen.listing
        await wait_for(
            pilot,
            lambda: listing.highlighted is not None and listing.highlighted.id == talker["id"],
            what="the contact",
        )
        detail = screen.detail
        messages = detail.query_one("#detail-messages", Static)
        await wait_for(pilot, lambda: "→" in shown(messages) or "←" in shown(messages), what="recent messages")
        last = sandbox.messages(contact_id=talker["id"])[0]["message"]
        assert last.split()[0] in shown(messages)
        fields = shown(detail.query_one("#detail-fields", Static))
        for words in ("Mobile", "Status", "Can receive messages", "Created", "Updated", talker["id"]):
            assert words in fields
        full = next(c for c in sandbox.contacts() if c["id"] == talker["id"])
        attributes = shown(detail.query_one("#detail-attributes", Static))
        assert all(str(v) in attributes for v in full["attributes"].values())
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the inbox")
        inbox = app.screen
        await wait_for(pilot, lambda: inbox.open_id is not None
                       and inbox.conversations[inbox.open_id].contact.id == talker["id"], what="their conversation")  # fmt: skip


async def test_a_contact_without_a_conversation_starts_one(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_contacts(pilot)
        talkers = {c["contact"]["id"] for c in sandbox.conversations()}
        while screen.current.id in talkers or screen.current.blocked:
            await pilot.press("down")
        contact = screen.current
        await pilot.press("enter")  # below 100 columns the detail replaces the list
        assert screen.has_class("-detail") and screen.detail.display
        await pilot.press("escape")
        assert not screen.has_class("-detail")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the inbox")
        inbox = app.screen
        await wait_for(pilot, lambda: inbox.new_conversation is not None, what="a new conversation")
        assert inbox.new_conversation.mobile == contact.mobile.number


# -- CSV import -------------------------------------------------------------------------

CSV_ROWS = """firstName,lastName,mobile,email,city,tags
Ada,Lovelace,(312) 555-0191,ada@example.com,London,vip;engine
Bad,Number,12345,bad@example.com,Nowhere,
Cai,Wen,(312) 555-0192,,Shanghai,

Eve,Mail,(312) 555-0193,not-an-email,Paris,
Gus,Good,+44 7700 900123,gus@example.co.uk,Leeds,newsletter
"""


async def test_csv_import_reports_each_failing_row_and_keeps_the_good_ones(
    app, sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(CSV_ROWS, encoding="utf-8")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_contacts(pilot)
        before = len(sandbox.contacts())
        await pilot.press("i")
        dialog = app.screen
        assert isinstance(dialog, CsvImportScreen)
        field = dialog.query_one("#csv-path", Input)
        field.value = str(tmp_path) + "/peo"
        await wait_for(pilot, lambda: "people.csv" in screen_text(app), what="the completion shown")
        await pilot.press("tab")
        assert field.value == str(path)
        await pilot.press("enter")
        await finish(pilot, "csv-read")
        assert dialog.state == "ready"
        assert "Lovelace" in shown(dialog.query_one("#csv-preview", Static))
        assert dialog.mapping == ["firstName", "lastName", "mobile", "email", "attribute", "tags"]
        assert [s.value for s in dialog.query("#csv-mapping Select")] == dialog.mapping
        assert app.focused is dialog.query_one("#upload")  # nothing to fix: straight to Import
        assert "5 rows" in shown(dialog.query_one("#csv-summary", Static))
        await pilot.press("f2")
        await finish(pilot, "csv-upload")
        assert dialog.state == "done"
        report = dialog.report
        assert (report.submitted, report.inserted, report.updated) == (5, 3, 0)
        # Named by their line in the file (the header is line 1), as the command line does.
        assert [(f.row, f.reason.split(":")[0]) for f in report.failures] == [(3, "CONT-001"), (6, "CONT-002")]
        assert "Sent 5 of 5 rows" in shown(dialog.query_one("#csv-status", Static))
        text = shown(dialog.query_one("#csv-report", Static))
        assert "Line" in text
        assert "Submitted 5" in text and "inserted 3" in text and "failed 2" in text
        assert "Invalid mobile number" in text and "Invalid email address" in text
        assert len(sandbox.contacts()) == before + 3
        ada = contact_by_mobile(sandbox, "+13125550191")
        assert ada["attributes"] == {"city": "London"} and tag_names(ada) == ["vip", "engine"]
        assert contact_by_mobile(sandbox, "+447700900123")["lastName"] == "Good"
        # The upload froze the heap, the dialog with it; once the dialog is gone the app
        # thaws, collects and freezes again, so the closed dialog can be freed.
        settled: list[dict] = []
        settle = app.settle_heap
        monkeypatch.setattr(app, "settle_heap", lambda **options: (settled.append(options), settle(**options)))
        await pilot.press("escape")
        assert isinstance(app.screen, ContactsScreen)
        await wait_for(pilot, lambda: settled, what="the heap settled after the dialog closed")
        assert settled == [{"thaw": True}]


async def test_csv_import_says_what_is_wrong_with_the_file(app, sandbox, tmp_path: Path) -> None:
    (tmp_path / "nomobile.csv").write_text("firstName,lastName\nAda,Lovelace\n", encoding="utf-8")
    (tmp_path / "norows.csv").write_text("firstName,mobile\n\n", encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_contacts(pilot)
        before = len(sandbox.contacts())
        await pilot.press("i")
        dialog = app.screen
        error = dialog.query_one("#csv-error", Static)
        dialog.query_one("#csv-path", Input).value = str(tmp_path / "missing.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "There is no file" in shown(error), what="no such file")
        dialog.query_one("#csv-path", Input).value = str(tmp_path / "norows.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "no rows" in shown(error) and dialog.data is not None, what="no rows")
        assert dialog.state == "choose"
        # No column is the mobile number: the file is read, and the columns wait to be told.
        dialog.query_one("#csv-path", Input).value = str(tmp_path / "nomobile.csv")
        await pilot.press("enter")
        await finish(pilot, "csv-read")
        assert dialog.state == "ready"
        mapping_error = dialog.query_one("#csv-mapping-error", Static)
        assert mapping_error.display and "No column goes to mobile" in shown(mapping_error)
        first = dialog.query_one("#csv-mapping Select")
        assert app.focused is first
        await pilot.press("f2")  # refused: nothing is sent
        await pilot.pause()
        assert dialog.state == "ready" and app.focused is first
        assert len(sandbox.contacts()) == before


async def open_import(pilot, path: Path) -> CsvImportScreen:
    """The import dialog, the file at ``path`` read."""
    await pilot.press("i")
    dialog = pilot.app.screen
    assert isinstance(dialog, CsvImportScreen)
    dialog.query_one("#csv-path", Input).value = str(path)
    await pilot.press("enter")
    await finish(pilot, "csv-read")
    assert dialog.state == "ready"
    return dialog


def column_selects(dialog: CsvImportScreen) -> list:
    return list(dialog.query("#csv-mapping Select"))


def invalid_columns(dialog: CsvImportScreen) -> list[str]:
    return [c.header for c in dialog.query(".csv-column.-invalid")]


async def test_csv_import_with_unknown_headers_is_mapped_by_keys(app, sandbox, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Cell,Given name,Surname,Internal id,Notes,Team,Interests\n"
                    "(312) 555-0181,Lin,Okafor,X-1,prefers mornings,bakers,rye;sourdough\n"
                    "(312) 555-0182,Mo,Reyes,X-2,,,\n", encoding="utf-8")  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await open_contacts(pilot)
        assert contact_by_mobile(sandbox, "+13125550181") is None
        dialog = await open_import(pilot, path)
        # The guess: only "Surname" is a name Sakari knows; the rest would be attributes.
        assert dialog.mapping == ["attribute", "attribute", "lastName", "attribute", "attribute", "attribute",
                                  "attribute"]  # fmt: skip
        assert "No column goes to mobile" in shown(dialog.query_one("#csv-mapping-error", Static))
        selects = column_selects(dialog)
        assert app.focused is selects[0]  # the dialog starts where there is something to fix
        await pilot.press("enter", "escape")  # Esc closes the column's list, not the dialog
        assert app.screen is dialog and app.focused is selects[0] and selects[0].value == "attribute"
        await pilot.press("enter", "m", "enter")  # Cell: mobile
        assert selects[0].value == "mobile" and app.focused is selects[0]
        assert not dialog.query_one("#csv-mapping-error", Static).display
        await pilot.press("tab", "enter", "f", "enter")  # Given name: first name
        await pilot.press("tab")  # Surname: last name, as guessed
        await pilot.press("tab", "enter", "i", "enter")  # Internal id: ignore
        await pilot.press("tab")  # Notes: an attribute, as guessed
        await pilot.press("tab", "enter", "t", "enter")  # Team: tags
        await pilot.press("tab", "enter", "t", "enter")  # Interests: tags too
        assert dialog.mapping == ["mobile", "firstName", "lastName", "ignore", "attribute", "tags", "tags"]
        assert [s.value for s in selects] == dialog.mapping
        await pilot.press("f2")
        await finish(pilot, "csv-upload")
        assert dialog.state == "done"
        assert (dialog.report.submitted, dialog.report.inserted, dialog.report.failures) == (2, 2, [])
    lin = contact_by_mobile(sandbox, "+13125550181")
    assert (lin["firstName"], lin["lastName"]) == ("Lin", "Okafor")
    assert lin["attributes"] == {"Notes": "prefers mornings"}  # "Internal id" went nowhere
    assert tag_names(lin) == ["bakers", "rye", "sourdough"]  # both tag columns
    mo = contact_by_mobile(sandbox, "+13125550182")
    assert (mo["firstName"], mo["lastName"], mo.get("attributes") or {}, tag_names(mo)) == ("Mo", "Reyes", {}, [])
    assert not any("X-1" in str(c) for c in sandbox.contacts())


async def test_csv_import_refuses_two_columns_to_one_field_and_keeps_the_choices(app, sandbox, tmp_path: Path) -> None:
    path = tmp_path / "two-numbers.csv"
    path.write_text("Phone,Mobile,First name,Given name\n(312) 555-0101,(312) 555-0171,Rob,Robin\n", encoding="utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_contacts(pilot)
        before = len(sandbox.contacts())
        dialog = await open_import(pilot, path)
        error = dialog.query_one("#csv-mapping-error", Static)
        selects = column_selects(dialog)
        # Both number columns are read as mobile: said at once, both marked, the first one focused.
        assert dialog.mapping == ["mobile", "mobile", "firstName", "attribute"]
        assert "“Phone” and “Mobile” both go to mobile" in shown(error)
        assert invalid_columns(dialog) == ["Phone", "Mobile"] and app.focused is selects[0]
        # The home phone cannot be kept as an attribute named "Phone": Sakari reads that name as mobile.
        await pilot.press("enter", "a", "enter")
        assert "“Phone” cannot be an attribute" in shown(error) and invalid_columns(dialog) == ["Phone"]
        await pilot.press("enter", "i", "enter")  # so it is ignored
        assert not error.display and invalid_columns(dialog) == []
        # Given name to first name as well: two columns to one field again.
        await pilot.press("tab", "tab", "tab", "enter", "f", "enter")
        assert app.focused is selects[3] and selects[3].value == "firstName"
        assert "“First name” and “Given name” both go to first name" in shown(error)
        assert invalid_columns(dialog) == ["First name", "Given name"]
        await pilot.press("f2")  # refused: the choices stay, the first column at fault is focused
        await pilot.pause()
        assert dialog.state == "ready" and len(sandbox.contacts()) == before
        assert [s.value for s in selects] == dialog.mapping == ["ignore", "mobile", "firstName", "firstName"]
        assert app.focused is selects[2] and error.display
        await pilot.press("enter", "i", "enter")  # First name: ignore
        assert not error.display
        await pilot.press("f2")
        await finish(pilot, "csv-upload")
        assert dialog.state == "done"
        assert (dialog.report.submitted, dialog.report.inserted, dialog.report.updated) == (1, 1, 0)
    assert len(sandbox.contacts()) == before + 1
    robin = contact_by_mobile(sandbox, "+13125550171")
    assert robin["firstName"] == "Robin" and not robin.get("attributes")


async def test_a_large_csv_is_cut_in_chunks_read_in_a_thread(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    lines = ["firstName,mobile"] + [f"P{i},+1312{5550000 + i:07d}" for i in range(5_001)]
    path.write_text("\n".join(lines), encoding="utf-8")
    data = read_csv(path, chunk_rows=2_000)
    assert len(data.rows) == 5_001 and [len(c.rows) for c in data.chunks] == [2_000, 2_000, 1_001]
    assert all(c.body.startswith("firstName,mobile\r\n") for c in data.chunks)
    # Cut again under another mapping: the first column left out.
    chunks = data.chunks_under(("ignore", "mobile"))
    assert [len(c.rows) for c in chunks] == [2_000, 2_000, 1_001]
    assert chunks[0].body.startswith("mobile\r\n+13125550000\r\n") and "P0" not in chunks[0].body
    assert await PathSuggester().get_suggestion(str(tmp_path / "bi")) == str(path)


# -- selection and bulk send ------------------------------------------------------------


async def test_bulk_send_reaches_the_selected_except_the_opted_out_who_are_reported(app, sandbox) -> None:
    everyone = sandbox.contacts()
    assert "blocked" in everyone[0] and "blocked" not in everyone[1] and "blocked" not in everyone[2]
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_contacts(pilot)
        await pilot.press("space", "space", "space")  # rows 0, 1, 2 (space moves down)
        assert "3 selected" in shown(screen.query_one("#contacts-caption", Static))
        sandbox.inject_inbound(everyone[2]["mobile"]["number"], "STOP")  # opts out after being listed
        before = len(sandbox.messages())
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, BulkSendScreen)
        dialog.query_one(TextArea).insert("Hi {{firstName}}, fresh bread")
        await type_text(pilot, " today")
        preview = shown(dialog.query_one("#send-preview", Static))
        assert f"Hi {everyone[1]['firstName']}, fresh bread today" in preview
        cost = dialog.query_one("#send-cost", Static)
        await wait_for(pilot, lambda: "about" in shown(cost), what="the estimated cost")
        # The one known to have opted out is left out of the count, as of the send.
        assert "it goes to 2" in shown(dialog.query_one("#send-to", Static))
        assert "2 messages × 1 segment = 2 segments" in shown(cost)
        await pilot.press("f2")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Send this message to 2 contacts (2 segments" in app.screen.question
        await pilot.press("y")
        await finish(pilot, "csv-upload")
        assert dialog.state == "done"
        sent = [m for m in sandbox.messages()[: len(sandbox.messages()) - before] if m["outgoing"]]
        assert [m["contact"]["id"] for m in sent] == [everyone[1]["id"]]
        assert sent[0]["message"] == f"Hi {everyone[1]['firstName']}, fresh bread today"
        result = shown(dialog.query_one("#send-result", Static))
        assert "Queued 1" in result and "invalid 1" in result and "left out 1" in result
        assert everyone[0]["firstName"] in result and "opted out" in result
        assert everyone[2]["firstName"] in result and "CONT-010" in result
        await pilot.press("escape")
        assert screen.draft == ""

        # Recorded as this app's, so the inbox labels its messages "You" (tests/test_core_inbox.py).
        assert [template for template, _ in app.store.bulk_sends()] == ["Hi {{firstName}}, fresh bread today"]


async def test_bulk_send_inserts_a_template_at_the_cursor_with_its_placeholders(app, sandbox) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await open_contacts(pilot)
        await pilot.press("space")
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, BulkSendScreen)
        await type_text(pilot, "PS ")
        await pilot.press("ctrl+t")
        assert isinstance(app.screen, TemplatePicker)
        await wait_for(pilot, lambda: app.screen.query_one("#template-list").option_count, what="templates")
        await type_text(pilot, "Order")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is dialog, what="back in the send dialog")
        area = dialog.query_one(TextArea)
        assert area.text.startswith("PS Hi {{{firstName}}}, your order is ready")
        assert app.focused is area


async def test_all_matching_a_tag_goes_as_one_request_by_tag(app, sandbox) -> None:
    tagged = [c for c in sandbox.contacts() if "wholesale" in tag_names(c)]
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_contacts(pilot)
        screen.query_one("#filter-tags", Input).value = "wholesale"
        screen.query_one("#filter-tags", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.listing.total == len(tagged), what="the tag filter")
        await wait_for(pilot, lambda: len(list(screen.listing.loaded_items())) == len(tagged), what="rows")
        await pilot.press("a")
        assert f"all {len(tagged)} selected" in shown(screen.query_one("#contacts-caption", Static))
        await pilot.press("s")
        dialog = app.screen
        assert "Sent by tag" in shown(dialog.query_one("#send-to", Static))
        dialog.query_one(TextArea).insert("Wholesale price list is out")
        sends_before = sandbox.requests.count(("POST", "/v1/accounts/demo-account/messages"))
        await pilot.press("f2", "y")
        await finish(pilot, "csv-upload")
        assert dialog.state == "done"
        assert sandbox.requests.count(("POST", "/v1/accounts/demo-account/messages")) == sends_before + 1
        reached = {m["contact"]["id"] for m in sandbox.messages() if m["message"] == "Wholesale price list is out"}
        assert reached == {c["id"] for c in tagged if "blocked" not in c}


async def test_all_matching_a_name_filter_is_sent_by_id_less_the_ones_left_out(app, sandbox) -> None:
    matching = [c for c in sandbox.contacts() if "a" in c.get("lastName", "").lower()]
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_contacts(pilot)
        screen.query_one("#filter-last", Input).focus()
        await type_text(pilot, "a")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.listing.total == len(matching), what="the filter")
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.listing.highlighted is not None, what="a row")
        left_out = screen.current.id
        await pilot.press("space")  # leave the first one out
        assert f"all {len(matching) - 1} selected" in shown(screen.query_one("#contacts-caption", Static))
        await pilot.press("s")
        dialog = app.screen
        dialog.query_one(TextArea).insert("Closed Monday")
        await pilot.press("f2", "y")
        await finish(pilot, "csv-upload")
        assert dialog.state == "done"
        reached = {m["contact"]["id"] for m in sandbox.messages() if m["message"] == "Closed Monday"}
        assert reached == {c["id"] for c in matching if "blocked" not in c and c["id"] != left_out}


async def test_a_failed_send_keeps_the_message_and_sends_nothing(app, sandbox) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_contacts(pilot)
        await pilot.press("down", "space")
        await pilot.press("s")
        dialog = app.screen
        await type_text(pilot, "Try")
        dialog.query_one(TextArea).insert(" again")
        sandbox.faults.rate_5xx = 1.0
        await pilot.press("f2", "y")
        error = dialog.query_one("#send-error", Static)
        await wait_for(pilot, lambda: error.display, what="the error")
        assert "Nothing was sent" in shown(error) and dialog.state == "compose" and dialog.text == "Try again"
        sandbox.faults.rate_5xx = 0.0
        await pilot.press("escape")
        assert screen.draft == "Try again"  # kept for next time
        assert not any(m["message"] == "Try again" for m in sandbox.messages())


def test_batches_split_only_past_the_limit() -> None:
    ids = [f"{i:024x}" for i in range(25_000)]
    assert [len(b) for b in Plan(ids=ids[:SEND_BATCH]).batches] == [SEND_BATCH]
    assert [len(b) for b in Plan(ids=ids).batches] == [10_000, 10_000, 5_000]
    long_ids = ["x" * 1_000 for _ in range(SEND_BATCH)]  # 10 MB of ids: split by the body limit
    batches = Plan(ids=long_ids).batches
    assert len(batches) > 1 and all(len(b) * 1_010 < SEND_BODY_LIMIT for b in batches)


def test_a_tag_filter_is_sent_by_tag_only_when_it_names_whole_tags() -> None:
    from sakari_tui.api import Contact

    vip = Contact.from_json({"id": "1", "tags": [{"tag": "VIP"}]})
    gold = Contact.from_json({"id": "2", "tags": [{"tag": "vip-gold"}]})
    base = {"count": 2, "all_matching": True, "filters": {"tags": ["vip"]}}
    assert send_tags(Recipients(**base, loaded=[vip])) == ["vip"]
    assert send_tags(Recipients(**base, loaded=[vip, gold])) is None  # "vip" also finds vip-gold
    assert send_tags(Recipients(**base, loaded=[vip], excluded=frozenset({"1"}))) is None
    assert send_tags(Recipients(**{**base, "filters": {"tags": ["vip"], "first_name": "a"}}, loaded=[vip])) is None


async def test_a_fast_tab_in_the_contact_form_moves_on_before_the_next_keys(app, sandbox) -> None:
    """Keys as a terminal delivers a quick typist's burst: all queued before any is handled."""
    from textual import events

    async with app.run_test(size=(80, 24)) as pilot:
        await open_contacts(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, ContactForm)
        await wait_for(pilot, lambda: app.focused is form.query_one("#first-name", Input), what="the form")
        burst = "Ann\tLee\t+12065550177\tann@example.com"
        for ch in burst:
            app.post_message(
                events.Key("tab", None)
                if ch == "\t"
                else events.Key({"+": "plus", "@": "at", ".": "full_stop"}.get(ch, ch), ch)
            )
        await wait_for(
            pilot, lambda: form.query_one("#email", Input).value == "ann@example.com", what="the email field"
        )
        assert [form.query_one(f"#{name}", Input).value for name in ("first-name", "last-name", "mobile")] == [
            "Ann",
            "Lee",
            "+12065550177",
        ]
