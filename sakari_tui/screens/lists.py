"""Contacts, campaigns and templates as lists: the first page of each, from the API.

Each screen is a table over one ``fetch_all`` operation, with the total the
API reports; Enter shows the item's details.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from sakari_tui.api import Campaign, Contact, Template
from sakari_tui.api.phone import format_number
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariScreen
from sakari_tui.widgets.status_line import StatusLine

PAGE = 100


class ListScreen(SakariScreen[None]):
    """A table over one ``fetch_all``; subclasses say which and how rows look."""

    title_text = ""
    columns: tuple[tuple[str, int | None], ...] = ()

    BINDINGS = [Binding("ctrl+r,f5", "reload", "Reload", id="list.reload")]

    def compose(self) -> ComposeResult:
        yield Static("", classes="list-title")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in self.columns:
            table.add_column(label, width=width)
        self.action_reload()

    def fetch(self) -> Any:
        raise NotImplementedError

    def cells(self, item: Any) -> tuple[Text, ...]:
        raise NotImplementedError

    @work(exclusive=True, group="list")
    async def action_reload(self) -> None:
        table = self.query_one(DataTable)
        table.loading = True
        try:
            page = await self.fetch()
        finally:
            table.loading = False
        table.clear()
        self.items = {}
        for item in page.items:
            key = item.id or str(len(self.items))
            self.items[key] = item
            table.add_row(*self.cells(item), key=key)
        total = page.total_count if page.total_count is not None else len(page.items)
        shown = f"{len(page.items)} of {total}" if total > len(page.items) else f"{total}"
        self.query_one(".list-title", Static).update(Text(f" {self.title_text} · {shown}", style="bold"))


class ContactsScreen(ListScreen):
    title_text = "Contacts"
    columns = (("Name", 28), ("Mobile", 18), ("Email", 30), ("Tags", None))

    def fetch(self):
        return self.app.client.contacts.fetch_all(limit=PAGE)

    def cells(self, contact: Contact) -> tuple[Text, ...]:
        number = contact.mobile.number if contact.mobile and contact.mobile.number else ""
        name = Text(one_line(contact.display_name))
        if contact.blocked:
            name.append(" (opted out)", style="red")
        return (
            name,
            Text(format_number(number, self.app.profile.default_region) if number else ""),
            Text(one_line(contact.email or "")),
            Text(one_line(", ".join(t.name for t in contact.tags if t.name))),
        )

    @on(DataTable.RowSelected)
    def show_contact(self, event: DataTable.RowSelected) -> None:
        from sakari_tui.screens.dialogs import ContactCard

        self.app.push_screen(ContactCard(str(event.row_key.value)))


class TemplatesScreen(ListScreen):
    title_text = "Templates"
    columns = (("Name", 28), ("Type", 6), ("Text", None))

    def fetch(self):
        return self.app.client.templates.fetch_all(limit=PAGE)

    def cells(self, template: Template) -> tuple[Text, ...]:
        return (Text(one_line(template.name or "")), Text(template.type or ""), Text(one_line(template.template or "")))


class CampaignsScreen(ListScreen):
    title_text = "Campaigns"
    columns = (("Name", 28), ("Trigger", 12), ("Template", None))

    TRIGGERS = {"M": "Manual", "S": "Scheduled", "FU": "File upload"}

    def fetch(self):
        return self.app.client.campaigns.fetch_all(limit=PAGE)

    def cells(self, campaign: Campaign) -> tuple[Text, ...]:
        trigger = campaign.trigger.get("code")
        return (
            Text(one_line(campaign.name or "")),
            Text(self.TRIGGERS.get(str(trigger), str(trigger or ""))),
            Text(one_line(campaign.template or "")),
        )


SCREENS: dict[str, Callable[[], Screen]] = {
    "contacts": ContactsScreen,
    "campaigns": CampaignsScreen,
    "templates": TemplatesScreen,
}
