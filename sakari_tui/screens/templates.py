"""Templates: reusable message texts.

The list is filtered by name on the server and paged. The detail shows the text as a
chosen contact would get it (placeholders filled and underlined, missing ones
highlighted), its type and the segment meter of the rendered text. A template can be
inserted into the reply of the conversation open in the inbox.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from sakari_tui.api import Contact, Page, Template
from sakari_tui.api.phone import format_number
from sakari_tui.core.template_library import brace_problems, template_page
from sakari_tui.core.templates import contact_fields, placeholders, render
from sakari_tui.core.text import one_line
from sakari_tui.screens.catalog import (
    CatalogScreen,
    catalog_bindings,
    placeholders_marked,
)
from sakari_tui.widgets.segment_meter import meter_text


class TemplatesScreen(CatalogScreen[Template]):
    noun = "template"
    columns = (("Name", None), ("Type", 4))

    BINDINGS = [
        *catalog_bindings("templates", "template"),
        Binding("p", "preview_contact", "Preview", id="templates.preview_contact"),
        Binding("i", "insert", "Insert", id="templates.insert"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.preview_contact: Contact | None = None

    def compose_detail(self) -> ComposeResult:
        yield Static("", id="template-heading")
        yield Static("", id="template-preview-for")
        yield Static("", id="template-preview")
        yield Static("", id="template-meter")
        yield Static("", id="template-notes")

    async def fetch_page(self, name: str, offset: int, limit: int) -> Page[Template]:
        return await template_page(self.app.client, name=name, offset=offset, limit=limit)

    async def remove_item(self, item: Template) -> None:
        await self.app.client.templates.remove(item.id or "")

    def cells(self, item: Template) -> tuple[Text, ...]:
        return (Text(one_line(item.name or "(unnamed)", self.name_width())), Text(one_line(item.type or "")))

    # -- detail --------------------------------------------------------------

    def show_detail(self, item: Template | None) -> None:
        heading = self.query_one("#template-heading", Static)
        parts = [self.query_one(f"#template-{name}", Static) for name in ("preview-for", "preview", "meter", "notes")]
        self.query_one("#template-preview").display = item is not None
        if item is None:
            message = "Loading…" if not self.loaded else "No template here. Press n to create one."
            heading.update(Text(message, style="dim"))
            for part in parts:
                part.update("")
            return
        title = Text(one_line(item.name or "(unnamed)"), style="bold")
        title.append("  ")
        title.append(f" {item.type or 'SMS'} ", style="reverse")
        heading.update(title)

        contact = self.preview_contact
        preview_for = Text("Preview for ", style="dim")
        if contact is not None:
            preview_for.append(one_line(contact.display_name or "(no name)"), style="bold")
            if contact.mobile and contact.mobile.number:
                preview_for.append(" " + format_number(contact.mobile.number, self.app.profile.default_region))
            if contact.blocked:
                preview_for.append(" opted out", style="red")
            preview_for.append(" · p: another contact", style="dim")
        else:
            preview_for.append("no contact", style="bold")
            preview_for.append(" · p: choose a contact to fill the placeholders", style="dim")
        parts[0].update(preview_for)

        text = item.template or ""
        from sakari_tui.screens.dialogs import preview_text

        body = preview_text(text, contact) if contact is not None else placeholders_marked(text)
        parts[1].update(body if body.plain else Text("(empty)", style="dim italic"))
        parts[2].update(meter_text(body.plain))

        notes: list[Text] = []
        names = list(dict.fromkeys(placeholders(text)))
        if names:
            line = Text("Placeholders: ", style="dim")
            line.append(", ".join(names))
            notes.append(line)
        rendered = render(text, contact_fields(contact))
        if rendered.missing and contact is not None:
            line = Text("Missing for this contact: ", style="bold red")
            line.append(", ".join(rendered.missing))
            line.append(" (sent as typed)", style="dim")
            notes.append(line)
        problems = brace_problems(text)
        if problems:
            notes.append(Text("Unbalanced braces at " + "; ".join(map(str, problems[:3])), style="yellow"))
        if item.id:
            notes.append(Text(f"Id {item.id}", style="dim"))
        parts[3].update(Group(*notes))

    # -- actions -------------------------------------------------------------

    def action_preview_contact(self) -> None:
        from sakari_tui.screens.contact_picker import ContactPicker

        def chosen(contact: Contact | None) -> None:
            if contact is not None:
                self.preview_contact = contact
                self.show_detail(self.current)

        self.app.push_screen(ContactPicker("Preview templates for"), chosen)

    def form(self, item: Template | None) -> ModalScreen[Any]:
        from sakari_tui.screens.template_form import TemplateForm

        return TemplateForm(item)

    async def action_insert(self) -> None:
        """Go to the inbox and put this template in the reply being written there."""
        from sakari_tui.screens.conversations import ConversationsScreen

        template = self.current
        if template is None or not template.template:
            self.notify("No template text to insert.", severity="warning", timeout=3)
            return
        await self.app.switch_mode("conversations")
        inbox = next((s for s in reversed(self.app.screen_stack) if isinstance(s, ConversationsScreen)), None)
        if inbox is None:
            return
        if not inbox.insert_into_reply(template.template):
            self.app.notify(
                "Inserted, but no conversation is open: open one, or press n for a new one.",
                severity="warning",
                timeout=4,
            )
