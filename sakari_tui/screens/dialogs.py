"""Small modal screens used by the inbox: confirm, contact card, new conversation, template picker."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from sakari_tui.api import Contact, SakariError, Template
from sakari_tui.api.phone import InvalidNumber, format_number, normalize_number
from sakari_tui.core.template_library import all_templates
from sakari_tui.core.templates import contact_fields, render
from sakari_tui.core.text import one_line, strip_control
from sakari_tui.screens.base import SakariModal
from sakari_tui.widgets.segment_meter import meter_text


class ConfirmScreen(SakariModal[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, *, confirm: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            with Horizontal(classes="buttons"):
                yield Button("Cancel (n)", id="no", action="screen.answer(False)")
                yield Button(f"{self.confirm} (y)", id="yes", variant="error", action="screen.answer(True)")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def confirm_then(app: App[Any], question: str, confirm: str, then: Callable[[], object]) -> None:
    """Ask ``question`` (``confirm`` labels the yes button); run ``then`` only on a yes."""

    def answered(yes: bool | None) -> None:
        if yes:
            then()

    app.push_screen(ConfirmScreen(question, confirm=confirm), answered)


def contact_table(contact: Contact, region: str = "US") -> Table:
    table = Table(box=None, show_header=False, expand=True, pad_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column()

    def row(label: str, value: object) -> None:
        if value not in (None, "", ()):
            table.add_row(label, Text(strip_control(str(value))))

    row("Name", contact.display_name)
    if contact.mobile and contact.mobile.number:
        row("Mobile", format_number(contact.mobile.number, region))
    row("Email", contact.email)
    row("Tags", ", ".join(tag.name for tag in contact.tags if tag.name))
    for key, value in sorted(contact.attributes.items()):
        row(str(key), value)
    if contact.blocked:
        when = contact.blocked_at.astimezone().strftime("%d %b %Y %H:%M") if contact.blocked_at else ""
        table.add_row("Opted out", Text(f"yes {when}".strip(), style="bold red"))
    if contact.opted_in_at:
        row("Opted in", contact.opted_in_at.astimezone().strftime("%d %b %Y %H:%M"))
    if contact.created and contact.created.at:
        row("Created", contact.created.at.astimezone().strftime("%d %b %Y %H:%M"))
    if contact.updated and contact.updated.at:
        row("Updated", contact.updated.at.astimezone().strftime("%d %b %Y %H:%M"))
    row("Id", contact.id)
    return table


class ContactCard(SakariModal[None]):
    BINDINGS = [Binding("escape,q,o", "dismiss", "Close", id="contact_card.close")]

    def __init__(self, contact_id: str) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.contact: Contact | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = "Contact"
            box.border_subtitle = "Esc to close"
            yield Static("", id="contact-body")

    def on_mount(self) -> None:
        self.query_one("#contact-body").loading = True
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        body = self.query_one("#contact-body", Static)
        try:
            contact = await self.app.client.contacts.fetch(self.contact_id)
        except SakariError as exc:
            body.update(Text(f"Could not load the contact: {exc}", style="red"))
        else:
            self.contact = contact
            body.update(contact_table(contact, self.app.profile.default_region))
        finally:
            body.loading = False


class NewConversationScreen(SakariModal[tuple[Contact | None, str] | None]):
    """Pick a contact by name or number, or type a number (checked to E.164)."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="new_conversation.cancel")]

    def __init__(self, region: str) -> None:
        super().__init__()
        self.default_region = region
        self.contacts: list[Contact] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "New conversation"
            yield Input(placeholder="name or phone number", id="recipient")
            yield Static("", id="recipient-error", classes="error")
            yield OptionList(id="matches")

    def on_mount(self) -> None:
        self.query_one("#matches").display = False

    @on(Input.Changed, "#recipient")
    def search(self, event: Input.Changed) -> None:
        self.query_one("#recipient-error", Static).update("")
        if len(event.value.strip()) >= 2:
            self.lookup(event.value.strip())

    @work(exclusive=True, group="lookup")
    async def lookup(self, needle: str) -> None:
        digits = "".join(ch for ch in needle if ch.isdigit())
        contacts = self.app.client.contacts
        try:
            if digits and len(digits) >= len(needle.replace(" ", "")) - 1:
                found = list((await contacts.fetch_all(limit=10, mobile=digits)).items)
            else:
                first = await contacts.fetch_all(limit=10, first_name=needle)
                last = await contacts.fetch_all(limit=10, last_name=needle)
                found = list({c.id: c for c in (*first.items, *last.items)}.values())
        except SakariError as exc:
            self.query_one("#recipient-error", Static).update(Text(f"Search failed: {exc}"))
            return
        self.contacts = found
        options = self.query_one("#matches", OptionList)
        options.clear_options()
        for contact in self.contacts:
            label = Text(one_line(contact.display_name))
            if contact.mobile and contact.mobile.number:
                label.append(f"  {format_number(contact.mobile.number, self.default_region)}", style="dim")
            if contact.blocked:
                label.append("  opted out", style="red")
            options.add_option(Option(label, id=contact.id))
        options.display = bool(self.contacts)

    @on(Input.Submitted, "#recipient")
    def typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            mobile = normalize_number(text, self.default_region)
        except InvalidNumber as exc:
            if self.contacts:
                self.query_one("#matches", OptionList).focus()
                return
            self.query_one("#recipient-error", Static).update(Text(f"{text!r} is not a phone number: {exc.reason}"))
            return
        known = next((c for c in self.contacts if c.mobile and c.mobile.number == mobile), None)
        self.dismiss((known, mobile))

    @on(OptionList.OptionSelected, "#matches")
    def picked(self, event: OptionList.OptionSelected) -> None:
        contact = next((c for c in self.contacts if c.id == event.option.id), None)
        if contact is None or not contact.mobile or not contact.mobile.number:
            self.query_one("#recipient-error", Static).update("That contact has no mobile number.")
            return
        self.dismiss((contact, contact.mobile.number))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def preview_text(template: str, contact: Contact | None) -> Text:
    """The template as ``contact`` would get it: filled placeholders underlined,
    missing ones highlighted."""
    rendered = render(strip_control(template), contact_fields(contact))
    text = Text(rendered.text)
    for start, end, filled in rendered.spans:
        text.stylize("underline" if filled else "bold reverse red", start, end)
    return text


