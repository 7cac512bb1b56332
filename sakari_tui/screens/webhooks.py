"""Webhooks: the account's event subscriptions."""

from __future__ import annotations

from rich.text import Text

from sakari_tui.api import Webhook
from sakari_tui.core.text import one_line
from sakari_tui.screens.lists import ListScreen


class WebhooksScreen(ListScreen):
    title_text = "Webhooks"
    columns = (("URL", 50), ("Events", None))

    def fetch(self):
        return self.app.client.webhooks.fetch_all()

    def cells(self, webhook: Webhook) -> tuple[Text, ...]:
        return (Text(one_line(webhook.url or "")), Text(", ".join(webhook.event_types)))
