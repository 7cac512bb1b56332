"""Webhooks: the account's event subscriptions. List, subscribe, unsubscribe."""

from __future__ import annotations

from urllib.parse import urlsplit

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, SelectionList, Static

from sakari_tui.api import WEBHOOK_EVENT_TYPES, SakariError, Webhook
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import SakariModal, SakariScreen
from sakari_tui.screens.dialogs import confirm_then
from sakari_tui.styles import style
from sakari_tui.widgets.footer import Footer
from sakari_tui.widgets.status_line import StatusLine


def check_webhook_url(url: str) -> str | None:
    """Why ``url`` cannot receive webhooks, or None when it can."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return "The URL must start with https:// (or http://)"
    if not parts.hostname:
        return "The URL needs a host, e.g. https://example.com/hooks/sakari"
    return None


class SubscribeScreen(SakariModal[Webhook | None]):
    """A URL and the event types to send to it; the subscription is made here."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="subscribe.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Subscribe a webhook"
            yield Input(placeholder="https://example.com/hooks/sakari", id="webhook-url")
            yield SelectionList[str](*((event, event, True) for event in WEBHOOK_EVENT_TYPES), id="webhook-events")
            yield Static("", id="webhook-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Subscribe", id="subscribe", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#webhook-url", Input).focus()

    def error(self, message: str) -> None:
        self.query_one("#webhook-error", Static).update(Text(message))

    @on(Input.Submitted, "#webhook-url")
    @on(Button.Pressed, "#subscribe")
    def subscribe(self) -> None:
        url = self.query_one("#webhook-url", Input).value.strip()
        problem = check_webhook_url(url)
        if problem:
            self.error(problem)
            return
        events = list(self.query_one("#webhook-events", SelectionList).selected)
        if not events:
            self.error("Choose at least one event type")
            return
        self._subscribe(url, events)

    @work(exclusive=True, group="subscribe")
    async def _subscribe(self, url: str, events: list[str]) -> None:
        button = self.query_one("#subscribe", Button)
        button.disabled = True
        try:
            webhook = await self.app.client.webhooks.subscribe(url, events)
        except SakariError as exc:
            self.error(f"Not subscribed: {exc}")
            return
        finally:
            button.disabled = False
        self.dismiss(webhook)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class WebhooksScreen(SakariScreen[None]):
    CSS_PATH = style("webhooks")  # read when the screen is first shown, not at start-up

    BINDINGS = [
        Binding("a,n", "subscribe", "Subscribe", id="webhooks.subscribe"),
        Binding("d,delete", "unsubscribe", "Unsubscribe", id="webhooks.unsubscribe"),
        Binding("ctrl+r,f5", "reload", "Reload", id="webhooks.reload"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", classes="list-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="webhook-table")
        yield Static(
            Text("Events are POSTed as JSON to each URL. Watch them: sakari-tui webhooks listen", style="dim"),
            id="webhooks-hint",
        )
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("URL", key="url")
        table.add_column("Events", key="events")
        self.webhooks: list[Webhook] = []
        self.action_reload()

    @work(exclusive=True, group="webhooks")
    async def action_reload(self) -> None:
        table = self.query_one(DataTable)
        table.loading = True
        try:
            page = await self.app.client.webhooks.fetch_all()
        finally:
            table.loading = False
        self.webhooks = [w for w in page.items if w.url]
        table.clear()
        for webhook in self.webhooks:
            events = ", ".join(webhook.event_types) or "all"
            table.add_row(Text(one_line(webhook.url or "")), Text(one_line(events)), key=webhook.url)
        count = len(self.webhooks)
        self.query_one(".list-title", Static).update(
            Text(f" Webhooks · {count} subscription{'s' if count != 1 else ''}", style="bold")
        )

    def selected(self) -> Webhook | None:
        table = self.query_one(DataTable)
        if not self.webhooks or table.cursor_row is None or table.cursor_row >= len(self.webhooks):
            return None
        return self.webhooks[table.cursor_row]

    def action_subscribe(self) -> None:
        def done(webhook: Webhook | None) -> None:
            if webhook is not None:
                self.app.notify(f"Subscribed {one_line(webhook.url or '')}", markup=False)
                self.action_reload()

        self.app.push_screen(SubscribeScreen(), done)

    def action_unsubscribe(self) -> None:
        webhook = self.selected()
        if webhook is None or not webhook.url:
            self.app.notify("No subscription selected.", severity="warning")
            return
        url = webhook.url

        confirm_then(
            self.app, f"Stop sending events to {one_line(url)}?", "Unsubscribe", lambda: self._unsubscribe(url)
        )

    @work(exclusive=True, group="unsubscribe")
    async def _unsubscribe(self, url: str) -> None:
        await self.app.client.webhooks.unsubscribe(url)
        self.app.notify(f"Unsubscribed {one_line(url)}", markup=False)
        self.action_reload()
