"""The API console: every operation the client knows."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Static

from sakari_tui.screens.base import SakariScreen
from sakari_tui.widgets.status_line import StatusLine

# (operation id, HTTP method, path) of the Sakari API v1, as the client implements them.
OPERATIONS = (
    ("auth.token", "POST", "/oauth2/token"),
    ("contacts.fetchAll", "GET", "/accounts/{accountId}/contacts"),
    ("contacts.create", "POST", "/accounts/{accountId}/contacts"),
    ("contacts.fetch", "GET", "/accounts/{accountId}/contacts/{contactId}"),
    ("contacts.update", "PUT", "/accounts/{accountId}/contacts/{contactId}"),
    ("contacts.remove", "DELETE", "/accounts/{accountId}/contacts/{contactId}"),
    ("conversations.fetchAll", "GET", "/accounts/{accountId}/conversations"),
    ("conversations.fetch", "GET", "/accounts/{accountId}/conversations/{conversationId}"),
    ("conversations.close", "PUT", "/accounts/{accountId}/conversations/{conversationId}/close"),
    ("messages.fetchAll", "GET", "/accounts/{accountId}/messages"),
    ("messages.fetch", "GET", "/accounts/{accountId}/messages/{messageId}"),
    ("messages.send", "POST", "/accounts/{accountId}/messages"),
    ("templates.fetchAll", "GET", "/accounts/{accountId}/templates"),
    ("templates.create", "POST", "/accounts/{accountId}/templates"),
    ("templates.fetch", "GET", "/accounts/{accountId}/templates/{templateId}"),
    ("templates.update", "PUT", "/accounts/{accountId}/templates/{templateId}"),
    ("templates.remove", "DELETE", "/accounts/{accountId}/templates/{templateId}"),
    ("campaigns.fetchAll", "GET", "/accounts/{accountId}/campaigns"),
    ("campaigns.create", "POST", "/accounts/{accountId}/campaigns"),
    ("campaigns.fetch", "GET", "/accounts/{accountId}/campaigns/{campaignId}"),
    ("campaigns.update", "PUT", "/accounts/{accountId}/campaigns/{campaignId}"),
    ("campaigns.remove", "DELETE", "/accounts/{accountId}/campaigns/{campaignId}"),
    ("webhooks.fetchAll", "GET", "/accounts/{accountId}/webhooks"),
    ("webhooks.subscribe", "POST", "/accounts/{accountId}/webhooks"),
    ("webhooks.unsubscribe", "DELETE", "/accounts/{accountId}/webhooks/{url}"),
    ("tools.shareFile", "POST", "/tools/sharefile"),
)


class ConsoleScreen(SakariScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static(Text(f" API console · {len(OPERATIONS)} operations", style="bold"), classes="list-title")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Operation", "Method", "Path")
        for operation_id, method, path in OPERATIONS:
            table.add_row(operation_id, method, path, key=operation_id)
