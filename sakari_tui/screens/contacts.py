"""Contacts: the address book."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import DataTable

from sakari_tui.api import Contact
from sakari_tui.api.phone import format_number
from sakari_tui.core.text import one_line
from sakari_tui.screens.lists import PAGE, ListScreen


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
