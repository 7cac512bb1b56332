"""The conversations screen: the inbox of SMS threads with customers."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from sakari_tui.api import Conversation
from sakari_tui.core.text import one_line


def relative_time(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return ""
    now = now or datetime.now(timezone.utc)
    seconds = max((now - when).total_seconds(), 0)
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def contact_label(conversation: Conversation) -> str:
    contact = conversation.contact
    return one_line(contact.display_name if contact else "") or (conversation.id or "")


class ConversationsScreen(Screen[None]):
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="conversations.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="conversation-list", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Contact", key="contact", width=24)
        table.add_column("Last message", key="preview")
        table.add_column("When", key="when", width=5)
        table.add_column("Unread", key="unread", width=6)
        self.action_refresh()

    @work(exclusive=True, group="conversations")
    async def action_refresh(self) -> None:
        table = self.query_one(DataTable)
        table.loading = True
        try:
            page = await self.app.client.conversations.fetch_all(limit=100)
        finally:
            table.loading = False
        table.clear()
        for conversation in page.items:
            last = conversation.last_message
            preview = one_line(last.text or "", 60) if last else ""
            unread = len(conversation.unread)
            table.add_row(
                Text(contact_label(conversation), style="bold" if unread else ""),
                Text(preview),
                Text(relative_time(last.created_at if last else None)),
                Text(str(unread) if unread else "", style="reverse" if unread else ""),
                key=conversation.id,
            )
        self.sub_title = f"{page.total_count if page.total_count is not None else len(page.items)} conversations"