def who_and_why(title: str, rows: Iterable[tuple[Text, Text]]) -> list[RenderableType]:
    """A bold ``title`` over a table of the recipients a send left out: who (cut to one
    line) and why, for the outcome of a bulk send or a campaign run."""
    table = Table(box=None, show_header=False, expand=True, pad_edge=False)
    table.add_column(ratio=2, no_wrap=True, overflow="ellipsis")
    table.add_column(ratio=3)
    for who, why in rows:
        table.add_row(who, why)
    return [Text(title, style="bold"), table]


def pick_template_into(area: TextArea, *, replace: bool = False) -> None:
    """Offer the templates, their placeholders left for the server to fill per recipient, and
    put the one chosen into ``area``: at its cursor, or instead of its text (``replace``)."""

    def chosen(text: str | None) -> None:
        if text:
            if replace:
                area.load_text(text)
            else:
                area.insert(text)
            area.focus()

    area.app.push_screen(TemplatePicker(None), chosen)


class TemplatePicker(SakariModal[str | None]):
    """Choose a template; Enter inserts it, rendered for the open conversation's contact."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="template_picker.cancel")]

    def __init__(self, contact: Contact | None) -> None:
        super().__init__()
        self.contact = contact
        self.templates: list[Template] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Insert a template"
            box.border_subtitle = "Enter inserts · Esc cancels"
            yield Input(placeholder="filter by name", id="template-filter")
            yield OptionList(id="template-list")
            yield Static("", id="template-preview")

    def on_mount(self) -> None:
        self.query_one("#template-list").loading = True
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        options = self.query_one("#template-list", OptionList)
        try:
            self.templates = await all_templates(self.app.client)
        except SakariError as exc:
            self.query_one("#template-preview", Static).update(Text(f"Could not load templates: {exc}", style="red"))
            return
        finally:
            options.loading = False
        self.show_templates("")

    def show_templates(self, needle: str) -> None:
        options = self.query_one("#template-list", OptionList)
        options.clear_options()
        for template in self.templates:
            if needle.lower() in (template.name or "").lower():
                options.add_option(Option(Text(one_line(template.name or "(unnamed)")), id=template.id))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#template-filter")
    def filtered(self, event: Input.Changed) -> None:
        self.show_templates(event.value)

    def on_key(self, event: events.Key) -> None:
        # Up and down move through the templates while the filter keeps the focus, as in the
        # contact picker: type a few letters, Down to the one wanted, Enter.
        options = self.query_one("#template-list", OptionList)
        if event.key in ("down", "up") and self.focused is self.query_one("#template-filter"):
            (options.action_cursor_down if event.key == "down" else options.action_cursor_up)()
            event.stop()
            event.prevent_default()

    @on(Input.Submitted, "#template-filter")
    def submit_filter(self) -> None:
        options = self.query_one("#template-list", OptionList)
        if options.highlighted is not None:
            options.action_select()

    @on(OptionList.OptionHighlighted, "#template-list")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        template = self._template(event.option.id)
        preview = self.query_one("#template-preview", Static)
        if template is None:
            preview.update("")
            return
        body = preview_text(template.template or "", self.contact)
        meter = meter_text(body.plain)  # as the composer's meter says it, UCS-2 warning included
        body.append("\n")
        body.append_text(meter)
        preview.update(body)

    @on(OptionList.OptionSelected, "#template-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        template = self._template(event.option.id)
        if template is not None:
            self.dismiss(render(template.template or "", contact_fields(self.contact)).text)

    def _template(self, template_id: str | None) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
