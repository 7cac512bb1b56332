"""Contacts: the address book, paged from the server, with a detail pane.

The list is a line-API virtual list over ``contacts.fetchAll`` pages of 100, fetched as the
view needs them and kept in a bounded cache, so 100,000 contacts scroll like 100 (see
``widgets/paged_list.py``). The filters are the API's own (first name, last name, mobile,
email, tags; each matches "contains"); the total is the server's count for them.

Beside the list (below 100 columns: instead of it, on Enter) the highlighted contact's
detail: every field, tags, attributes, opt-out state, dates and the latest messages with
them. From here: create, edit and delete (forms in ``contact_form``), import a CSV file
(``csv_import``), open or start the conversation in the inbox, and select contacts (space,
or ``a`` for every contact matching the filter, counted by the server) for one bulk send
(``bulk_send``).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Input, Static

from sakari_tui.api import Contact, Message, SakariError
from sakari_tui.api.phone import format_number
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariScreen
from sakari_tui.screens.contact_form import short_error
from sakari_tui.styles import style
from sakari_tui.widgets.contact_detail import ContactDetail
from sakari_tui.widgets.footer import Footer
from sakari_tui.widgets.paged_list import PagedList
from sakari_tui.widgets.status_line import StatusLine

TYPING_PAUSE = 0.3  # seconds without typing before a filter goes to the server
DETAIL_PAUSE = 0.2  # seconds on a row before its messages are fetched
DETAIL_SETTLE = 0.1  # while keys repeat faster than this, the detail waits until the cursor rests so long
RECENT_MESSAGES = 8
WIDE = 100  # from this many columns the detail pane sits beside the list

# (input id, placeholder, fetch_all keyword)
FILTERS = (
    ("filter-first", "/ first name", "first_name"),
    ("filter-last", "last name", "last_name"),
    ("filter-mobile", "mobile", "mobile"),
    ("filter-email", "email", "email"),
    ("filter-tags", "tags (a, b)", "tags"),
)
FILTER_LABELS = {"first_name": "first name", "last_name": "last name", "mobile": "mobile",
                 "email": "email", "tags": "tags"}  # fmt: skip


def column_widths(width: int) -> tuple[int, int, int, int]:
    """(name, mobile, email, tags) widths for a row ``width`` cells wide; 0 hides a column."""
    name = min(max(width * 3 // 10, 14), 28)
    mobile = 16
    rest = width - name - mobile - 2
    if rest < 12:
        return name, mobile, 0, max(rest, 0)
    email = min(rest * 3 // 5, 34)
    tags = max(rest - email - 1, 0)
    return name, mobile, email, tags


def _cell(text: Text, width: int) -> Text:
    text.truncate(width, overflow="ellipsis", pad=True)
    return text


def tags_of(contact: Contact) -> list[str]:
    return [one_line(t.name) for t in contact.tags if t.name]


class ContactsScreen(SakariScreen[None]):
    CSS_PATH = style("contacts")
    BINDINGS = [
        Binding("n", "new", "New", id="contacts.new"),
        Binding("e", "edit", "Edit", id="contacts.edit"),
        Binding("d,delete", "delete", "Delete", id="contacts.delete", show=False),
        Binding(
            "space",
            "toggle_select",
            "Select",
            id="contacts.select",
            tooltip="Select or unselect the contact, then move down",
        ),
        # Listed in F1, not the footer: at 80 columns the footer would cut Quit and Keys.
        Binding("a", "select_all", "Select all", id="contacts.select_all", show=False),
        Binding("s", "bulk_send", "Send", id="contacts.send"),
        Binding("i", "import_csv", "Import", id="contacts.import"),
        Binding("c", "conversation", "Conversation", id="contacts.conversation", show=False),
        Binding("slash", "filter", "Filter", id="contacts.filter", show=False),  # the inputs show it
        Binding("x", "clear_selection", "Clear selection", id="contacts.clear_selection", show=False),
        Binding("ctrl+u", "clear_filters", "Clear filters", id="contacts.clear_filters", show=False),
        Binding("ctrl+r,f5", "reload", "Reload", id="contacts.reload", show=False),
        Binding("escape", "back", "Back", id="contacts.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters: dict[str, Any] = {}
        self.draft = ""  # the bulk message being written, kept if the send dialog is closed
        self._filter_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        # The detail pane follows the cursor, but not every row of a held key (see highlighted).
        self._detail_due: Timer | None = None
        self._detail_next: tuple[Contact | None, str] = (None, "Loading…")
        self._moved_at = 0.0
        self._moved_to: int | None = None
        self._messages: OrderedDict[str, list[Message]] = OrderedDict()
        self._numbers: OrderedDict[str, str] = OrderedDict()
        self._error: str | None = None
        self._caption: Text | None = None
        self._header: Text | None = None
        self._frozen = False

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="contacts-caption")
        with Horizontal(id="contacts-filters"):
            for input_id, placeholder, _ in FILTERS:
                yield Input(placeholder=placeholder, id=input_id, compact=True)
        with Horizontal(id="contacts-body"):
            with Vertical(id="contacts-list-pane"):
                yield Static("", id="contacts-header")
                yield PagedList(self.row_text, key_of=lambda c: c.id or "", id="contacts-list", placeholder="loading…",
                                empty="No contacts match the filters. ctrl+u clears them.")  # fmt: skip
            yield ContactDetail(self.phone_region, id="contact-detail")
        yield StatusLine()
        yield Footer()

    @property
    def phone_region(self) -> str:
        return self.app.profile.default_region

    @property
    def listing(self) -> PagedList[Contact]:
        return self.query_one("#contacts-list", PagedList)

    @property
    def detail(self) -> ContactDetail:
        return self.query_one(ContactDetail)

    @property
    def current(self) -> Contact | None:
        return self.listing.highlighted

    def on_mount(self) -> None:
        self._layout_for(self.size.width)
        self.listing.focus()
        self.listing.reset(self._fetcher())
        self.update_caption()

    def on_resize(self) -> None:
        self._layout_for(self.size.width)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Back from another screen or a dialog: fetch the rows in view again (others may have
        # changed them meanwhile); the rows shown stay until the fresh ones arrive.
        if self.listing.total is not None:
            self.listing.reset(keep_position=True)

    def _layout_for(self, width: int) -> None:
        self.set_class(width < WIDE, "-narrow")
        self.update_header()

    # -- rows ----------------------------------------------------------------

    def formatted_number(self, contact: Contact) -> str:
        number = contact.mobile.number if contact.mobile and contact.mobile.number else ""
        if not number:
            return ""
        shown = self._numbers.get(number)
        if shown is None:
            shown = format_number(number, self.phone_region)
            self._numbers[number] = shown
            if len(self._numbers) > 5000:
                self._numbers.popitem(last=False)
        return shown

    def row_text(self, contact: Contact, width: int) -> Text:
        name_w, mobile_w, email_w, tags_w = column_widths(width)
        name = Text(one_line(contact.display_name) or "(no name)")
        if contact.blocked:
            # "opted out" when it fits beside the name, else a sign (the detail says it in words)
            mark = " opted out" if name.cell_len + 10 <= name_w else " ⊘"
            name.truncate(max(name_w - len(mark), 3), overflow="ellipsis")
            name.append(mark, style="red")
        row = _cell(name, name_w)
        row.append(" ")
        row.append_text(_cell(Text(self.formatted_number(contact)), mobile_w))
        if email_w:
            row.append(" ")
            row.append_text(_cell(Text(one_line(contact.email or ""), style="dim"), email_w))
        if tags_w:
            row.append(" ")
            row.append_text(_cell(Text(", ".join(tags_of(contact)), style="cyan"), tags_w))
        return row

    def update_header(self) -> None:
        if not self.is_mounted:
            return
        width = self.listing.scrollable_content_region.width or max(self.size.width - 1, 20)
        name_w, mobile_w, email_w, tags_w = column_widths(max(width - 2, 1))
        header = Text("  ")
        header.append_text(_cell(Text("Name"), name_w))
        header.append(" ")
        header.append_text(_cell(Text("Mobile"), mobile_w))
        if email_w:
            header.append(" ")
            header.append_text(_cell(Text("Email"), email_w))
        if tags_w:
            header.append(" ")
            header.append_text(_cell(Text("Tags"), tags_w))
        header.stylize("bold")
        if header != self._header:  # one line each: no layout, and no frame when nothing changed
            self._header = header
            self.query_one("#contacts-header", Static).update(header, layout=False)

    def update_caption(self) -> None:
        listing = self.listing
        total = listing.total
        caption = Text(" Contacts", style="bold")
        if total is None:
            caption.append(" · loading…", style="dim")
        else:
            caption.append(f" · {total:,}")
            if self.filters:
                caption.append(" matching", style="dim")
        for keyword, value in self.filters.items():
            shown = ", ".join(value) if isinstance(value, list) else value
            caption.append(f" · {FILTER_LABELS[keyword]} ", style="dim")
            caption.append(f"“{one_line(shown, 24)}”")
        selected = listing.selection.count(total)
        if listing.selection.all_matching:
            caption.append(f" · all {selected:,} selected", style="bold yellow")
        elif selected:
            caption.append(f" · {selected:,} selected", style="bold yellow")
        if self._error:
            caption.append(f" · {self._error}", style="bold red")
        if caption != self._caption:
            self._caption = caption
            self.query_one("#contacts-caption", Static).update(caption, layout=False)

    # -- loading -------------------------------------------------------------

    def _fetcher(self):
        app = self.app
        filters = dict(self.filters)

        async def fetch(offset: int, limit: int):
            return await (await app.connected_client()).contacts.fetch_all(offset, limit, **filters)

        return fetch

    @on(PagedList.Loaded, "#contacts-list")
    def loaded(self) -> None:
        self._error = None
        self.update_caption()
        self.update_header()
        if not self._frozen:
            self._frozen = True
            self.call_after_refresh(self._freeze)

    def _freeze(self) -> None:
        # Full passes over all the app built so far stalled paging; dropped pages hold no cycles, so are still freed.
        self.app.settle_heap()

    @on(PagedList.LoadFailed, "#contacts-list")
    def load_failed(self, event: PagedList.LoadFailed) -> None:
        self._error = f"could not load: {one_line(str(event.error), 60)}"
        self.update_caption()
        if self.listing.total is None:
            self._clear_detail("The contacts could not be loaded. ctrl+r tries again.")

    def action_reload(self) -> None:
        self._error = None
        self._messages.clear()
        self.listing.reset(keep_position=self.listing.total is not None)
        self.update_caption()

    # -- filters -------------------------------------------------------------

    def read_filters(self) -> dict[str, Any]:
        filters: dict[str, Any] = {}
        for input_id, _, keyword in FILTERS:
            value = self.query_one(f"#{input_id}", Input).value.strip()
            if not value:
                continue
            if keyword == "tags":
                tags = [t.strip() for t in value.split(",") if t.strip()]
                if tags:
                    filters[keyword] = tags
            elif keyword == "mobile":  # numbers are stored as E.164: "(312) 555" looks for 312555
                filters[keyword] = re.sub(r"\D", "", value) or value
            else:
                filters[keyword] = value
        return filters

    @on(Input.Changed, "#contacts-filters Input")
    def filter_typed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(TYPING_PAUSE, self.apply_filters)

    @on(Input.Submitted, "#contacts-filters Input")
    def filter_submitted(self) -> None:
        self.apply_filters()
        self.listing.focus()

    def apply_filters(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        filters = self.read_filters()
        if filters == self.filters:
            return
        self.filters = filters
        selection = self.listing.selection
        if selection.all_matching:  # "all matching" meant the old filter
            selection.clear()
        self._error = None
        self.listing.reset(self._fetcher())
        self._clear_detail()
        self.update_caption()

    def action_filter(self) -> None:
        self.query_one("#filter-first", Input).focus()

    def action_clear_filters(self) -> None:
        for input_id, _, _ in FILTERS:
            self.query_one(f"#{input_id}", Input).value = ""
        self.apply_filters()
        self.listing.focus()

    def action_back(self) -> None:
        if self.has_class("-detail"):
            self.remove_class("-detail")
            self.listing.focus()
        elif isinstance(self.focused, Input):
            self.apply_filters()
            self.listing.focus()
        elif self.focused is self.detail:
            self.listing.focus()
        elif self.listing.selection.count(self.listing.total):
            self.action_clear_selection()

    # -- detail --------------------------------------------------------------

    @on(PagedList.Highlighted, "#contacts-list")
    def highlighted(self, event: PagedList.Highlighted) -> None:
        contact: Contact | None = event.item
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if contact is None:
            note = "No contacts match." if self.listing.total == 0 else "Loading…"
        else:
            note = ""
            if contact.id and contact.id not in self._messages:
                self._detail_timer = self.set_timer(DETAIL_PAUSE, lambda: self.load_messages(contact.id or ""))
        # Showing a contact lays the pane out and renders its tables: a key pressed after a
        # rest shows it at once, but while a key repeats only the row the cursor stops on is
        # shown, DETAIL_SETTLE after the last move. The row's page arriving is not a move.
        self._detail_next = (contact, note)
        now = time.monotonic()
        moved = event.index != self._moved_to
        repeating = moved and now - self._moved_at < DETAIL_SETTLE
        if moved:
            self._moved_at, self._moved_to = now, event.index
        if self._detail_due is None:
            if repeating:
                self._detail_due = self.set_timer(DETAIL_SETTLE, self._detail_rested)
            else:
                self._show_detail()

    def _detail_rested(self) -> None:
        self._detail_due = None
        wait = self._moved_at + DETAIL_SETTLE - time.monotonic()
        if wait > 0.005:  # moved again since the timer was set: wait for the rest from there
            self._detail_due = self.set_timer(wait, self._detail_rested)
        else:
            self._show_detail()

    def _show_detail(self) -> None:
        """Show the highlighted contact now (and drop a deferred showing)."""
        if self._detail_due is not None:
            self._detail_due.stop()
            self._detail_due = None
        contact, note = self._detail_next
        if contact is None:
            self.detail.show(None, note)
            return
        self.detail.show(contact)
        if contact.id and contact.id in self._messages:
            self.detail.show_messages(contact.id, self._messages[contact.id])

    def _clear_detail(self, note: str = "Loading…") -> None:
        self._detail_next = (None, note)
        self._show_detail()

    @work(exclusive=True, group="contact-messages", exit_on_error=False)
    async def load_messages(self, contact_id: str) -> None:
        try:
            client = await self.app.connected_client()
            page = await client.messages.fetch_all(0, RECENT_MESSAGES, contact_id=contact_id)
        except SakariError as exc:
            self.detail.show_messages(contact_id, None, str(exc))
            return
        messages = list(page.items)
        self._messages[contact_id] = messages
        if len(self._messages) > 200:
            self._messages.popitem(last=False)
        self.detail.show_messages(contact_id, messages)

    @on(PagedList.Opened, "#contacts-list")
    def opened(self) -> None:
        if self._detail_due is not None:  # Enter right after a move: the detail of this row
            self._show_detail()
        if self.has_class("-narrow"):
            self.add_class("-detail")
        self.detail.focus()

    # -- selection -----------------------------------------------------------

    def action_toggle_select(self) -> None:
        if self.listing.toggle_selected() is not None:
            self.listing.action_move(1)
        self.update_caption()

    def action_select_all(self) -> None:
        listing = self.listing
        if listing.total is None:
            return
        selection = listing.selection
        if selection.all_matching and not selection.excluded:
            listing.clear_selection()
        else:
            listing.select_all()
            self.notify(f"All {listing.total:,} contacts matching the filter are selected. "
                        "Space leaves one out; a again clears.", timeout=3)  # fmt: skip
        self.update_caption()

    def action_clear_selection(self) -> None:
        self.listing.clear_selection()
        self.update_caption()

    # -- create, edit, delete ------------------------------------------------

    def action_new(self) -> None:
        from sakari_tui.screens.contact_form import ContactForm

        def saved(contact: Contact | None) -> None:
            if contact is not None:
                self.notify(f"Created {one_line(contact.display_name)}.", markup=False, timeout=3)
                self.listing.reset(keep_position=True)

        self.app.push_screen(ContactForm(region=self.phone_region), saved)

    def action_edit(self) -> None:
        from sakari_tui.screens.contact_form import ContactForm

        contact = self.current
        if contact is None:
            self.notify("No contact to edit.", severity="warning", timeout=3)
            return

        def saved(updated: Contact | None) -> None:
            if updated is not None:
                self.notify(f"Saved {one_line(updated.display_name)}.", markup=False, timeout=3)
                if not self.listing.replace_item(updated.id or "", updated):
                    self.listing.reset(keep_position=True)
                if self.filters:  # the edit may have moved it out of (or into) the filter
                    self.listing.reset(keep_position=True)

        self.app.push_screen(ContactForm(contact, region=self.phone_region), saved)

    def action_delete(self) -> None:
        from sakari_tui.screens.dialogs import confirm_then

        contact = self.current
        if contact is None or not contact.id:
            self.notify("No contact to delete.", severity="warning", timeout=3)
            return
        name = one_line(contact.display_name) or contact.id

        question = f"Delete {name}? Their conversations stay; the contact and its tags and attributes go."
        confirm_then(self.app, question, "Delete", lambda: self._delete(contact))

    @work(group="contact-delete", exclusive=True)
    async def _delete(self, contact: Contact) -> None:
        name = one_line(contact.display_name) or contact.id or ""
        try:
            await (await self.app.connected_client()).contacts.remove(contact.id or "")
        except SakariError as exc:
            self.notify(f"{name} was not deleted: {short_error(exc)}. Nothing changed; press d to try again.",
                        title="Not deleted", severity="error", markup=False, timeout=8)  # fmt: skip
            return
        self.listing.selection.picked.pop(contact.id or "", None)
        self._messages.pop(contact.id or "", None)
        self.notify(f"Deleted {name}.", markup=False, timeout=3)
        self.listing.reset(keep_position=True)

    # -- import, send, conversation ------------------------------------------

    def action_import_csv(self) -> None:
        from sakari_tui.screens.csv_import import CsvImportScreen

        def done(imported: bool | None) -> None:
            if imported:
                self.listing.reset(keep_position=True)

        self.app.push_screen(CsvImportScreen(), done)

    def action_bulk_send(self) -> None:
        from sakari_tui.screens.bulk_send import BulkSendScreen, Recipients

        listing = self.listing
        selection = listing.selection
        count = selection.count(listing.total)
        if not count:
            self.notify("Select contacts first: space selects one, a selects all matching the filter.",
                        severity="warning", timeout=4)  # fmt: skip
            return
        if selection.all_matching:
            sample = [c for c in listing.loaded_items() if (c.id or "") not in selection.excluded][:3]
        else:
            sample = list(selection.picked.values())[:3]
        recipients = Recipients(
            count=count,
            all_matching=selection.all_matching,
            picked=list(selection.picked.values()),
            excluded=frozenset(selection.excluded),
            filters=dict(self.filters),
            sample=sample,
            loaded=list(listing.loaded_items()),
        )

        def done(draft: str | None) -> None:
            if draft is not None:
                self.draft = draft

        self.app.push_screen(BulkSendScreen(recipients, draft=self.draft, region=self.phone_region), done)

    def action_conversation(self) -> None:
        contact = self.current
        if contact is None:
            return
        if not (contact.mobile and contact.mobile.number):
            self.notify("This contact has no mobile number.", severity="warning", timeout=3)
            return
        self._open_conversation(contact)

    @work(group="contact-conversation", exclusive=True)
    async def _open_conversation(self, contact: Contact) -> None:
        await self.app.switch_mode("conversations")
        screen = self.app.screen
        start = getattr(screen, "start_conversation_with", None)
        if start is not None:
            start(contact)
