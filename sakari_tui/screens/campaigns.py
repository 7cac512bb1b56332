"""Campaigns: bulk messages to filtered contacts.

The list is filtered by name on the server and paged. The detail shows the trigger,
the message text, the filters (tags, contacts, attribute rules) and whatever else the
API sends about the campaign. A manual campaign can be run now (see campaign_run).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from sakari_tui.api import Campaign, Page, SendSummary
from sakari_tui.core.campaigns import MANUAL, CampaignFilters, trigger_label
from sakari_tui.core.text import one_line, strip_control
from sakari_tui.screens.catalog import (
    CatalogScreen,
    catalog_bindings,
    placeholders_marked,
)
from sakari_tui.widgets.segment_meter import meter_text


def _when(value: str) -> str | None:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    if at.tzinfo is None:
        return at.strftime("%d %b %Y %H:%M")
    return at.astimezone().strftime("%d %b %Y %H:%M")


def extra_value(value: object) -> Text:
    """A field the client has no model for, shown as compactly and safely as it can be."""
    if isinstance(value, dict) and set(value) <= {"at", "by"} and isinstance(value.get("at"), str):
        when = _when(value["at"])
        by = value.get("by")
        text = when or value["at"]
        if isinstance(by, dict) and by.get("name"):
            text += f" by {by['name']}"
        return Text(one_line(text))
    if isinstance(value, str):
        return Text(strip_control(_when(value) or value))
    return Text(one_line(json.dumps(value, ensure_ascii=False, default=str)))


def campaign_table(campaign: Campaign) -> Table:
    filters = CampaignFilters.from_json(campaign.filters)
    table = Table(box=None, show_header=False, expand=True, pad_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    code = campaign.trigger.get("code")
    trigger = Text(f"{trigger_label(code)} ({code})" if code else "—")
    for key, value in campaign.trigger.items():
        if key != "code":
            trigger.append(f" · {key}: ", style="dim")
            trigger.append_text(extra_value(value))
    table.add_row("Trigger", trigger)
    table.add_row("Tags", Text(", ".join(filters.tags) + "  (any of)" if filters.tags else "—"))
    table.add_row("Contacts", Text(", ".join(filters.contacts) if filters.contacts else "—"))
    if filters.attributes or filters.not_understood:
        rules = Text("\n".join(str(rule) for rule in filters.attributes))
        if filters.attributes:
            rules.append("  (all of)", style="dim")
        for odd in filters.not_understood:
            rules.append(f"\n{odd} (not understood)", style="yellow")
        table.add_row("Attributes", rules)
    else:
        table.add_row("Attributes", Text("—"))
    for key, value in campaign.filters.items():
        if key not in ("tags", "contacts", "attributes"):
            table.add_row(Text(f"filters.{key}"), extra_value(value))
    for key, value in sorted(campaign.extra.items()):
        table.add_row(Text(one_line(str(key)).capitalize()), extra_value(value))
    if campaign.id:
        table.add_row("Id", Text(campaign.id))
    return table


class CampaignsScreen(CatalogScreen[Campaign]):
    noun = "campaign"
    columns = (("Name", None), ("Trigger", 11))

    BINDINGS = [
        *catalog_bindings("campaigns", "campaign"),
        Binding("r", "run", "Run now", id="campaigns.run"),
    ]

    def compose_detail(self) -> ComposeResult:
        yield Static("", id="campaign-heading")
        yield Static("", id="campaign-text")
        yield Static("", id="campaign-meter")
        yield Static("", id="campaign-fields")

    async def fetch_page(self, name: str, offset: int, limit: int) -> Page[Campaign]:
        return await self.app.client.campaigns.fetch_all(offset, limit, name=name.strip() or None)

    async def remove_item(self, item: Campaign) -> None:
        await self.app.client.campaigns.remove(item.id or "")

    def cells(self, item: Campaign) -> tuple[Text, ...]:
        return (
            Text(one_line(item.name or "(unnamed)", self.name_width())),
            Text(trigger_label(item.trigger.get("code"))),
        )

    def show_detail(self, item: Campaign | None) -> None:
        heading = self.query_one("#campaign-heading", Static)
        body = self.query_one("#campaign-text", Static)
        meter = self.query_one("#campaign-meter", Static)
        fields = self.query_one("#campaign-fields", Static)
        body.display = item is not None
        if item is None:
            message = "Loading…" if not self.loaded else "No campaign here. Press n to create one."
            heading.update(Text(message, style="dim"))
            for part in (body, meter, fields):
                part.update("")
            return
        title = Text(one_line(item.name or "(unnamed)"), style="bold")
        title.append("  ")
        title.append(f" {trigger_label(item.trigger.get('code'))} ", style="reverse")
        if item.trigger.get("code") == MANUAL:
            title.append("  r runs it now", style="dim")
        heading.update(title)
        text = placeholders_marked(item.template or "")
        body.update(text if text.plain else Text("(no message text)", style="dim italic"))
        meter.update(meter_text(text.plain) if text.plain else "")
        fields.update(Group(campaign_table(item)))

    # -- actions -------------------------------------------------------------

    def form(self, item: Campaign | None) -> ModalScreen[Any]:
        from sakari_tui.screens.campaign_form import CampaignForm

        return CampaignForm(item)

    def action_run(self) -> None:
        from sakari_tui.screens.campaign_run import CampaignRunScreen

        campaign = self.chosen("run")
        if campaign is None:
            return
        code = campaign.trigger.get("code")
        if code != MANUAL:
            self.notify(
                f"“{one_line(campaign.name or '')}” is {trigger_label(code)}: only manual campaigns are run from here.",
                severity="warning",
                markup=False,
                timeout=4,
            )
            return

        def done(result: SendSummary | None) -> None:
            if result is not None:
                queued = result.queued if result.queued is not None else result.valid
                self.notify(
                    f"“{one_line(campaign.name or '')}”: {queued} queued, {len(result.failures)} refused.",
                    markup=False,
                    timeout=4,
                )

        self.app.push_screen(CampaignRunScreen(campaign), done)
