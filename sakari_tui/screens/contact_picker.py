"""Choose one contact: the first page to start with, then a search by name or number."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from sakari_tui.api import Contact, SakariError
from sakari_tui.api.phone import format_number
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariModal

SHOWN = 20


def contact_label(contact: Contact, region: str) -> Text:
    label = Text(one_line(contact.display_name or "(no name)"))
    if contact.mobile and contact.mobile.number:
        label.append(f"  {format_number(contact.mobile.number, region)}", style="dim")
    if contact.blocked:
        label.append("  opted out", style="red")
    return label


class ContactPicker(SakariModal[Contact | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="contact_picker.cancel")]

    def __init__(self, title: str = "Choose a contact") -> None:
        super().__init__()
        self.title_text = title
        self.contacts: list[Contact] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            box.border_subtitle = "Enter picks · Esc cancels"
            yield Input(placeholder="search by name or number", id="contact-search", compact=True)
            yield Static("", id="contact-picker-error", classes="error")
            yield OptionList(id="contact-options")

    def on_mount(self) -> None:
        self.query_one("#contact-options").loading = True
        self.search("")

    @on(Input.Changed, "#contact-search")
    def typed(self, event: Input.Changed) -> None:
        self.search(event.value.strip())

    @work(exclusive=True, group="contact-search")
    async def search(self, needle: str) -> None:
        contacts = self.app.client.contacts
        options = self.query_one("#contact-options", OptionList)
        error = self.query_one("#contact-picker-error", Static)
        digits = "".join(ch for ch in needle if ch.isdigit())
        try:
            if not needle:
                found = list((await contacts.fetch_all(limit=SHOWN)).items)
            elif digits and len(digits) >= len(needle.replace(" ", "")) - 2:
                found = list((await contacts.fetch_all(limit=SHOWN, mobile=digits)).items)
            else:
                first = await contacts.fetch_all(limit=SHOWN, first_name=needle)
                last = await contacts.fetch_all(limit=SHOWN, last_name=needle)
                found = list({c.id: c for c in (*first.items, *last.items)}.values())
        except SakariError as exc:
            error.update(Text(f"Search failed: {exc}"))
            return
        finally:
            options.loading = False
        error.update("")
        self.contacts = found
        region = self.app.profile.default_region
        options.clear_options()
        for contact in found:
            options.add_option(Option(contact_label(contact, region), id=contact.id))
        if options.option_count:
            options.highlighted = 0
        else:
            error.update(Text("No contact matches.", style="dim"))

    @on(Input.Submitted, "#contact-search")
    def submitted(self) -> None:
        options = self.query_one("#contact-options", OptionList)
        if options.highlighted is not None:
            options.action_select()

    def on_key(self, event) -> None:
        # Up and down move through the matches while the search box keeps the focus.
        options = self.query_one("#contact-options", OptionList)
        if event.key in ("down", "up") and self.focused is self.query_one("#contact-search"):
            (options.action_cursor_down if event.key == "down" else options.action_cursor_up)()
            event.stop()

    @on(OptionList.OptionSelected, "#contact-options")
    def picked(self, event: OptionList.OptionSelected) -> None:
        contact = next((c for c in self.contacts if c.id == event.option.id), None)
        if contact is not None:
            self.dismiss(contact)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
