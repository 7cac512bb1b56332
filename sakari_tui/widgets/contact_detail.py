"""The detail of one contact: every field, tags, attributes, opt-out state, dates, and the
latest messages with them. Everything from outside is shown as ``Text``, never markup."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from sakari_tui.api import Contact, Message, Stamp
from sakari_tui.api.phone import format_number
from sakari_tui.core.text import one_line, strip_control


def when(at: datetime | None) -> str:
    return at.astimezone().strftime("%d %b %Y %H:%M") if at else ""


def _stamp(stamp: Stamp | None) -> Text | None:
    if stamp is None or stamp.at is None:
        return None
    text = Text(when(stamp.at))
    by = stamp.by
    if by is not None:
        name = " ".join(part for part in (by.first_name, by.last_name) if part)
        if name:
            text.append(f" by {one_line(name)}", style="dim")
    return text


def _value(value: object) -> Text:
    if isinstance(value, str):
        return Text(strip_control(value))
    return Text(one_line(json.dumps(value, ensure_ascii=False, default=str)))


def fields_table(contact: Contact, region: str) -> Table:
    table = Table(box=None, show_header=False, expand=True, pad_edge=False)
    table.add_column(style="dim", no_wrap=True, width=10)
    table.add_column(ratio=1)

    mobile = contact.mobile
    number = Text()
    if mobile and mobile.number:
        number.append(format_number(mobile.number, region))
        if mobile.number != format_number(mobile.number, region):
            number.append(f"  {mobile.number}", style="dim")
        if mobile.country:
            number.append(f"  {one_line(mobile.country)}", style="dim")
        if mobile.line_type:
            number.append(f"  {one_line(mobile.line_type)}", style="dim")
        if mobile.valid is False:
            number.append("  not valid", style="bold red")
    else:
        number.append("none", style="dim italic")
    table.add_row("Mobile", number)
    table.add_row("Email", Text(one_line(contact.email)) if contact.email else Text("none", style="dim italic"))
    tags = Text()
    for tag in contact.tags:
        if tag.name:
            if tags:
                tags.append(" ")
            tags.append(f" {one_line(tag.name)} ", style="reverse")
    table.add_row("Tags", tags if tags else Text("none", style="dim italic"))
    if contact.lists:
        table.add_row("Lists", Text(", ".join(one_line(x.name or x.id or "") for x in contact.lists)))

    if contact.blocked:
        since = when(contact.blocked_at)
        status = Text("Opted out" + (f" {since}" if since else ""), style="bold red")
        status.append("\nreplied STOP: messages to them are refused", style="red")
    else:
        status = Text("Can receive messages", style="green")
    if contact.opted_in_at:
        status.append(f"\nopted in {when(contact.opted_in_at)}", style="dim")
    table.add_row("Status", status)
    if contact.error is not None:
        table.add_row("Error", Text(one_line(str(contact.error)), style="red"))
    for label, stamp in (("Created", contact.created), ("Updated", contact.updated)):
        shown = _stamp(stamp)
        if shown is not None:
            table.add_row(label, shown)
    if contact.id:
        table.add_row("Id", Text(contact.id, style="dim"))
    for key, value in sorted(contact.extra.items()):
        table.add_row(Text(one_line(str(key), 10)), _value(value))
    return table


def attributes_table(contact: Contact) -> Table | Text:
    if not contact.attributes:
        return Text("No custom attributes", style="dim italic")
    table = Table(box=None, show_header=False, expand=True, pad_edge=False)
    table.add_column(style="cyan", no_wrap=True, max_width=20, overflow="ellipsis")
    table.add_column(ratio=1)
    for key, value in sorted(contact.attributes.items(), key=lambda kv: str(kv[0]).lower()):
        table.add_row(Text(one_line(str(key))), _value(value))
    return table


def messages_table(messages: Sequence[Message]) -> Table | Text:
    if not messages:
        return Text("No messages with this contact yet", style="dim italic")
    table = Table(box=None, show_header=False, expand=True, pad_edge=False)
    table.add_column(no_wrap=True, style="dim")
    table.add_column(no_wrap=True, width=1)
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    for message in messages:
        at = message.created_at
        arrow = Text("→", style="cyan") if message.outgoing else Text("←", style="green")
        body = Text(one_line(message.text or "") or "(no text)")
        status = message.status.value if message.status.value != "Unknown" else (message.status_text or "")
        if message.outgoing and status:
            body.append(f"  {one_line(status).lower()}", style="dim")
        if message.error is not None:
            body.append(f"  {one_line(str(message.error))}", style="red")
        table.add_row(at.astimezone().strftime("%d %b %H:%M") if at else "", arrow, body)
    return table


class ContactDetail(VerticalScroll, can_focus=True):
    """Shows one contact; ``show`` paints the fields at once, ``show_messages`` when they come."""

    DEFAULT_CSS = """
    ContactDetail { padding: 0 1; }
    ContactDetail > Static { height: auto; }
    ContactDetail .section { margin-top: 1; text-style: bold; color: $text-muted; }
    """

    def __init__(self, region: str = "US", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.phone_region = region
        self.contact: Contact | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title")
        yield Static("", id="detail-fields")
        yield Static("Attributes", classes="section", id="detail-attributes-title")
        yield Static("", id="detail-attributes")
        yield Static("Recent messages", classes="section", id="detail-messages-title")
        yield Static("", id="detail-messages")

    def on_mount(self) -> None:
        self.show(None)

    def show(self, contact: Contact | None, note: str = "Loading…") -> None:
        self.contact = contact
        for part in self.query(".section"):
            part.display = contact is not None
        title = self.query_one("#detail-title", Static)
        if contact is None:
            title.update(Text(note, style="dim"))
            for name in ("#detail-fields", "#detail-attributes", "#detail-messages"):
                self.query_one(name, Static).update("")
            return
        heading = Text(one_line(contact.display_name) or "(no name)", style="bold")
        if contact.blocked:
            heading.append("  ")  # plain, so no viewer drops it
            heading.append("opted out", style="bold red")
        title.update(heading)
        self.query_one("#detail-fields", Static).update(fields_table(contact, self.phone_region))
        self.query_one("#detail-attributes", Static).update(attributes_table(contact))
        self.query_one("#detail-messages", Static).update(Text("Loading…", style="dim"))

    def show_messages(self, contact_id: str, messages: Sequence[Message] | None, error: str | None = None) -> None:
        if self.contact is None or self.contact.id != contact_id:
            return
        box = self.query_one("#detail-messages", Static)
        if error is not None:
            box.update(Text(f"Could not load the messages: {one_line(error)}", style="red"))
            return
        hint = Text("c opens the conversation", style="dim")
        box.update(Group(messages_table(messages or ()), hint))
